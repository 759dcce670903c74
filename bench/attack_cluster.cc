// The commit rate of a 4-validator network while one node's API is attacked (issue 6,
// docs/reliability.md): real mbl-node processes created and started by the real `mbl net create`
// and `mbl net start`, on 127.0.0.1 of this machine. Legitimate clients submit signed records
// (site definitions by the smelter) with wait=commit to nodes 1..3 in turn; for each attack the
// program measures the committed records per second for S seconds without attack, then for S
// seconds while the attack runs against node 0, and prints one row per attack. The attacker, the
// clients and the four nodes share this machine's cores, so an attack that costs the attacker
// CPU lowers the rate through the machine too: the "attacker alone" figure is not separated out.
//   bench_attack [--seconds S] [--clients C] [--batch B] [--attack-threads T]
//                [--attacks slowloris,flood,bogus,oversized,malformed]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "crypto/key_file.h"
#include "tests/integration/cli_runner.h"
#include "tests/support/http_attack.h"
#include "tools/cli.h"
#include "tools/http_client.h"

namespace {

using namespace mbl;
using Clock = std::chrono::steady_clock;
using test_support::AttackKind;
constexpr int kNodes = 4;

struct Options {
  int seconds = 20;
  int clients = 6;
  int batch = 50;
  int attack_threads = 2;
  std::vector<AttackKind> attacks = {AttackKind::kSlowloris, AttackKind::kConnectionFlood,
                                     AttackKind::kBogusRecords, AttackKind::kOversizedBodies,
                                     AttackKind::kMalformedHttp};
};

bool ParseAttacks(const std::string& list, std::vector<AttackKind>& out) {
  const std::map<std::string, AttackKind> names = {{"slowloris", AttackKind::kSlowloris},
                                                   {"flood", AttackKind::kConnectionFlood},
                                                   {"bogus", AttackKind::kBogusRecords},
                                                   {"oversized", AttackKind::kOversizedBodies},
                                                   {"malformed", AttackKind::kMalformedHttp}};
  out.clear();
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    std::string name = list.substr(start, comma - start);
    auto it = names.find(name);
    if (it == names.end()) return false;
    out.push_back(it->second);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return !out.empty();
}

bool ParseOptions(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    int number = std::atoi(value.c_str());
    if (flag == "--seconds" && number > 0) {
      options.seconds = number;
    } else if (flag == "--clients" && number > 0 && number <= 64) {
      options.clients = number;
    } else if (flag == "--batch" && number > 0 && number <= 2048) {
      options.batch = number;
    } else if (flag == "--attack-threads" && number > 0 && number <= 16) {
      options.attack_threads = number;
    } else if (flag == "--attacks" && ParseAttacks(value, options.attacks)) {
    } else {
      return false;
    }
  }
  return argc % 2 == 1;
}

// A base port with port .. port+3 and port+100 .. port+103 free (HTTP and validator links),
// below the ephemeral range, as in tests/integration/cluster_test.cc.
bool PortFree(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return free;
}

int FreePortBlock() {
  std::mt19937 random(std::random_device{}());
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int base = 29100 + static_cast<int>(random() % 3300);
    bool free = true;
    for (int offset : {0, 1, 2, 3, 100, 101, 102, 103}) free = free && PortFree(base + offset);
    if (free) return base;
  }
  return 0;
}

