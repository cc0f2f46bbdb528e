// The LibTorch side of GraphSearchSpace: its networks, its one-shot supernet
// and the derivation of an architecture from one-shot weights. The rest of
// the space (search_space.cpp) is part of the torch-free core.
#include <torch/torch.h>

#include <algorithm>
#include <mutex>
#include <utility>

#include "nascpp/core/error.h"
#include "nascpp/graph/cell.h"
#include "nascpp/graph/search_space.h"
#include "nascpp/supernet.h"

namespace nascpp {

namespace {

// Networks of a graph space: the staged skeleton around plain cells.
class GraphNetworkImpl : public Network {
 public:
  GraphNetworkImpl(const Graph& cell, const NetworkSpec& spec, const SkeletonOptions& skeleton) {
    skeleton_.build(*this, spec, skeleton,
                    [&cell](int64_t c) { return Cell(cell, CellOptions(c)); });
  }
  torch::Tensor forward(torch::Tensor images) override {
    return skeleton_.forward(images,
                             [](Cell& cell, const torch::Tensor& x) { return cell->forward({x}); });
  }

 private:
  StagedSkeleton<Cell> skeleton_;
};

// The one-shot supernet of a graph space: one mixed op per choice slot, one
// architecture matrix [slots, candidates] shared by all cells.
class GraphSupernetImpl : public Supernet {
 public:
  GraphSupernetImpl(std::shared_ptr<const GraphSearchSpace> space, const NetworkSpec& spec)
      : space_(std::move(space)) {
    const Graph& graph = space_->graph();
    skeleton_.build(*this, spec, space_->options().skeleton(), [&graph](int64_t c) {
      const auto op_args = OpArgs(c, c).affine(false).track_running_stats(true).conv_bias(true);
      return SupernetCell(graph, CellOptions(c).op_args(op_args));
    });
    const auto slots = static_cast<int64_t>(space_->choice_slots().size());
    const auto ops = static_cast<int64_t>(candidate_ops().size());
    // DARTS initialises the architecture parameters as 1e-3 * N(0, 1).
    alphas_ = register_parameter("arch_alphas", 1e-3 * torch::randn({slots, ops}));
  }

  std::vector<std::string> cell_types() const override { return {"cell"}; }
  std::vector<std::string> candidate_ops() const override {
    return space_->graph().slot(space_->choice_slots().front()).candidates();
  }
  std::vector<torch::Tensor> arch_parameters() const override { return {alphas_}; }
  std::vector<torch::Tensor> weight_parameters() const override {
    std::vector<torch::Tensor> out;
    for (const auto& item : named_parameters(/*recurse=*/true)) {
      if (item.key() != "arch_alphas") out.push_back(item.value());
    }
    return out;
  }

  using Supernet::forward;
  torch::Tensor forward_weighted(const torch::Tensor& images,
                                 const std::vector<torch::Tensor>& weights) override {
    check_arch_shapes(weights, {alphas_}, "graph supernet weights");
    const auto per_slot = weights[0].unbind(0);
    return skeleton_.forward(images, [&per_slot](SupernetCell& cell, const torch::Tensor& x) {
      return cell->forward({x}, per_slot);
    });
  }
  torch::Tensor forward_hard(const torch::Tensor& images,
                             const std::vector<torch::Tensor>& hard_weights,
                             const std::vector<std::vector<int64_t>>& indices) override {
    check_arch_shapes(hard_weights, {alphas_}, "graph supernet hard weights");
    const size_t slots = space_->choice_slots().size();
    NASCPP_CHECK(indices.size() == 1 && indices[0].size() == slots,
                 "graph supernet forward_hard needs one list of {} indices, got {} list(s)", slots,
                 indices.size());
    const auto per_slot = hard_weights[0].unbind(0);
    return skeleton_.forward(images, [&](SupernetCell& cell, const torch::Tensor& x) {
      return cell->forward_hard({x}, per_slot, indices[0]);
    });
  }
  Architecture derive() const override {
    return space_->derive(torch::softmax(alphas_.detach().to(torch::kCPU, torch::kDouble), 1));
  }

