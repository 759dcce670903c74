// A 4-validator network of real mbl-node processes on 127.0.0.1 (created and started by the real
// `mbl net` commands), ordering by BFT consensus over the authenticated validator links: the
// worked example across all nodes, a leader killed under load, kill -9 and restart, the same
// record at two nodes, and more than f nodes down.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <boost/asio.hpp>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "crypto/key_file.h"
#include "tests/integration/cli_runner.h"
#include "tests/support/data_dir_damage.h"
#include "tests/support/http_attack.h"
#include "tools/cli.h"
#include "tools/http_client.h"

namespace mbl {
namespace {

using testing::Mbl;

constexpr int kNodes = 4;

// A base port with port .. port+3 and port+100 .. port+103 free (HTTP and validator links),
// below the kernel's ephemeral range (32768..) so that no outgoing connection takes one meanwhile.
// (tests/browser/run.sh draws from 20000..29000; these tests from 29100..32500.)
int FreePortBlock() {
  boost::asio::io_context io;
  std::mt19937 random(std::random_device{}());
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int base = 29100 + static_cast<int>(random() % 3300);
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

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::InitializeCrypto().ok());
    dir_ = std::filesystem::temp_directory_path() /
           ("mbl-cluster-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    port_ = FreePortBlock();
    ASSERT_NE(port_, 0);
    std::string output;
    ASSERT_EQ(
        Mbl("net create --dir " + dir_.string() + " --port " + std::to_string(port_), &output), 0)
        << output;
    // Short rounds so that a dead leader is replaced quickly in the tests.
    for (int i = 0; i < kNodes; ++i) {
      auto file = NodeDir(i) / "config.json";
      auto config = tools::ReadJsonFile(file);
      ASSERT_TRUE(config.ok());
      (*config)["round_timeout_ms"] = 300;
      ASSERT_TRUE(tools::WriteTextFile(file, config->dump(2)).ok());
    }
    ASSERT_EQ(Mbl("net start --dir " + dir_.string(), &output), 0) << output;
    auto key = crypto::ReadSecretKeyFile(dir_ / "smelter/keys/ops.secret");
    ASSERT_TRUE(key.ok());
    smelter_ops_ = std::make_unique<crypto::KeyPair>(std::move(*key));
    auto reader = crypto::ReadSecretKeyFile(dir_ / "cb/keys/eval.secret");
    ASSERT_TRUE(reader.ok());
    reader_ = std::make_unique<crypto::KeyPair>(std::move(*reader));
    auto chain = tools::FetchChainId(Url(0));
    ASSERT_TRUE(chain.ok()) << chain.status().ToString();
    chain_id_ = *chain;
  }
  void TearDown() override {
    Mbl("net stop --dir " + dir_.string());
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::filesystem::path NodeDir(int node) const { return dir_ / ("node" + std::to_string(node)); }
  std::string Url(int node) const { return "http://127.0.0.1:" + std::to_string(port_ + node); }
  // The node's process id, or -1 when its pid file is absent or not (yet) a number.
  pid_t Pid(int node) const {
    auto text = tools::ReadTextFile(NodeDir(node) / "mbl-node.pid");
    long pid = -1;
    if (!text.ok() || std::sscanf(text->c_str(), "%ld", &pid) != 1 || pid <= 1) return -1;
    return static_cast<pid_t>(pid);
  }
  nlohmann::json Health(int node) const {
    auto reply =
        tools::HttpCall(Url(node), "GET", "/v1/health", "", nullptr, std::chrono::seconds(2));
    return reply.ok() ? reply->body : nlohmann::json();
  }
  // The node that leads the current round, as its peers see it.
  int Leader() const {
    for (int node = 0; node < kNodes; ++node) {
      auto health = Health(node);
      if (health.is_null()) continue;
      auto leader = health["consensus"]["leader_index"].get<int>();
      for (int candidate = 0; candidate < kNodes; ++candidate) {
        auto other = Health(candidate);
        if (!other.is_null() && other["consensus"]["self_index"].get<int>() == leader) {
          return candidate;
        }
      }
    }
    return -1;
  }

  void Kill(int node) {
    pid_t pid = Pid(node);
    ASSERT_GT(pid, 0);
    kill(pid, SIGKILL);
    // Gone once it cannot be signalled (reaped by init: nodes run in sessions of their own).
    for (int i = 0; i < 250 && kill(pid, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::filesystem::remove(NodeDir(node) / "mbl-node.pid");
  }
  // Restarts one node the way an operator would: mbl-node --config, in the background.
  // Double fork: init adopts the node and reaps it, as with `mbl net start`. With
  // `crash_percent`, the node's commit-path fault points kill it (node/fault_points.h).
  void Restart(int node, int crash_percent = 0) {
    const std::string pid_file = (NodeDir(node) / "mbl-node.pid").string();
    const std::string log = (NodeDir(node) / "node.log").string();
    const std::string config = (NodeDir(node) / "config.json").string();
    pid_t child = fork();
    if (child == 0) {
      setsid();
      if (fork() == 0) {
        // Written beside it and renamed: the test never reads a half-written pid file.
        const std::string pid_temporary = pid_file + ".tmp";
        FILE* pid_out = std::fopen(pid_temporary.c_str(), "w");
        if (pid_out != nullptr) {
          std::fprintf(pid_out, "%d\n", static_cast<int>(getpid()));
          std::fclose(pid_out);
          std::rename(pid_temporary.c_str(), pid_file.c_str());
        }
        if (crash_percent > 0) {
          setenv("MBL_FAULT_CRASH_PERCENT", std::to_string(crash_percent).c_str(), 1);
        }
        int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
          dup2(fd, 1);
          dup2(fd, 2);
        }
        execl(MBL_NODE_BINARY, "mbl-node", "--config", config.c_str(), static_cast<char*>(nullptr));
        _exit(127);
      }
      _exit(0);
    }
    ASSERT_GT(child, 0);
    waitpid(child, nullptr, 0);
    for (int i = 0; i < 300; ++i) {
      if (!Health(node).is_null()) return;
      const pid_t pid = Pid(node);
      if (crash_percent > 0 && pid > 0 && kill(pid, 0) != 0) return;  // a fault point took it
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "node " << node << " did not come back";
  }
  // SIGTERM, as an operator stops a node, and waits until it is gone.
  void Stop(int node) {
    pid_t pid = Pid(node);
    ASSERT_GT(pid, 0);
    kill(pid, SIGTERM);
    for (int i = 0; i < 500 && kill(pid, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_NE(kill(pid, 0), 0) << "node " << node << " did not stop";
    std::filesystem::remove(NodeDir(node) / "mbl-node.pid");
  }
  // Runs the node in the foreground, as an operator would start it by hand; returns its exit code
  // and what it logged.
  int RunInForeground(int node, std::string* output) {
    const std::string command = std::string(MBL_NODE_BINARY) + " --config " +
                                (NodeDir(node) / "config.json").string() + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return -1;
    char buffer[4096];
    output->clear();
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) *output += buffer;
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  bool Alive(int node) const {
    pid_t pid = Pid(node);
    return pid > 0 && kill(pid, 0) == 0;
  }
  // One line per node for failure messages: height, tip, round, leader, peers, last commit age.
  std::string Describe(const std::vector<int>& nodes) const {
    std::string text;
    for (int node : nodes) {
      auto health = Health(node);
      text += "\n  node" + std::to_string(node) + ": " +
              (health.is_null() ? std::string("down") : health.dump());
    }
    return text;
  }

  std::string SiteRecord(const std::string& site_id) {
    nlohmann::json record = {
        {"author_org", "smelter"},
        {"site_definition", {{"site_id", site_id}, {"area_type", "site"}, {"name", site_id}}}};
    auto signed_record = tools::SignRecordJson(record, *smelter_ops_, chain_id_);
    EXPECT_TRUE(signed_record.ok());
    return chaincode::EnvelopeToJson(*signed_record).dump();
  }
  // Submits and waits for the commit; returns the record id when the node acknowledged it.
  std::optional<std::string> SubmitAndWait(int node, const std::string& envelope,
                                           int timeout_ms = 10000) {
    auto reply = tools::HttpCall(Url(node), "POST",
                                 "/v1/records?wait=commit&timeout_ms=" + std::to_string(timeout_ms),
                                 envelope, nullptr, std::chrono::milliseconds(timeout_ms + 5000));
    if (!reply.ok() || reply->body.value("status", "") != "accepted") return std::nullopt;
    return reply->body["id"].get<std::string>();
  }
  bool HasRecord(int node, const std::string& id) {
    auto reply = tools::HttpCall(Url(node), "GET", "/v1/records/" + id, "", reader_.get());
    return reply.ok() && reply->status == 200 && reply->body.value("status", "") == "accepted";
  }
  // Waits (bounded) until every listed node is at the same height with the same tip.
  void ExpectConverged(const std::vector<int>& nodes, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
      std::set<std::string> tips;
      for (int node : nodes) {
        auto health = Health(node);
        tips.insert(health.is_null() ? "down" : health["tip_hash"].get<std::string>());
      }
      if (tips.size() == 1 && !tips.contains("down")) return;
      last = nlohmann::json(tips).dump();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "nodes did not converge within " << limit.count() << " s: " << last
                  << Describe(nodes);
  }

  std::filesystem::path dir_;
  int port_ = 0;
  std::string chain_id_;
  std::unique_ptr<crypto::KeyPair> smelter_ops_;
  std::unique_ptr<crypto::KeyPair> reader_;  // the certification body reads everything (Q auth)
};

TEST_F(ClusterTest, TheWorkedExampleRunsAcrossAllFourNodesAndTheyAgree) {
  std::string nodes;
  for (int i = 0; i < kNodes; ++i) nodes += (i ? "," : "") + Url(i);
  std::string output;
  ASSERT_EQ(Mbl("scenario run " + std::string(MBL_SOURCE_DIR) +
                    "/scenarios/worked-example.json --node " + nodes + " --keys " + dir_.string(),
                &output),
            0)
      << output;
  ExpectConverged({0, 1, 2, 3}, std::chrono::seconds(20));
  // An exit code looked up at any node gives the same answer.
  auto code_start = output.find("MBL-");
  ASSERT_NE(code_start, std::string::npos) << output;
  std::string code = output.substr(code_start, 18);
  std::set<std::string> answers;
  for (int i = 0; i < kNodes; ++i) {
    auto reply = tools::HttpCall(Url(i), "GET", "/v1/exit/" + code);
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->status, 200) << reply->body.dump();
    nlohmann::json view = reply->body;
    view.erase("proof");  // its tip differs while a node is a block behind
    view.erase("proof_unavailable");
    answers.insert(view.dump());
  }
  EXPECT_EQ(answers.size(), 1u);
  // A consumer checks the proof without trusting the node that served it (issue 5).
  for (int i = 0; i < kNodes; ++i) {
    ASSERT_EQ(Mbl("verify " + code + " --node " + Url(i) + " --genesis " +
                      (dir_ / "genesis.json").string() + " --checkpoint " +
                      (dir_ / "checkpoint.json").string(),
                  &output),
              0)
        << output;
    EXPECT_NE(output.find("VERIFIED: exit code " + code), std::string::npos) << output;
  }
  auto metrics = tools::HttpCall(Url(1), "GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
}

TEST_F(ClusterTest, KillingTheLeaderUnderLoadLosesNothingAcknowledged) {
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::atomic<int> victim{-1};
  std::vector<std::thread> clients;
  for (int client = 0; client < 3; ++client) {
    clients.emplace_back([&, client] {
      for (int i = 0; i < 400 && !stop; ++i) {
        int node = (client + i) % kNodes;
        if (node == victim) continue;
        auto id = SubmitAndWait(
            node, SiteRecord("load-" + std::to_string(client) + "-" + std::to_string(i)));
        if (id) {
          std::lock_guard lock(mutex);
          acknowledged.push_back(*id);
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  int leader = Leader();
  ASSERT_GE(leader, 0);
  victim = leader;
  Kill(leader);
  std::size_t before;
  {
    std::lock_guard lock(mutex);
    before = acknowledged.size();
  }
  std::this_thread::sleep_for(std::chrono::seconds(4));
  {
    std::lock_guard lock(mutex);
    EXPECT_GT(acknowledged.size(), before) << "commits did not resume without the leader";
  }
  stop = true;
  for (auto& thread : clients) thread.join();
  Restart(leader);
  ExpectConverged({0, 1, 2, 3}, std::chrono::seconds(30));
  for (const auto& id : acknowledged) {
    for (int node = 0; node < kNodes; ++node) {
      ASSERT_TRUE(HasRecord(node, id)) << "node " << node << " lost acknowledged record " << id;
    }
  }
}

TEST_F(ClusterTest, KillNineAndRestartRepeatedlyKeepsTheChainsEqual) {
  for (int cycle = 0; cycle < 4; ++cycle) {
    const int node = cycle % kNodes;
    std::atomic<bool> stop{false};
    std::vector<std::string> acknowledged;
    std::thread client([&] {
      for (int i = 0; i < 200 && !stop; ++i) {
        int target = (node + 1 + i % 3) % kNodes;
        auto id = SubmitAndWait(
            target, SiteRecord("kill-" + std::to_string(cycle) + "-" + std::to_string(i)));
        if (id) acknowledged.push_back(*id);
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + 150 * cycle));
    Kill(node);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    Restart(node);
    stop = true;
    client.join();
    ExpectConverged({0, 1, 2, 3}, std::chrono::seconds(30));
    for (const auto& id : acknowledged) {
      ASSERT_TRUE(HasRecord(node, id)) << "cycle " << cycle << ": restarted node lacks " << id;
    }
  }
}

// The kill -9 soak (issue 6): under a steady load, a random node is killed at a random moment,
// or restarted with its commit-path fault points armed so that it kills itself between or around
// its synced writes; then it restarts. After every cycle all chains agree, every acknowledged
// record is on every node, and conservation (R6) holds. MBL_SOAK_CYCLES sets the cycles (10 here;
// docs/reliability.md reports a 100-cycle run).
TEST_F(ClusterTest, SoakKillsRandomNodesAtRandomMomentsIncludingInsideTheCommitPath) {
  const char* env = std::getenv("MBL_SOAK_CYCLES");
  const int cycles = env != nullptr ? std::max(1, std::atoi(env)) : 10;
  std::string nodes;
  for (int i = 0; i < kNodes; ++i) nodes += (i ? "," : "") + Url(i);
  std::string output;
  ASSERT_EQ(Mbl("scenario run " + std::string(MBL_SOURCE_DIR) +
                    "/scenarios/worked-example.json --node " + nodes + " --keys " + dir_.string(),
                &output),
            0)
      << output;
  std::mt19937 random(static_cast<unsigned>(::testing::UnitTest::GetInstance()->random_seed()));
  std::size_t total_acknowledged = 0;
  int self_crashes = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    const int victim = static_cast<int>(random() % kNodes);
    const bool inside_commit = cycle % 2 == 1;
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::vector<std::string> acknowledged;
    std::thread client([&, cycle] {
      for (int i = 0; i < 500 && !stop; ++i) {
        const int target = (victim + 1 + i % 3) % kNodes;
        auto id = SubmitAndWait(
            target, SiteRecord("soak-" + std::to_string(cycle) + "-" + std::to_string(i)));
        if (id) {
          std::lock_guard lock(mutex);
          acknowledged.push_back(*id);
        }
      }
    });
    if (inside_commit) {
      // Restart the victim with its fault points armed: it dies inside its own commit path.
      Kill(victim);
      Restart(victim, /*crash_percent=*/10);
      for (int i = 0; i < 200 && Alive(victim); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      }
      if (Alive(victim)) {
        Kill(victim);
      } else {
        ++self_crashes;
        std::filesystem::remove(NodeDir(victim) / "mbl-node.pid");
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100 + random() % 700));
      Kill(victim);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 500));
    Restart(victim);
    stop = true;
    client.join();
    ExpectConverged({0, 1, 2, 3}, std::chrono::seconds(30));
    for (const auto& id : acknowledged) {
      for (int node = 0; node < kNodes; ++node) {
        ASSERT_TRUE(HasRecord(node, id))
            << "cycle " << cycle << ": node " << node << " lacks " << id;
      }
    }
    total_acknowledged += acknowledged.size();
    ASSERT_EQ(Mbl("query conformity org=smelter --json --key " +
                      (dir_ / "cb/keys/eval.secret").string() + " --node " + Url(victim),
                  &output),
              0)
        << output;
    ASSERT_EQ(output.find("\"holds\":false"), std::string::npos)
        << "cycle " << cycle << ": " << output;
  }
  std::printf(
      "soak: %d cycles, %d crashes inside the commit path, %zu acknowledged records all present\n",
      cycles, self_crashes, total_acknowledged);
  EXPECT_GT(total_acknowledged, 0u);
}

TEST_F(ClusterTest, TheSameRecordSubmittedAtOnceToTwoNodesCommitsOnce) {
  const std::string envelope = SiteRecord("twice");
  std::optional<std::string> first, second;
  std::thread a([&] { first = SubmitAndWait(0, envelope); });
  std::thread b([&] { second = SubmitAndWait(2, envelope); });
  a.join();
  b.join();
  ASSERT_TRUE(first.has_value() || second.has_value());
  const std::string id = first ? *first : *second;
  ExpectConverged({0, 1, 2, 3}, std::chrono::seconds(10));
  auto record = tools::HttpCall(Url(1), "GET", "/v1/records/" + id, "", reader_.get());
  ASSERT_TRUE(record.ok());
  const std::uint64_t height = record->body["height"].get<std::uint64_t>();
  std::size_t copies = 0;
  auto tip = Health(1)["height"].get<std::uint64_t>();
  for (std::uint64_t h = 1; h <= tip; ++h) {
    auto block =
        tools::HttpCall(Url(1), "GET", "/v1/blocks/" + std::to_string(h), "", reader_.get());
    ASSERT_TRUE(block.ok());
    for (const auto& entry : block->body["records"]) copies += entry["id"] == id ? 1 : 0;
  }
  EXPECT_EQ(copies, 1u) << "committed at height " << height;
}

TEST_F(ClusterTest, WithTwoOfFourNodesDownNothingCommitsUntilTheyReturn) {
  ASSERT_TRUE(SubmitAndWait(0, SiteRecord("before")).has_value());
  ExpectConverged({0, 1, 2, 3}, std::chrono::seconds(10));
  Kill(2);
  Kill(3);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // what was in flight settles
  const auto height = Health(0)["height"].get<std::uint64_t>();
  const auto height1 = Health(1)["height"].get<std::uint64_t>();
  EXPECT_FALSE(SubmitAndWait(0, SiteRecord("no-quorum"), 2000).has_value());
  EXPECT_EQ(Health(0)["height"].get<std::uint64_t>(), height);
  EXPECT_EQ(Health(1)["height"].get<std::uint64_t>(), height1);
  Restart(2);
  Restart(3);
  auto id = SubmitAndWait(1, SiteRecord("after"), 30000);
  ASSERT_TRUE(id.has_value());
  ExpectConverged({0, 1, 2, 3}, std::chrono::seconds(30));
}

// The advice a node gives for a damaged data directory works: a validator with a damaged table
// file refuses to start (exit 3), saying what is wrong and what to do; with its data directory
// moved away it starts empty, fetches the chain from its peers with their certificates, and
// agrees with them, every acknowledged record included.
TEST_F(ClusterTest, ADamagedValidatorRefusesToStartAndOnceWipedCatchesUpFromItsPeers) {
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 12; ++i) {
    auto id = SubmitAndWait(i % kNodes, SiteRecord("before-" + std::to_string(i)));
    ASSERT_TRUE(id.has_value());
    acknowledged.push_back(*id);
  }
  ExpectConverged({0, 1, 2, 3}, std::chrono::seconds(20));
  Stop(3);
  Restart(3);  // opening the store again moves its log into table files
  Stop(3);
  const std::filesystem::path data = NodeDir(3) / "data";
  auto table = test_support::LargestFile(data, ".sst");
  ASSERT_FALSE(table.empty());
  test_support::FlipByte(table, 0.25);
  std::string output;
  EXPECT_EQ(RunInForeground(3, &output), 3) << output;
  EXPECT_NE(output.find(table.filename().string()), std::string::npos) << output;
  EXPECT_NE(output.find("restore it from a backup"), std::string::npos) << output;
  EXPECT_NE(output.find("catches up from its peers"), std::string::npos) << output;

  for (int i = 0; i < 6; ++i) {  // the others go on meanwhile
    auto id = SubmitAndWait(i % 3, SiteRecord("while-down-" + std::to_string(i)));
    ASSERT_TRUE(id.has_value());
    acknowledged.push_back(*id);
  }
  std::filesystem::rename(data, NodeDir(3) / "data.damaged");  // what the message says to do
  Restart(3);
  ExpectConverged({0, 1, 2, 3}, std::chrono::seconds(30));
  for (const auto& id : acknowledged) {
    ASSERT_TRUE(HasRecord(3, id)) << "the wiped node lacks " << id;
  }
  auto id = SubmitAndWait(3, SiteRecord("after-wipe"));
  ASSERT_TRUE(id.has_value());
  ExpectConverged({0, 1, 2, 3}, std::chrono::seconds(20));
}

// Attacks on one node's API while clients submit records to the other three: the network keeps
// committing them during each attack, the attacked node admits nothing bogus, and afterwards it
// is in step with the others and serves clients again. A liveness check with generous bounds;
// bench_attack measures the rates (docs/reliability.md).
TEST_F(ClusterTest, TheNetworkKeepsCommittingWhileOneNodesApiIsUnderAttack) {
  const test_support::AttackTarget target{static_cast<std::uint16_t>(port_), chain_id_,
                                          smelter_ops_.get(), "smelter"};
  for (auto kind : {test_support::AttackKind::kSlowloris, test_support::AttackKind::kBogusRecords,
                    test_support::AttackKind::kConnectionFlood}) {
    test_support::Attack attack(kind, target, 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    std::size_t acknowledged = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    for (int i = 0; i < 200 && std::chrono::steady_clock::now() < until; ++i) {
      const std::string site =
          std::string(test_support::AttackName(kind)) + "-" + std::to_string(i);
      acknowledged += SubmitAndWait(1 + i % 3, SiteRecord(site)).has_value() ? 1 : 0;
    }
    attack.Stop();
    EXPECT_GE(acknowledged, 5u) << attack.Summary() << Describe({0, 1, 2, 3});
    EXPECT_EQ(attack.counters().accepted, 0u) << attack.Summary();
    EXPECT_GT(attack.counters().requests, 0u) << attack.Summary();
    std::printf("%s; %zu legitimate records committed meanwhile\n", attack.Summary().c_str(),
                acknowledged);
  }
  std::optional<std::string> after;
  for (int i = 0; i < 20 && !after; ++i) {  // the attacker's rate-limit debt runs out in seconds
    after = SubmitAndWait(0, SiteRecord("after-attacks-" + std::to_string(i)));
    if (!after) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ASSERT_TRUE(after.has_value()) << Describe({0, 1, 2, 3});
  ExpectConverged({0, 1, 2, 3}, std::chrono::seconds(30));
}

}  // namespace

TEST_F(ClusterTest, T1_AfterAValidatorIsRemovedTheOthersCommitAndExitProofsCarryTheChange) {
  // The consortium removes the certification body's validator (node 3).
  auto node_key = crypto::ReadSecretKeyFile(dir_ / "cb/node/node.secret");
  auto top = crypto::ReadSecretKeyFile(dir_ / "consortium/keys/top.secret");
  ASSERT_TRUE(node_key.ok() && top.ok());
  nlohmann::json change = {
      {"author_org", "consortium"},
      {"membership_change", {{"remove_validator", crypto::ToHex(node_key->public_key)}}}};
  auto signed_change = tools::SignRecordJson(change, *top, chain_id_);
  ASSERT_TRUE(signed_change.ok()) << signed_change.status().ToString();
  ASSERT_TRUE(SubmitAndWait(0, chaincode::EnvelopeToJson(*signed_change).dump()).has_value());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool switched = false;
  while (!switched && std::chrono::steady_clock::now() < deadline) {
    switched = true;
    for (int node : {0, 1, 2}) {
      auto health = Health(node);
      switched = switched && !health.is_null() && health["consensus"]["epoch"] == 1 &&
                 health["consensus"]["validators"] == 3;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(switched) << Describe({0, 1, 2, 3});
  // The three run the worked example; its exits are certified by the new set.
  std::string nodes = Url(0) + "," + Url(1) + "," + Url(2);
  std::string output;
  ASSERT_EQ(Mbl("scenario run " + std::string(MBL_SOURCE_DIR) +
                    "/scenarios/worked-example.json --node " + nodes + " --keys " + dir_.string(),
                &output),
            0)
      << output << Describe({0, 1, 2, 3});
  ExpectConverged({0, 1, 2}, std::chrono::seconds(20));
  auto code_start = output.find("MBL-");
  ASSERT_NE(code_start, std::string::npos) << output;
  const std::string code = output.substr(code_start, 18);
  auto reply = tools::HttpCall(Url(1), "GET", "/v1/exit/" + code);
  ASSERT_TRUE(reply.ok());
  ASSERT_TRUE(reply->body.contains("proof")) << reply->body.dump();
  const nlohmann::json& sets = reply->body["proof"]["validator_sets"];
  ASSERT_EQ(sets.size(), 2u) << sets.dump();
  EXPECT_EQ(sets[1]["validators"].size(), 3u);
  for (int node : {0, 1, 2}) {
    ASSERT_EQ(Mbl("verify " + code + " --node " + Url(node) + " --genesis " +
                      (dir_ / "genesis.json").string() + " --checkpoint " +
                      (dir_ / "checkpoint.json").string(),
                  &output),
              0)
        << output;
    EXPECT_NE(output.find("VERIFIED: exit code " + code), std::string::npos) << output;
  }
  // A bundle whose set change lost its certificate is refused.
  nlohmann::json tampered = reply->body["proof"];
  tampered["validator_sets"][1]["established_by"]["commit_chain"] = nlohmann::json::array();
  std::ofstream(dir_ / "tampered.json") << tampered.dump();
  EXPECT_EQ(Mbl("verify " + (dir_ / "tampered.json").string() + " --genesis " +
                    (dir_ / "genesis.json").string(),
                &output),
            1)
      << output;
  EXPECT_NE(output.find("uncertified-validator-set-change"), std::string::npos) << output;
}

}  // namespace mbl
