// The final training of the found architecture (`final:`), the one part of
// an experiment that computes with LibTorch (src/experiment/parts.h).
#include <torch/torch.h>

#include "nascpp/core/log.h"
#include "nascpp/network.h"
#include "parts.h"

namespace nascpp::detail {

void FinalTraining::run(const std::string& arch_text, RunDirectory& dir,
                        const ExperimentOptions& options, ExperimentSummary& summary) const {
  const Architecture arch = space->parse(arch_text);
  const auto& train_set = dataset->train();
  const auto spec = NetworkSpec()
                        .in_channels(train_set.images.size(1))
                        .image_size(train_set.images.size(2))
                        .num_classes(dataset->num_classes());
  seed_torch(train.seed());
  auto network = space->build_network(arch, spec);
  logger()->info("final training of {} ({} parameters) on {} for {} epochs", arch_text,
                 count_parameters(*network), dataset->name(), train.epochs());
  auto opts = train;
  opts.checkpoint(dir.final_checkpoint_path()).resume(true).metrics_file(dir.final_metrics_path());
  Trainer trainer(opts, dataset->mean(), dataset->stddev());
  if (options.on_progress()) trainer.on_progress(options.on_progress());
  EvalMetrics test;
  try {
    trainer.fit(*network, train_set, nullptr, [&options](const EpochMetrics&) {
      if (options.on_phase_end()) options.on_phase_end()();
    });
    test = trainer.evaluate(*network, dataset->test());
  } catch (const DivergenceError& e) {
    // A result, not a crash: no test accuracy of diverged weights.
    if (options.on_phase_end()) options.on_phase_end()();
    summary.status = "diverged";
    summary.status_reason =
        fmt::format("the final training of {} diverged: {}", arch_text, e.what());
    logger()->warn("{}", summary.status_reason);
    return;
  }
  summary.has_final = true;
  summary.final_dataset = dataset->name();
  summary.final_parameters = count_parameters(*network);
  summary.final_test_top1 = test.top1;
  summary.final_test_top5 = test.top5;
  summary.final_test_loss = test.loss;
  logger()->info("final: {} test top-1 {:.2f}% top-5 {:.2f}%", dataset->name(), test.top1,
                 test.top5);
}

}  // namespace nascpp::detail
