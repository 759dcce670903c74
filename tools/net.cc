// mbl net create|start|stop|status: a local network on 127.0.0.1 for trying mbl out. Each
// organization's keys are generated in its own folder; the genesis is assembled from public
// keys only. Four organizations run a validator node each (smelter, wire maker, brand,
// certification body) and order records by BFT consensus; `--validators 1` makes a single node.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <thread>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "crypto/key_file.h"
#include "tools/cli.h"
#include "tools/terminal_text.h"

namespace mbl::tools {
namespace {

struct OrgPlan {
  const char* id;
  const char* name;
  const char* kind;
};

constexpr OrgPlan kOrgs[] = {
    {"consortium", "Copper Mass Balance Consortium", "REQUIREMENTS_SETTER"},
    {"cb", "Nordic Certification AB", "CERTIFICATION_BODY"},
    {"smelter", "Boliden-like Smelter", "VALUE_CHAIN"},
    {"wiremaker", "Wire Maker Ltd", "VALUE_CHAIN"},
    {"brand", "Computer Brand Inc", "VALUE_CHAIN"},
};

struct PersonPlan {
  const char* file;
  const char* role;
};

// The organizations that run a validator node, in node order (node0 ... node3).
constexpr const char* kValidatorOrgs[] = {"smelter", "wiremaker", "brand", "cb"};
// Validator links listen this far above the HTTP ports.
constexpr int kLinkPortOffset = 100;

constexpr PersonPlan kPeople[] = {{"top", "TOP_MANAGEMENT"},
                                  {"ops", "OPERATION_RESPONSIBLE"},
                                  {"eval", "EVALUATION_RESPONSIBLE"}};

// mbl-node beside mbl (an installation), or in the build tree's node/ folder.
std::filesystem::path ExecutableNextTo(const char* self, const char* name) {
  std::error_code error;
  auto path = std::filesystem::canonical("/proc/self/exe", error);
  if (error) path = std::filesystem::absolute(self);
  std::filesystem::path beside = path.parent_path() / name;
  if (std::filesystem::exists(beside)) return beside;
  return path.parent_path().parent_path() / "node" / name;
}

Status GenerateKey(const std::filesystem::path& dir, const std::string& name) {
  std::filesystem::create_directories(dir);
  crypto::KeyPair pair = crypto::KeyPair::Generate();
  MBL_RETURN_IF_ERROR(crypto::WriteSecretKeyFile(dir / (name + ".secret"), pair));
  return crypto::WritePublicKeyFile(dir / (name + ".public"), pair.public_key);
}

// The local network's verification pages recognize its own ledger (docs/verify-page.md), as a
// consortium's nodes would recognize the consortium's.
Status WriteRecognizedLedgers(const std::filesystem::path& dir) {
  MBL_ASSIGN_OR_RETURN(nlohmann::json genesis_json, ReadJsonFile(dir / "genesis.json"));
  MBL_ASSIGN_OR_RETURN(chaincode::SignedRecord genesis, chaincode::EnvelopeFromJson(genesis_json));
  nlohmann::json ledgers = {
      {"format", "mbl.recognized-ledgers.v1"},
      {"ledgers",
       {{{"chain_id", crypto::ToHex(chaincode::ComputeRecordId(genesis.payload))},
         {"scheme", "Copper mass balance (local test network)"},
         {"publisher", "Copper Mass Balance Consortium"}}}}};
  return WriteTextFile(dir / "recognized-ledgers.json", ledgers.dump(2) + "\n");
}

int Create(const std::filesystem::path& dir, int port, int validator_count, bool json) {
  if (std::filesystem::exists(dir / "genesis.json")) {
    return ReportError(
        AlreadyExists(dir.string() +
                      " already holds a network; stop it and remove the folder first"),
        json);
  }
  if (validator_count < 1 || validator_count > 4) {
    return ReportError(InvalidArgument("--validators must be 1 to 4 (one per organization with "
                                       "a node: smelter, wiremaker, brand, cb)"),
                       json);
  }
  nlohmann::json organizations = nlohmann::json::array();
  for (const OrgPlan& org : kOrgs) {
    nlohmann::json people = nlohmann::json::array();
    for (const PersonPlan& person : kPeople) {
      // Each organization creates its own keys; only public keys leave its folder.
      if (Status s = GenerateKey(dir / org.id / "keys", person.file); !s.ok())
        return ReportError(s, json);
      people.push_back(
          {{"name", std::string(org.id) + " " + person.file},
           {"public_key_file", std::string(org.id) + "/keys/" + person.file + ".public"},
           {"roles", {person.role}}});
    }
    if (Status s = GenerateKey(dir / org.id / "node", "node"); !s.ok()) return ReportError(s, json);
    organizations.push_back({{"id", org.id},
                             {"name", org.name},
                             {"kind", org.kind},
                             {"fiscal_year_start_month", 1},
                             {"fiscal_year_start_day", 1},
                             {"people", people}});
  }
  nlohmann::json validators = nlohmann::json::array();
  for (int i = 0; i < validator_count; ++i) {
    const std::string org = kValidatorOrgs[i];
    validators.push_back({{"organization", org},
                          {"public_key_file", org + "/node/node.public"},
                          {"address", "127.0.0.1:" + std::to_string(port + kLinkPortOffset + i)}});
  }
  nlohmann::json spec = {{"chain_name", "copper-local"},
                         {"author_org", "consortium"},
                         {"membership_quorum", 0},
                         {"organizations", organizations},
                         {"validators", validators}};
  if (Status s = WriteTextFile(dir / "genesis-spec.json", spec.dump(2) + "\n"); !s.ok())
    return ReportError(s, json);
  std::vector<std::string> words = {"mbl",
                                    "--spec",
                                    (dir / "genesis-spec.json").string(),
                                    "--sign-key",
                                    (dir / "consortium/keys/top.secret").string(),
                                    "--out",
                                    (dir / "genesis.json").string()};
  if (json) words.push_back("--json");
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  auto parsed = Args::Parse(static_cast<int>(argv.size()), argv.data(), 1, {"json"});
  if (int code = CommandGenesis(*parsed); code != kExitOk) return code;
  if (Status s = WriteRecognizedLedgers(dir); !s.ok()) return ReportError(s, json);
  for (int i = 0; i < validator_count; ++i) {
    const std::string org = kValidatorOrgs[i];
    nlohmann::json config = {{"data_dir", "data"},
                             {"node_key_file", "../" + org + "/node/node.secret"},
                             {"genesis_file", "../genesis.json"},
                             {"recognized_ledgers_file", "../recognized-ledgers.json"},
                             {"http_address", "127.0.0.1"},
                             {"http_port", port + i},
                             {"log_level", "info"}};
    const std::filesystem::path file = dir / ("node" + std::to_string(i)) / "config.json";
    if (Status s = WriteTextFile(file, config.dump(2) + "\n"); !s.ok()) return ReportError(s, json);
  }
  if (!json) {
    std::cout << "network created in " << TerminalSafe(dir.string()) << ": 5 organizations, "
              << validator_count
              << (validator_count == 1 ? " validator" : " validators (BFT, tolerates ");
    if (validator_count > 1) std::cout << (validator_count - 1) / 3 << " faulty)";
    std::cout << "\nstart it with: mbl net start --dir " << TerminalSafe(dir.string()) << "\n";
  }
  return kExitOk;
}

// The node folders of a network: node0, node1, ... as far as they exist.
std::vector<std::filesystem::path> NodeDirs(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> nodes;
  for (int i = 0; std::filesystem::exists(dir / ("node" + std::to_string(i)) / "config.json");
       ++i) {
    nodes.push_back(dir / ("node" + std::to_string(i)));
  }
  return nodes;
}

Result<std::string> NodeUrl(const std::filesystem::path& node_dir) {
  MBL_ASSIGN_OR_RETURN(nlohmann::json config, ReadJsonFile(node_dir / "config.json"));
  if (!config.is_object() || !config.contains("http_port") ||
      !config["http_port"].is_number_integer()) {
    return InvalidArgument((node_dir / "config.json").string() + " has no http_port number");
  }
  return "http://127.0.0.1:" + std::to_string(config["http_port"].get<int>());
}

std::filesystem::path PidFile(const std::filesystem::path& node_dir) {
  return node_dir / "mbl-node.pid";
}

// The process id a pid file holds ("1234\n"); nullopt for anything else (an empty or damaged
// file), so that a stale file never signals a wrong process.
std::optional<pid_t> ParsePid(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 1 ||
      value > std::numeric_limits<pid_t>::max()) {
    return std::nullopt;
  }
  return static_cast<pid_t>(value);
}

// Starts one node in the background (its own session, output to node.log); returns its pid.
Result<pid_t> Spawn(const std::filesystem::path& node_dir, const char* self) {
  std::filesystem::path binary = ExecutableNextTo(self, "mbl-node");
  std::string config_path = (node_dir / "config.json").string();
  std::string log_path = (node_dir / "node.log").string();
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      dup2(log, 1);
      dup2(log, 2);
    }
    execl(binary.c_str(), "mbl-node", "--config", config_path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid < 0) return Internal("fork failed");
  MBL_RETURN_IF_ERROR(WriteTextFile(PidFile(node_dir), std::to_string(pid) + "\n"));
  return pid;
}

