// Real processes: mbl-node started by `mbl net start`, driven by the `mbl` binary, restarted,
// and killed with SIGKILL in the middle of a stream of writes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <boost/asio.hpp>
#include <functional>
#include <random>
#include <thread>
#include <utility>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "crypto/key_file.h"
#include "tests/integration/cli_runner.h"
#include "tests/support/data_dir_damage.h"
#include "tools/cli.h"
#include "tools/http_client.h"

namespace mbl {
namespace {

using testing::Mbl;

int FreePort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::InitializeCrypto().ok());
    dir_ = std::filesystem::temp_directory_path() /
           ("mbl-process-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    port_ = FreePort();
    url_ = "http://127.0.0.1:" + std::to_string(port_);
    std::string output;
    ASSERT_EQ(
        Mbl("net create --validators 1 --dir " + dir_.string() + " --port " + std::to_string(port_),
            &output),
        0)
        << output;
  }
  void TearDown() override {
    Mbl("net stop --dir " + dir_.string());
    std::filesystem::remove_all(dir_);
  }
  void StartNode() {
    std::string output;
    ASSERT_EQ(Mbl("net start --dir " + dir_.string(), &output), 0) << output;
  }
  pid_t NodePid() {
    auto text = tools::ReadTextFile(dir_ / "node0" / "mbl-node.pid");
    return text.ok() ? static_cast<pid_t>(std::stol(*text)) : -1;
  }
  std::uint64_t Height() {
    auto reply = tools::HttpCall(url_, "GET", "/v1/health");
    return reply.ok() ? reply->body["height"].get<std::uint64_t>() : 0;
  }

  std::filesystem::path dir_;
  int port_ = 0;
  std::string url_;
};

TEST_F(ProcessTest, CliRunsTheScenarioAgainstARealNodeAndTheChainSurvivesRestart) {
  StartNode();
  std::string output;
  ASSERT_EQ(Mbl("scenario run " + std::string(MBL_SOURCE_DIR) +
                    "/scenarios/worked-example.json --node " + url_ + " --keys " + dir_.string(),
                &output),
            0)
      << output;
  // One scenario per rule, one after another on the same network.
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(MBL_SOURCE_DIR) + "/scenarios/rules")) {
    ASSERT_EQ(Mbl("scenario run " + entry.path().string() + " --node " + url_ + " --keys " +
                      dir_.string(),
                  &output),
              0)
        << entry.path() << "\n"
        << output;
  }
  // R6 holds for every organization after all of it (Q6, read by the certification body).
  std::string cb_key = (dir_ / "cb/keys/eval.secret").string();
  for (const char* org : {"smelter", "wiremaker", "brand"}) {
    ASSERT_EQ(Mbl("query conformity org=" + std::string(org) + " --json --key " + cb_key +
                      " --node " + url_,
                  &output),
              0)
        << output;
    EXPECT_NE(output.find("\"r6_conservation\":{\"characteristics\""), std::string::npos) << output;
    EXPECT_EQ(output.find("\"holds\":false"), std::string::npos) << org << ": " << output;
  }
  std::uint64_t height = Height();
  EXPECT_GE(height, 10u);
  ASSERT_EQ(Mbl("net stop --dir " + dir_.string(), &output), 0) << output;
  StartNode();
  EXPECT_EQ(Height(), height);
  std::string key = (dir_ / "brand/keys/ops.secret").string();
  ASSERT_EQ(Mbl("get block 1 --json --key " + key + " --node " + url_, &output), 0) << output;
  EXPECT_NE(output.find("\"height\":1"), std::string::npos) << output;
  ASSERT_EQ(Mbl("query characteristics --key " + key + " --node " + url_, &output), 0) << output;
  EXPECT_NE(output.find("cu-8.0-mix"), std::string::npos);
}

