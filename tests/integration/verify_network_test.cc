// Consumer verification against real networks of mbl-node processes (issue 5, items 5 and 6): what
// the public exit answer reveals, `mbl verify`'s exit status, and a verifier's checkpoint against
// a node restored from an older backup (rollback) and a second network started from a copy of
// the first's data at an earlier point (a real fork: another block at the checkpoint's height).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <random>
#include <thread>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "crypto/key_file.h"
#include "tests/integration/cli_runner.h"
#include "tools/cli.h"
#include "tools/http_client.h"

namespace mbl {
namespace {

using testing::Mbl;

// HTTP ports base..base+3 and link ports base+100..+103 free, below the ephemeral range (32768..)
// and beside the other tests' (tests/browser/run.sh draws bases from 20000..29000, cluster_test
// from 29100..32399, so up to port 32502).
int FreePortBlock() {
  boost::asio::io_context io;
  std::mt19937 random(std::random_device{}());
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int base = 32520 + static_cast<int>(random() % 140);
    bool free = true;
    for (int offset : {0, 1, 2, 3, 100, 101, 102, 103}) {
      boost::system::error_code error;
      boost::asio::ip::tcp::acceptor acceptor(io);
      acceptor.open(boost::asio::ip::tcp::v4(), error);
      acceptor.bind(
          {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(base + offset)},
          error);
      free = free && !error;
    }
    if (free) return base;
  }
  return 0;
}

std::string MblOk(const std::string& command) {
  std::string output;
  const int code = Mbl(command, &output);
  EXPECT_EQ(code, 0) << "mbl " << command << "\n" << output;
  return output;
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

// What an answer says in readable form: keys, values, the result leaf's details, the exit record
// decoded; hex of hashes and signatures left out (their digits would match any number).
void AppendReadable(const nlohmann::json& value, std::string& out) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      out += key + " ";
      if (key == "leaf" && item.is_string()) {
        auto leaf = crypto::FromHex(item.get<std::string>());
        if (leaf.ok() && leaf->size() > 45) out += leaf->substr(45) + " ";
      } else if (key == "envelope") {
        auto envelope = chaincode::EnvelopeFromJson(item);
        ASSERT_TRUE(envelope.ok());
        out += chaincode::RecordPayloadToJson(envelope->payload)->dump() + " ";
      } else {
        AppendReadable(item, out);
      }
    }
  } else if (value.is_array()) {
    for (const auto& item : value) AppendReadable(item, out);
  } else if (value.is_string()) {
    const std::string& text = value.get<std::string>();
    if (text.size() < 64 || text.find_first_not_of("0123456789abcdef") != std::string::npos) {
      out += text + " ";
    }
  } else {
    out += value.dump() + " ";
  }
}

class VerifyNetworkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(crypto::InitializeCrypto().ok());
    dir_ = std::filesystem::temp_directory_path() / ("mbl-verify-net-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    // ctest runs each case of this suite in a process of its own, at the same time as other
    // tests: a start that lost a port race is retried on another block.
    for (int attempt = 0;; ++attempt) {
      port_ = FreePortBlock();
      ASSERT_NE(port_, 0);
      MblOk("net create --dir " + Net("a") + " --port " + std::to_string(port_));
      std::string output;
      if (Mbl("net start --dir " + Net("a"), &output) == 0) break;
      ASSERT_LT(attempt, 5) << output;
      Mbl("net stop --dir " + Net("a"));
      std::filesystem::remove_all(Net("a"));
    }
    const std::string keys = " --keys " + Net("a");
    std::string output = MblOk("scenario run " + std::string(MBL_SOURCE_DIR) +
                               "/scenarios/worked-example.json --node " + Nodes() + keys);
    ASSERT_NE(output.find("MBL-"), std::string::npos) << output;
    worked_example_code_ = output.substr(output.find("MBL-"), 18);
    MblOk("scenario run " + std::string(MBL_SOURCE_DIR) + "/tests/vectors/recycled-to-brand.json" +
          " --node " + Nodes() + keys);
    auto chain = tools::FetchChainId(Url(0));
    ASSERT_TRUE(chain.ok());
    chain_id_ = *chain;
  }
  static void TearDownTestSuite() {
    for (const char* net : {"a", "rollback", "fork"}) Mbl("net stop --dir " + Net(net));
    if (!::testing::UnitTest::GetInstance()->Failed()) std::filesystem::remove_all(dir_);
  }

  static std::string Net(const char* name) { return (dir_ / name).string(); }
  static std::string Url(int node) { return "http://127.0.0.1:" + std::to_string(port_ + node); }
  static std::string Nodes() { return Url(0) + "," + Url(1) + "," + Url(2) + "," + Url(3); }
  static std::string Checkpoint() { return (dir_ / "checkpoint.json").string(); }

  // An exit by the brand (1 t of its Cu RE MIX), committed at `node` of the network in `net`; its
  // code, once its block is provably committed (a few more records make the blocks that prove it).
  static std::string ExitAt(const char* net, const std::string& batch, bool disclose) {
    auto key = crypto::ReadSecretKeyFile(std::filesystem::path(Net(net)) / "brand/keys/ops.secret");
    EXPECT_TRUE(key.ok());
    nlohmann::json exit = {{"author_org", "brand"},
                           {"system_exit",
                            {{"site_id", "assembly"},
                             {"characteristic", "cu-re-mix"},
                             {"product_group", "cu-cathode"},
                             {"credit_grams", "1000000"},
                             {"scope", "PRODUCT"},
                             {"product_description", "recycled copper cable"},
                             {"product_batch", batch},
                             {"product_units", "2000"},
                             {"disclose_quantities", disclose}}}};
    nlohmann::json reply = Commit(*key, exit);
    const std::string code = reply["result"]["details"]["exit_code"];
    for (int filler = 0; filler < 20; ++filler) {
      auto answer = tools::HttpCall(Url(0), "GET", "/v1/exit/" + code);
      EXPECT_TRUE(answer.ok());
      if (answer.ok() && !answer->body.value("proof", nlohmann::json()).is_null()) return code;
      Commit(*key, {{"author_org", "brand"},
                    {"site_definition",
                     {{"site_id", batch + "-" + std::to_string(filler)}, {"area_type", "site"}}}});
    }
    ADD_FAILURE() << "no proof for " << code;
    return code;
  }
  static nlohmann::json Commit(const crypto::KeyPair& key, const nlohmann::json& record) {
    auto signed_record = tools::SignRecordJson(record, key, chain_id_);
    EXPECT_TRUE(signed_record.ok());
    auto reply = tools::HttpCall(Url(0), "POST", "/v1/records?wait=commit",
                                 chaincode::EnvelopeToJson(*signed_record).dump());
    EXPECT_TRUE(reply.ok());
    EXPECT_EQ(reply->body.value("status", ""), "accepted") << reply->body.dump();
    return reply->body;
  }
  static std::uint64_t Height(int node) {
    auto reply = tools::HttpCall(Url(node), "GET", "/v1/health");
    return reply.ok() ? reply->body.value("height", std::uint64_t{0}) : 0;
  }
  // A copy of network a's folder (stopped), with only the first `nodes` node folders.
  static void CopyNetwork(const char* to, int nodes) {
    const std::string target = Net(to);
    ASSERT_EQ(std::system(("cp -a " + Net("a") + " " + target).c_str()), 0);
    for (int node = nodes; node < 4; ++node) {
      std::filesystem::remove_all(std::filesystem::path(target) / ("node" + std::to_string(node)));
    }
  }

  static inline std::filesystem::path dir_;
  static inline int port_ = 0;
  static inline std::string chain_id_;
  static inline std::string worked_example_code_;
};

