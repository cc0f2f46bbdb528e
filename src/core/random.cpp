#include "nascpp/core/random.h"

#include <sstream>

namespace nascpp {

std::string Rng::state() const {
  std::ostringstream out;
  out << seed_ << ' ' << engine_;
  return out.str();
}

void Rng::set_state(const std::string& state) {
  std::istringstream in(state);
  uint64_t seed = 0;
  std::mt19937_64 engine;
  in >> seed >> engine;
  NASCPP_CHECK_DATA(!in.fail(), "malformed random generator state ({} characters)", state.size());
  seed_ = seed;
  engine_ = engine;
}

}  // namespace nascpp