 private:
  std::shared_ptr<const GraphSearchSpace> space_;
  StagedSkeleton<SupernetCell> skeleton_;
  torch::Tensor alphas_;
};

}  // namespace

const OpParameterModel& GraphSearchSpace::cell_parameter_bound() const {
  std::call_once(parameter_bound_->once, [this] {
    // One cell's parameters are at most its supernet cell's (every candidate
    // of every slot): a * c^2 + b * c, fitted from two small cells.
    auto count = [this](int64_t c) {
      torch::NoGradGuard no_grad;
      SupernetCell cell(graph_, CellOptions(c));
      return static_cast<double>(count_parameters(*cell));
    };
    parameter_bound_->model = OpParameterModel::through(count(2), count(4));
  });
  return parameter_bound_->model;
}

Architecture GraphSearchSpace::derive(const torch::Tensor& weights) const {
  NASCPP_CHECK(weights.dim() == 2 && weights.size(0) == static_cast<int64_t>(slots_.size()),
               "derive needs [{}, candidates] weights, got a tensor of {} dimension(s)",
               slots_.size(), weights.dim());
  const auto w = weights.to(torch::kCPU, torch::kDouble).contiguous();
  const auto acc = w.accessor<double, 2>();
  std::vector<int32_t> choices(slots_.size(), 0);
  // The strongest candidate of slot s, `none` left out where `skip_none`.
  auto best = [&](size_t s, bool skip_none) {
    const auto row = static_cast<int64_t>(s);
    int32_t arg = -1;
    for (int32_t k = 0; k < slot_candidates_[s]; ++k) {
      if (skip_none && k == slot_none_[s]) continue;
      if (arg < 0 || acc[row][k] > acc[row][arg]) arg = k;
    }
    return arg < 0 ? 0 : arg;
  };
  for (const Unit& unit : units_) {
    if (unit.keep == 0) {
      choices[unit.slots[0]] = best(unit.slots[0], false);
      continue;
    }
    // DARTS' genotype rule: keep the edges whose strongest op other than
    // `none` weighs most (ties: the earlier edge), each with that op.
    std::vector<int32_t> op(slots_.size(), 0);  // per slot of the node: its strongest op
    for (size_t slot : unit.slots) op[slot] = best(slot, true);
    auto strength = [&](size_t slot) { return acc[static_cast<int64_t>(slot)][op[slot]]; };
    std::vector<size_t> order = unit.slots;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return strength(a) > strength(b); });
    for (size_t slot : unit.slots) choices[slot] = dropped(slot);
    for (size_t i = 0; i < unit.keep; ++i) choices[order[i]] = op[order[i]];
  }
  return make(std::move(choices));
}

// ---- networks ----

std::shared_ptr<Network> GraphSearchSpace::build_network(const Architecture& arch,
                                                         const NetworkSpec& spec) const {
  const Graph cell = cell_of(arch);
  spec.validate();
  const OpParameterModel& bound = cell_parameter_bound();
  check_skeleton_sizes(spec, options_.skeleton(), name_ + " network",
                       [&bound](double c) { return bound.at(c); });
  return std::make_shared<GraphNetworkImpl>(cell, spec, options_.skeleton());
}

std::shared_ptr<Supernet> GraphSearchSpace::build_supernet(const NetworkSpec& spec) const {
  const auto& first = graph_.slot(slots_.front()).candidates();
  for (const auto& ref : slots_) {
    const auto& candidates = graph_.slot(ref).candidates();
    NASCPP_CHECK_CONFIG(candidates == first,
                        "graph search space '{}' has no one-shot supernet: its architecture "
                        "matrix needs the same candidates on every choice, but {} has [{}] and "
                        "{} has [{}]",
                        name_, graph_.describe(slots_.front()), join(first, ", "),
                        graph_.describe(ref), join(candidates, ", "));
  }
  spec.validate();
  const OpParameterModel& bound = cell_parameter_bound();
  check_skeleton_sizes(spec, options_.skeleton(), name_ + " supernet",
                       [&bound](double c) { return bound.at(c); });
  // The supernet keeps the space alive for derive().
  auto self = std::make_shared<const GraphSearchSpace>(*this);
  return std::make_shared<GraphSupernetImpl>(std::move(self), spec);
}

}  // namespace nascpp