Status WaitUntilServing(const std::string& url, pid_t pid, const std::filesystem::path& node_dir) {
  for (int attempt = 0; attempt < 300; ++attempt) {
    if (HttpCall(url, "GET", "/v1/health", "", nullptr, std::chrono::seconds(1)).ok()) {
      return Status::Ok();
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return Unavailable("mbl-node exited at start; see " + (node_dir / "node.log").string());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Unavailable("mbl-node did not answer within 30 s; see " +
                     (node_dir / "node.log").string());
}

int Start(const std::filesystem::path& dir, const char* self, bool json) {
  auto nodes = NodeDirs(dir);
  if (nodes.empty())
    return ReportError(NotFound("no network in " + dir.string() + "; run mbl net create first"),
                       json);
  std::vector<std::pair<std::string, pid_t>> started;
  for (const auto& node_dir : nodes) {
    auto url = NodeUrl(node_dir);
    if (!url.ok()) return ReportError(url.status(), json);
    if (HttpCall(*url, "GET", "/v1/health", "", nullptr, std::chrono::seconds(2)).ok()) {
      return ReportError(AlreadyExists("a node already answers at " + *url), json);
    }
    auto pid = Spawn(node_dir, self);
    if (!pid.ok()) return ReportError(pid.status(), json);
    started.emplace_back(*url, *pid);
  }
  // All nodes are started before any is waited for: each needs its peers to be up.
  nlohmann::json report = nlohmann::json::array();
  for (std::size_t i = 0; i < started.size(); ++i) {
    const auto& [url, pid] = started[i];
    if (Status status = WaitUntilServing(url, pid, nodes[i]); !status.ok()) {
      return ReportError(status, json);
    }
    report.push_back({{"url", url}, {"pid", pid}});
    if (!json) {
      std::cout << TerminalSafe(nodes[i].filename().string()) << " running at " << url << " (pid "
                << pid << ", log " << TerminalSafe((nodes[i] / "node.log").string()) << ")\n";
    }
  }
  if (json) std::cout << TerminalSafeJson({{"nodes", report}}) << "\n";
  return kExitOk;
}

// True while `pid` runs (a zombie, exited but not yet reaped by its parent, does not count).
bool Running(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, name, state;
  stat >> pid_field >> name >> state;
  return state != "Z";
}

// Stops one node: SIGTERM, then waits up to 30 s for a clean shutdown.
void StopNode(const std::filesystem::path& node_dir) {
  auto text = ReadTextFile(PidFile(node_dir));
  if (!text.ok()) return;
  const std::optional<pid_t> pid_read = ParsePid(*text);
  if (!pid_read) {
    std::cerr << TerminalSafe(PidFile(node_dir).string())
              << " does not hold a process id; removed\n";
    std::filesystem::remove(PidFile(node_dir));
    return;
  }
  const pid_t pid = *pid_read;
  if (kill(pid, SIGTERM) == 0) {
    for (int attempt = 0; attempt < 300 && Running(pid); ++attempt) {
      waitpid(pid, nullptr, WNOHANG);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::filesystem::remove(PidFile(node_dir));
}

int Stop(const std::filesystem::path& dir, bool json) {
  auto nodes = NodeDirs(dir);
  bool any = false;
  for (const auto& node_dir : nodes) any = any || std::filesystem::exists(PidFile(node_dir));
  if (!any) return ReportError(NotFound("no running network in " + dir.string()), json);
  for (const auto& node_dir : nodes) StopNode(node_dir);
  if (!json) std::cout << "network in " << TerminalSafe(dir.string()) << " stopped\n";
  return kExitOk;
}

int ShowStatus(const std::filesystem::path& dir, bool json) {
  auto nodes = NodeDirs(dir);
  if (nodes.empty()) return ReportError(NotFound("no network in " + dir.string()), json);
  nlohmann::json report = nlohmann::json::array();
  bool all_up = true;
  for (const auto& node_dir : nodes) {
    auto url = NodeUrl(node_dir);
    if (!url.ok()) return ReportError(url.status(), json);
    auto reply = HttpCall(*url, "GET", "/v1/health", "", nullptr, std::chrono::seconds(2));
    nlohmann::json entry = {{"node", node_dir.filename().string()}, {"url", *url}};
    if (reply.ok()) {
      entry["health"] = reply->body;
    } else {
      entry["error"] = reply.status().message();
      all_up = false;
    }
    report.push_back(entry);
    if (!json) {
      std::cout << TerminalSafe(node_dir.filename().string()) << " " << TerminalSafe(*url) << ": ";
      if (!reply.ok()) {
        std::cout << "DOWN (" << TerminalSafe(reply.status().message()) << ")\n";
        continue;
      }
      // The node's /v1/health, of whatever shape it sent: each member printed escaped.
      const auto& health = reply->body;
      std::cout << TerminalSafeMember(health, "status", "?") << ", height "
                << TerminalSafeMember(health, "height", "?");
      const nlohmann::json consensus =
          health.is_object() ? health.value("consensus", nlohmann::json()) : nullptr;
      if (consensus.is_object() && consensus.value("mode", nlohmann::json()) == "bft") {
        std::cout << ", round " << TerminalSafeMember(consensus, "round", "?") << ", leader "
                  << TerminalSafeMember(consensus, "leader_index", "?") << ", peers "
                  << TerminalSafeMember(consensus, "connected_peers", "?");
      }
      std::cout << "\n";
    }
  }
  if (json) std::cout << TerminalSafeJson({{"nodes", report}}) << "\n";
  return all_up ? kExitOk : kExitFailed;
}

}  // namespace

int CommandNet(const Args& args) {
  bool json = args.Has("json");
  if (Status status = args.OnlyFlags({"dir", "port", "validators", "json"}); !status.ok())
    return ReportError(status, json);
  if (args.positional().size() != 1)
    return ReportError(InvalidArgument("usage: mbl net create|start|stop|status --dir DIR"), json);
  std::filesystem::path dir = std::filesystem::absolute(args.Get("dir", ".mbl-local"));
  const std::string& verb = args.positional()[0];
  if (verb == "create") {
    // Each node takes its HTTP port and port + 100 for its validator link.
    auto port = args.GetUint("port", 7700, 1024, 65535 - 100 - 64);
    if (!port.ok()) return ReportError(port.status(), json);
    auto validators = args.GetUint("validators", 4, 1, 64);
    if (!validators.ok()) return ReportError(validators.status(), json);
    return Create(dir, static_cast<int>(*port), static_cast<int>(*validators), json);
  }
  if (verb == "start") return Start(dir, "mbl", json);
  if (verb == "stop") return Stop(dir, json);
  if (verb == "status") return ShowStatus(dir, json);
  return ReportError(InvalidArgument("unknown net command '" + verb + "'"), json);
}

int CommandNode(const Args& args, const char* self_path) {
  bool json = args.Has("json");
  if (args.positional().size() != 1 || args.positional()[0] != "start") {
    return ReportError(InvalidArgument("usage: mbl node start --config FILE"), json);
  }
  auto config = args.Require("config");
  if (!config.ok()) return ReportError(config.status(), json);
  std::filesystem::path binary = ExecutableNextTo(self_path, "mbl-node");
  execl(binary.c_str(), "mbl-node", "--config", config->c_str(), static_cast<char*>(nullptr));
  return ReportError(Internal("cannot run " + binary.string()), json);
}

}  // namespace mbl::tools