TEST_F(ProcessTest, CliExitCodesSayWhatWentWrong) {
  std::string output;
  EXPECT_EQ(Mbl("frobnicate", &output), tools::kExitUsage);
  EXPECT_EQ(Mbl("health --node http://127.0.0.1:1", &output), tools::kExitUnreachable);
  EXPECT_NE(output.find("cannot reach the node"), std::string::npos) << output;
  StartNode();
  std::string record = (dir_ / "record.json").string();
  ASSERT_TRUE(
      tools::WriteTextFile(
          record,
          R"({"author_org":"smelter","site_definition":{"site_id":"x","area_type":"site"}})")
          .ok());
  // The smelter's evaluation responsible lacks the role: refused (exit 4) and nothing stored.
  std::uint64_t before = Height();
  EXPECT_EQ(Mbl("record submit --wait --in " + record + " --key " +
                    (dir_ / "smelter/keys/eval.secret").string() + " --node " + url_,
                &output),
            tools::kExitRefused)
      << output;
  EXPECT_NE(output.find("operation_responsible"), std::string::npos) << output;
  EXPECT_EQ(Height(), before);
  EXPECT_EQ(Mbl("record submit --wait --in " + record + " --key " +
                    (dir_ / "smelter/keys/ops.secret").string() + " --node " + url_,
                &output),
            tools::kExitOk)
      << output;
  EXPECT_EQ(Height(), before + 1);
}

