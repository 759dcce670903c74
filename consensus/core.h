// ConsensusCore: Jolteon / DiemBFT v4 (2-chain HotStuff) as a pure state machine, in the shape of
// libhotstuff's HotStuffCore. Inputs are the On* calls; outputs are Actions the host carries out
// (send, persist, commit, schedule a timer, fetch blocks). No clock, socket, file or randomness:
// the host owns them, and the deterministic simulator (tests/sim/) replays any run from a seed.
//
// Module map (the module names of the DiemBFT v4 pseudocode):
//   Main (process_proposal_msg, process_vote_msg, process_timeout_msg, process_certificates,
//         process_new_round_event)          -> this class (core.cc)
//   Safety                                  -> SafetyRules (safety_rules.h)
//   Pacemaker                               -> Pacemaker (pacemaker.h)
//   Block-Tree, Ledger commit               -> BlockTree (block_tree.h), CommitBlocks action
//   LeaderElection                          -> ValidatorSet::LeaderOf (round robin)
//   Block retrieval / SyncInfo (catch-up)   -> core_sync.cc
//
// Not thread safe: the host calls it from one thread (or under one lock).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <variant>
#include <vector>

#include "consensus/actions.h"
#include "consensus/block_tree.h"
#include "consensus/certificates.h"
#include "consensus/interfaces.h"
#include "consensus/pacemaker.h"
#include "consensus/safety_rules.h"
#include "consensus/types.h"
#include "consensus/validator_set.h"

namespace mbl::consensus {

// The genesis block every validator starts from: round 0, no payload, and the state the host's
// genesis produced. Its QC (MakeGenesisQc) is the only certificate without signatures. Height 0
// for the ledger's first validator set; a later set (an epoch, node/epoch.h) starts from the
// height of the block that established it.
struct Genesis {
  Height height = 0;
  std::int64_t time_ms = 0;
  ExecutionResult execution;
};
Block MakeGenesisBlock(const Genesis& genesis);
QuorumCertificate MakeGenesisQc(const Block& genesis_block);

struct ConsensusConfig {
  ValidatorSet validators;
  ValidatorIndex self = 0;
  crypto::Hash256 chain_id{};  // bound into every signature (e.g. the genesis hash)
  Genesis genesis;
  TimeoutPolicy timeouts;
};

// The host's services; they must outlive the core.
struct ConsensusDependencies {
  Executor& executor;
  PayloadSource& payload_source;
  Signer& signer;
  CommittedBlockReader& committed_blocks;
};

// What the host read back from disk at start. All empty on a first start.
struct RecoveryState {
  std::optional<SafetyData> safety_data;         // the last acknowledged PersistSafetyData
  std::optional<CommittedBlock> committed_root;  // the last committed block and its QC
  std::vector<Block> voted_blocks;               // persisted voted blocks above the root
};

class ConsensusCore {
 public:
  ConsensusCore(ConsensusConfig config, ConsensusDependencies dependencies, RecoveryState recovery);

  // Re-inserts recovered blocks, enters the starting round (schedules its timer, proposes when
  // leader). Call once, before any other input.
  Output Start();

  // Messages from validator `from` (the authenticated peer of the link). Every message is verified
  // before it changes anything; a bad one yields a non-ok Output::status and no effect.
  Output OnMessage(ValidatorIndex from, const Message& message);
  Output OnProposal(ValidatorIndex from, const ProposalMsg& proposal);
  Output OnVote(ValidatorIndex from, const VoteMsg& vote);
  Output OnTimeout(ValidatorIndex from, const TimeoutMsg& timeout);
  Output OnSyncInfo(ValidatorIndex from, const SyncInfo& sync_info);
  Output OnBlockRequest(ValidatorIndex from, const BlockRequest& request);
  Output OnBlocksFetched(ValidatorIndex from, const BlockResponse& response);

  // The host has payload again (records arrived). An idle leader, one that found nothing to
  // propose in the current round, proposes now.
  Output OnPayloadReady();
  // The timer of ScheduleTimeout{round} fired (ignored unless still in that round).
  Output OnLocalTimeout(Round round);
  // PersistSafetyData{sequence} (and every earlier one) is durable: release what it guards.
  Output OnSafetyDataPersisted(std::uint64_t sequence);

