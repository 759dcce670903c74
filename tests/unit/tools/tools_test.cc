// Pure helpers of the mbl CLI: argument parsing and the scenario runner's substitution,
// subset matching and dotted paths (docs/cli.md, docs/scenarios.md).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/args.h"
#include "tools/scenario.h"

namespace mbl::tools {
namespace {

using nlohmann::json;

Result<Args> ParseWords(std::vector<std::string> words, const std::set<std::string>& booleans) {
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  return Args::Parse(static_cast<int>(argv.size()), argv.data(), 0, booleans);
}

TEST(Args, FlagsTakeTheNextWordOrAnEqualsValueAndBooleansTakeNone) {
  auto args =
      ParseWords({"run", "--node", "http://127.0.0.1:1", "--json", "--keys=k", "f.json"}, {"json"});
  ASSERT_TRUE(args.ok()) << args.status().ToString();
  EXPECT_EQ(args.value().positional(), (std::vector<std::string>{"run", "f.json"}));
  EXPECT_EQ(args.value().Get("node"), "http://127.0.0.1:1");
  EXPECT_EQ(args.value().Get("keys"), "k");
  EXPECT_TRUE(args.value().Has("json"));
  EXPECT_EQ(args.value().Get("absent", "fallback"), "fallback");
}

TEST(Args, AFlagWithoutItsValueIsAUsageError) {
  auto args = ParseWords({"--node"}, {});
  ASSERT_FALSE(args.ok());
  EXPECT_NE(args.status().message().find("--node"), std::string::npos);
}

TEST(Args, RequireAndOnlyFlagsNameTheOffendingFlag) {
  auto args = ParseWords({"--out", "dir", "--typo", "x"}, {});
  ASSERT_TRUE(args.ok());
  EXPECT_TRUE(args.value().Require("out").ok());
  auto missing = args.value().Require("name");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--name"), std::string::npos);
  Status unknown = args.value().OnlyFlags({"out"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("--typo"), std::string::npos);
  EXPECT_TRUE(args.value().OnlyFlags({"out", "typo"}).ok());
}

TEST(Scenario, SubstituteReplacesInsideStringsAndWholeValuesKeepTheirType) {
  std::map<std::string, json> variables{{"lot", "ab12"}, {"mass", 45000000}};
  json body = {{"lot_id", "${lot}"},
               {"note", "lot ${lot} of ${mass} g"},
               {"mass_g", "${mass}"},
               {"${lot}", 1}};
  auto result = Substitute(body, variables);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result.value()["lot_id"], "ab12");
  EXPECT_EQ(result.value()["note"], "lot ab12 of 45000000 g");
  EXPECT_EQ(result.value()["mass_g"], 45000000);
  EXPECT_TRUE(result.value().contains("${lot}")) << "keys are never substituted";
}

TEST(Scenario, SubstituteNamesAnUnknownVariable) {
  auto result = Substitute(json{{"a", {"${missing}"}}}, {});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("missing"), std::string::npos);
}

TEST(Scenario, JsonContainsIsASubsetMatch) {
  json actual = {{"status", "rejected"}, {"rule", "R8"}, {"lots", {{{"id", 1}}, {{"id", 2}}}}};
  EXPECT_TRUE(JsonContains(actual, json{{"rule", "R8"}}));
  EXPECT_TRUE(JsonContains(actual, json{{"lots", {{{"id", 2}}}}}));
  EXPECT_FALSE(JsonContains(actual, json{{"rule", "R5"}}));
  EXPECT_FALSE(JsonContains(actual, json{{"lots", {{{"id", 3}}}}}));
  EXPECT_FALSE(JsonContains(actual, json{{"absent", true}}));
}

TEST(Scenario, JsonPathFollowsObjectsAndArrayIndexes) {
  json value = {{"result", {{"lots", {{{"id", "x"}}, {{"id", "y"}}}}}}};
  auto found = JsonPath(value, "result.lots.1.id");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found.value(), "y");
  EXPECT_FALSE(JsonPath(value, "result.nothing").ok());
  EXPECT_FALSE(JsonPath(value, "result.lots.7.id").ok());
}

}  // namespace
}  // namespace mbl::tools
