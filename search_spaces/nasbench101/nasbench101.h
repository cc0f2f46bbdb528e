#pragma once
/// The NAS-Bench-101 search space (Ying et al., ICML 2019): a cell is a DAG of
/// at most 7 vertices (input, up to five operations, output) and at most 9
/// edges, given as an upper-triangular adjacency matrix plus one op per
/// vertex. The interior ops are `conv3x3-bn-relu`, `conv1x1-bn-relu` and
/// `maxpool3x3`. Vertices that are not on a path from input to output are
/// pruned, exactly as google-research/nasbench's `ModelSpec` does; the
/// 423,624 unique cells of the benchmark are the isomorphism classes of the
/// valid pruned specs, identified by the benchmark's MD5 graph hash.
///
/// An Architecture of this space holds the PRUNED spec, so specs that prune
/// to the same cell compare equal (isomorphic cells still differ; their
/// `hash_spec` is equal). Encoding: `[n, upper-triangular adjacency bits
/// row-major (n(n-1)/2), op ids of vertices 1..n-2]` with op ids
/// conv3x3-bn-relu = 0, conv1x1-bn-relu = 1, maxpool3x3 = 2. Text form:
///
///     nascpp::NasBench101Space space;
///     auto a = space.parse("[[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]]"
///                          "|input,conv3x3-bn-relu,maxpool3x3,output");
///     space.hash_spec(a);       // 32 hex digits, the benchmark's key
///     space.encode(a, "path");  // 364 features
///
/// `parse` also accepts the flattened matrix of the benchmark file
/// (`0110000100010000|input,...`) and the JSON form NAS-Bench-101's and
/// NASLib's users have (`{"matrix": [[0,1,...],...], "ops": ["input", ...]}`). The networks are
/// built by `build_network`, defined in network.cpp beside this file.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/core/random.h"
#include "nascpp/search_space.h"

namespace nascpp {

/// A cell spec: an upper-triangular adjacency matrix over `num_vertices`
/// vertices and one op label per vertex (the labels of nasbench's hash:
/// input = -1, output = -2, interior ops 0, 1, 2).
struct NasBench101Spec {
  static constexpr int kMaxVertices = 7;
  static constexpr int8_t kInput = -1;
  static constexpr int8_t kOutput = -2;
  /// Number of vertices (2 ... 7 once pruned and valid).
  int num_vertices = 0;
  /// matrix[i][j] = 1 for an edge i -> j (only i < j).
  std::array<std::array<uint8_t, kMaxVertices>, kMaxVertices> matrix{};
  /// The op label of each vertex.
  std::array<int8_t, kMaxVertices> ops{};

  /// Number of edges.
  int num_edges() const;
  friend bool operator==(const NasBench101Spec& a, const NasBench101Spec& b);
};

/// The size of the networks `build_network` builds (defaults: the
/// benchmark's CIFAR-10 network).
struct NasBench101NetworkOptions {
  /// Output channels of the 3x3 stem convolution (128 in the benchmark).
  NASCPP_ARG(int64_t, stem_channels) = 128;
  /// Stacks of cells; a 2x2 max pool halves the resolution and the channels
  /// double between stacks (3 in the benchmark).
  NASCPP_ARG(int64_t, num_stacks) = 3;
  /// Cells per stack (3 in the benchmark).
  NASCPP_ARG(int64_t, cells_per_stack) = 3;
  /// BatchNorm momentum in LibTorch's convention (new = (1 - m) * old + m *
  /// batch): 0.003 is the original's TensorFlow momentum 0.997. Short runs
  /// may prefer 0.1.
  NASCPP_ARG(double, bn_momentum) = 0.003;
  /// BatchNorm epsilon (1e-5 in the original).
  NASCPP_ARG(double, bn_eps) = 1e-5;

