// Exit proof bundles (docs/formats.md "Exit proof bundle"; tools/exit_verify.h VerifyExitBundle):
// what `mbl verify` reads from any node, trusting nothing in it but the pinned genesis. Input: a
// JSON object: {"bundle", "genesis"?, "chain"?, "checkpoint"?} (checkpoint as a checkpoint file).
// Invariant: a verified bundle names the chain of the pinned genesis, when one is pinned.
#include <nlohmann/json.hpp>
#include <optional>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "tests/fuzz/fuzz_check.h"
#include "tools/exit_verify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mbl;
  nlohmann::json input = nlohmann::json::parse(fuzz::AsText(data, size), nullptr, false);
  if (input.is_discarded() || !input.is_object() || !input.contains("bundle")) return 0;
  tools::VerifyOptions options;
  if (input.contains("genesis")) {
    auto envelope = chaincode::EnvelopeFromJson(input["genesis"]);
    if (!envelope.ok()) return 0;
    options.pinned_genesis = *envelope;
  }
  if (input.contains("chain") && input["chain"].is_string()) {
    options.pinned_chain_id = input["chain"].get<std::string>();
  }
  if (input.contains("checkpoint")) {
    auto parsed = tools::CheckpointsFromJson(input["checkpoint"]);
    if (!parsed.ok()) return 0;
    options.checkpoints = *parsed;
  }
  auto verified = tools::VerifyExitBundle(input["bundle"], options);
  if (verified.ok() && options.pinned_genesis) {
    MBL_FUZZ_CHECK(verified->chain_id ==
                       crypto::ToHex(chaincode::ComputeRecordId(options.pinned_genesis->payload)),
                   "a verified bundle is of the pinned chain");
    MBL_FUZZ_CHECK(verified->trust == tools::Trust::kPinned, "a pinned chain is reported pinned");
  }
  return 0;
}
