#include "nascpp/core/nesting.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/test_support.h"

namespace nascpp {
namespace {

TEST(Nesting, JsonDeeperThanTheLimitIsADataErrorNamingItAndTheOffset) {
  const std::string deep = std::string(30000, '[') + std::string(30000, ']');
  NASCPP_EXPECT_THROW_WITH(check_json_nesting(deep, "state.json"), DataError,
                           "'state.json': JSON nested deeper than 64 levels (at character 64)");
  std::string objects;
  for (int i = 0; i < 100; ++i) objects += "{\"a\":";
  NASCPP_EXPECT_THROW_WITH(check_json_nesting(objects, "o.json"), DataError,
                           "nested deeper than 64 levels (at character 320)");
  // Mixed arrays and objects count together.
  std::string mixed;
  for (int i = 0; i < 40; ++i) mixed += "[{\"k\":";
  NASCPP_EXPECT_THROW_WITH(check_json_nesting(mixed, "m.json"), DataError, "deeper than 64");
}

TEST(Nesting, LimitItselfAndBracketsInStringsAreAccepted) {
  const std::string limit = std::string(64, '[') + std::string(64, ']');
  EXPECT_NO_THROW(check_json_nesting(limit, "x"));
  EXPECT_NO_THROW(check_json_nesting(nlohmann::json::parse(limit).dump(), "x"));
  // Brackets in strings, escaped quotes included, are text.
  const std::string in_string = "{\"a\": \"" + std::string(1000, '[') + "\\\"" +
                                std::string(1000, '{') + "\", \"b\": [1, [2]]}";
  ASSERT_NO_THROW((void)nlohmann::json::parse(in_string));
  EXPECT_NO_THROW(check_json_nesting(in_string, "x"));
  // Sequential (not nested) brackets never add up.
  std::string wide;
  for (int i = 0; i < 10000; ++i) wide += "[[1]],";
  EXPECT_NO_THROW(check_json_nesting("[" + wide + "0]", "x"));
  EXPECT_NO_THROW(check_json_nesting("", "x"));
}

}  // namespace
}  // namespace nascpp