// kill -9 during a stream of acknowledged writes, then restart: the node passes its integrity
// check and every record whose commit was acknowledged is there.
TEST_F(ProcessTest, KillNineDuringWritesLosesNoAcknowledgedRecord) {
  auto key = crypto::ReadSecretKeyFile(dir_ / "smelter/keys/ops.secret");
  ASSERT_TRUE(key.ok());
  auto reader = crypto::ReadSecretKeyFile(dir_ / "brand/keys/ops.secret");
  ASSERT_TRUE(reader.ok());
  std::mt19937 random(static_cast<unsigned>(getpid()));
  std::vector<std::string> acknowledged;
  int sequence = 0;
  constexpr int kCycles = 4;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    StartNode();
    auto chain = tools::FetchChainId(url_);
    ASSERT_TRUE(chain.ok());
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::thread writer([&] {
      while (!stop) {
        nlohmann::json batch = nlohmann::json::array();
        for (int i = 0; i < 20; ++i) {
          nlohmann::json record = {
              {"author_org", "smelter"},
              {"site_definition",
               {{"site_id", "s" + std::to_string(sequence++)}, {"area_type", "site"}}}};
          batch.push_back(
              chaincode::EnvelopeToJson(tools::SignRecordJson(record, *key, *chain).value()));
        }
        auto reply = tools::HttpCall(url_, "POST", "/v1/records?wait=commit&timeout_ms=5000",
                                     nlohmann::json{{"records", batch}}.dump(), nullptr,
                                     std::chrono::seconds(10));
        if (!reply.ok()) return;  // the node died under us
        std::lock_guard lock(mutex);
        for (const auto& result : reply->body["results"]) {
          if (result["status"] == "accepted") acknowledged.push_back(result["id"]);
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + random() % 600));
    pid_t pid = NodePid();
    ASSERT_GT(pid, 0);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    waitpid(pid, nullptr, 0);
    stop = true;
    writer.join();
  }
  StartNode();  // refuses to start if its integrity check fails
  ASSERT_FALSE(acknowledged.empty()) << "the writer never got an acknowledgement";
  for (const std::string& id : acknowledged) {
    auto reply = tools::HttpCall(url_, "GET", "/v1/records/" + id, "", &*reader);
    ASSERT_TRUE(reply.ok());
    ASSERT_EQ(reply->status, 200) << "acknowledged record " << id << " is missing: " << reply->raw;
    EXPECT_EQ(reply->body["status"], "accepted");
  }
  std::printf("kill -9 cycles: %d, acknowledged records checked: %zu\n", kCycles,
              acknowledged.size());
}

// Damage done to the files of a stopped node's data directory, one kind at a time, each to a fresh
// copy of the same directory: the real mbl-node refuses to start with exit code 3 (the integrity
// exit code, docs/operations.md) and a message that names what is wrong and what to do. The
// intact copy, put back as a restore from backup would, starts again.
TEST_F(ProcessTest, ADamagedDataDirectoryStopsTheNodeAtStartWithExitCode3AndWhatToDo) {
  StartNode();
  auto key = crypto::ReadSecretKeyFile(dir_ / "smelter/keys/ops.secret");
  ASSERT_TRUE(key.ok());
  auto chain = tools::FetchChainId(url_);
  ASSERT_TRUE(chain.ok());
  for (int i = 0; i < 5; ++i) {
    nlohmann::json record = {
        {"author_org", "smelter"},
        {"site_definition", {{"site_id", "d" + std::to_string(i)}, {"area_type", "site"}}}};
    auto envelope = chaincode::EnvelopeToJson(tools::SignRecordJson(record, *key, *chain).value());
    auto reply = tools::HttpCall(url_, "POST", "/v1/records?wait=commit", envelope.dump());
    ASSERT_TRUE(reply.ok() && reply->status == 200) << (reply.ok() ? reply->raw : "");
  }
  const std::filesystem::path data = dir_ / "node0" / "data";
  const std::filesystem::path with_log = dir_ / "backup-with-log";
  const std::filesystem::path with_tables = dir_ / "backup-with-tables";
  ASSERT_EQ(Mbl("net stop --dir " + dir_.string()), 0);
  std::filesystem::copy(data, with_log, std::filesystem::copy_options::recursive);
  StartNode();  // opening the store again moves its log into table files
  const std::uint64_t height = Height();
  ASSERT_EQ(Mbl("net stop --dir " + dir_.string()), 0);
  std::filesystem::copy(data, with_tables, std::filesystem::copy_options::recursive);

  struct Damage {
    std::string name;
    const std::filesystem::path* backup;
    std::function<std::string(const std::filesystem::path&)> apply;  // returns what to expect
  };
  const std::vector<Damage> damages = {
      {"a flipped byte in a table file", &with_tables,
       [](const std::filesystem::path& dir) {
         auto table = test_support::LargestFile(dir, ".sst");
         test_support::FlipByte(table, 0.25);
         return table.filename().string();
       }},
      {"a flipped byte in the write-ahead log", &with_log,
       [](const std::filesystem::path& dir) {
         test_support::FlipByte(test_support::LargestFile(dir, ".log"), 0.5);
         return std::string("write-ahead log");
       }},
      {"the MANIFEST removed", &with_tables,
       [](const std::filesystem::path& dir) {
         auto manifest = test_support::CurrentManifest(dir);
         std::filesystem::remove(manifest);
         return manifest.filename().string() + ", which is missing";
       }},
      {"CURRENT removed", &with_tables,
       [](const std::filesystem::path& dir) {
         std::filesystem::remove(dir / "CURRENT");
         return std::string("CURRENT, which names the MANIFEST");
       }},
  };
  for (const Damage& damage : damages) {
    std::filesystem::remove_all(data);
    std::filesystem::copy(*damage.backup, data, std::filesystem::copy_options::recursive);
    const std::string expected = damage.apply(data);
    const std::string command = std::string(MBL_NODE_BINARY) + " --config " +
                                (dir_ / "node0" / "config.json").string() + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    const int status = pclose(pipe);
    ASSERT_TRUE(WIFEXITED(status)) << damage.name << ": " << output;
    EXPECT_EQ(WEXITSTATUS(status), 3) << damage.name << ": " << output;
    EXPECT_NE(output.find(expected), std::string::npos) << damage.name << ": " << output;
    EXPECT_NE(output.find("restore it from a backup"), std::string::npos) << output;
    EXPECT_NE(output.find("move the data directory away"), std::string::npos) << output;
  }
  std::filesystem::remove_all(data);  // restored from the backup, it starts
  std::filesystem::copy(with_tables, data, std::filesystem::copy_options::recursive);
  StartNode();
  EXPECT_EQ(Height(), height);
}

}  // namespace
}  // namespace mbl

