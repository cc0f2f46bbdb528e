#pragma once
/// The library's own named spdlog logger ("nascpp").
///
/// The library only logs through it; it never adds or changes sinks. A program
/// (the `nascpp` command, or a user's own) decides where messages go, for
/// example `nascpp::logger()->sinks().push_back(...)`. Until then the logger has
/// no sinks and messages are dropped.

#include <spdlog/spdlog.h>

#include <memory>

namespace nascpp {

/// Name under which the logger is registered with spdlog.
inline constexpr const char* kLoggerName = "nascpp";

/// The library's logger; created (without sinks) on first use.
std::shared_ptr<spdlog::logger> logger();

}  // namespace nascpp
