#include "node/config.h"

#include <gtest/gtest.h>

namespace mbl::node {
namespace {

TEST(Config, ParsesAndResolvesRelativePaths) {
  auto config = ParseConfig(R"({"data_dir": "data", "node_key_file": "/keys/node.secret",
      "genesis_file": "../genesis.json", "http_port": 7701, "log_level": "debug",
      "block_interval_ms": 20})",
                            "/srv/mbl");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/srv/mbl/data");
  EXPECT_EQ(config->node_key_file, "/keys/node.secret");
  EXPECT_EQ(config->http_port, 7701);
  EXPECT_EQ(config->log_level, LogLevel::kDebug);
  EXPECT_EQ(config->block_interval_ms, 20);
}

TEST(Config, RejectsUnknownKeysMissingKeysAndBadValuesByName) {
  auto unknown =
      ParseConfig(R"({"data_dir":"d","node_key_file":"k","genesis_file":"g","htp_port":1})", "/");
  EXPECT_NE(unknown.status().message().find("htp_port"), std::string::npos);
  auto missing = ParseConfig(R"({"data_dir":"d","node_key_file":"k"})", "/");
  EXPECT_NE(missing.status().message().find("genesis_file"), std::string::npos);
  auto port = ParseConfig(
      R"({"data_dir":"d","node_key_file":"k","genesis_file":"g","http_port":70000})", "/");
  EXPECT_NE(port.status().message().find("http_port"), std::string::npos);
  auto level = ParseConfig(
      R"({"data_dir":"d","node_key_file":"k","genesis_file":"g","log_level":"loud"})", "/");
  EXPECT_NE(level.status().message().find("log_level"), std::string::npos);
  EXPECT_FALSE(ParseConfig("not json", "/").ok());
  EXPECT_FALSE(ParseConfig("[1,2]", "/").ok());
}

}  // namespace
}  // namespace mbl::node
