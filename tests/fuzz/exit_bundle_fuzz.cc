// Exit proof bundles (docs/formats.md "Exit proof bundle"; tools/exit_verify.h VerifyExitBundle):
// what `mbl verify` reads from any node, trusting nothing in it but the pinned genesis. Input: a
// JSON object as the files of tests/vectors/exit/: {"bundle", "genesis"?, "checkpoint"?}.
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
  std::optional<chaincode::SignedRecord> genesis;
  if (input.contains("genesis")) {
    auto envelope = chaincode::EnvelopeFromJson(input["genesis"]);
    if (!envelope.ok()) return 0;
    genesis = *envelope;
  }
  std::optional<tools::Checkpoint> checkpoint;
  if (input.contains("checkpoint")) {
    auto parsed = tools::CheckpointFromJson(input["checkpoint"]);
    if (!parsed.ok()) return 0;
    checkpoint = *parsed;
  }
  auto verified = tools::VerifyExitBundle(input["bundle"], genesis, checkpoint);
  if (verified.ok() && genesis) {
    MBL_FUZZ_CHECK(
        verified->chain_id == crypto::ToHex(chaincode::ComputeRecordId(genesis->payload)),
        "a verified bundle is of the pinned chain");
  }
  return 0;
}
