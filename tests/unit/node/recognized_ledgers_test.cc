// The verification page's list of recognized ledgers (node/recognized_ledgers.h, issue 13):
// checked when the node starts, and put into the page it serves in place of the built-in list.
#include "node/recognized_ledgers.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "node/verify_page.h"

namespace mbl::node {
namespace {

const std::string kChain(64, 'a');

std::string ListOf(std::vector<nlohmann::json> entries) {
  nlohmann::json ledgers = nlohmann::json::array();
  for (auto& entry : entries) ledgers.push_back(std::move(entry));
  return nlohmann::json{{"format", "mbl.recognized-ledgers.v1"}, {"ledgers", ledgers}}.dump();
}

TEST(RecognizedLedgers, AWellFormedListIsKeptWithChainIdsInLowerCase) {
  auto parsed = ParseRecognizedLedgers(ListOf(
      {{{"chain_id", std::string(64, 'A')}, {"scheme", "Koppar ÅÄÖ"}, {"publisher", "銅 AB"}}}));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const nlohmann::json list = nlohmann::json::parse(*parsed);
  EXPECT_EQ(list["ledgers"][0]["chain_id"], kChain);
  EXPECT_EQ(list["ledgers"][0]["scheme"], "Koppar ÅÄÖ");
}

TEST(RecognizedLedgers, ABadListIsRefusedNamingWhatIsWrong) {
  const nlohmann::json good = {{"chain_id", kChain}, {"scheme", "S"}, {"publisher", "P"}};
  auto without = [&](const char* key) {
    nlohmann::json entry = good;
    entry.erase(key);
    return entry;
  };
  auto with = [&](const char* key, const nlohmann::json& value) {
    nlohmann::json entry = good;
    entry[key] = value;
    return entry;
  };
  const std::pair<std::string, std::string> cases[] = {
      {"[]", "not a mbl.recognized-ledgers.v1"},
      {R"({"format": "mbl.recognized-ledgers.v2", "ledgers": []})", "not a"},
      {ListOf({without("scheme")}), "ledgers[0] has no 'scheme'"},
      {ListOf({with("chain_id", "abc")}), "ledgers[0].chain_id is not a chain id"},
      {ListOf({good, good}), "ledgers[1] lists its chain again"},
      {ListOf({with("scheme", "")}), "ledgers[0].scheme must be plain text"},
      {ListOf({with("publisher", "Real\x1b[2K Fake")}), "ledgers[0].publisher must be plain text"},
      {ListOf({with("publisher", "A\u202eB")}), "ledgers[0].publisher must be plain text"},
      {ListOf({with("scheme", "A\u0085B")}), "ledgers[0].scheme must be plain text"},
      {ListOf({with("scheme", std::string(201, 's'))}), "must be plain text"},
  };
  for (const auto& [text, expected] : cases) {
    auto parsed = ParseRecognizedLedgers(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.status().message().find(expected), std::string::npos)
        << text << ": " << parsed.status().message();
  }
  std::vector<nlohmann::json> many;
  for (int i = 0; i < 65; ++i) {
    std::string chain = kChain;
    chain[0] = "0123456789abcdef"[i % 16];
    chain[1] = "0123456789abcdef"[i / 16];
    many.push_back(with("chain_id", chain));
  }
  EXPECT_FALSE(ParseRecognizedLedgers(ListOf(many)).ok());
}

TEST(RecognizedLedgers, ThePageServedHoldsTheListAndNothingCanEndItsScriptBlock) {
  auto parsed = ParseRecognizedLedgers(ListOf({{{"chain_id", kChain},
                                                {"scheme", "</script><script>alert(1)</script>"},
                                                {"publisher", "P"}}}));
  ASSERT_TRUE(parsed.ok());
  const std::string page = VerifyPageRecognizing(*parsed);
  EXPECT_EQ(page.find(R"("ledgers": [])"), std::string::npos) << "the built-in list is replaced";
  EXPECT_NE(page.find(kChain), std::string::npos);
  EXPECT_EQ(page.find("</script><script>alert"), std::string::npos);
  EXPECT_NE(page.find("\\u003c/script>"), std::string::npos);
  EXPECT_EQ(page.size(),
            kVerifyPage.size() -
                std::string(R"({"format": "mbl.recognized-ledgers.v1", "ledgers": []})").size() +
                std::string(*parsed).size() + 5 * 3)
      << "exactly the list block changed (three '<' written as \\u003c)";
}

}  // namespace
}  // namespace mbl::node