// Privacy (item 6, DOMAIN §6 Q4): the whole public answer, proof bundle included, names no
// upstream organization outside the genesis (the consortium's public member list) and holds no
// intermediate quantity; the exit's own quantities appear only when its author disclosed them.
TEST_F(VerifyNetworkTest, TheExitAnswerNamesNoUpstreamCompanyAndNoIntermediateQuantity) {
  const std::string disclosed = ExitAt("a", "cables 2026-W50 privacy", true);
  // Node 0 answered with the proof; node 2 may not have executed that block yet (bounded wait).
  const std::uint64_t committed = Height(0);
  for (int wait = 0; wait < 200 && Height(2) < committed; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const std::string& code : {worked_example_code_, disclosed}) {
    auto reply = tools::HttpCall(Url(2), "GET", "/v1/exit/" + code);
    ASSERT_TRUE(reply.ok());
    ASSERT_EQ(reply->status, 200);
    ASSERT_TRUE(reply->body["proof"].is_object()) << reply->body.dump();
    // The raw answer, less the genesis record (base64: its names are not readable there anyway,
    // and are public), and the same answer read as a person or a program would.
    std::string raw = reply->raw;
    const std::string genesis = reply->body["proof"]["genesis"]["payload"];
    raw.erase(raw.find(genesis), genesis.size());
    nlohmann::json answer = reply->body;
    answer["proof"].erase("genesis");
    std::string readable;
    AppendReadable(answer, readable);
    ASSERT_NE(readable.find("statement"), std::string::npos);
    for (const std::string* text : {&raw, &readable}) {
      for (const char* upstream : {"smelter", "Smelter", "wiremaker", "Wire Maker", "Boliden",
                                   "ronnskar", "mill", "concentrate"}) {
        EXPECT_EQ(text->find(upstream), std::string::npos) << upstream << " in " << *text;
      }
    }
    // Certified 45 t and 10 t, inputs 200 t and 50 t, shipments of 45 t and 10 t, the worked
    // example's exits of 20 t, 15 t and 10 t (not disclosed).
    for (const char* quantity : {"45000000", "10000000", "200000000", "50000000", "20000000",
                                 "15000000", "45000", "10000"}) {
      EXPECT_FALSE(HasNumber(readable, quantity)) << quantity << " in " << readable;
    }
    EXPECT_EQ(HasNumber(readable, "1000000"), code == disclosed) << readable;
  }
}

// `mbl verify` exits 0 or 1, whatever went wrong; 2 only for a malformed command line.
TEST_F(VerifyNetworkTest, MblVerifyExitsZeroOrOneWithTheReason) {
  std::string output;
  EXPECT_EQ(Mbl("verify " + worked_example_code_ + " --node " + Url(1) + " --chain " + chain_id_,
                &output),
            0)
      << output;
  EXPECT_NE(output.find("pinned by you"), std::string::npos) << output;
  EXPECT_EQ(Mbl("verify " + worked_example_code_ + " --node " + Url(1), &output), 0) << output;
  EXPECT_NE(output.find("NOT PINNED"), std::string::npos) << output;
  const std::vector<std::pair<std::string, std::string>> failures = {
      {"verify bundle.jsn", "[unreadable]"},  // a mistyped file name is not fetched as a code
      {"verify /no/such/bundle.json", "[unreadable]"},
      {"verify MBL-0000-0000-0000 --node " + Url(1), "[unknown-code]"},
      {"verify " + worked_example_code_ + " --node http://127.0.0.1:1", "[unreachable]"},
      {"verify HELLO --node " + Url(1), "[unreadable]"},
      {"verify " + worked_example_code_ + " --node " + Url(1) + " --genesis /no/such/file",
       "[unreadable]"},
      {"verify " + worked_example_code_ + " --node " + Url(1) + " --chain " + std::string(64, 'a'),
       "[wrong-genesis]"},
  };
  for (const auto& [command, reason] : failures) {
    EXPECT_EQ(Mbl(command, &output), 1) << command << "\n" << output;
    EXPECT_NE(output.find("NOT VERIFIED: " + reason), std::string::npos) << command << "\n"
                                                                         << output;
  }
  EXPECT_EQ(Mbl("verify", &output), 2) << output;
  EXPECT_EQ(Mbl("verify a b", &output), 2) << output;
  EXPECT_EQ(Mbl("verify x --chain nothex", &output), 2) << output;
  EXPECT_EQ(Mbl("verify x --frobnicate", &output), 2) << output;
}

