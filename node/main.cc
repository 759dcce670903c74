// mbl-node: one organization's ledger node. Usage: mbl-node --config FILE | --version.
// Exit codes (docs/operations.md): 0 clean shutdown, 2 usage or configuration error,
// 3 the data directory failed its integrity check, 4 cannot listen, 5 stopped by a commit error.
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/limits.h"
#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "crypto/key_file.h"
#include "node/config.h"
#include "node/http_server.h"
#include "node/ledger.h"
#include "node/log.h"
#include "node/peer_links.h"
#include "node/recognized_ledgers.h"

namespace {

using namespace mbl;

constexpr int kExitUsage = 2;
constexpr int kExitIntegrity = 3;
constexpr int kExitListen = 4;
constexpr int kExitCommit = 5;

int Fail(int exit_code, std::string_view event, const Status& status) {
  node::Log(node::LogLevel::kError, event, {{"error", status.ToString()}});
  return exit_code;
}

// The open-file limit must cover RocksDB's table files, every API connection and the validator
// links, or a connection flood could make RocksDB fail to open a file. Raises the soft limit as
// far as the hard one allows; returns how many API connections fit under it.
std::size_t FitOpenFileLimit(std::size_t http_connections) {
  const std::size_t others =
      limits::kStorageOpenFilesMax + 2 * limits::kValidatorsMax + limits::kProcessSpareFilesMin;
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0) return http_connections;
  const rlim_t wanted = static_cast<rlim_t>(others + http_connections);
  if (files.rlim_cur < wanted) {
    files.rlim_cur = files.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, files.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &files) != 0) getrlimit(RLIMIT_NOFILE, &files);
  }
  if (files.rlim_cur >= wanted) return http_connections;
  const std::size_t fit = files.rlim_cur > others + 16 ? files.rlim_cur - others : 16;
  node::Log(
      node::LogLevel::kWarn, "open_file_limit_low",
      {{"limit", static_cast<std::uint64_t>(files.rlim_cur)},
       {"needed", static_cast<std::uint64_t>(wanted)},
       {"http_connections_max", fit},
       {"detail", "raise the hard limit (ulimit -Hn, LimitNOFILE=) to serve more connections"}});
  return fit;
}

Result<chaincode::SignedRecord> LoadGenesis(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open genesis file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  auto json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_discarded()) return InvalidArgument("genesis file " + path.string() + " is not JSON");
  auto record = chaincode::EnvelopeFromJson(json);
  if (!record.ok()) return record.status().WithContext("genesis file " + path.string());
  return record;
}

// Binds the API's address and port once and lets go, so that a port already taken is found
// before the ledger opens (and, on a first start, writes its block 0). Port 0 picks a free port.
Status ProbeHttpListen(const std::string& address, std::uint16_t port) {
  if (port == 0) return Status::Ok();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string where = address + ":" + std::to_string(port);
  if (getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    return InvalidArgument("http_address '" + address + "' is not an IP address");
  }
  Status status = Status::Ok();
  const int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  const int yes = 1;
  if (fd < 0) {
    status = Unavailable("cannot open a socket for " + where + ": " + std::strerror(errno));
  } else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) != 0 ||
             bind(fd, found->ai_addr, found->ai_addrlen) != 0) {
    status = Unavailable("cannot listen on " + where + ": " + std::strerror(errno) +
                         " (is another node or program using the port? change http_port)");
  }
  if (fd >= 0) close(fd);
  freeaddrinfo(found);
  return status;
}

// A data directory that holds nothing yet: this start is the node's first.
bool DataDirIsNew(const std::filesystem::path& dir) {
  std::error_code error;
  if (!std::filesystem::exists(dir, error)) return !error;
  return std::filesystem::is_directory(dir, error) && std::filesystem::is_empty(dir, error);
}

// A first start that failed before ordering began (nothing was voted or served) leaves the data
// directory as it found it, so the corrected config or genesis starts cleanly.
void ForgetFailedFirstStart(const std::filesystem::path& dir) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    std::filesystem::remove_all(entry.path(), error);
  }
  node::Log(node::LogLevel::kInfo, "first_start_undone",
            {{"data_dir", dir.string()}, {"detail", "the data directory is empty again"}});
}

