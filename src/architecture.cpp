#include "nascpp/architecture.h"

namespace nascpp {

size_t Architecture::hash() const {
  // FNV-1a over the space name and the encoding's bytes: stable across runs,
  // so hash-ordered output is reproducible too.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint8_t byte) {
    h ^= byte;
    h *= 1099511628211ull;
  };
  for (char c : space_) mix(static_cast<uint8_t>(c));
  mix(0xff);
  for (int32_t v : encoding_) {
    for (int i = 0; i < 4; ++i)
      mix(static_cast<uint8_t>((static_cast<uint32_t>(v) >> (8 * i)) & 0xff));
  }
  return static_cast<size_t>(h);
}

}  // namespace nascpp
