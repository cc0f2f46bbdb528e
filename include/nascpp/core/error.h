#pragma once
/// Errors raised by nascpp.
///
/// Two tiers, as in Faiss: `NASCPP_CHECK` reports the caller's mistakes (bad
/// configuration, bad architecture strings, bad data files) by throwing a
/// `nascpp::Error` whose message names the bad value; `NASCPP_ASSERT` guards
/// our own invariants and never reports a user error.

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace nascpp {

/// Base class of every exception the library throws on purpose.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// A configuration value, command-line argument or option is invalid.
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// A data file (benchmark table, dataset, checkpoint) is missing or malformed.
class DataError : public Error {
 public:
  using Error::Error;
};

/// Training diverged: a loss, gradient, weight or architecture parameter
/// became NaN or infinite. The message says what, where (epoch, step) and
/// which state was kept.
class DivergenceError : public Error {
 public:
  using Error::Error;
};

/// An internal invariant was broken: a bug in nascpp, not the caller's fault.
class InternalError : public Error {
 public:
  using Error::Error;
};

namespace detail {

/// Builds "<message> [check 'cond' failed at file:line]".
std::string format_check_failure(const char* condition, const char* file, int line,
                                 const std::string& message);

}  // namespace detail

/// Joins `items` with `sep`, e.g. for lists of valid choices.
std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");

/// Returns the entry of `choices` closest to `value` by edit distance, or "" if
/// none is close enough to be a plausible typo.
std::string did_you_mean(const std::string& value, const std::vector<std::string>& choices);

/// "unknown <what> 'value'; did you mean 'x'? known: a, b, c"
std::string unknown_choice_message(const std::string& what, const std::string& value,
                                   std::vector<std::string> choices);

}  // namespace nascpp

/// Throws `ErrorType` with a formatted message when `cond` is false. The
/// message carries the failed condition and file:line.
/// Example: `NASCPP_CHECK_T(nascpp::ConfigError, lr >= 0, "invalid learning rate {}", lr);`
#define NASCPP_CHECK_T(ErrorType, cond, ...)                                               \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      throw ErrorType(::nascpp::detail::format_check_failure(#cond, __FILE__, __LINE__,    \
                                                             ::fmt::format(__VA_ARGS__))); \
    }                                                                                      \
  } while (false)

/// `NASCPP_CHECK(cond, "fmt {}", value)` throws `nascpp::Error`.
#define NASCPP_CHECK(cond, ...) NASCPP_CHECK_T(::nascpp::Error, cond, __VA_ARGS__)
/// Throws `nascpp::ConfigError`.
#define NASCPP_CHECK_CONFIG(cond, ...) NASCPP_CHECK_T(::nascpp::ConfigError, cond, __VA_ARGS__)
/// Throws `nascpp::DataError`.
#define NASCPP_CHECK_DATA(cond, ...) NASCPP_CHECK_T(::nascpp::DataError, cond, __VA_ARGS__)
/// Internal invariant; a failure is a bug in nascpp.
#define NASCPP_ASSERT(cond)                                                           \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      throw ::nascpp::InternalError(::nascpp::detail::format_check_failure(           \
          #cond, __FILE__, __LINE__, "internal invariant broken (a bug in nascpp)")); \
    }                                                                                 \
  } while (false)
