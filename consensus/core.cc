#include "consensus/core.h"

#include <algorithm>
#include <string>
#include <type_traits>

#include "base/limits.h"
#include "consensus/codec.h"
#include "crypto/encoding.h"

namespace mbl::consensus {
namespace {

std::string Text(Round round) { return std::to_string(round); }

Round StartRound(const BlockTree& tree, const std::optional<SafetyData>& data) {
  Round start = std::max(tree.high_qc().round(), tree.root().round) + 1;
  if (data && data->last_round_tc) start = std::max(start, data->last_round_tc->round + 1);
  return start;
}

// Only a TC of the round just before the starting round justifies that round.
std::optional<TimeoutCertificate> StartTc(Round start, const std::optional<SafetyData>& data) {
  if (data && data->last_round_tc && data->last_round_tc->round + 1 == start) {
    return data->last_round_tc;
  }
  return std::nullopt;
}

}  // namespace

Block MakeGenesisBlock(const Genesis& genesis) {
  Block block;
  block.height = genesis.height;
  block.time_ms = genesis.time_ms;
  block.execution = genesis.execution;
  SealBlock(block);
  return block;
}

QuorumCertificate MakeGenesisQc(const Block& genesis_block) {
  QuorumCertificate qc;
  qc.vote_data.block_id = genesis_block.id;
  qc.vote_data.height = genesis_block.height;
  qc.vote_data.execution = genesis_block.execution;
  return qc;
}

ConsensusCore::ConsensusCore(ConsensusConfig config, ConsensusDependencies dependencies,
                             RecoveryState recovery)
    : config_(std::move(config)),
      deps_(dependencies),
      verifier_(config_.validators, config_.chain_id,
                MakeGenesisQc(MakeGenesisBlock(config_.genesis))),
      safety_(recovery.safety_data ? recovery.safety_data->highest_voted_round : 0,
              recovery.safety_data ? recovery.safety_data->highest_qc_round : 0, config_.chain_id,
              config_.self, deps_.signer),
      tree_(recovery.committed_root
                ? *recovery.committed_root
                : CommittedBlock{MakeGenesisBlock(config_.genesis), verifier_.genesis_qc()},
            recovery.safety_data ? recovery.safety_data->high_qc : verifier_.genesis_qc()),
      pacemaker_(StartRound(tree_, recovery.safety_data),
                 StartTc(StartRound(tree_, recovery.safety_data), recovery.safety_data),
                 config_.timeouts),
      recovered_blocks_(std::move(recovery.voted_blocks)) {
  MBL_CHECK(config_.validators.Contains(config_.self));
  MBL_CHECK_LE(safety_.highest_qc_round(), safety_.highest_voted_round());
  // A restart resumes at a round the persisted certificates justify, never below a voted round.
  MBL_CHECK_GE(pacemaker_.current_round(), safety_.highest_voted_round());
}

SafetyData ConsensusCore::safety_data() const {
  return SafetyData{safety_.highest_voted_round(), safety_.highest_qc_round(), tree_.high_qc(),
                    pacemaker_.last_round_tc()};
}

Output ConsensusCore::Start() {
  MBL_CHECK(!started_);
  started_ = true;
  Output out;
  RecoverVotedBlocks();
  if (!tree_.Contains(tree_.high_qc().certified_block_id())) {
    RequestMissing(tree_.high_qc(), SomeSignerOtherThanSelf(tree_.high_qc()), out);
  }
  EnterRound(out);
  return out;
}

Output ConsensusCore::OnMessage(ValidatorIndex from, const Message& message) {
  return std::visit(
      [&](const auto& m) -> Output {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, ProposalMsg>) return OnProposal(from, m);
        if constexpr (std::is_same_v<T, VoteMsg>) return OnVote(from, m);
        if constexpr (std::is_same_v<T, TimeoutMsg>) return OnTimeout(from, m);
        if constexpr (std::is_same_v<T, SyncInfo>) return OnSyncInfo(from, m);
        if constexpr (std::is_same_v<T, BlockRequest>) return OnBlockRequest(from, m);
        if constexpr (std::is_same_v<T, BlockResponse>) return OnBlocksFetched(from, m);
      },
      message);
}

