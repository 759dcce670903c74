#include "node/config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/limits.h"

namespace mbl::node {
namespace {

Result<std::uint64_t> UnsignedIn(const nlohmann::json& json, const char* key, std::uint64_t low,
                                 std::uint64_t high) {
  const auto& value = json.at(key);
  if (!value.is_number_unsigned() || value.get<std::uint64_t>() < low ||
      value.get<std::uint64_t>() > high) {
    return InvalidArgument(std::string("config key '") + key + "' must be an integer in " +
                           std::to_string(low) + ".." + std::to_string(high));
  }
  return value.get<std::uint64_t>();
}

Result<std::string> Text(const nlohmann::json& json, const char* key) {
  const auto& value = json.at(key);
  if (!value.is_string() || value.get<std::string>().empty()) {
    return InvalidArgument(std::string("config key '") + key + "' must be a non-empty string");
  }
  return value.get<std::string>();
}

}  // namespace

Result<NodeConfig> ParseConfig(std::string_view json_text, const std::filesystem::path& base_dir) {
  nlohmann::json json = nlohmann::json::parse(json_text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return InvalidArgument("config is not a JSON object");
  }
  static const std::set<std::string> kKnown = {"data_dir",
                                               "node_key_file",
                                               "genesis_file",
                                               "recognized_ledgers_file",
                                               "http_address",
                                               "http_port",
                                               "http_threads",
                                               "log_level",
                                               "block_interval_ms",
                                               "block_records_max",
                                               "mempool_records_max",
                                               "http_connections_max",
                                               "http_connections_per_client_max",
                                               "http_requests_per_second",
                                               "validator_listen_address",
                                               "round_timeout_ms",
                                               "clock_allowance_ms"};
  for (const auto& [key, value] : json.items()) {
    if (!kKnown.contains(key)) {
      return InvalidArgument("unknown config key '" + key + "' (see docs/operations.md)");
    }
  }
  for (const char* required : {"data_dir", "node_key_file", "genesis_file"}) {
    if (!json.contains(required)) {
      return InvalidArgument(std::string("config key '") + required + "' is required");
    }
  }
  auto resolve = [&](const std::string& path) {
    std::filesystem::path p(path);
    return p.is_absolute() ? p : base_dir / p;
  };
  NodeConfig config;
  MBL_ASSIGN_OR_RETURN(std::string data_dir, Text(json, "data_dir"));
  MBL_ASSIGN_OR_RETURN(std::string key_file, Text(json, "node_key_file"));
  MBL_ASSIGN_OR_RETURN(std::string genesis, Text(json, "genesis_file"));
  config.data_dir = resolve(data_dir);
  config.node_key_file = resolve(key_file);
  config.genesis_file = resolve(genesis);
  if (json.contains("recognized_ledgers_file")) {
    MBL_ASSIGN_OR_RETURN(std::string ledgers, Text(json, "recognized_ledgers_file"));
    config.recognized_ledgers_file = resolve(ledgers);
  }
  if (json.contains("http_address")) {
    MBL_ASSIGN_OR_RETURN(config.http_address, Text(json, "http_address"));
  }
  if (json.contains("http_port")) {
    MBL_ASSIGN_OR_RETURN(auto port, UnsignedIn(json, "http_port", 0, 65535));
    config.http_port = static_cast<std::uint16_t>(port);
  }
  if (json.contains("http_threads")) {
    MBL_ASSIGN_OR_RETURN(config.http_threads, UnsignedIn(json, "http_threads", 1, 64));
  }
  if (json.contains("log_level")) {
    MBL_ASSIGN_OR_RETURN(std::string level, Text(json, "log_level"));
    if (!ParseLogLevel(level, &config.log_level)) {
      return InvalidArgument("config key 'log_level' must be debug, info, warn or error");
    }
  }
  if (json.contains("block_interval_ms")) {
    MBL_ASSIGN_OR_RETURN(auto interval, UnsignedIn(json, "block_interval_ms", 1, 60'000));
    config.block_interval_ms = static_cast<std::int64_t>(interval);
  }
  if (json.contains("block_records_max")) {
    MBL_ASSIGN_OR_RETURN(config.block_records_max,
                         UnsignedIn(json, "block_records_max", 1, limits::kBlockRecordsMax));
  }
  if (json.contains("mempool_records_max")) {
    MBL_ASSIGN_OR_RETURN(config.mempool_records_max,
                         UnsignedIn(json, "mempool_records_max", 1, limits::kMempoolRecordsMax));
  }
  if (json.contains("http_connections_max")) {
    MBL_ASSIGN_OR_RETURN(config.http_connections_max,
                         UnsignedIn(json, "http_connections_max", 1, limits::kHttpConnectionsMax));
  }
  if (json.contains("http_connections_per_client_max")) {
    MBL_ASSIGN_OR_RETURN(
        config.http_connections_per_client_max,
        UnsignedIn(json, "http_connections_per_client_max", 1, limits::kHttpConnectionsMax));
  }
  if (json.contains("http_requests_per_second")) {
    MBL_ASSIGN_OR_RETURN(auto rate, UnsignedIn(json, "http_requests_per_second", 1, 1'000'000));
    config.http_requests_per_second = static_cast<std::uint32_t>(rate);
  }
  if (json.contains("validator_listen_address")) {
    MBL_ASSIGN_OR_RETURN(config.validator_listen_address, Text(json, "validator_listen_address"));
  }
  if (json.contains("round_timeout_ms")) {
    MBL_ASSIGN_OR_RETURN(auto timeout, UnsignedIn(json, "round_timeout_ms", 50, 60'000));
    config.round_timeout_ms = static_cast<std::int64_t>(timeout);
  }
  if (json.contains("clock_allowance_ms")) {
    MBL_ASSIGN_OR_RETURN(auto allowance, UnsignedIn(json, "clock_allowance_ms", 1, 600'000));
    config.clock_allowance_ms = static_cast<std::int64_t>(allowance);
  }
  return config;
}

Result<std::string> ReadConfigFile(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open " + std::string(what) + " file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > limits::kConfigFileBytesMax) {
    return InvalidArgument(std::string(what) + " file " + path.string() + " is too large");
  }
  return text.str();
}

Result<NodeConfig> LoadConfig(const std::filesystem::path& path) {
  MBL_ASSIGN_OR_RETURN(std::string text, ReadConfigFile(path, "config"));
  auto config = ParseConfig(text, std::filesystem::absolute(path).parent_path());
  if (!config.ok()) return config.status().WithContext(path.string());
  return config;
}

}  // namespace mbl::node