// Item 5 with real nodes: the verifier keeps its checkpoint from network a; a node restored from
// a backup older than it is refused (rollback), and so is a network started from a copy of a's
// data at that earlier point that went on with other records (fork).
TEST_F(VerifyNetworkTest, TheCheckpointRefusesARolledBackNodeAndAForkedNetwork) {
  MblOk("net stop --dir " + Net("a"));
  CopyNetwork("rollback", 1);  // the backup one node is restored from
  CopyNetwork("fork", 4);      // the data a second network starts from
  MblOk("net start --dir " + Net("a"));
  const std::string later = ExitAt("a", "cables 2026-W50 later", true);
  std::string output = MblOk("verify " + later + " --node " + Url(1) + " --chain " + chain_id_ +
                             " --checkpoint " + Checkpoint());
  ASSERT_NE(output.find("VERIFIED"), std::string::npos) << output;
  auto checkpoint = tools::ReadJsonFile(Checkpoint());
  ASSERT_TRUE(checkpoint.ok());
  const std::uint64_t kept_height = (*checkpoint)["chains"][chain_id_]["height"];
  const std::string kept_text = checkpoint->dump();
  MblOk("net stop --dir " + Net("a"));

  // One node restored from the older backup, alone (it cannot commit without its peers).
  MblOk("net start --dir " + Net("rollback"));
  ASSERT_LT(Height(0), kept_height);
  EXPECT_EQ(Mbl("verify " + worked_example_code_ + " --node " + Url(0) + " --chain " + chain_id_ +
                    " --checkpoint " + Checkpoint(),
                &output),
            1);
  EXPECT_NE(output.find("NOT VERIFIED: [rollback]"), std::string::npos) << output;
  EXPECT_EQ(tools::ReadJsonFile(Checkpoint())->dump(), kept_text) << "the checkpoint is kept";
  MblOk("net stop --dir " + Net("rollback"));

  // A second network from the same genesis and data at the earlier point, with other records.
  MblOk("net start --dir " + Net("fork"));
  auto key =
      crypto::ReadSecretKeyFile(std::filesystem::path(Net("fork")) / "brand/keys/ops.secret");
  ASSERT_TRUE(key.ok());
  for (int filler = 0; filler < 100 && Height(0) < kept_height; ++filler) {
    Commit(*key, {{"author_org", "brand"},
                  {"site_definition",
                   {{"site_id", "fork-" + std::to_string(filler)}, {"area_type", "site"}}}});
  }
  const std::string other = ExitAt("fork", "cables 2026-W50 other", true);
  ASSERT_GT(Height(0), kept_height);
  EXPECT_EQ(Mbl("verify " + other + " --node " + Url(0) + " --chain " + chain_id_ +
                    " --checkpoint " + Checkpoint(),
                &output),
            1);
  EXPECT_NE(output.find("NOT VERIFIED: [fork]"), std::string::npos) << output;
  EXPECT_EQ(tools::ReadJsonFile(Checkpoint())->dump(), kept_text) << "the checkpoint is kept";
  // Without the checkpoint the forked network's bundle checks out: only what a verifier kept
  // tells the two networks apart.
  EXPECT_EQ(Mbl("verify " + other + " --node " + Url(0) + " --chain " + chain_id_, &output), 0)
      << output;
  MblOk("net stop --dir " + Net("fork"));
}

}  // namespace
}  // namespace mbl