 public:
  /// Reads the keys above; ConfigError for invalid values.
  static NasBench101NetworkOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class NasBench101Space : public SearchSpace {
 public:
  /// Registry name and the space name carried by its architectures.
  static constexpr const char* kName = "nasbench101";
  static constexpr int kMaxVertices = NasBench101Spec::kMaxVertices;
  static constexpr int kMaxEdges = 9;
  static constexpr int kNumOps = 3;
  /// Features of the `path` encoding: paths of length 0..5 over 3 ops.
  static constexpr int kNumPathFeatures = 364;

  /// Interior op names in the canonical order (their labels 0, 1, 2):
  /// conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3.
  static const std::vector<std::string>& op_names();
  /// Every op name a spec may use: input, the three interior ops, output.
  static const std::vector<std::string>& all_op_names();

  NasBench101Space() = default;
  explicit NasBench101Space(NasBench101NetworkOptions network_options)
      : network_options_(network_options) {}

  /// Reads the network keys (see NasBench101NetworkOptions).
  static std::shared_ptr<const NasBench101Space> from_config(ConfigNode& config);
  const NasBench101NetworkOptions& network_options() const { return network_options_; }

  // ---- specs ----

  /// Prunes a raw spec: a square upper-triangular 0/1 matrix and one op name
  /// per vertex, as nasbench's ModelSpec takes (a malformed matrix or an
  /// unknown op name is a ConfigError naming the entry or op and the valid
  /// ops; raw matrices may be larger than 7x7 if they prune to 7 vertices).
  /// Vertices not on an input-to-output path are removed, then the
  /// benchmark's rules are checked in nasbench's order: the output must
  /// be reachable from the input, at most 7 vertices and 9 edges after
  /// pruning, `input` first, `output` last, interior ops among `op_names()`.
  /// A failed rule is a ConfigError that names it.
  static Architecture from_spec(const std::vector<std::vector<int>>& matrix,
                                const std::vector<std::string>& ops);
  /// As above for a spec in label form (at most 7 vertices).
  static Architecture from_spec(const NasBench101Spec& raw);
  /// The pruned spec of the raw spec, or nullopt with the failed rule in
  /// `why` (when not null) if it is invalid.
  static std::optional<NasBench101Spec> prune_and_check(const NasBench101Spec& raw,
                                                        std::string* why = nullptr);
  /// The (pruned) spec of `arch`; a ConfigError if `arch` is not a valid member.
  static NasBench101Spec spec_of(const Architecture& arch);
  /// The architecture of an already pruned, valid spec (checked).
  static Architecture arch_of(const NasBench101Spec& pruned);

  /// The official NAS-Bench-101 graph hash of `arch` (nasbench's
  /// `graph_util.hash_module` over the pruned spec with labels input = -1,
  /// output = -2, ops 0..2): 32 lowercase hex digits, equal for isomorphic
  /// cells, the benchmark's key.
  std::string hash_spec(const Architecture& arch) const;
  /// The hash of a pruned spec as 16 raw bytes.
  static std::array<uint8_t, 16> hash_bytes(const NasBench101Spec& pruned);
  /// Hex form of 16 hash bytes.
  static std::string hash_hex(const std::array<uint8_t, 16>& bytes);

  // ---- SearchSpace ----

  std::string name() const override { return kName; }
  /// Parses `MATRIX|OPS`: MATRIX is `[[0,1,...],[...],...]` (rows of 0/1,
  /// whitespace ignored) or the n*n digits of the flattened matrix; OPS is
  /// the comma-separated op names from `input` to `output`. Malformed text,
  /// an unknown op or an invalid spec is a ConfigError naming the bad token
  /// or the failed rule and the valid ops.
  Architecture parse(const std::string& text) const override;
  /// `[[0,1,1],[0,0,1],[0,0,0]]|input,conv3x3-bn-relu,output` (the pruned spec).
  std::string format(const Architecture& arch) const override;
  void validate(const Architecture& arch) const override;

  /// As the original's random_spec: each of the 21 upper-triangular entries
  /// of a 7x7 matrix is 1 with probability 1/2, the five interior ops are
  /// uniform, rejected until valid (uniform over valid raw specs), then pruned.
  Architecture sample(Rng& rng) const override;
  /// As the original's mutate_spec (mutation rate 1) on the spec padded to 7
  /// vertices (pruned vertices come back as isolated vertices with uniformly
  /// drawn ops): each of the 21 possible edges flips with probability 1/7,
  /// each of the 5 interior ops changes with probability 1/5 to one of the
  /// other two, repeated until the result is valid and differs from `arch`.
  Architecture mutate(const Architecture& arch, Rng& rng) const override;
  /// Every valid spec one op change or one edge flip away, without `arch`
  /// itself and without repeats: op changes first (vertex 1.., other ops in
  /// canonical order), then edge flips (row-major over the 7x7 padded form).
  std::vector<Architecture> neighbours(const Architecture& arch) const override;

  /// "adjacency", "path".
  std::vector<std::string> encodings() const override;
  /// `adjacency`: 36 = the 21 upper-triangular entries of the spec padded to
  ///   7 vertices (pruned spec vertices 0..n-2 first, output last), row-major,
  ///   then 5 x 3 op one-hots of vertices 1..5 (canonical op order; all zero
  ///   for padding vertices).
  /// `path`: 364 = one feature per input-to-output path's op sequence (White
  ///   et al., BANANAS): a path of ops o_0..o_{k-1} sets feature
  ///   sum_i 3^i (o_i + 1), so length 0 (input -> output) is feature 0.
  std::vector<float> encode(const Architecture& arch, const std::string& encoding) const override;

  /// Defined in network.cpp.
  std::shared_ptr<Network> build_network(const Architecture& arch,
                                         const NetworkSpec& spec) const override;

 private:
  NasBench101NetworkOptions network_options_;
};

}  // namespace nascpp
