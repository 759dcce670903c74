// The exit proof vectors (tests/vectors/exit/): each verifies, or fails with the reason of its
// tampering class, the same as on the verification page (tests/browser/ runs the same files); and
// what the verifier keeps between verifications (trust on first use, checkpoints per chain).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "chaincode/proto/records.pb.h"
#include "chaincode/record_json.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "tools/exit_verify.h"

namespace mbl::tools {
namespace {

const std::filesystem::path kVectorDir =
    std::filesystem::path(MBL_SOURCE_DIR) / "tests/vectors/exit";

nlohmann::json ReadJson(const std::filesystem::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

std::vector<std::filesystem::path> Vectors() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kVectorDir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The options a vector asks for: a pinned genesis file, a pinned chain id, kept checkpoints.
VerifyOptions OptionsOf(const nlohmann::json& vector) {
  VerifyOptions options;
  if (vector.contains("genesis_file")) {
    auto envelope = chaincode::EnvelopeFromJson(ReadJson(kVectorDir / vector["genesis_file"]));
    MBL_CHECK(envelope.ok());
    options.pinned_genesis = *envelope;
  }
  if (vector.contains("chain")) options.pinned_chain_id = vector["chain"].get<std::string>();
  if (vector.contains("checkpoint")) {
    auto parsed = CheckpointsFromJson(vector["checkpoint"]);
    MBL_CHECK(parsed.ok());
    options.checkpoints = *parsed;
  }
  return options;
}

nlohmann::json Bundle(const char* vector) { return ReadJson(kVectorDir / vector)["bundle"]; }

// "[reason] detail" -> "reason".
std::string Reason(const Status& status) {
  const std::string& message = status.message();
  if (message.empty() || message[0] != '[') return "(no reason code) " + message;
  return message.substr(1, message.find(']') - 1);
}

TEST(ExitVectors, EachVectorVerifiesOrFailsWithTheReasonOfItsTamperingClass) {
  ASSERT_TRUE(crypto::InitializeCrypto().ok());
  auto files = Vectors();
  ASSERT_GE(files.size(), 40u);
  std::set<std::string> reasons;
  for (const auto& file : files) {
    nlohmann::json vector = ReadJson(file);
    auto verified = VerifyExitBundle(vector["bundle"], OptionsOf(vector));
    const std::string expect = vector["expect"];
    reasons.insert(expect);
    if (expect == "verified") {
      EXPECT_TRUE(verified.ok()) << file.filename() << ": " << verified.status().ToString();
    } else {
      ASSERT_FALSE(verified.ok()) << file.filename() << " verified but must fail with " << expect;
      EXPECT_EQ(Reason(verified.status()), expect)
          << file.filename() << ": " << verified.status().message();
    }
  }
  // Every reason code of docs/formats.md "Exit proof bundle" has a vector.
  for (const char* reason : {"verified",
                             "wrong-genesis",
                             "genesis-unreadable",
                             "validator-set",
                             "uncertified-validator-set-change",
                             "rejected-record",
                             "exit-code-mismatch",
                             "wrong-path",
                             "result-not-in-block",
                             "non-validator-signer",
                             "duplicate-signer",
                             "too-few-signatures",
                             "bad-signature",
                             "certificate-mismatch",
                             "forked-chain",
                             "not-committed",
                             "record-missing",
                             "bad-record-signature",
                             "record-mismatch",
                             "record-not-in-block",
                             "record-fields-mismatch",
                             "rollback",
                             "fork",
                             "checkpoint-not-shown"}) {
    EXPECT_TRUE(reasons.contains(reason)) << "no vector for " << reason;
  }
}

TEST(ExitVectors, ValidBundlesCarryRealAuditPathsInBothTrees) {
  nlohmann::json bundle = Bundle("01-valid-pinned-genesis.json");
  EXPECT_GE(bundle["result"]["tree_size"].get<int>(), 3);
  EXPECT_GE(bundle["result"]["path"].size(), 2u);
  EXPECT_GE(bundle["record"]["path"].size(), 2u);
  EXPECT_EQ(bundle["record"]["index"], bundle["result"]["index"]);
  auto verified = VerifyExitBundle(bundle, {});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  ASSERT_TRUE(verified->record.has_value());
  EXPECT_EQ(verified->record->author_org, "brand");
  EXPECT_EQ(verified->record->author_name, "Computer Brand Inc");
  EXPECT_EQ(verified->certificate_kind, "quorum");
  EXPECT_EQ(verified->signers, 3u);
  EXPECT_EQ(verified->validators, 4u);
}

TEST(ExitVectors, ASingleValidatorLedgerIsVerifiedByItsValidatorsSignature) {
  auto verified = VerifyExitBundle(Bundle("03-valid-single-validator.json"), {});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->certificate_kind, "single-validator");
  EXPECT_EQ(verified->signers, 1u);
  EXPECT_EQ(verified->validators, 1u);
}

TEST(ExitVectors, TrustIsReportedAsItIs) {
  const nlohmann::json bundle = Bundle("01-valid-pinned-genesis.json");
  auto unpinned = VerifyExitBundle(bundle, {});
  ASSERT_TRUE(unpinned.ok());
  EXPECT_EQ(unpinned->trust, Trust::kUnpinned);
  EXPECT_FALSE(unpinned->checkpoints.has_value()) << "no checkpoints asked for, none made";
  VerifyOptions first;
  first.checkpoints = Checkpoints{};
  auto first_use = VerifyExitBundle(bundle, first);
  ASSERT_TRUE(first_use.ok());
  EXPECT_EQ(first_use->trust, Trust::kFirstUse);
  ASSERT_TRUE(first_use->checkpoints.has_value());
  EXPECT_EQ(first_use->checkpoints->trusted_chain, bundle["chain_id"]);
  VerifyOptions again;
  again.checkpoints = first_use->checkpoints;
  auto known = VerifyExitBundle(bundle, again);
  ASSERT_TRUE(known.ok()) << known.status().ToString();
  EXPECT_EQ(known->trust, Trust::kKnown);
  VerifyOptions pinned;
  pinned.pinned_chain_id = bundle["chain_id"].get<std::string>();
  auto pinned_result = VerifyExitBundle(bundle, pinned);
  ASSERT_TRUE(pinned_result.ok());
  EXPECT_EQ(pinned_result->trust, Trust::kPinned);
}

TEST(ExitVectors, TheCheckpointKeepsValidatorSetHeightAndBlockPerChain) {
  const nlohmann::json bundle = Bundle("01-valid-pinned-genesis.json");
  VerifyOptions options;
  options.checkpoints = Checkpoints{};
  auto verified = VerifyExitBundle(bundle, options);
  ASSERT_TRUE(verified.ok());
  const ChainCheckpoint& kept = verified->checkpoints->chains.at(bundle["chain_id"]);
  EXPECT_EQ(nlohmann::json(kept.validators), bundle["validator_sets"][0]["validators"]);
  EXPECT_EQ(kept.height, verified->height);
  EXPECT_EQ(kept.block_id.size(), 64u);
  EXPECT_FALSE(kept.pinned);
  // The file form reads back the same.
  auto round_trip = CheckpointsFromJson(CheckpointsToJson(*verified->checkpoints));
  ASSERT_TRUE(round_trip.ok());
  EXPECT_EQ(CheckpointsToJson(*round_trip), CheckpointsToJson(*verified->checkpoints));
  // A higher block verified before (the node's tip, which the bundle shows) stays the checkpoint.
  const std::string tip = crypto::FromHex(bundle["tip"].get<std::string>()).value();
  std::uint64_t tip_height = 0;
  for (int i = 0; i < 8; ++i)
    tip_height = (tip_height << 8) | static_cast<std::uint8_t>(tip[40 + i]);
  ASSERT_GT(tip_height, verified->height);
  VerifyOptions later;
  later.checkpoints = verified->checkpoints;
  later.checkpoints->chains.at(bundle["chain_id"]).height = tip_height;
  later.checkpoints->chains.at(bundle["chain_id"]).block_id = crypto::ToHex(tip.substr(0, 32));
  auto again = VerifyExitBundle(bundle, later);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->checkpoints->chains.at(bundle["chain_id"]).height, tip_height);
}

TEST(ExitVectors, ABundleOfAnotherChainNeverOverwritesThePinnedChainsCheckpoint) {
  const nlohmann::json quorum = Bundle("01-valid-pinned-genesis.json");
  const nlohmann::json single = Bundle("03-valid-single-validator.json");
  VerifyOptions options;
  options.checkpoints = Checkpoints{};
  auto first = VerifyExitBundle(quorum, options);
  ASSERT_TRUE(first.ok());
  const Checkpoints kept = *first->checkpoints;
  // Pinned to the quorum chain, the other chain's bundle is refused: nothing to write.
  VerifyOptions pinned;
  pinned.pinned_chain_id = quorum["chain_id"].get<std::string>();
  pinned.checkpoints = kept;
  auto refused = VerifyExitBundle(single, pinned);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(Reason(refused.status()), "wrong-genesis");
  // Unpinned, the verifier trusts the quorum chain it used first: refused as well.
  VerifyOptions unpinned;
  unpinned.checkpoints = kept;
  refused = VerifyExitBundle(single, unpinned);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(Reason(refused.status()), "wrong-genesis");
  EXPECT_NE(refused.status().message().find("pin it"), std::string::npos);
  // Pinned to the other chain, it is kept beside the first chain's entry, which stays as it was.
  VerifyOptions other;
  other.pinned_chain_id = single["chain_id"].get<std::string>();
  other.checkpoints = kept;
  auto beside = VerifyExitBundle(single, other);
  ASSERT_TRUE(beside.ok()) << beside.status().ToString();
  EXPECT_EQ(beside->checkpoints->trusted_chain, quorum["chain_id"]);
  EXPECT_EQ(
      CheckpointsToJson(*beside->checkpoints)["chains"][quorum["chain_id"].get<std::string>()],
      CheckpointsToJson(kept)["chains"][quorum["chain_id"].get<std::string>()]);
  EXPECT_TRUE(beside->checkpoints->chains.at(single["chain_id"]).pinned);
}

TEST(ExitVectors, CheckpointHeightToAskIsThePinnedOrTrustedChains) {
  const nlohmann::json vector = ReadJson(kVectorDir / "05-valid-known-block.json");
  VerifyOptions options = OptionsOf(vector);
  const std::string chain = vector["bundle"]["chain_id"];
  EXPECT_EQ(CheckpointHeightToAsk(options), options.checkpoints->chains.at(chain).height);
  options.pinned_chain_id = std::string(64, 'a');
  EXPECT_EQ(CheckpointHeightToAsk(options), std::nullopt);
  EXPECT_EQ(CheckpointHeightToAsk({}), std::nullopt);
}

// `number` written in `text` as a whole number (no digit before or after it).
bool HasNumber(const std::string& text, const std::string& number) {
  for (std::size_t at = text.find(number); at != std::string::npos;
       at = text.find(number, at + 1)) {
    const bool digit_before = at > 0 && std::isdigit(static_cast<unsigned char>(text[at - 1]));
    const std::size_t end = at + number.size();
    const bool digit_after =
        end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]));
    if (!digit_before && !digit_after) return true;
  }
  return false;
}

