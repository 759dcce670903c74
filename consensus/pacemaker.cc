#include "consensus/pacemaker.h"

#include <algorithm>

#include "base/check.h"

namespace mbl::consensus {

Pacemaker::Pacemaker(Round current_round, std::optional<TimeoutCertificate> last_round_tc,
                     TimeoutPolicy policy)
    : current_round_(current_round), last_round_tc_(std::move(last_round_tc)), policy_(policy) {
  MBL_CHECK_GE(current_round_, 1u);
  MBL_CHECK_GT(policy_.base_ms, 0);
}

bool Pacemaker::AdvanceRoundQc(Round qc_round) {
  if (qc_round < current_round_) return false;
  last_round_tc_.reset();
  current_round_ = qc_round + 1;
  return true;
}

bool Pacemaker::AdvanceRoundTc(const TimeoutCertificate& tc) {
  if (tc.round < current_round_) return false;
  last_round_tc_ = tc;
  current_round_ = tc.round + 1;
  return true;
}

std::int64_t Pacemaker::RoundTimeoutMs(Round highest_committed_round) const {
  // Rounds 1..3 after a commit are the normal 2-chain pipeline; only later ones back off.
  constexpr Round kRoundsWithoutBackoff = 3;
  const Round since_commit =
      current_round_ > highest_committed_round ? current_round_ - highest_committed_round : 0;
  const Round exponent = std::min<Round>(
      since_commit > kRoundsWithoutBackoff ? since_commit - kRoundsWithoutBackoff : 0,
      policy_.exponent_max);
  std::int64_t timeout_ms = policy_.base_ms;
  for (Round i = 0; i < exponent; ++i) timeout_ms = timeout_ms * 3 / 2;
  return timeout_ms;
}

}  // namespace mbl::consensus
