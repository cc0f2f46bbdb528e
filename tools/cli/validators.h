#pragma once
// Checks of command-line values that CLI11's own validators let through: an
// empty string given to an option that needs a value (`--out ''`), and
// integers that CLI11 would wrap or read in another base (`--seed -1` becomes
// 2^64 - 1, `--seed 010` is octal 8). A failed check is a CLI::ValidationError:
// main() prints CLI11's message and exits 2.

#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace nascpp::cli {

/// Rejects an empty value.
inline CLI::Validator non_empty() {
  return CLI::Validator(
      [](std::string& value) {
        return value.empty() ? std::string("must not be empty") : std::string();
      },
      "NOT EMPTY", "non_empty");
}

/// Accepts a decimal whole number in [lo, hi] (no sign, no exponent, no base
/// prefix) and rewrites it without leading zeros, so that CLI11's conversion
/// reads exactly that number.
inline CLI::Validator whole_number_in(uint64_t lo, uint64_t hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& value) {
        const std::string expected = "must be a whole number in " + range + ", got '" + value + "'";
        if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
          return expected;
        }
        uint64_t number = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
        if (ec != std::errc() || end != value.data() + value.size() || number < lo || number > hi) {
          return expected;
        }
        value = std::to_string(number);
        return std::string();
      },
      "INT in " + range, "whole_number_in");
}

/// The largest value accepted for sizes given on the command line (channels,
/// image size, classes); whether a network of that size fits in memory is
/// checked when it is built.
constexpr uint64_t kMaxCliSize = std::numeric_limits<int32_t>::max();

}  // namespace nascpp::cli
