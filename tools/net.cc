// mbl net create|start|stop|status: a local network on 127.0.0.1 for trying mbl out. Each
// organization's keys are generated in its own folder; the genesis is assembled from public
// keys only. Today the network has one validator (N = 1, the embedded default).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "crypto/key_file.h"
#include "tools/cli.h"

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

int Create(const std::filesystem::path& dir, int port, bool json) {
  if (std::filesystem::exists(dir / "genesis.json")) {
    return ReportError(
        AlreadyExists(dir.string() +
                      " already holds a network; stop it and remove the folder first"),
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
  nlohmann::json spec = {{"chain_name", "copper-local"},
                         {"author_org", "consortium"},
                         {"membership_quorum", 0},
                         {"organizations", organizations},
                         {"validators",
                          {{{"organization", "smelter"},
                            {"public_key_file", "smelter/node/node.public"},
                            {"address", "127.0.0.1:" + std::to_string(port + 100)}}}}};
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
  nlohmann::json config = {{"data_dir", "data"},
                           {"node_key_file", "../smelter/node/node.secret"},
                           {"genesis_file", "../genesis.json"},
                           {"http_address", "127.0.0.1"},
                           {"http_port", port},
                           {"log_level", "info"}};
  if (Status s = WriteTextFile(dir / "node0" / "config.json", config.dump(2) + "\n"); !s.ok())
    return ReportError(s, json);
  if (!json) {
    std::cout << "network created in " << dir.string() << ": 5 organizations, 1 validator\n"
              << "start it with: mbl net start --dir " << dir.string() << "\n";
  }
  return kExitOk;
}

std::filesystem::path PidFile(const std::filesystem::path& dir) {
  return dir / "node0" / "mbl-node.pid";
}

int Start(const std::filesystem::path& dir, const char* self, bool json) {
  auto config = ReadJsonFile(dir / "node0" / "config.json");
  if (!config.ok())
    return ReportError(config.status().WithContext("run mbl net create first"), json);
  std::string url = "http://127.0.0.1:" + std::to_string((*config)["http_port"].get<int>());
  if (HttpCall(url, "GET", "/v1/health", "", nullptr, std::chrono::seconds(2)).ok()) {
    return ReportError(AlreadyExists("a node already answers at " + url), json);
  }
  std::filesystem::path binary = ExecutableNextTo(self, "mbl-node");
  std::string config_path = (dir / "node0" / "config.json").string();
  std::string log_path = (dir / "node0" / "node.log").string();
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
  if (pid < 0) return ReportError(Internal("fork failed"), json);
  WriteTextFile(PidFile(dir), std::to_string(pid) + "\n").IgnoreError();
  for (int attempt = 0; attempt < 300; ++attempt) {
    if (HttpCall(url, "GET", "/v1/health", "", nullptr, std::chrono::seconds(1)).ok()) {
      if (!json)
        std::cout << "node running at " << url << " (pid " << pid << ", log " << log_path << ")\n";
      else
        std::cout << nlohmann::json{{"url", url}, {"pid", pid}}.dump() << "\n";
      return kExitOk;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return ReportError(Unavailable("mbl-node exited at start; see " + log_path), json);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ReportError(Unavailable("mbl-node did not answer within 30 s; see " + log_path), json);
}

int Stop(const std::filesystem::path& dir, bool json) {
  auto text = ReadTextFile(PidFile(dir));
  if (!text.ok()) return ReportError(NotFound("no running network in " + dir.string()), json);
  pid_t pid = static_cast<pid_t>(std::stol(*text));
  if (kill(pid, SIGTERM) != 0) {
    std::filesystem::remove(PidFile(dir));
    if (!json) std::cout << "network in " << dir.string() << " was not running\n";
    return kExitOk;
  }
  for (int attempt = 0; attempt < 300 && kill(pid, 0) == 0; ++attempt) {
    waitpid(pid, nullptr, WNOHANG);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::filesystem::remove(PidFile(dir));
  if (!json) std::cout << "network in " << dir.string() << " stopped\n";
  return kExitOk;
}

}  // namespace

int CommandNet(const Args& args) {
  bool json = args.Has("json");
  if (Status status = args.OnlyFlags({"dir", "port", "json"}); !status.ok())
    return ReportError(status, json);
  if (args.positional().size() != 1)
    return ReportError(InvalidArgument("usage: mbl net create|start|stop|status --dir DIR"), json);
  std::filesystem::path dir = std::filesystem::absolute(args.Get("dir", ".mbl-local"));
  const std::string& verb = args.positional()[0];
  if (verb == "create") return Create(dir, std::stoi(args.Get("port", "7700")), json);
  if (verb == "start") return Start(dir, "mbl", json);
  if (verb == "stop") return Stop(dir, json);
  if (verb == "status") {
    auto config = ReadJsonFile(dir / "node0" / "config.json");
    if (!config.ok()) return ReportError(config.status(), json);
    std::string url = "http://127.0.0.1:" + std::to_string((*config)["http_port"].get<int>());
    auto reply = HttpCall(url, "GET", "/v1/health", "", nullptr, std::chrono::seconds(2));
    if (!reply.ok()) return ReportError(reply.status(), json);
    std::cout << (json ? reply->body.dump() : reply->body.dump(2)) << "\n";
    return kExitOk;
  }
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