// What a bundle says in readable form: every key and value, the result leaf's details, the exit
// record decoded, and no hex of hashes and signatures (whose digits would match anything).
void AppendReadable(const nlohmann::json& value, std::string& out) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      out += key + " ";
      if (key == "leaf") {
        auto leaf = crypto::FromHex(item.get<std::string>());
        out += leaf.ok() && leaf->size() > 45 ? leaf->substr(45) + " " : "";  // the details JSON
      } else if (key == "envelope") {
        auto envelope = chaincode::EnvelopeFromJson(item);
        MBL_CHECK(envelope.ok());
        out += chaincode::RecordPayloadToJson(envelope->payload)->dump() + " ";
      } else {
        AppendReadable(item, out);
      }
    }
  } else if (value.is_array()) {
    for (const auto& item : value) AppendReadable(item, out);
  } else if (value.is_string()) {
    const std::string& text = value.get<std::string>();
    const bool hex =
        text.size() >= 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex) out += text + " ";
  } else {
    out += value.dump() + " ";
  }
}

// Privacy (DOMAIN §6, Q4): outside the genesis (the consortium's public member list), a bundle
// names no upstream organization and holds no quantity but what the exit's author disclosed.
TEST(ExitVectors, ABundleNamesNoUpstreamCompanyAndOnlyDisclosedQuantities) {
  for (const char* file :
       {"01-valid-pinned-genesis.json", "02-valid-record-withheld-unpinned.json"}) {
    nlohmann::json bundle = Bundle(file);
    bundle.erase("genesis");
    std::string text;
    AppendReadable(bundle, text);
    EXPECT_NE(text.find("cables 2026-W50"), std::string::npos) << "the readable form is read";
    for (const char* upstream :
         {"smelter", "Smelter", "wiremaker", "Wire Maker", "ronnskar", "mill"}) {
      EXPECT_EQ(text.find(upstream), std::string::npos)
          << upstream << " in " << file << ": " << text;
    }
    // The upstream quantities of the worked example and recycled-to-brand.json (grams).
    for (const char* quantity : {"10000000", "45000000", "50000000", "200000000"}) {
      EXPECT_FALSE(HasNumber(text, quantity)) << quantity << " in " << file << ": " << text;
    }
    const bool disclosed = bundle["record"].contains("envelope");
    EXPECT_EQ(HasNumber(text, "1000000"), disclosed)
        << "the exit's own 1 t appears exactly when its author disclosed it: " << text;
  }
}

