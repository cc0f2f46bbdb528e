#include "nascpp/core/nesting.h"

#include "nascpp/core/error.h"

namespace nascpp {

void check_json_nesting(std::string_view text, const std::string& origin) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNestingDepth) {
        throw DataError(fmt::format(
            "'{}': JSON nested deeper than {} levels (at character {}); nascpp's files nest a "
            "few levels, so the file is corrupt",
            origin, kMaxNestingDepth, i));
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

}  // namespace nascpp
