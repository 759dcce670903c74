#include "consensus/safety_rules.h"

#include <algorithm>
#include <string>

#include "consensus/codec.h"

namespace mbl::consensus {
namespace {

// DiemBFT v4: consecutive(block_round, round) := round + 1 = block_round.
bool Consecutive(Round block_round, Round round) { return round + 1 == block_round; }

std::string Text(Round round) { return std::to_string(round); }

}  // namespace

SafetyRules::SafetyRules(Round highest_voted_round, Round highest_qc_round,
                         const crypto::Hash256& chain_id, ValidatorIndex self, Signer& signer)
    : highest_voted_round_(highest_voted_round),
      highest_qc_round_(highest_qc_round),
      chain_id_(chain_id),
      self_(self),
      signer_(signer) {}

bool SafetyRules::SafeToVote(Round block_round, Round qc_round,
                             const std::optional<TimeoutCertificate>& tc,
                             Round highest_voted_round) {
  if (block_round <= std::max(highest_voted_round, qc_round)) return false;
  if (Consecutive(block_round, qc_round)) return true;
  // safe_to_extend: the TC of the previous round, and a QC no lower than any in it.
  return tc.has_value() && Consecutive(block_round, tc->round) &&
         qc_round >= tc->max_high_qc_round();
}

bool SafetyRules::SafeToTimeout(Round round, Round qc_round,
                                const std::optional<TimeoutCertificate>& tc,
                                Round highest_voted_round, Round highest_qc_round) {
  // round > max(highest_voted_round - 1, qc_round), written without unsigned underflow.
  if (qc_round < highest_qc_round || round + 1 <= highest_voted_round || round <= qc_round) {
    return false;
  }
  return Consecutive(round, qc_round) || (tc.has_value() && Consecutive(round, tc->round));
}

Result<VoteMsg> SafetyRules::MakeVote(const Block& block,
                                      const std::optional<TimeoutCertificate>& last_round_tc) {
  const Round qc_round = block.qc.round();
  if (!SafeToVote(block.round, qc_round, last_round_tc, highest_voted_round_)) {
    return FailedPrecondition(
        "voting rule: no vote for block of round " + Text(block.round) + " (QC round " +
        Text(qc_round) + ", highest voted round " + Text(highest_voted_round_) +
        (last_round_tc ? ", TC round " + Text(last_round_tc->round) + " with highest QC round " +
                             Text(last_round_tc->max_high_qc_round())
                       : std::string(", no TC")) +
        ")");
  }
  highest_qc_round_ = std::max(highest_qc_round_, qc_round);
  highest_voted_round_ = std::max(highest_voted_round_, block.round);
  MBL_CHECK_EQ(highest_voted_round_, block.round);

  VoteMsg vote;
  vote.vote_data.block_id = block.id;
  vote.vote_data.round = block.round;
  vote.vote_data.height = block.height;
  vote.vote_data.parent_id = block.parent_id();
  vote.vote_data.parent_round = qc_round;
  vote.vote_data.execution = block.execution;
  vote.voter = self_;
  vote.signature = signer_.Sign(VoteSigningBytes(chain_id_, vote.vote_data));
  return vote;
}

Result<TimeoutMsg> SafetyRules::MakeTimeout(
    Round round, const QuorumCertificate& high_qc,
    const std::optional<TimeoutCertificate>& last_round_tc) {
  const Round qc_round = high_qc.round();
  if (!SafeToTimeout(round, qc_round, last_round_tc, highest_voted_round_, highest_qc_round_)) {
    return FailedPrecondition(
        "timeout rule: no timeout of round " + Text(round) + " (high QC round " + Text(qc_round) +
        ", highest QC round voted on " + Text(highest_qc_round_) + ", highest voted round " +
        Text(highest_voted_round_) +
        (last_round_tc ? ", TC round " + Text(last_round_tc->round) : std::string(", no TC")) +
        ")");
  }
  highest_voted_round_ = std::max(highest_voted_round_, round);
  MBL_CHECK_EQ(highest_voted_round_, round);

  TimeoutMsg timeout;
  timeout.round = round;
  timeout.high_qc = high_qc;
  timeout.sender = self_;
  timeout.signature = signer_.Sign(TimeoutSigningBytes(chain_id_, round, qc_round));
  timeout.last_round_tc = last_round_tc;
  return timeout;
}

crypto::Signature SafetyRules::SignProposal(const Block& block) {
  MBL_CHECK_EQ(block.author, self_);
  // A leader proposes before voting in its round; after a vote or timeout in the round (say,
  // before a restart) a second proposal would only be an equivocation.
  MBL_CHECK_GT(block.round, highest_voted_round_);
  MBL_CHECK(block.id == ComputeBlockId(block));
  return signer_.Sign(ProposalSigningBytes(chain_id_, block.id));
}

}  // namespace mbl::consensus