TEST(ExitVectors, GarbageBundlesAreRefusedWithAReasonNeverACrash) {
  for (
      const char* text :
      {"null", "[]", "{}", R"({"format":"mbl.exit-proof.v2"})", R"({"format":"mbl.exit-proof.v1"})",
       R"({"format":"mbl.exit-proof.v2","genesis":{},"chain_id":"zz"})",
       R"({"format":"mbl.exit-proof.v2","genesis":{"payload":"%%","signer":"00","signature":"00"}})"}) {
    auto verified = VerifyExitBundle(nlohmann::json::parse(text), {});
    ASSERT_FALSE(verified.ok()) << text;
    EXPECT_EQ(Reason(verified.status()), "format") << text;
  }
  // Every field of a valid bundle replaced by garbage, one at a time.
  const nlohmann::json valid = Bundle("01-valid-pinned-genesis.json");
  for (const auto& [key, value] : valid.items()) {
    for (const nlohmann::json& garbage : {nlohmann::json(), nlohmann::json(7), nlohmann::json("zz"),
                                          nlohmann::json::array(), nlohmann::json::object()}) {
      if (key == "tip" && garbage.is_null()) continue;  // a bundle may show no tip
      nlohmann::json broken = valid;
      broken[key] = garbage;
      EXPECT_FALSE(VerifyExitBundle(broken, {}).ok()) << key << " = " << garbage.dump();
    }
  }
}

TEST(ExitVectors, CorruptCheckpointFilesAreRefusedWithTheirReason) {
  for (
      const char* text :
      {"{}", R"({"format":"mbl.verify-checkpoint.v1"})",
       R"({"format":"mbl.verify-checkpoint.v1","trusted_chain":"","chains":{"x":{}}})",
       R"({"format":"mbl.verify-checkpoint.v1","trusted_chain":"","chains":{"x":{"validators":[1],"height":1,"block_id":""}}})"}) {
    auto parsed = CheckpointsFromJson(nlohmann::json::parse(text));
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.status().message().find("checkpoint"), std::string::npos);
  }
}

}  // namespace
}  // namespace mbl::tools
