#pragma once
// Captures what the library logs through nascpp::logger() while the object
// lives (the library adds no sinks; a test adds one, as a program would).

#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>

#include "nascpp/core/log.h"

namespace nascpp::test {

class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_)) {
    sink_->set_pattern("[%l] %v");
    logger()->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  /// Everything logged so far, one "[level] message" line each.
  std::string text() const { return stream_.str(); }
  /// How many lines contain `substring`.
  int count(const std::string& substring) const {
    std::istringstream in(stream_.str());
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line.find(substring) != std::string::npos;
    return n;
  }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

}  // namespace nascpp::test