class Network {
 public:
  Network() {
    dir_ =
        std::filesystem::temp_directory_path() / ("mbl-bench-attack-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    port_ = FreePortBlock();
    MBL_CHECK_MSG(port_ != 0, "no free port block");
    std::string output;
    MBL_CHECK_MSG(
        testing::Mbl("net create --dir " + dir_.string() + " --port " + std::to_string(port_),
                     &output) == 0,
        output);
    MBL_CHECK_MSG(testing::Mbl("net start --dir " + dir_.string(), &output) == 0, output);
    auto key = crypto::ReadSecretKeyFile(dir_ / "smelter/keys/ops.secret");
    MBL_CHECK(key.ok());
    smelter_ops_ = std::make_unique<crypto::KeyPair>(std::move(*key));
    auto chain = tools::FetchChainId(Url(0));
    MBL_CHECK_MSG(chain.ok(), chain.status().ToString());
    chain_id_ = *chain;
  }
  ~Network() {
    testing::Mbl("net stop --dir " + dir_.string());
    std::filesystem::remove_all(dir_);
  }

  std::string Url(int node) const { return "http://127.0.0.1:" + std::to_string(port_ + node); }
  pid_t Pid(int node) const {
    std::ifstream in(dir_ / ("node" + std::to_string(node)) / "mbl-node.pid");
    long pid = -1;
    in >> pid;
    return static_cast<pid_t>(pid);
  }
  std::uint16_t HttpPort(int node) const { return static_cast<std::uint16_t>(port_ + node); }
  const std::string& chain_id() const { return chain_id_; }
  const crypto::KeyPair& smelter_ops() const { return *smelter_ops_; }
  std::uint64_t Height(int node) const {
    auto reply =
        tools::HttpCall(Url(node), "GET", "/v1/health", "", nullptr, std::chrono::seconds(2));
    return reply.ok() && reply->status == 200 ? reply->body["height"].get<std::uint64_t>() : 0;
  }
  // Until node 0 is within a few blocks of node 1 (the load keeps both moving), at most `limit`.
  bool CaughtUp(std::chrono::seconds limit) const {
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      const std::uint64_t attacked = Height(0);
      const std::uint64_t other = Height(1);
      if (attacked > 0 && attacked + 3 >= other) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  std::string chain_id_;
  std::unique_ptr<crypto::KeyPair> smelter_ops_;
};

// Clients submitting batches of signed records with wait=commit to nodes 1..3 in turn; counts
// the records whose commit was acknowledged.
class LegitimateLoad {
 public:
  LegitimateLoad(const Network& network, int clients, int batch)
      : network_(network), batch_(batch) {
    for (int client = 0; client < clients; ++client) {
      threads_.emplace_back([this, client] { Run(client); });
    }
  }
  ~LegitimateLoad() {
    stopping_ = true;
    for (auto& thread : threads_) thread.join();
  }
  std::uint64_t committed() const { return committed_; }
  std::uint64_t failed() const { return failed_; }

 private:
  void Run(int client) {
    for (std::uint64_t round = 0; !stopping_; ++round) {
      nlohmann::json records = nlohmann::json::array();
      for (int i = 0; i < batch_; ++i) {
        const std::string site = "load-" + std::to_string(client) + "-" + std::to_string(round) +
                                 "-" + std::to_string(i);
        nlohmann::json record = {{"author_org", "smelter"},
                                 {"site_definition", {{"site_id", site}, {"area_type", "site"}}}};
        records.push_back(chaincode::EnvelopeToJson(
            tools::SignRecordJson(record, network_.smelter_ops(), network_.chain_id()).value()));
      }
      const int node = 1 + static_cast<int>((client + round) % (kNodes - 1));
      auto reply = tools::HttpCall(
          network_.Url(node), "POST", "/v1/records?wait=commit&timeout_ms=20000",
          nlohmann::json{{"records", records}}.dump(), nullptr, std::chrono::seconds(30));
      if (!reply.ok() || reply->status != 200) {
        ++failed_;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      for (const auto& result : reply->body["results"]) {
        if (result.value("status", "") == "accepted") ++committed_;
      }
    }
  }

  const Network& network_;
  const int batch_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> committed_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::vector<std::thread> threads_;
};

// CPU seconds (user + system) the process has used, from /proc; 0 when it cannot be read.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t end_of_name = text.rfind(')');
  if (end_of_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(end_of_name + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // utime and stime are fields 14 and 15
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// GET /v1/health of one node from another loopback address (127.0.0.2): the attacker, at
// 127.0.0.1, has used up that address's connections and rate, which is the defence; a client
// elsewhere must still be served. Returns the height, or nothing when unanswered within 2 s.
std::optional<std::uint64_t> ProbeHeight(std::uint16_t port) {
  test_support::RawConnection connection(port, std::chrono::seconds(2), "127.0.0.2");
  if (!connection.Send("GET /v1/health HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")) {
    return std::nullopt;
  }
  std::string answer = connection.ReadUntilClosed();
  if (test_support::StatusOf(answer) != 200) return std::nullopt;
  std::size_t body = answer.find("\r\n\r\n");
  auto json = nlohmann::json::parse(answer.substr(body + 4), nullptr, false);
  if (json.is_discarded() || !json.contains("height")) return std::nullopt;
  return json["height"].get<std::uint64_t>();
}

struct Window {
  double records_per_second = 0;
  std::uint64_t attacked_node_blocks = 0;  // node 0's height gain, seen by the probe
  std::uint64_t other_node_blocks = 0;     // node 1's
  int probes = 0;
  int probes_answered = 0;
  double probe_seconds_max = 0;
  double attacked_node_cpu = 0;  // node 0's CPU seconds per second
};

Window Measure(const Network& network, const LegitimateLoad& load, int seconds) {
  Window window;
  const std::uint64_t committed = load.committed();
  const pid_t attacked_pid = network.Pid(0);
  const double cpu = ProcessCpuSeconds(attacked_pid);
  const std::uint64_t other_start = network.Height(1);
  std::optional<std::uint64_t> first, last;
  auto start = Clock::now();
  auto end = start + std::chrono::seconds(seconds);
  while (Clock::now() < end) {
    auto probe_start = Clock::now();
    auto height = ProbeHeight(network.HttpPort(0));
    const double probe_seconds = std::chrono::duration<double>(Clock::now() - probe_start).count();
    ++window.probes;
    if (height) {
      ++window.probes_answered;
      if (!first) first = height;
      last = height;
    }
    window.probe_seconds_max = std::max(window.probe_seconds_max, probe_seconds);
    std::this_thread::sleep_until(probe_start + std::chrono::milliseconds(250));
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  window.records_per_second = static_cast<double>(load.committed() - committed) / elapsed;
  window.attacked_node_cpu = (ProcessCpuSeconds(attacked_pid) - cpu) / elapsed;
  const std::uint64_t other_end = network.Height(1);
  window.other_node_blocks = other_end > other_start ? other_end - other_start : 0;
  window.attacked_node_blocks = first && last && *last > *first ? *last - *first : 0;
  return window;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: bench_attack [--seconds S] [--clients C] [--batch B] [--attack-threads T] "
                 "[--attacks slowloris,flood,bogus,oversized,malformed]\n");
    return 2;
  }
  MBL_CHECK(crypto::InitializeCrypto().ok());
  signal(SIGPIPE, SIG_IGN);
  Network network;
  LegitimateLoad load(network, options.clients, options.batch);
  std::this_thread::sleep_for(std::chrono::seconds(3));  // warm up
  std::printf(
      "4 validators (real mbl-node processes), %d clients x batches of %d to nodes 1..3, "
      "%d s per window, %d attack threads against node 0\n",
      options.clients, options.batch, options.seconds, options.attack_threads);
  std::printf(
      "| attack | committed records/s without | during the attack | ratio | node 0 blocks / node 1 "
      "blocks during | node 0 health from 127.0.0.2: answered, slowest | node 0 CPU without / "
      "during | attacker CPU | what the attack did |\n|---|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);
  for (AttackKind kind : options.attacks) {
    Window baseline = Measure(network, load, options.seconds);
    test_support::AttackTarget target{network.HttpPort(0), network.chain_id(),
                                      &network.smelter_ops(), "smelter"};
    auto attack = std::make_unique<test_support::Attack>(kind, target, options.attack_threads);
    Window attacked = Measure(network, load, options.seconds);
    attack->Stop();
    const std::string summary = attack->Summary();
    const bool clean = attack->counters().accepted == 0;
    const double attacker_cpu =
        static_cast<double>(attack->counters().cpu_microseconds) / 1e6 / options.seconds;
    attack.reset();
    std::printf(
        "| %s | %.0f | %.0f | %.2f | %llu / %llu | %d of %d, %.2f s | %.0f %% / %.0f %% | %.0f %% "
        "| %s%s |\n",
        std::string(test_support::AttackName(kind)).c_str(), baseline.records_per_second,
        attacked.records_per_second,
        baseline.records_per_second > 0 ? attacked.records_per_second / baseline.records_per_second
                                        : 0.0,
        static_cast<unsigned long long>(attacked.attacked_node_blocks),
        static_cast<unsigned long long>(attacked.other_node_blocks), attacked.probes_answered,
        attacked.probes, attacked.probe_seconds_max, 100 * baseline.attacked_node_cpu,
        100 * attacked.attacked_node_cpu, 100 * attacker_cpu, summary.c_str(),
        clean ? "" : " (BOGUS RECORDS ADMITTED)");
    std::fflush(stdout);
    if (!network.CaughtUp(std::chrono::seconds(60))) {
      std::fprintf(stderr, "node 0 did not catch up after the %s attack\n",
                   std::string(test_support::AttackName(kind)).c_str());
      return 1;
    }
  }
  std::printf("legitimate batches that failed: %llu\n",
              static_cast<unsigned long long>(load.failed()));
  return 0;
}