namespace mbl {
namespace {

// Runs mbl-node with `config` to its exit; returns its exit code and everything it printed.
std::pair<int, std::string> RunNodeToExit(const std::filesystem::path& config) {
  const std::string command =
      std::string(MBL_NODE_BINARY) + " --config " + config.string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// The genesis ceremony's two traps (docs/operations.md): `mbl genesis` refuses a spec the nodes
// would refuse, and a node given a refused genesis anyway (signed by other means) writes nothing,
// so that the same data directory starts cleanly from the corrected genesis.
TEST_F(ProcessTest, T1_ARefusedGenesisIsNotWrittenAndLeavesTheDataDirectoryEmpty) {
  auto spec = tools::ReadJsonFile((dir_ / "genesis-spec.json").string());
  ASSERT_TRUE(spec.ok());
  (*spec)["validators"][0]["address"] = "127.0.0.1";  // the port forgotten
  const std::filesystem::path bad_spec = dir_ / "genesis-spec-bad.json";
  ASSERT_TRUE(tools::WriteTextFile(bad_spec.string(), spec->dump(2)).ok());
  const std::filesystem::path bad_genesis = dir_ / "genesis-bad.json";
  std::string output;
  EXPECT_EQ(
      Mbl("genesis --spec " + bad_spec.string() + " --sign-key " +
              (dir_ / "consortium/keys/top.secret").string() + " --out " + bad_genesis.string(),
          &output),
      tools::kExitUsage)
      << output;
  EXPECT_NE(output.find("validator address '127.0.0.1' has no port"), std::string::npos) << output;
  EXPECT_NE(output.find("the genesis was not written"), std::string::npos) << output;
  EXPECT_FALSE(std::filesystem::exists(bad_genesis));

  // The same mistake signed without the checks: the node refuses it and writes nothing.
  auto good = tools::ReadJsonFile((dir_ / "genesis.json").string());
  ASSERT_TRUE(good.ok());
  auto envelope = chaincode::EnvelopeFromJson(*good);
  ASSERT_TRUE(envelope.ok());
  auto record = chaincode::RecordPayloadToJson(envelope->payload);
  ASSERT_TRUE(record.ok());
  (*record)["genesis"]["validators"][0]["address"] = "127.0.0.1";
  auto payload = chaincode::RecordPayloadFromJson(record->dump());
  ASSERT_TRUE(payload.ok()) << payload.status().message();
  auto top = crypto::ReadSecretKeyFile(dir_ / "consortium/keys/top.secret");
  ASSERT_TRUE(top.ok());
  ASSERT_TRUE(
      tools::WriteTextFile((dir_ / "genesis.json").string(),
                           chaincode::EnvelopeToJson(chaincode::SignRecord(*payload, *top)).dump(2))
          .ok());
  const std::filesystem::path data = dir_ / "node0" / "data";
  auto [code, printed] = RunNodeToExit(dir_ / "node0" / "config.json");
  EXPECT_EQ(code, 2) << printed;
  EXPECT_NE(printed.find("the genesis record is refused (T1)"), std::string::npos) << printed;
  EXPECT_NE(printed.find("nothing was written"), std::string::npos) << printed;
  EXPECT_TRUE(!std::filesystem::exists(data) || std::filesystem::is_empty(data))
      << "a refused first start leaves no block 0 behind";

  // The corrected genesis starts on the same data directory.
  ASSERT_TRUE(tools::WriteTextFile((dir_ / "genesis.json").string(), good->dump(2)).ok());
  StartNode();
  EXPECT_EQ(Height(), 0u);
}

// A port taken by another program is found before the ledger opens: a first start leaves nothing.
TEST_F(ProcessTest, AnApiPortInUseStopsTheFirstStartBeforeAnythingIsWritten) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(
      io, {boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port_)});
  auto [code, printed] = RunNodeToExit(dir_ / "node0" / "config.json");
  EXPECT_EQ(code, 4) << printed;
  EXPECT_NE(printed.find("cannot listen on 127.0.0.1:" + std::to_string(port_)), std::string::npos)
      << printed;
  const std::filesystem::path data = dir_ / "node0" / "data";
  EXPECT_TRUE(!std::filesystem::exists(data) || std::filesystem::is_empty(data));
  taken.close();
  StartNode();
  EXPECT_EQ(Height(), 0u);
}

}  // namespace
}  // namespace mbl
