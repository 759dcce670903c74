// The node's configuration file (node/config.h ParseConfig): JSON text, every key checked by name.
// Invariant: a config it accepts has its paths under the base directory when they are relative.
#include "node/config.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mbl;
  auto config = node::ParseConfig(fuzz::AsText(data, size), "/fuzz/base");
  if (!config.ok()) return 0;
  MBL_FUZZ_CHECK(config->data_dir.is_absolute(), config->data_dir.string());
  MBL_FUZZ_CHECK(config->node_key_file.is_absolute(), config->node_key_file.string());
  MBL_FUZZ_CHECK(config->genesis_file.is_absolute(), config->genesis_file.string());
  MBL_FUZZ_CHECK(config->http_threads >= 1 && config->http_threads <= 64, "http_threads range");
  MBL_FUZZ_CHECK(config->block_interval_ms >= 1, "block_interval_ms range");
  return 0;
}
