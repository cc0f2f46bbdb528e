#pragma once
/// `SearchSpace`: the set of architectures an optimizer searches, with the
/// operations every optimizer needs (sample, mutate, neighbours, encode,
/// parse/format) and the networks built from its architectures.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/config.h"
#include "nascpp/core/random.h"
#include "nascpp/network.h"
#include "nascpp/supernet.h"

namespace nascpp {

class SearchSpace {
 public:
  virtual ~SearchSpace() = default;

  /// Registry name of the space ("nasbench201", ...).
  virtual std::string name() const = 0;

  /// Parses the space's canonical text form; malformed text is a ConfigError
  /// that names the position and the valid choices.
  virtual Architecture parse(const std::string& text) const = 0;
  /// The canonical text form; `parse(format(a)) == a`.
  virtual std::string format(const Architecture& arch) const = 0;
  /// Throws ConfigError if `arch` is not a valid member of this space.
  virtual void validate(const Architecture& arch) const = 0;

  /// A uniformly random architecture.
  virtual Architecture sample(Rng& rng) const = 0;
  /// A random neighbour of `arch` (one elementary change).
  virtual Architecture mutate(const Architecture& arch, Rng& rng) const = 0;
  /// Every valid architecture one elementary change away, in a fixed order.
  virtual std::vector<Architecture> neighbours(const Architecture& arch) const = 0;

  /// Number of architectures when the space is finite and enumerable.
  virtual std::optional<uint64_t> size() const { return std::nullopt; }
  /// Every architecture, in a fixed order; an error for non-enumerable spaces.
  virtual std::vector<Architecture> enumerate() const;

  /// Names of the encodings `encode` accepts ("onehot", "path", ...).
  virtual std::vector<std::string> encodings() const = 0;
  /// A fixed-length numeric encoding of `arch`; an unknown name lists the valid ones.
  virtual std::vector<float> encode(const Architecture& arch,
                                    const std::string& encoding) const = 0;

  /// The space as independent categorical choices, for optimizers that model
  /// or recombine choice vectors (BOHB's densities, DEHB's differential
  /// evolution): the number of options of each choice. Empty (the default)
  /// when the space has no such form.
  virtual std::vector<int32_t> choice_cardinalities() const { return {}; }
  /// The choices of `arch`, one value in [0, cardinality) per choice;
  /// ConfigError for spaces without choice vectors.
  virtual std::vector<int32_t> choices_of(const Architecture& arch) const;
  /// The architecture of a choice vector, or nullopt when the combination is
  /// not valid in the space; ConfigError for spaces without choice vectors.
  virtual std::optional<Architecture> from_choices(const std::vector<int32_t>& choices) const;

  /// A freshly initialised network for `arch` (uses torch's generator).
  virtual std::shared_ptr<Network> build_network(const Architecture& arch,
                                                 const NetworkSpec& spec) const = 0;

  /// The one-shot supernet of the space for data of shape `spec` (uses torch's
  /// generator). Throws ConfigError for spaces without one.
  virtual std::shared_ptr<Supernet> build_supernet(const NetworkSpec& spec) const;
};

}  // namespace nascpp
