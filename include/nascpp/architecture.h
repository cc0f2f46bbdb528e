#pragma once
/// `Architecture`: a small value type naming one point of a search space.
///
/// It holds the search space's name and a compact integer encoding (for
/// NAS-Bench-201 the six op indices, for NAS-Bench-101 the adjacency bits and
/// ops, for DARTS the genotype's (input, op) pairs). It is cheap to copy,
/// comparable and hashable, and never holds weights; the search space turns it
/// into text (`SearchSpace::format`) and into a network.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nascpp {

class Architecture {
 public:
  Architecture() = default;
  Architecture(std::string space, std::vector<int32_t> encoding)
      : space_(std::move(space)), encoding_(std::move(encoding)) {}

  /// Name of the search space this architecture belongs to.
  const std::string& space() const { return space_; }
  /// The space-specific compact encoding.
  const std::vector<int32_t>& encoding() const { return encoding_; }

  /// True for a default-constructed (empty) architecture.
  bool empty() const { return space_.empty(); }

  /// Hash over space and encoding.
  size_t hash() const;

  friend bool operator==(const Architecture& a, const Architecture& b) {
    return a.space_ == b.space_ && a.encoding_ == b.encoding_;
  }
  friend bool operator!=(const Architecture& a, const Architecture& b) { return !(a == b); }
  friend bool operator<(const Architecture& a, const Architecture& b) {
    return a.space_ != b.space_ ? a.space_ < b.space_ : a.encoding_ < b.encoding_;
  }

 private:
  std::string space_;
  std::vector<int32_t> encoding_;
};

}  // namespace nascpp

template <>
struct std::hash<nascpp::Architecture> {
  size_t operator()(const nascpp::Architecture& a) const noexcept { return a.hash(); }
};