// ---- process_certificates ----------------------------------------------------------------------

void ConsensusCore::ProcessQc(const QuorumCertificate& qc, ValidatorIndex from, Output& out) {
  tree_.ProcessQc(qc);
  if (!tree_.Contains(qc.certified_block_id())) RequestMissing(qc, from, out);
  TryCommit(qc, from, out);
  if (pacemaker_.AdvanceRoundQc(qc.round())) EnterRound(out);
}

void ConsensusCore::ProcessTc(const TimeoutCertificate& tc, ValidatorIndex from, Output& out) {
  ProcessQc(tc.high_qc, from, out);
  if (pacemaker_.AdvanceRoundTc(tc)) EnterRound(out);
}

void ConsensusCore::TryCommit(const QuorumCertificate& qc, ValidatorIndex from, Output& out) {
  std::vector<CommittedBlock> committed;
  switch (tree_.TryCommit(qc, &committed)) {
    case BlockTree::CommitOutcome::kNothingToCommit:
      return;
    case BlockTree::CommitOutcome::kMissingBlocks:
      if (!waiting_commit_qc_ || waiting_commit_qc_->round() < qc.round()) waiting_commit_qc_ = qc;
      RequestMissing(qc, from, out);
      return;
    case BlockTree::CommitOutcome::kCommitted:
      if (waiting_commit_qc_ && waiting_commit_qc_->vote_data.parent_round <= tree_.root().round) {
        waiting_commit_qc_.reset();
      }
      out.actions.push_back(CommitBlocks{std::move(committed), qc});
      return;
  }
}

// ---- Pacemaker: start_timer and process_new_round_event ----------------------------------------

void ConsensusCore::EnterRound(Output& out) {
  const Round round = pacemaker_.current_round();
  // Votes of round r are aggregated by the leader of r + 1, possibly after it entered r + 1.
  votes_.PruneBelow(round > 0 ? round - 1 : 0);
  timeouts_.PruneBelow(round);
  out.actions.push_back(ScheduleTimeout{round, pacemaker_.RoundTimeoutMs(tree_.root().round)});
  // Rounds can keep advancing on others' certificates while a request or its answer is lost:
  // ask the next peer after a few round changes, without waiting for a local timeout.
  constexpr std::size_t kRoundChangesPerFetchAttempt = 3;
  if (fetch_ && ++fetch_->rounds_since_request >= kRoundChangesPerFetchAttempt) {
    RotateFetchPeer();
    fetch_->attempts = 0;
    SendFetchRequest(out);
  }
  if (config_.validators.LeaderOf(round) == config_.self) TryPropose(out);
}

void ConsensusCore::TryPropose(Output& out) {
  const Round round = pacemaker_.current_round();
  if (!started_ || proposed_round_ >= round || round <= safety_.highest_voted_round() ||
      config_.validators.LeaderOf(round) != config_.self) {
    return;
  }
  const QuorumCertificate& high_qc = tree_.high_qc();
  const Block* parent = tree_.Find(high_qc.certified_block_id());
  if (parent == nullptr) {
    RequestMissing(high_qc, SomeSignerOtherThanSelf(high_qc), out);
    return;  // proposed once the block arrives (AfterBlockInserted)
  }
  std::optional<TimeoutCertificate> justification;
  if (high_qc.round() + 1 != round) {
    const auto& tc = pacemaker_.last_round_tc();
    if (!tc || tc->round + 1 != round) return;  // nothing justifies a proposal in this round
    justification = tc;
  }
  ProposalPayload payload = deps_.payload_source.MakePayload(*parent);
  if (payload.payload.empty() && !NeedsBlockToFinishCommit(*parent)) {
    idle_round_ = round;  // OnPayloadReady proposes in this round once there is something
    return;
  }
  Block block;
  block.round = round;
  block.height = parent->height + 1;
  block.time_ms = std::max(payload.time_ms, parent->time_ms);
  block.author = config_.self;
  block.qc = high_qc;
  block.payload = std::move(payload.payload);
  auto execution = deps_.executor.Execute(block, parent->execution);
  if (!execution.ok()) {
    out.status = execution.status().WithContext("proposing in round " + Text(round));
    return;
  }
  block.execution = *execution;
  SealBlock(block);
  proposed_round_ = round;

  ProposalMsg proposal{std::move(block), std::move(justification), {}};
  proposal.signature = safety_.SignProposal(proposal.block);
  out.actions.push_back(BroadcastProposal{proposal});
  HandleProposal(config_.self, proposal, /*own=*/true, out);
}

