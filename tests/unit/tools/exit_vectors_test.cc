// The exit proof vectors (tests/vectors/exit/): each verifies, or fails with the reason of its
// tampering class, the same as on the verification page (tests/browser/ runs the same files); and
// what the verifier keeps between verifications (trust on first use, checkpoints per chain).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "chaincode/proto/records.pb.h"
#include "chaincode/record_json.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "tools/cli.h"
#include "tools/exit_verify.h"
#include "tools/verify_report.h"

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
  if (vector.contains("asked_code")) {
    options.asked_exit_code = vector["asked_code"].get<std::string>();
  }
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
                             "code-mismatch",
                             "signer-mismatch",
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
      {"null", "[]", "{}", R"({"format":"mbl.exit-proof.v3"})", R"({"format":"mbl.exit-proof.v1"})",
       R"({"format":"mbl.exit-proof.v2"})",
       R"({"format":"mbl.exit-proof.v3","genesis":{},"chain_id":"zz"})",
       R"({"format":"mbl.exit-proof.v3","genesis":{"payload":"%%","signer":"00","signature":"00"}})"}) {
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

// ---- nothing uncertified is shown (issue 13)
// ------------------------------------------------------

// Every way the test alters one value of a bundle: hex keeps its form (so that checks past the
// format are reached), other text and numbers change, booleans flip, members go away.
std::vector<nlohmann::json> Alterations(const nlohmann::json& value) {
  std::vector<nlohmann::json> out;
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    const bool hex =
        !text.empty() && text.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (hex) {
      std::string flipped = text;
      flipped.back() = flipped.back() == '0' ? '1' : '0';
      out.push_back(flipped);
    }
    out.push_back(text + "x");
    out.push_back("\x1b[2K\rVERIFIED: all good");
  } else if (value.is_number_unsigned()) {
    out.push_back(value.get<std::uint64_t>() + 1);
  } else if (value.is_boolean()) {
    out.push_back(!value.get<bool>());
  }
  return out;
}

void CollectLeaves(const nlohmann::json& value, const nlohmann::json::json_pointer& at,
                   std::vector<nlohmann::json::json_pointer>& leaves) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) CollectLeaves(item, at / key, leaves);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) CollectLeaves(value[i], at / i, leaves);
  }
  if (!at.empty()) leaves.push_back(at);
}

struct Shown {
  std::string text;
  std::string json;
};

std::optional<Shown> ShownFor(const nlohmann::json& bundle, const VerifyOptions& options) {
  auto verified = VerifyExitBundle(bundle, options);
  if (!verified.ok()) return std::nullopt;
  return Shown{VerifiedText(*verified, "checkpoint.json"), VerifiedJson(*verified).dump()};
}

// After VERIFIED, every word comes from certified bytes: altering any value of a valid bundle, or
// leaving out any member, makes the verifier fail or leaves what it shows byte for byte the same.
TEST(VerifiedOutput, AlteringAnyFieldOfAValidBundleFailsOrChangesNothingShown) {
  ASSERT_TRUE(crypto::InitializeCrypto().ok());
  std::size_t tried = 0, unchanged = 0;
  for (const auto& file : Vectors()) {
    const nlohmann::json vector = ReadJson(file);
    if (vector["expect"] != "verified") continue;
    const VerifyOptions options = OptionsOf(vector);
    const nlohmann::json& bundle = vector["bundle"];
    auto baseline = ShownFor(bundle, options);
    ASSERT_TRUE(baseline.has_value()) << file.filename();
    std::vector<nlohmann::json::json_pointer> leaves;
    CollectLeaves(bundle, nlohmann::json::json_pointer(), leaves);
    for (const auto& at : leaves) {
      std::vector<nlohmann::json> variants;
      for (nlohmann::json& altered : Alterations(bundle.at(at))) {
        nlohmann::json changed = bundle;
        changed.at(at) = std::move(altered);
        variants.push_back(std::move(changed));
      }
      if (bundle.at(at.parent_pointer()).is_object()) {
        nlohmann::json removed = bundle;
        removed.at(at.parent_pointer()).erase(at.back());
        variants.push_back(std::move(removed));
      }
      for (const nlohmann::json& variant : variants) {
        ++tried;
        auto shown = ShownFor(variant, options);
        if (!shown) continue;
        ++unchanged;
        EXPECT_EQ(shown->text, baseline->text) << file.filename() << " " << at.to_string();
        EXPECT_EQ(shown->json, baseline->json) << file.filename() << " " << at.to_string();
      }
    }
  }
  EXPECT_GT(tried, 500u);
  EXPECT_GT(unchanged, 0u) << "some fields are not certified (tree sizes, the tip): they are tried";
}

