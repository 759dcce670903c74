// SafetyRules: the only component that signs votes and timeouts, and only when the rules of
// DiemBFT v4 (Jolteon, 2-chain) allow it. Kept apart from the pacemaker (which decides *when* to
// act) so that no liveness logic can make the node sign something unsafe.
//
// Paper names: highest_vote_round -> highest_voted_round, highest_qc_round -> highest_qc_round,
// safe_to_vote -> SafeToVote, safe_to_timeout -> SafeToTimeout, make_vote -> MakeVote,
// make_timeout -> MakeTimeout (the Safety module of DiemBFT v4; Jolteon's 2-chain voting rules).
#pragma once

#include <optional>

#include "base/status.h"
#include "consensus/interfaces.h"
#include "consensus/types.h"

namespace mbl::consensus {

class SafetyRules {
 public:
  // `highest_voted_round` and `highest_qc_round` come from the persisted SafetyData (zero on a
  // fresh start). The caller must persist data() after every successful MakeVote / MakeTimeout
  // and before the returned message leaves the node.
  SafetyRules(Round highest_voted_round, Round highest_qc_round, const crypto::Hash256& chain_id,
              ValidatorIndex self, Signer& signer);

  // Voting rule: vote for `block` (verified, executed, its execution checked) only if its round is
  // above every round voted or timed out in and above its QC's round, and either it directly
  // follows its QC (round = qc.round + 1), or it follows `last_round_tc` (round = tc.round + 1)
  // and its QC is at least as high as every high QC in that TC.
  Result<VoteMsg> MakeVote(const Block& block,
                           const std::optional<TimeoutCertificate>& last_round_tc);

  // Timeout rule: time out of `round` only if `high_qc` is at least the highest QC voted on,
  // `round` >= highest_voted_round (re-sending the same round's timeout is allowed) and > the QC
  // round, and the round directly follows the QC or `last_round_tc`. Afterwards no vote in
  // `round` is possible.
  Result<TimeoutMsg> MakeTimeout(Round round, const QuorumCertificate& high_qc,
                                 const std::optional<TimeoutCertificate>& last_round_tc);

  // Signs the proposer's statement over a block this node authored, in a round it has neither
  // voted nor timed out in (the caller checks; a violation aborts).
  crypto::Signature SignProposal(const Block& block);

  Round highest_voted_round() const { return highest_voted_round_; }
  Round highest_qc_round() const { return highest_qc_round_; }

  static bool SafeToVote(Round block_round, Round qc_round,
                         const std::optional<TimeoutCertificate>& tc, Round highest_voted_round);
  static bool SafeToTimeout(Round round, Round qc_round,
                            const std::optional<TimeoutCertificate>& tc, Round highest_voted_round,
                            Round highest_qc_round);

 private:
  Round highest_voted_round_;
  Round highest_qc_round_;
  const crypto::Hash256 chain_id_;
  const ValidatorIndex self_;
  Signer& signer_;
};

}  // namespace mbl::consensus