  // ---- Observers (metrics, health, tests) ----
  Round current_round() const { return pacemaker_.current_round(); }
  ValidatorIndex leader_of(Round round) const { return config_.validators.LeaderOf(round); }
  const QuorumCertificate& high_qc() const { return tree_.high_qc(); }
  const CommittedBlock& committed_root() const { return tree_.committed_root(); }
  Height committed_height() const { return tree_.root().height; }
  SafetyData safety_data() const;
  const Block* FindBlock(const BlockId& id) const { return tree_.Find(id); }
  std::size_t pending_block_count() const { return tree_.pending_count(); }
  bool fetching() const { return fetch_.has_value(); }

 private:
  using GuardedMessage = std::variant<VoteMsg, TimeoutMsg>;
  struct Guarded {
    std::uint64_t sequence = 0;
    GuardedMessage message;
  };
  struct Fetch {
    QuorumCertificate target_qc;  // certifies the block we want
    ValidatorIndex peer = 0;
    BlockId after_id{};  // the deepest block we hold on the way to the target
    Height after_height = 0;
    std::size_t attempts = 0;              // requests since the last progress
    std::size_t rounds_since_request = 0;  // round changes since the last request went out
  };

  // core.cc: rounds, proposals, votes, timeouts.
  void ProcessQc(const QuorumCertificate& qc, ValidatorIndex from, Output& out);
  void ProcessTc(const TimeoutCertificate& tc, ValidatorIndex from, Output& out);
  void TryCommit(const QuorumCertificate& qc, ValidatorIndex from, Output& out);
  void EnterRound(Output& out);
  void TryPropose(Output& out);
  bool NeedsBlockToFinishCommit(const Block& parent) const;
  void HandleProposal(ValidatorIndex from, const ProposalMsg& proposal, bool own, Output& out);
  Status AcceptProposedBlock(const Block& block, bool own);
  void HandleVote(const VoteMsg& vote, Output& out);
  void HandleTimeout(const TimeoutMsg& timeout, Output& out);
  void LocalTimeout(Output& out);
  void PersistThenSend(GuardedMessage message, std::optional<Block> voted_block, Output& out);
  void Release(const GuardedMessage& message, Output& out);
  void AfterBlockInserted(Output& out);

  // core_sync.cc: catch-up and helping others catch up.
  void RequestMissing(const QuorumCertificate& qc, ValidatorIndex hint, Output& out);
  void SendFetchRequest(Output& out);
  void RotateFetchPeer();
  Status InsertCertifiedBlock(const Block& block, const VoteData& certified);
  void MaybeSendSyncInfo(ValidatorIndex to, Round their_round, Output& out);
  void RecoverVotedBlocks();
  ValidatorIndex SomeSignerOtherThanSelf(const QuorumCertificate& qc) const;

  const ConsensusConfig config_;
  ConsensusDependencies deps_;
  CertificateVerifier verifier_;
  SafetyRules safety_;
  BlockTree tree_;
  Pacemaker pacemaker_;
  VoteCollector votes_;
  TimeoutCollector timeouts_;

  std::vector<Block> recovered_blocks_;  // consumed by Start()
  bool started_ = false;
  Round proposed_round_ = 0;                // last round this node proposed in
  Round idle_round_ = 0;                    // round in which it had nothing to propose
  Round first_proposal_round_ = 0;          // last round whose first proposal was taken
  std::optional<TimeoutMsg> last_timeout_;  // re-sent on every timer of the same round
  std::optional<std::pair<ValidatorIndex, ProposalMsg>> waiting_proposal_;  // parent missing
  std::optional<QuorumCertificate> waiting_commit_qc_;  // commit rule fired, blocks missing

  std::uint64_t persist_sequence_ = 0;    // last PersistSafetyData emitted
  std::uint64_t persisted_sequence_ = 0;  // last acknowledged
  std::deque<Guarded> guarded_;           // votes and timeouts waiting for their ack

  std::optional<Fetch> fetch_;
  std::map<ValidatorIndex, Round> sync_sent_round_;  // one SyncInfo per peer per round
};

}  // namespace mbl::consensus