// An idle leader proposes nothing, so an idle network writes no empty blocks. Two empty blocks
// still follow a block with records: the first certifies it, the second carries that QC to every
// validator, which is when they all commit it (the 2-chain rule).
bool ConsensusCore::NeedsBlockToFinishCommit(const Block& parent) const {
  if (!parent.payload.empty()) return true;
  const Block* grandparent = tree_.Find(parent.parent_id());
  return grandparent != nullptr && !grandparent->payload.empty();
}

Output ConsensusCore::OnPayloadReady() {
  Output out;
  if (started_ && idle_round_ == pacemaker_.current_round()) TryPropose(out);
  return out;
}

// ---- process_proposal_msg -----------------------------------------------------------------------

Output ConsensusCore::OnProposal(ValidatorIndex from, const ProposalMsg& proposal) {
  Output out;
  out.status = verifier_.VerifyProposal(proposal);
  if (out.status.ok()) HandleProposal(from, proposal, /*own=*/false, out);
  return out;
}

void ConsensusCore::HandleProposal(ValidatorIndex from, const ProposalMsg& proposal, bool own,
                                   Output& out) {
  const Block& block = proposal.block;
  ProcessQc(block.qc, from, out);
  if (proposal.last_round_tc) ProcessTc(*proposal.last_round_tc, from, out);
  if (tree_.Contains(block.id) && !own) return;  // a duplicate delivery

  const bool certified = tree_.high_qc().certified_block_id() == block.id ||
                         (fetch_ && fetch_->target_qc.certified_block_id() == block.id);
  if (block.round < pacemaker_.current_round()) {
    MaybeSendSyncInfo(from, block.round, out);
    // A late proposal is still worth keeping when a QC already certifies it.
    if (certified && tree_.Contains(block.parent_id())) {
      Status status = AcceptProposedBlock(block, own);
      if (status.ok()) AfterBlockInserted(out);
      out.status = status;
    } else {
      out.status =
          FailedPrecondition("proposal of round " + Text(block.round) +
                             " is stale: current round is " + Text(pacemaker_.current_round()));
    }
    return;
  }
  MBL_CHECK_EQ(block.round, pacemaker_.current_round());  // its QC or TC moved us to it
  if (!tree_.Contains(block.parent_id())) {
    waiting_proposal_ = std::make_pair(from, proposal);
    RequestMissing(block.qc, from, out);
    return;
  }
  // An equivocating leader's second proposal of a round is not stored (it would be fetched if a
  // quorum certified it); one per round keeps the tree bounded.
  if (!own && first_proposal_round_ >= block.round && !certified) {
    out.status = FailedPrecondition("a proposal of round " + Text(block.round) +
                                    " was already received (equivocating leader?)");
    return;
  }
  first_proposal_round_ = std::max(first_proposal_round_, block.round);
  if (Status status = AcceptProposedBlock(block, own); !status.ok()) {
    out.status = status;
    return;
  }
  auto vote = safety_.MakeVote(block, proposal.last_round_tc);
  if (!vote.ok()) {
    out.status = vote.status();
  } else {
    PersistThenSend(std::move(vote).value(), block, out);
  }
  AfterBlockInserted(out);
}

