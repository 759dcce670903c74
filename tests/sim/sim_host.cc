#include "tests/sim/sim_host.h"

#include <string>

#include "crypto/sha256.h"

namespace mbl::sim {

ExecutionResult FakeExecute(const Block& block, const ExecutionResult& parent) {
  ExecutionResult result;
  result.state_root = crypto::Sha256Hasher()
                          .Update("sim-state")
                          .Update(parent.state_root)
                          .UpdateU64BigEndian(block.height)
                          .Update(crypto::Sha256(block.payload))
                          .Final();
  result.results_root = crypto::Sha256Hasher().Update("sim-results").Update(block.payload).Final();
  return result;
}

SimHost::SimHost(consensus::ValidatorIndex validator, int twin, Disk& disk,
                 std::function<std::int64_t()> local_clock_ms)
    : validator_(validator), twin_(twin), disk_(disk), local_clock_ms_(std::move(local_clock_ms)) {}

Result<ExecutionResult> SimHost::Execute(const Block& block, const ExecutionResult& parent) {
  return FakeExecute(block, parent);
}

consensus::ProposalPayload SimHost::MakePayload(const Block& parent) {
  // Different per validator, twin and call, so that equivocating twins propose different blocks.
  std::string payload(kSimPayloadPrefix);
  payload += "v" + std::to_string(validator_) + "t" + std::to_string(twin_) + "h" +
             std::to_string(parent.height + 1) + "n" + std::to_string(++payloads_made_);
  return consensus::ProposalPayload{std::move(payload), local_clock_ms_()};
}

Status SimHost::ValidatePayload(const Block& block, const Block& parent) {
  if (!block.payload.starts_with(kSimPayloadPrefix)) {
    return InvalidArgument("payload of block at height " + std::to_string(block.height) +
                           " does not decode");
  }
  if (block.time_ms > local_clock_ms_() + kSimClockAllowanceMs) {
    return FailedPrecondition("block time " + std::to_string(block.time_ms) +
                              " ms is too far ahead of this node's clock");
  }
  if (block.time_ms < parent.time_ms) return FailedPrecondition("block time goes backwards");
  return Status::Ok();
}

std::optional<CommittedBlock> SimHost::ReadCommitted(Height height) {
  if (height == 0 || height > disk_.committed.size()) return std::nullopt;
  return disk_.committed[height - 1];
}

}  // namespace mbl::sim
