#include "nascpp/core/registry.h"

#include <gtest/gtest.h>

#include "nascpp/registries.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

TEST(Registry, CreatesRegisteredEntries) {
  Registry<int(int)> registry("widget");
  registry.add("double", "twice the input", [](int x) { return 2 * x; });
  registry.add("square", "the input squared", [](int x) { return x * x; });
  EXPECT_EQ(registry.create("double", 4), 8);
  EXPECT_EQ(registry.create("square", 4), 16);
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"double", "square"}));
  EXPECT_EQ(registry.at("square").description, "the input squared");
}

TEST(Registry, UnknownNameListsValidChoices) {
  Registry<int(int)> registry("widget");
  registry.add("double", "", [](int x) { return 2 * x; });
  registry.add("square", "", [](int x) { return x * x; });
  NASCPP_EXPECT_THROW_WITH(registry.create("sqare", 1), ConfigError,
                           "unknown widget 'sqare'; did you mean 'square'?; known: double, square");
}

TEST(Registry, DuplicateNameIsAnError) {
  Registry<int()> registry("widget");
  registry.add("a", "", [] { return 1; });
  NASCPP_EXPECT_THROW_WITH(registry.add("a", "", [] { return 2; }), ConfigError,
                           "widget 'a' is already registered");
}

TEST(Registry, GlobalRegistriesNameTheirKind) {
  EXPECT_EQ(search_space_registry().kind(), "search space");
  EXPECT_EQ(optimizer_registry().kind(), "optimizer");
  EXPECT_EQ(benchmark_registry().kind(), "benchmark");
  EXPECT_EQ(dataset_registry().kind(), "dataset");
  ConfigNode cfg;
  NASCPP_EXPECT_THROW_WITH(search_space_registry().create("no_such_space", cfg), ConfigError,
                           "unknown search space 'no_such_space'");
}

}  // namespace
}  // namespace nascpp