// Checks payload and execution of a proposed block (unless it is our own), then adds it to the
// tree. A node never votes for execution results it did not compute itself (DESIGN D4).
Status ConsensusCore::AcceptProposedBlock(const Block& block, bool own) {
  if (tree_.Contains(block.id)) return Status::Ok();
  const Block* parent = tree_.Find(block.parent_id());
  MBL_CHECK(parent != nullptr);
  if (!own) {
    MBL_RETURN_IF_ERROR(deps_.payload_source.ValidatePayload(block, *parent)
                            .WithContext("proposal of round " + Text(block.round)));
    auto execution = deps_.executor.Execute(block, parent->execution);
    if (!execution.ok()) {
      return execution.status().WithContext("executing proposal of round " + Text(block.round));
    }
    if (*execution != block.execution) {
      return FailedPrecondition(
          "proposal of round " + Text(block.round) + ": proposed state root " +
          crypto::ToHex(block.execution.state_root) + " differs from this node's " +
          crypto::ToHex(execution->state_root) + " (or the results roots differ); no vote");
    }
  }
  return tree_.Insert(block);
}

// ---- process_vote_msg ---------------------------------------------------------------------------

Output ConsensusCore::OnVote(ValidatorIndex from, const VoteMsg& vote) {
  Output out;
  out.status = verifier_.VerifyVote(vote);
  if (!out.status.ok()) return out;
  const Round round = vote.vote_data.round;
  if (config_.validators.LeaderOf(round + 1) != config_.self) {
    out.status =
        FailedPrecondition("vote for round " + Text(round) +
                           " sent to a validator that does not lead round " + Text(round + 1));
    return out;
  }
  if (round + 1 < pacemaker_.current_round()) {
    MaybeSendSyncInfo(from, round, out);
    out.status = FailedPrecondition("vote for round " + Text(round) + " is stale");
    return out;
  }
  if (round > pacemaker_.current_round() + limits::kConsensusRoundsAheadMax) {
    out.status = FailedPrecondition("vote for round " + Text(round) + " is too far ahead");
    return out;
  }
  HandleVote(vote, out);
  return out;
}

void ConsensusCore::HandleVote(const VoteMsg& vote, Output& out) {
  auto qc = votes_.Add(vote, config_.validators.quorum());
  if (qc) ProcessQc(*qc, vote.voter, out);
}

// ---- process_timeout_msg and local_timeout_round ------------------------------------------------

Output ConsensusCore::OnTimeout(ValidatorIndex from, const TimeoutMsg& timeout) {
  Output out;
  out.status = verifier_.VerifyTimeout(timeout);
  if (!out.status.ok()) return out;
  ProcessQc(timeout.high_qc, from, out);
  if (timeout.last_round_tc) ProcessTc(*timeout.last_round_tc, from, out);
  if (timeout.round < pacemaker_.current_round()) {
    MaybeSendSyncInfo(from, timeout.round, out);
    return out;  // the round is over for us; the sender gets our certificates
  }
  if (timeout.round > pacemaker_.current_round() + limits::kConsensusRoundsAheadMax) {
    out.status =
        FailedPrecondition("timeout of round " + Text(timeout.round) + " is too far ahead");
    return out;
  }
  HandleTimeout(timeout, out);
  return out;
}

void ConsensusCore::HandleTimeout(const TimeoutMsg& timeout, Output& out) {
  const auto added = timeouts_.Add(timeout, config_.validators.quorum());
  if (added.tc) {
    ProcessTc(*added.tc, timeout.sender, out);
    return;
  }
  // Bracha-style joining: f + 1 timeouts mean an honest node gave up on this round; join it so
  // that a TC forms even when timers are skewed.
  const Round round = pacemaker_.current_round();
  if (timeout.round == round && added.signers >= config_.validators.timeout_join_threshold() &&
      !(last_timeout_ && last_timeout_->round == round)) {
    LocalTimeout(out);
  }
}

