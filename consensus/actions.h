// What the consensus core asks its host to do. The host carries the actions out in order.
//
// Persistence contract (DESIGN D4): a vote or timeout is never in the output before the host has
// acknowledged, through ConsensusCore::OnSafetyDataPersisted(sequence), that the PersistSafetyData
// with that sequence is durable (written and synced). The core holds the message until then, so a
// host cannot send a vote whose safety data could be lost in a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "consensus/types.h"

namespace mbl::consensus {

// Send to every other validator.
struct BroadcastProposal {
  ProposalMsg proposal;
};
// Send to one validator: the leader of the next round.
struct SendVote {
  ValidatorIndex to = 0;
  VoteMsg vote;
};
struct BroadcastTimeout {
  TimeoutMsg timeout;
};
struct SendSyncInfo {
  ValidatorIndex to = 0;
  SyncInfo sync_info;
};
struct RequestBlocks {
  ValidatorIndex to = 0;
  BlockRequest request;
};
struct SendBlocks {
  ValidatorIndex to = 0;
  BlockResponse response;
};
// Write `safety_data` (EncodeSafetyData) and, if present, `voted_block` (so a block a quorum
// certified survives even a restart of every validator), sync, then call
// OnSafetyDataPersisted(sequence). Sequences increase by one; acknowledging n acknowledges all
// below n.
struct PersistSafetyData {
  std::uint64_t sequence = 0;
  SafetyData safety_data;
  std::optional<Block> voted_block;
};
// Blocks committed by the 2-chain rule, oldest first, each with its certifying QC, and the QC
// that proved the commit (it certifies a child of the last block, one round later). Heights are
// consecutive and continue the previous commit. The host executes and stores them in this order;
// it may drop stored voted blocks and speculative states at or below the last height.
struct CommitBlocks {
  std::vector<CommittedBlock> blocks;
  QuorumCertificate commit_qc;
};
// Call OnLocalTimeout(round) after `duration_ms` of the host's clock, unless the round changed;
// a later ScheduleTimeout replaces the earlier one.
struct ScheduleTimeout {
  Round round = 0;
  std::int64_t duration_ms = 0;
};

using Action =
    std::variant<BroadcastProposal, SendVote, BroadcastTimeout, SendSyncInfo, RequestBlocks,
                 SendBlocks, PersistSafetyData, CommitBlocks, ScheduleTimeout>;

// The result of one input: the actions to carry out, in order, and why the input was refused or
// only partly used (ok when fully accepted). A refused input changes nothing it should not: bad
// messages are dropped before any state changes.
struct Output {
  std::vector<Action> actions;
  Status status;
};

}  // namespace mbl::consensus