// ---- a code verifies only as itself (issue 13)
// ----------------------------------------------------

// A hostile node: answers every request on 127.0.0.1 with one fixed HTTP body, whatever was asked.
class HostileNode {
 public:
  explicit HostileNode(std::string body) : body_(std::move(body)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    MBL_CHECK(listener_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    MBL_CHECK(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    MBL_CHECK(::listen(listener_, 8) == 0);
    socklen_t length = sizeof address;
    MBL_CHECK(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~HostileNode() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> targets() const {
    std::lock_guard lock(mutex_);
    return targets_;
  }

 private:
  void Serve() {
    for (int polls = 0; !stop_ && polls < 600; ++polls) {  // at most 60 s
      pollfd ready{listener_, POLLIN, 0};
      if (::poll(&ready, 1, 100) <= 0) continue;
      const int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) continue;
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
        const ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
        if (got <= 0) break;
        request.append(buffer, static_cast<std::size_t>(got));
      }
      {
        std::lock_guard lock(mutex_);
        targets_.push_back(request.substr(0, request.find("\r\n")));
      }
      const std::string reply =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
          "Connection: close\r\nContent-Length: " +
          std::to_string(body_.size()) + "\r\n\r\n" + body_;
      for (std::size_t sent = 0; sent < reply.size();) {
        const ssize_t wrote = ::send(connection, reply.data() + sent, reply.size() - sent, 0);
        if (wrote <= 0) break;
        sent += static_cast<std::size_t>(wrote);
      }
      ::close(connection);
    }
  }

  std::string body_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
  std::thread thread_;
};

// `mbl verify WORDS...` in this process; its exit code and what it printed.
std::pair<int, std::string> RunVerify(std::vector<std::string> words) {
  words.insert(words.begin(), "verify");
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  auto args = Args::Parse(static_cast<int>(argv.size()), argv.data(), 1, {"json"});
  MBL_CHECK(args.ok());
  std::ostringstream captured;
  std::streambuf* saved = std::cout.rdbuf(captured.rdbuf());
  const int code = CommandVerify(*args);
  std::cout.rdbuf(saved);
  return {code, captured.str()};
}

TEST(VerifyCommand, ANodeAnsweringEveryCodeWithOneGenuineBundleVerifiesOnlyThatCode) {
  ASSERT_TRUE(crypto::InitializeCrypto().ok());
  const nlohmann::json genuine = Bundle("01-valid-pinned-genesis.json");
  const std::string genuine_code = genuine["exit_code"];
  const std::string other_code = Bundle("02-valid-record-withheld-unpinned.json")["exit_code"];
  ASSERT_NE(genuine_code, other_code);
  HostileNode node(nlohmann::json{{"proof", genuine}}.dump());
  // Asked about another exit: the genuine bundle is not that exit's.
  auto [code, out] = RunVerify({other_code, "--node", node.url(), "--json"});
  EXPECT_EQ(code, kExitFailed) << out;
  EXPECT_NE(out.find("[code-mismatch]"), std::string::npos) << out;
  EXPECT_NE(out.find("\"verified\":false"), std::string::npos) << out;
  // In words, too, and with the code typed as a person types it.
  std::string lower = other_code;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::tie(code, out) = RunVerify({lower, "--node", node.url()});
  EXPECT_EQ(code, kExitFailed);
  EXPECT_EQ(out.rfind("NOT VERIFIED: [code-mismatch]", 0), 0u) << out;
  // The node was asked for the code the user gave, and its answer is genuine for its own code.
  EXPECT_NE(node.targets().front().find("/v1/exit/" + other_code), std::string::npos);
  std::tie(code, out) = RunVerify({genuine_code, "--node", node.url(), "--json"});
  EXPECT_EQ(code, kExitOk) << out;
  // A saved bundle checked against the code on the label.
  const std::filesystem::path saved =
      std::filesystem::temp_directory_path() / ("mbl-bundle-" + std::to_string(::getpid()));
  std::ofstream(saved) << genuine.dump();
  std::tie(code, out) = RunVerify({saved.string(), "--code", other_code, "--json"});
  EXPECT_EQ(code, kExitFailed);
  EXPECT_NE(out.find("[code-mismatch]"), std::string::npos) << out;
  std::tie(code, out) = RunVerify({saved.string(), "--code", genuine_code, "--json"});
  EXPECT_EQ(code, kExitOk) << out;
  std::filesystem::remove(saved);
}

}  // namespace
}  // namespace mbl::tools
