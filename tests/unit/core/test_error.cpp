#include "nascpp/core/error.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace nascpp {
namespace {

TEST(Error, CheckMacroCarriesConditionValueAndLocation) {
  const int lr = -3;
  try {
    NASCPP_CHECK_CONFIG(lr >= 0, "invalid learning rate {}", lr);
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("invalid learning rate -3"), std::string::npos) << message;
    EXPECT_NE(message.find("'lr >= 0'"), std::string::npos) << message;
    EXPECT_NE(message.find("tests/unit/core/test_error.cpp:"), std::string::npos) << message;
  }
}

TEST(Error, SubclassesAreCaughtAsError) {
  EXPECT_THROW(NASCPP_CHECK_DATA(false, "bad file {}", "x.csv"), Error);
  EXPECT_THROW(NASCPP_CHECK_DATA(false, "bad file {}", "x.csv"), DataError);
  EXPECT_THROW(NASCPP_CHECK(false, "plain"), Error);
  EXPECT_NO_THROW(NASCPP_CHECK(true, "never"));
  EXPECT_THROW(NASCPP_ASSERT(1 + 1 == 3), InternalError);
}

TEST(Error, DidYouMeanFindsCloseNamesOnly) {
  const std::vector<std::string> choices = {"random_search", "regularized_evolution",
                                            "local_search", "bananas"};
  EXPECT_EQ(did_you_mean("random_serch", choices), "random_search");
  EXPECT_EQ(did_you_mean("bananna", choices), "bananas");
  EXPECT_EQ(did_you_mean("xyz", choices), "");
}

TEST(Error, UnknownChoiceMessageListsSortedChoices) {
  const std::string m = unknown_choice_message("optimizer", "rea", {"gdas", "darts", "bananas"});
  EXPECT_EQ(m, "unknown optimizer 'rea'; known: bananas, darts, gdas");
  const std::string typo = unknown_choice_message("optimizer", "dartz", {"gdas", "darts"});
  EXPECT_EQ(typo, "unknown optimizer 'dartz'; did you mean 'darts'?; known: darts, gdas");
}

}  // namespace
}  // namespace nascpp
