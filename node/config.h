// The node's configuration file (JSON; every key in docs/operations.md). Unknown keys and values
// out of range are errors that name the key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "base/status.h"
#include "node/log.h"

namespace mbl::node {

struct NodeConfig {
  std::filesystem::path data_dir;
  std::filesystem::path node_key_file;  // this validator's secret key (0600)
  std::filesystem::path genesis_file;   // the signed genesis record, JSON envelope
  // The ledgers the verification page (/verify) recognizes; empty: it recognizes none.
  std::filesystem::path recognized_ledgers_file;
  std::string http_address = "127.0.0.1";
  std::uint16_t http_port = 7700;
  std::size_t http_threads = 2;
  LogLevel log_level = LogLevel::kInfo;
  std::int64_t block_interval_ms = 50;
  std::size_t block_records_max = 0;                // 0: limits::kBlockRecordsMax
  std::size_t mempool_records_max = 0;              // 0: limits::kMempoolRecordsMax
  std::size_t http_connections_max = 0;             // 0: limits::kHttpConnectionsMax
  std::size_t http_connections_per_client_max = 0;  // 0: limits::kHttpConnectionsPerClientMax
  std::uint32_t http_requests_per_second = 0;       // 0: limits::kHttpRequestsPerSecondPerClient
  // BFT (more than one validator). The link listens on the port of this validator's address in
  // the genesis; this overrides the host to bind (e.g. 0.0.0.0 behind NAT).
  std::string validator_listen_address;
  std::int64_t round_timeout_ms = 1000;    // consensus round timer base (grows while no commit)
  std::int64_t clock_allowance_ms = 5000;  // how far ahead of our clock a proposal's time may be
};

// The text of one of the node's configuration files (`what`: "config", "recognized ledgers"),
// at most limits::kConfigFileBytesMax bytes; errors name the file.
Result<std::string> ReadConfigFile(const std::filesystem::path& path, std::string_view what);

// Relative paths in the file are resolved against the file's directory.
Result<NodeConfig> LoadConfig(const std::filesystem::path& path);
Result<NodeConfig> ParseConfig(std::string_view json_text, const std::filesystem::path& base_dir);

}  // namespace mbl::node
