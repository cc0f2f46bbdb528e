#include "nascpp/core/log.h"

#include <gtest/gtest.h>

namespace nascpp {
namespace {

TEST(Log, LibraryLoggerIsNamedAndConfiguresNoSinks) {
  auto log = logger();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->name(), "nascpp");
  EXPECT_EQ(spdlog::get("nascpp"), log);
  // The library never decides where messages go: no sinks until a program adds them.
  EXPECT_TRUE(log->sinks().empty());
  EXPECT_NO_THROW(log->info("dropped without sinks: {}", 42));
}

}  // namespace
}  // namespace nascpp
