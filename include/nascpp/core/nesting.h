#pragma once
/// Bounds on the nesting of the nested text formats nascpp reads.
///
/// A recursive parser (the DARTS genotype parser), and nlohmann::json's
/// recursive copy, comparison and `dump()` of a parsed value, use one stack
/// frame per nesting level: 30,000 nested '[' overflow the stack. Every such
/// input is therefore checked against `kMaxNestingDepth` first, and deeper
/// input is a clear error instead of a crash:
///
///     const std::string text = nascpp::read_file(path);
///     nascpp::check_json_nesting(text, path);   // DataError when too deep
///     auto doc = nlohmann::json::parse(text);   // now safe to copy and dump
///
/// YAML is bounded by yaml-cpp itself (YAML::DeepRecursion, reported by
/// ConfigNode as a ConfigError).

#include <string>
#include <string_view>

namespace nascpp {

/// The deepest nesting of lists, tuples, calls, arrays or objects accepted.
/// nascpp's own formats nest at most 5 levels (a DARTS genotype 3).
inline constexpr int kMaxNestingDepth = 64;

/// Throws a DataError naming `origin`, the character offset and the limit
/// when the JSON text `text` nests arrays and objects deeper than
/// `kMaxNestingDepth`. Brackets inside strings (escapes included) do not
/// count; malformed JSON is left to the JSON parser to report. Linear time,
/// no allocation.
void check_json_nesting(std::string_view text, const std::string& origin);

}  // namespace nascpp
