#include "nascpp/core/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.h"

namespace nascpp {
namespace {

TEST(Config, ReadsTypedValuesWithDefaults) {
  auto cfg = ConfigNode::parse("seed: 3\noptimizer:\n  name: bananas\n  k: 10\n");
  EXPECT_EQ(cfg.get<int>("seed", 0), 3);
  EXPECT_EQ(cfg.get<int>("threads", 4), 4);
  auto opt = cfg.section("optimizer");
  EXPECT_EQ(opt.require<std::string>("name"), "bananas");
  EXPECT_EQ(opt.get<int>("k", 1), 10);
  EXPECT_DOUBLE_EQ(opt.get<double>("lr", 0.5), 0.5);
  EXPECT_NO_THROW(cfg.finish());
}

TEST(Config, UnknownKeyIsAnErrorWithSuggestion) {
  auto cfg = ConfigNode::parse("optimizer:\n  population_sise: 20\n");
  auto opt = cfg.section("optimizer");
  opt.get<int>("population_size", 50);
  opt.get<int>("sample_size", 10);
  NASCPP_EXPECT_THROW_WITH(cfg.finish(), ConfigError,
                           "unknown config key 'optimizer.population_sise'; did you mean "
                           "'population_size'?; known: population_size, sample_size");
}

TEST(Config, UnknownTopLevelKeyIsAnError) {
  auto cfg = ConfigNode::parse("seed: 1\nsede: 2\n");
  cfg.get<int>("seed", 0);
  NASCPP_EXPECT_THROW_WITH(cfg.finish(), ConfigError, "unknown config key 'sede'");
}

TEST(Config, WrongTypeNamesKeyAndValue) {
  auto cfg = ConfigNode::parse("epochs: many\n");
  NASCPP_EXPECT_THROW_WITH(cfg.get<int>("epochs", 1), ConfigError,
                           "config key 'epochs': expected an integer, got 'many'");
}

TEST(Config, MissingRequiredKey) {
  auto cfg = ConfigNode::parse("a: 1\n");
  NASCPP_EXPECT_THROW_WITH(cfg.section("search").require<std::string>("space"), ConfigError,
                           "missing required config key 'search.space'");
}

TEST(Config, ChoiceOutsideValidValues) {
  auto cfg = ConfigNode::parse("device: gpu\n");
  NASCPP_EXPECT_THROW_WITH(cfg.get_choice("device", "cpu", {"cpu", "cuda", "auto"}), ConfigError,
                           "known: auto, cpu, cuda");
}

TEST(Config, MalformedYamlNamesOriginAndLine) {
  NASCPP_EXPECT_THROW_WITH(ConfigNode::parse("a: 1\nb: [1, 2\n", "exp.yaml"), ConfigError,
                           "exp.yaml: invalid YAML at line");
  NASCPP_EXPECT_THROW_WITH(ConfigNode::parse("- 1\n- 2\n", "list.yaml"), ConfigError,
                           "list.yaml: the top level must be a mapping");
  NASCPP_EXPECT_THROW_WITH(ConfigNode::load_file("/nonexistent/exp.yaml"), ConfigError,
                           "config file '/nonexistent/exp.yaml' does not exist");
}

// yaml-cpp 0.7 bounds its recursive parser (YAML::DeepRecursion, whose own
// message is only "bad file"); 30,000 nested '[' or '{' are a ConfigError
// that says what is wrong, never a stack overflow.
TEST(Config, DeeplyNestedYamlIsAClearError) {
  const std::string message = "exp.yaml: the YAML nests deeper than the parser's recursion limit";
  NASCPP_EXPECT_THROW_WITH(ConfigNode::parse("arch: " + std::string(30000, '[') + "\n", "exp.yaml"),
                           ConfigError, message);
  std::string maps = "arch: ";
  for (int i = 0; i < 30000; ++i) maps += "{a: ";
  NASCPP_EXPECT_THROW_WITH(ConfigNode::parse(maps + "\n", "exp.yaml"), ConfigError, message);
  std::string blocks;
  for (int i = 0; i < 3000; ++i) blocks += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  NASCPP_EXPECT_THROW_WITH(ConfigNode::parse(blocks, "exp.yaml"), ConfigError, message);
  ConfigNode cfg;
  NASCPP_EXPECT_THROW_WITH(cfg.apply_override("arch=" + std::string(30000, '[')), ConfigError,
                           "...': the YAML nests deeper than the parser's recursion "
                           "limit");
  // Ordinary nesting still loads.
  EXPECT_EQ(ConfigNode::parse("a: [[[[1]]]]\n").raw()["a"][0][0][0][0].as<int>(), 1);
}

TEST(Config, ResolvedConfigHoldsDefaultsAndRoundTrips) {
  auto cfg = ConfigNode::parse("optimizer:\n  k: 7\n");
  auto opt = cfg.section("optimizer");
  opt.get<int>("k", 1);
  opt.get<double>("lr", 0.025);
  cfg.get<std::string>("device", "cpu");
  test::TempDir dir;
  cfg.write_resolved(dir.file("resolved.yaml"));
  auto again = ConfigNode::load_file(dir.file("resolved.yaml"));
  EXPECT_EQ(again.get<std::string>("device", "x"), "cpu");
  auto opt2 = again.section("optimizer");
  EXPECT_EQ(opt2.get<int>("k", 0), 7);
  EXPECT_DOUBLE_EQ(opt2.get<double>("lr", 0.0), 0.025);
  EXPECT_NO_THROW(again.finish());
}

TEST(Config, OverridesCreateAndReplaceNestedKeys) {
  auto cfg = ConfigNode::parse("optimizer:\n  epochs: 50\n");
  cfg.apply_override("optimizer.epochs=3");
  cfg.apply_override("trainer.lr=0.1");
  cfg.apply_override("name=hello world");
  EXPECT_EQ(cfg.section("optimizer").get<int>("epochs", 0), 3);
  EXPECT_DOUBLE_EQ(cfg.section("trainer").get<double>("lr", 0.0), 0.1);
  EXPECT_EQ(cfg.get<std::string>("name", ""), "hello world");
  NASCPP_EXPECT_THROW_WITH(cfg.apply_override("novalue"), ConfigError, "key=value");
  NASCPP_EXPECT_THROW_WITH(cfg.apply_override("name.x=1"), ConfigError, "'name' is not a section");
}

TEST(Config, RepeatedKeysAreRejectedAtAnyDepth) {
  // yaml-cpp keeps both pairs and a lookup sees one of them: silently.
  NASCPP_EXPECT_THROW_WITH(ConfigNode::parse("seed: 1\nname: a\nseed: 2\n", "exp.yaml"),
                           ConfigError,
                           "exp.yaml: line 3: duplicate key 'seed' (first given at line 1)");
  NASCPP_EXPECT_THROW_WITH(
      ConfigNode::parse("optimizer:\n  name: bananas\n  k: 10\n  name: rea\n", "exp.yaml"),
      ConfigError, "exp.yaml: line 4: duplicate key 'optimizer.name' (first given at line 2)");
  NASCPP_EXPECT_THROW_WITH(
      ConfigNode::parse("constraints:\n  metrics:\n    - {metric: flops, max: 1, max: 2}\n"),
      ConfigError, "line 3: duplicate key 'constraints.metrics[0].max'");
  // The same key in different sections, and a shared (aliased) section, are fine.
  EXPECT_NO_THROW(ConfigNode::parse("a: {k: 1}\nb: {k: 2}\n"));
  EXPECT_NO_THROW(ConfigNode::parse("a: &shared {k: 1}\nb: *shared\nc: [*shared, *shared]\n"));
  NASCPP_EXPECT_THROW_WITH(ConfigNode::parse("? [a, b]\n: 1\n", "exp.yaml"), ConfigError,
                           "exp.yaml: line 1: a key must be a plain name");
}

TEST(Config, MoreThanOneDocumentIsRejected) {
  test::TempDir dir;
  {
    std::ofstream out(dir.file("two.yaml"));
    out << "seed: 1\n---\nseed: 2\n";
  }
  NASCPP_EXPECT_THROW_WITH(ConfigNode::load_file(dir.file("two.yaml")), ConfigError,
                           dir.file("two.yaml") +
                               ": holds 2 YAML documents (separated by '---'), "
                               "the second at line 3");
  NASCPP_EXPECT_THROW_WITH(ConfigNode::parse("a: 1\n---\n", "x.yaml"), ConfigError,
                           "x.yaml: holds 2 YAML documents");
  // One document may still be marked as such.
  auto one = ConfigNode::parse("---\nseed: 4\n...\n");
  EXPECT_EQ(one.get<int>("seed", 0), 4);
  EXPECT_NO_THROW(ConfigNode::parse(""));
}

TEST(Config, OverridesFollowTheSameRules) {
  auto cfg = ConfigNode::parse("optimizer:\n  k: 1\n");
  NASCPP_EXPECT_THROW_WITH(cfg.apply_override("optimizer={k: 1, k: 2}"), ConfigError,
                           "override 'optimizer={k: 1, k: 2}': line 1: duplicate key 'k'");
  NASCPP_EXPECT_THROW_WITH(cfg.apply_override("seed=1\n---\n2"), ConfigError,
                           "holds 2 YAML documents");
  NASCPP_EXPECT_THROW_WITH(cfg.apply_override("seed=[1"), ConfigError, "invalid YAML");
  cfg.apply_override("optimizer={k: 3, j: 4}");
  EXPECT_EQ(cfg.section("optimizer").get<int>("k", 0), 3);
}

TEST(Config, NonFiniteNumbersAreRejected) {
  for (const char* text : {".inf", "-.inf", ".Inf", ".nan", ".NaN"}) {
    auto cfg = ConfigNode::parse(std::string("train:\n  learning_rate: ") + text + "\n");
    NASCPP_EXPECT_THROW_WITH(cfg.section("train").get<double>("learning_rate", 0.1), ConfigError,
                             std::string("config key 'train.learning_rate': expected a finite "
                                         "number, got '") +
                                 text + "'");
    NASCPP_EXPECT_THROW_WITH(cfg.section("train").get<float>("learning_rate", 0.1f), ConfigError,
                             "expected a finite number");
    NASCPP_EXPECT_THROW_WITH(cfg.section("train").require<double>("learning_rate"), ConfigError,
                             "expected a finite number");
  }
  auto big = ConfigNode::parse("x: 1e999\ny: 1e308\n");
  NASCPP_EXPECT_THROW_WITH(big.get<double>("x", 0.0), ConfigError, "config key 'x': expected");
  EXPECT_DOUBLE_EQ(big.get<double>("y", 0.0), 1e308);
}

}  // namespace
}  // namespace nascpp
