// The exit proof vectors (tests/vectors/exit/): each verifies, or fails with its own reason, the
// same as on the verification page (tests/browser/ runs the same files).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "chaincode/record_json.h"
#include "crypto/ed25519.h"
#include "tools/exit_verify.h"

namespace mbl::tools {
namespace {

std::vector<std::filesystem::path> Vectors() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(MBL_SOURCE_DIR) + "/tests/vectors/exit")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "[reason] detail" -> "reason".
std::string Reason(const Status& status) {
  const std::string& message = status.message();
  if (message.empty() || message[0] != '[') return "(no reason code) " + message;
  return message.substr(1, message.find(']') - 1);
}

TEST(ExitVectors, EachVectorVerifiesOrFailsWithItsOwnReason) {
  ASSERT_TRUE(crypto::InitializeCrypto().ok());
  auto files = Vectors();
  ASSERT_GE(files.size(), 14u);
  std::set<std::string> reasons;
  for (const auto& file : files) {
    std::ifstream in(file);
    nlohmann::json vector = nlohmann::json::parse(in);
    std::optional<chaincode::SignedRecord> genesis;
    if (vector.contains("genesis")) {
      auto envelope = chaincode::EnvelopeFromJson(vector["genesis"]);
      ASSERT_TRUE(envelope.ok()) << file;
      genesis = *envelope;
    }
    std::optional<Checkpoint> checkpoint;
    if (vector.contains("checkpoint")) {
      auto parsed = CheckpointFromJson(vector["checkpoint"]);
      ASSERT_TRUE(parsed.ok()) << file;
      checkpoint = *parsed;
    }
    auto verified = VerifyExitBundle(vector["bundle"], genesis, checkpoint);
    const std::string expect = vector["expect"];
    if (expect == "verified") {
      EXPECT_TRUE(verified.ok()) << file.filename() << ": " << verified.status().ToString();
    } else {
      ASSERT_FALSE(verified.ok()) << file.filename() << " verified but must fail with " << expect;
      EXPECT_EQ(Reason(verified.status()), expect) << file.filename();
      reasons.insert(expect);
    }
  }
  EXPECT_EQ(reasons.size(), files.size() - 2) << "every tampering class has its own reason";
}

TEST(ExitVectors, AValidBundleShowsOnlyPublicFieldsAndNoPhysicalContentClaim) {
  std::ifstream in(std::string(MBL_SOURCE_DIR) + "/tests/vectors/exit/01-valid.json");
  nlohmann::json vector = nlohmann::json::parse(in);
  auto verified = VerifyExitBundle(vector["bundle"], std::nullopt, std::nullopt);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  const nlohmann::json& claim = verified->claim;
  // Privacy (DOMAIN §6): no company names, sites or undisclosed quantities.
  const std::string text = claim.dump();
  for (const char* hidden : {"smelter", "wiremaker", "\"org\"", "site", "credit_grams"}) {
    EXPECT_EQ(text.find(hidden), std::string::npos) << hidden << " in " << text;
  }
  EXPECT_NE(claim["statement"].get<std::string>().find("cannot be guaranteed to be physically"),
            std::string::npos);
  EXPECT_EQ(verified->signers, 3u);
  EXPECT_EQ(verified->validators, 4u);
}

TEST(ExitVectors, GarbageBundlesAreRefusedWithAReasonNeverACrash) {
  for (const char* text : {"null", "[]", "{}", R"({"format":"mbl.exit-proof.v1"})",
                           R"({"format":"mbl.exit-proof.v1","genesis":{},"chain_id":"zz"})"}) {
    auto verified = VerifyExitBundle(nlohmann::json::parse(text), std::nullopt, std::nullopt);
    EXPECT_FALSE(verified.ok()) << text;
  }
}

}  // namespace
}  // namespace mbl::tools