int Run(const std::filesystem::path& config_path) {
  auto config = node::LoadConfig(config_path);
  if (!config.ok()) return Fail(kExitUsage, "config_invalid", config.status());
  node::SetLogLevel(config->log_level);
  if (Status status = crypto::InitializeCrypto(); !status.ok())
    return Fail(kExitUsage, "crypto", status);
  auto key = crypto::ReadSecretKeyFile(config->node_key_file);
  if (!key.ok()) return Fail(kExitUsage, "node_key_invalid", key.status());
  auto genesis = LoadGenesis(config->genesis_file);
  if (!genesis.ok()) return Fail(kExitUsage, "genesis_invalid", genesis.status());

  // Signals are taken synchronously by sigwait below, so no handler runs in an odd context.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Before the store opens its files.
  const std::size_t http_connections_max =
      FitOpenFileLimit(config->http_connections_max != 0 ? config->http_connections_max
                                                         : limits::kHttpConnectionsMax);

  // Everything that can be checked without the ledger is checked before it opens.
  std::optional<std::string> recognized;  // JSON the verify page embeds
  if (!config->recognized_ledgers_file.empty()) {
    auto ledgers = node::LoadRecognizedLedgers(config->recognized_ledgers_file);
    if (!ledgers.ok()) return Fail(kExitUsage, "recognized_ledgers_invalid", ledgers.status());
    recognized = std::move(*ledgers);
  }
  if (Status status = ProbeHttpListen(config->http_address, config->http_port); !status.ok()) {
    return Fail(kExitListen, "http_listen_failed", status);
  }
  const bool first_start = DataDirIsNew(config->data_dir);

  node::LedgerOptions options;
  options.data_dir = config->data_dir;
  options.genesis = std::move(*genesis);
  options.mempool_records_max = config->mempool_records_max;
  options.ordering.block_records_max = config->block_records_max;
  options.ordering.block_interval = std::chrono::milliseconds(config->block_interval_ms);
  options.timeouts.base_ms = config->round_timeout_ms;
  options.clock_allowance_ms = config->clock_allowance_ms;
  options.make_network = node::MakePeerLinksFactory(*key, config->validator_listen_address);
  auto ledger =
      node::Ledger::Open(std::move(options), crypto::KeyPair::FromSeed(key->secret_key.seed()));
  if (!ledger.ok()) {
    if (first_start) ForgetFailedFirstStart(config->data_dir);
    int code = ledger.status().code() == Code::kDataLoss ? kExitIntegrity : kExitUsage;
    return Fail(code, "ledger_open_failed", ledger.status());
  }
  node::HttpOptions http;
  if (recognized) http.verify_page = node::VerifyPageRecognizing(*recognized);
  http.address = config->http_address;
  http.port = config->http_port;
  http.threads = config->http_threads;
  http.connections_max = http_connections_max;
  if (config->http_connections_per_client_max != 0) {
    http.connections_per_client_max = config->http_connections_per_client_max;
  }
  http.connections_per_client_max = std::min(http.connections_per_client_max, http.connections_max);
  if (config->http_requests_per_second != 0) {
    http.requests_per_second = config->http_requests_per_second;
    http.request_burst = 2 * config->http_requests_per_second;
  }
  auto server = node::HttpServer::Start(http, **ledger);
  if (!server.ok()) return Fail(kExitListen, "http_listen_failed", server.status());
  node::Log(node::LogLevel::kInfo, "node_started",
            {{"http", config->http_address + ":" + std::to_string((*server)->port())},
             {"data_dir", config->data_dir.string()}});

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  node::Log(node::LogLevel::kInfo, "node_stopping", {{"signal", strsignal(signal_number)}});
  // Ledger first: the last block becomes durable and waiting clients get their answers while
  // the HTTP threads still run; then the server.
  (*ledger)->Stop();
  (*server)->Stop();
  Status health =
      (*ledger)->Health().activity.ordering.ok() ? Status::Ok() : Internal("commit error");
  node::Log(node::LogLevel::kInfo, "node_stopped", {{"height", (*ledger)->store().tip().height}});
  return health.ok() ? 0 : kExitCommit;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("mbl-node 0.1.0\n");
    return 0;
  }
  if (argc != 3 || std::strcmp(argv[1], "--config") != 0) {
    std::fprintf(stderr,
                 "usage: mbl-node --config FILE\n       mbl-node --version\n"
                 "See docs/operations.md.\n");
    return kExitUsage;
  }
  return Run(argv[2]);
}
