// Pacemaker (the Pacemaker module of DiemBFT v4; Jolteon's round synchronization): which round the
// node is in, how it advances (a QC of round r or a TC of round r moves it to r + 1), and how long
// it waits in a round before timing out. It decides *when*; SafetyRules decides *whether*.
#pragma once

#include <cstdint>
#include <optional>

#include "base/limits.h"
#include "consensus/types.h"

namespace mbl::consensus {

struct TimeoutPolicy {
  std::int64_t base_ms = limits::kConsensusRoundTimeoutMsDefault;
  // Each round beyond the third without a commit waits 1.5 times longer, at most this many times.
  std::uint32_t exponent_max = limits::kConsensusRoundTimeoutExponentMax;
};

class Pacemaker {
 public:
  Pacemaker(Round current_round, std::optional<TimeoutCertificate> last_round_tc,
            TimeoutPolicy policy);

  Round current_round() const { return current_round_; }
  // The TC of round current_round - 1 when the node entered this round through a TC.
  const std::optional<TimeoutCertificate>& last_round_tc() const { return last_round_tc_; }

  // advance_round_qc: a QC of round r >= current round moves the node to r + 1.
  // Returns true when the round changed.
  bool AdvanceRoundQc(Round qc_round);
  // advance_round_tc: a TC of round r >= current round moves the node to r + 1.
  bool AdvanceRoundTc(const TimeoutCertificate& tc);

  // get_round_timer: base_ms, times 1.5 for each round past the third since the last commit
  // (capped), as in Diem's exponential round-state interval.
  std::int64_t RoundTimeoutMs(Round highest_committed_round) const;

 private:
  Round current_round_;
  std::optional<TimeoutCertificate> last_round_tc_;
  const TimeoutPolicy policy_;
};

}  // namespace mbl::consensus
