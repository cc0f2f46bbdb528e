#include "nascpp/graph/skeleton.h"

#include <torch/torch.h>

#include "nascpp/core/error.h"

namespace nascpp {

torch::nn::Sequential skeleton_stem(int64_t in_channels, int64_t channels) {
  return torch::nn::Sequential(
      torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, channels, 3).padding(1).bias(false)),
      torch::nn::BatchNorm2d(channels));
}

OpParameterModel op_parameter_model(const std::string& name, const OpArgs& flags, int64_t ratio,
                                    int64_t stride) {
  auto count = [&](int64_t c) {
    OpArgs args = flags;
    args.c_in(c).c_out(ratio * c).stride(stride);
    auto op = make_op(name, args);
    return op.is_empty() ? 0.0 : static_cast<double>(count_parameters(*op.ptr()));
  };
  return OpParameterModel::through(count(2), count(4));
}

namespace detail {

void check_skeleton_sizes(const NetworkSpec& spec, const SkeletonOptions& options,
                          const std::string& network, const std::vector<double>& cell_bounds) {
  spec.validate();
  const int64_t size = spec.image_size();
  const int64_t factor = int64_t{1} << (options.stages() - 1);
  NASCPP_CHECK_CONFIG(size >= factor && size % factor == 0,
                      "{} needs an image size that is a multiple of {} (its {} reductions each "
                      "halve an even size), got image size {}",
                      network, factor, options.stages() - 1, size);
  const auto c0 = static_cast<double>(options.channels());
  const auto classes = static_cast<double>(spec.num_classes());
  double total = 9.0 * static_cast<double>(spec.in_channels()) * c0 + 2.0 * c0;  // stem
  const OpParameterModel reduction =
      op_parameter_model(options.reduction(), OpArgs(1, 1), /*ratio=*/2, /*stride=*/2);
  double c = c0;
  for (size_t stage = 0; stage < cell_bounds.size(); ++stage, c *= 2.0) {
    if (stage > 0) total += reduction.at(c / 2.0);
    total += static_cast<double>(options.cells_per_stage()) * cell_bounds[stage];
  }
  c /= 2.0;
  total += 2.0 * c + c * classes + classes;  // head: BN and linear
  check_network_memory(total, c0 * static_cast<double>(size) * static_cast<double>(size),
                       network,
                       fmt::format("{} ({} input channels, {} classes, image size {})",
                                   options.describe(), spec.in_channels(), spec.num_classes(),
                                   size));
}

}  // namespace detail

}  // namespace nascpp