Output ConsensusCore::OnLocalTimeout(Round round) {
  Output out;
  if (round != pacemaker_.current_round()) return out;  // a stale timer
  LocalTimeout(out);
  if (round == pacemaker_.current_round()) {
    out.actions.push_back(ScheduleTimeout{round, pacemaker_.RoundTimeoutMs(tree_.root().round)});
  }
  if (fetch_) {
    // The peer asked may be down or slow: ask the next one.
    RotateFetchPeer();
    fetch_->attempts = 0;
    SendFetchRequest(out);
  }
  return out;
}

void ConsensusCore::LocalTimeout(Output& out) {
  const Round round = pacemaker_.current_round();
  if (last_timeout_ && last_timeout_->round == round) {
    // Re-send the same signed timeout (lost messages), unless it still waits for its ack.
    const bool pending = std::any_of(guarded_.begin(), guarded_.end(), [](const Guarded& g) {
      return std::holds_alternative<TimeoutMsg>(g.message);
    });
    if (!pending) out.actions.push_back(BroadcastTimeout{*last_timeout_});
    return;
  }
  auto timeout = safety_.MakeTimeout(round, tree_.high_qc(), pacemaker_.last_round_tc());
  if (!timeout.ok()) {
    out.status = timeout.status();
    return;
  }
  last_timeout_ = *timeout;
  PersistThenSend(std::move(timeout).value(), std::nullopt, out);
}

// ---- Persist before send ------------------------------------------------------------------------

void ConsensusCore::PersistThenSend(GuardedMessage message, std::optional<Block> voted_block,
                                    Output& out) {
  ++persist_sequence_;
  out.actions.push_back(
      PersistSafetyData{persist_sequence_, safety_data(), std::move(voted_block)});
  guarded_.push_back(Guarded{persist_sequence_, std::move(message)});
}

Output ConsensusCore::OnSafetyDataPersisted(std::uint64_t sequence) {
  Output out;
  if (sequence > persist_sequence_) {
    out.status = InvalidArgument("persist acknowledgement " + std::to_string(sequence) +
                                 " is for a sequence never requested (last " +
                                 std::to_string(persist_sequence_) + ")");
    return out;
  }
  persisted_sequence_ = std::max(persisted_sequence_, sequence);
  while (!guarded_.empty() && guarded_.front().sequence <= persisted_sequence_) {
    const Guarded released = std::move(guarded_.front());
    guarded_.pop_front();
    Release(released.message, out);
  }
  return out;
}

void ConsensusCore::Release(const GuardedMessage& message, Output& out) {
  if (const auto* vote = std::get_if<VoteMsg>(&message)) {
    const ValidatorIndex next_leader = config_.validators.LeaderOf(vote->vote_data.round + 1);
    if (next_leader == config_.self) {
      HandleVote(*vote, out);
    } else {
      out.actions.push_back(SendVote{next_leader, *vote});
    }
    return;
  }
  const auto& timeout = std::get<TimeoutMsg>(message);
  out.actions.push_back(BroadcastTimeout{timeout});
  if (timeout.round >= pacemaker_.current_round()) HandleTimeout(timeout, out);
}

// Work that waited for a block: a commit, our proposal, a proposal whose parent was missing.
void ConsensusCore::AfterBlockInserted(Output& out) {
  if (waiting_commit_qc_) {
    const QuorumCertificate qc = *waiting_commit_qc_;
    waiting_commit_qc_.reset();
    TryCommit(qc, SomeSignerOtherThanSelf(qc), out);
  }
  if (waiting_proposal_ && tree_.Contains(waiting_proposal_->second.block.parent_id())) {
    const auto [from, proposal] = std::move(*waiting_proposal_);
    waiting_proposal_.reset();
    HandleProposal(from, proposal, /*own=*/false, out);
  }
  TryPropose(out);
}

}  // namespace mbl::consensus
