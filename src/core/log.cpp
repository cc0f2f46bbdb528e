#include "nascpp/core/log.h"

#include <mutex>

namespace nascpp {

std::shared_ptr<spdlog::logger> logger() {
  static std::once_flag once;
  static std::shared_ptr<spdlog::logger> instance;
  std::call_once(once, [] {
    instance = spdlog::get(kLoggerName);
    if (!instance) {
      // No sinks: the library never decides where its messages go.
      instance = std::make_shared<spdlog::logger>(kLoggerName);
      instance->set_level(spdlog::level::info);
      spdlog::register_logger(instance);
    }
  });
  return instance;
}

}  // namespace nascpp
