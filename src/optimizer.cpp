#include "nascpp/optimizer.h"

namespace nascpp {

void BlackBoxOptimizer::attach(std::shared_ptr<const SearchSpace> space, Rng* rng) {
  NASCPP_CHECK(space != nullptr, "optimizer '{}' attached to no search space", name());
  NASCPP_CHECK(rng != nullptr, "optimizer '{}' attached without a random generator", name());
  space_ = std::move(space);
  rng_ = rng;
  do_attach();
}

Architecture BlackBoxOptimizer::ask() {
  NASCPP_CHECK(space_ != nullptr, "optimizer '{}': ask() before attach()", name());
  Architecture arch = do_ask();
  NASCPP_ASSERT(arch.space() == space_->name());
  return arch;
}

void BlackBoxOptimizer::tell(const Architecture& arch, const EvaluationResult& result) {
  NASCPP_CHECK(space_ != nullptr, "optimizer '{}': tell() before attach()", name());
  NASCPP_CHECK(arch.space() == space_->name(),
               "optimizer '{}' told about an architecture of space '{}', attached to '{}'", name(),
               arch.space(), space_->name());
  do_tell(arch, result);
}

}  // namespace nascpp
