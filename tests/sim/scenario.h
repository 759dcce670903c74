// What one simulated run does: the options a person types (mbl-sim flags) and the fault plan the
// seed derives from them. The plan is a pure function of the options, so the one-line replay
// command reproduces a failure exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "consensus/types.h"
#include "tests/sim/prng.h"

namespace mbl::sim {

using consensus::Round;
using consensus::ValidatorIndex;

struct SimOptions {
  std::uint64_t seed = 1;
  std::size_t nodes = 4;
  Round rounds = 30;           // the faults stop when the leading honest node reaches this round
  bool twins = true;           // a Byzantine twin when N >= 4 (the seed decides)
  bool crashes = true;         // crash/restart episodes (the seed decides)
  bool partitions = true;      // symmetric and asymmetric partitions (the seed decides)
  bool message_faults = true;  // loss, duplication, reordering, corruption
  bool clock_skew = true;
  // The whole-node simulator (node_cluster.h) only:
  bool core_only = false;         // run the consensus core alone (cluster.h) instead
  std::size_t credit_rounds = 2;  // rounds of certified credits, shipments and receipts
  bool validator_change = true;   // a validator added or removed mid-run (the seed decides)
  bool inject_vote_before_persist_bug = false;  // the known bug the simulator must find
  bool verbose = false;  // print every refused input and every commit (not part of the replay)

  // "mbl-sim --seed S --nodes N --rounds R [--no-...]": replays this run.
  std::string ReplayCommand() const;
};

struct PartitionEpisode {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  bool symmetric = true;
  std::vector<std::pair<ValidatorIndex, ValidatorIndex>> blocked;  // directed links (from, to)
};

struct CrashEpisode {
  ValidatorIndex node = 0;
  std::int64_t crash_ms = 0;
  std::int64_t restart_ms = 0;
};

struct FaultPlan {
  std::int64_t fault_phase_max_ms = 0;  // the network heals at the latest here
  std::uint32_t loss_per_million = 0;
  std::uint32_t duplicate_per_million = 0;
  std::uint32_t reorder_per_million = 0;  // a message delayed ten times longer
  std::uint32_t corrupt_per_million = 0;  // one byte flipped
  std::int64_t delay_min_ms = 1;
  std::int64_t delay_max_ms = 20;
  std::optional<ValidatorIndex> twin;
  // peers_of_twin[k][v]: twin instance k exchanges messages with validator v.
  std::vector<std::vector<bool>> peers_of_twin;
  // The twin also proposes, after each timeout certificate, a fork from an older QC than its
  // high QC, and votes for it: honest nodes must refuse it (Jolteon's rule qc_round >= the TC's
  // highest QC round).
  bool fork_attack = false;
  std::vector<PartitionEpisode> partitions;
  std::vector<CrashEpisode> crashes;
  std::vector<std::int64_t> clock_offset_ms;        // per validator, for block times
  std::vector<std::uint32_t> timer_rate_per_mille;  // per validator: 1000 = true time

  std::string Describe() const;
};

FaultPlan MakeFaultPlan(const SimOptions& options);

}  // namespace mbl::sim
