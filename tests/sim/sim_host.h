// The host of one simulated validator instance: a deterministic fake executor and payload source,
// a committed-block store, and the "disk" that survives crashes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consensus/interfaces.h"
#include "consensus/types.h"

namespace mbl::sim {

using consensus::Block;
using consensus::BlockId;
using consensus::CommittedBlock;
using consensus::ExecutionResult;
using consensus::Height;

// What survives a crash: only what the host wrote before the crash (acknowledged persists and
// committed blocks, each written "with sync").
struct Disk {
  std::optional<std::string> safety_data;  // EncodeSafetyData bytes
  std::map<BlockId, Block> voted_blocks;
  std::vector<CommittedBlock> committed;  // committed[i] is at height i + 1
};

// The fake chaincode: a hash chain over payloads, so that state roots depend on every block and
// its order, as real ones do.
ExecutionResult FakeExecute(const Block& block, const ExecutionResult& parent);

// A block payload the fake "decoder" accepts starts with this prefix.
inline constexpr std::string_view kSimPayloadPrefix = "sim-records:";
// A proposal whose time is further than this ahead of the voter's clock is refused.
inline constexpr std::int64_t kSimClockAllowanceMs = 2'000;

class SimHost final : public consensus::Executor,
                      public consensus::PayloadSource,
                      public consensus::CommittedBlockReader {
 public:
  SimHost(consensus::ValidatorIndex validator, int twin, Disk& disk,
          std::function<std::int64_t()> local_clock_ms);

  Result<ExecutionResult> Execute(const Block& block, const ExecutionResult& parent) override;
  consensus::ProposalPayload MakePayload(const Block& parent) override;
  Status ValidatePayload(const Block& block, const Block& parent) override;
  std::optional<CommittedBlock> ReadCommitted(Height height) override;

 private:
  const consensus::ValidatorIndex validator_;
  const int twin_;
  Disk& disk_;
  const std::function<std::int64_t()> local_clock_ms_;
  std::uint64_t payloads_made_ = 0;
};

}  // namespace mbl::sim
