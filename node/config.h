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
  std::string http_address = "127.0.0.1";
  std::uint16_t http_port = 7700;
  std::size_t http_threads = 2;
  LogLevel log_level = LogLevel::kInfo;
  std::int64_t block_interval_ms = 50;
  std::size_t block_records_max = 0;           // 0: limits::kBlockRecordsMax
  std::size_t mempool_records_max = 0;         // 0: limits::kMempoolRecordsMax
  std::size_t http_connections_max = 0;        // 0: limits::kHttpConnectionsMax
  std::uint32_t http_requests_per_second = 0;  // 0: limits::kHttpRequestsPerSecondPerClient
};

// Relative paths in the file are resolved against the file's directory.
Result<NodeConfig> LoadConfig(const std::filesystem::path& path);
Result<NodeConfig> ParseConfig(std::string_view json_text, const std::filesystem::path& base_dir);

}  // namespace mbl::node
