#include "nascpp/core/error.h"

#include <algorithm>

#include "nascpp_build_info.h"

namespace nascpp {
namespace detail {

std::string format_check_failure(const char* condition, const char* file, int line,
                                 const std::string& message) {
  // Keep the path short: the part below the source root is enough to find it.
  std::string path = file;
  const std::string root = NASCPP_SOURCE_DIR "/";
  if (path.rfind(root, 0) == 0) path = path.substr(root.size());
  return fmt::format("{} [check '{}' failed at {}:{}]", message, condition, path, line);
}

}  // namespace detail

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string did_you_mean(const std::string& value, const std::vector<std::string>& choices) {
  std::string best;
  size_t best_distance = std::string::npos;
  for (const auto& choice : choices) {
    const size_t d = edit_distance(value, choice);
    if (d < best_distance) {
      best_distance = d;
      best = choice;
    }
  }
  // A plausible typo changes at most a third of the word (and at least 2 edits
  // are always allowed, so short names still get suggestions).
  const size_t limit = std::max<size_t>(2, value.size() / 3);
  if (best_distance == std::string::npos || best_distance > limit) return "";
  return best;
}

std::string unknown_choice_message(const std::string& what, const std::string& value,
                                   std::vector<std::string> choices) {
  std::sort(choices.begin(), choices.end());
  std::string message = fmt::format("unknown {} '{}'", what, value);
  const std::string suggestion = did_you_mean(value, choices);
  if (!suggestion.empty()) message += fmt::format("; did you mean '{}'?", suggestion);
  message += choices.empty() ? "; none are known" : "; known: " + join(choices);
  return message;
}

}  // namespace nascpp
