#include "tests/sim/scenario.h"

#include <algorithm>
#include <sstream>

namespace mbl::sim {
namespace {

std::vector<std::pair<ValidatorIndex, ValidatorIndex>> SymmetricSplit(std::size_t n, Prng& prng) {
  std::vector<bool> side(n);
  for (auto&& s : side) s = prng.Chance(500'000);
  std::vector<std::pair<ValidatorIndex, ValidatorIndex>> blocked;
  for (ValidatorIndex a = 0; a < n; ++a) {
    for (ValidatorIndex b = 0; b < n; ++b) {
      if (a != b && side[a] != side[b]) blocked.emplace_back(a, b);
    }
  }
  return blocked;
}

std::vector<std::pair<ValidatorIndex, ValidatorIndex>> AsymmetricLinks(std::size_t n, Prng& prng) {
  std::vector<std::pair<ValidatorIndex, ValidatorIndex>> blocked;
  for (ValidatorIndex a = 0; a < n; ++a) {
    for (ValidatorIndex b = 0; b < n; ++b) {
      if (a != b && prng.Chance(300'000)) blocked.emplace_back(a, b);
    }
  }
  return blocked;
}

}  // namespace

std::string SimOptions::ReplayCommand() const {
  std::ostringstream out;
  out << "mbl-sim --seed " << seed << " --nodes " << nodes << " --rounds " << rounds;
  if (!twins) out << " --no-twins";
  if (!crashes) out << " --no-crashes";
  if (!partitions) out << " --no-partitions";
  if (!message_faults) out << " --no-message-faults";
  if (!clock_skew) out << " --no-clock-skew";
  if (core_only) {
    out << " --core-only";
  } else {
    out << " --credit-rounds " << credit_rounds;
    if (!validator_change) out << " --no-validator-change";
    if (inject_vote_before_persist_bug) out << " --inject-vote-before-persist-bug";
  }
  return out.str();
}

FaultPlan MakeFaultPlan(const SimOptions& options) {
  Prng prng(options.seed ^ 0xF00DFACEULL);
  const std::size_t n = options.nodes;
  FaultPlan plan;
  plan.fault_phase_max_ms = prng.Uniform(4'000, 30'000);
  if (options.message_faults) {
    plan.loss_per_million = static_cast<std::uint32_t>(prng.Uniform(0, 150'000));
    plan.duplicate_per_million = static_cast<std::uint32_t>(prng.Uniform(0, 100'000));
    plan.reorder_per_million = static_cast<std::uint32_t>(prng.Uniform(0, 100'000));
    plan.corrupt_per_million = static_cast<std::uint32_t>(prng.Uniform(0, 5'000));
    plan.delay_max_ms = prng.Uniform(5, 150);
  }
  const std::size_t f = (n - 1) / 3;
  if (options.twins && f >= 1 && prng.Chance(600'000)) {
    plan.twin = static_cast<ValidatorIndex>(prng.Uniform(0, static_cast<std::int64_t>(n) - 1));
    // Each twin talks to its own random half (overlaps allowed): this is what lets it equivocate.
    plan.peers_of_twin.assign(2, std::vector<bool>(n, false));
    for (ValidatorIndex v = 0; v < n; ++v) {
      const bool to_first = prng.Chance(500'000);
      plan.peers_of_twin[0][v] = to_first || prng.Chance(200'000);
      plan.peers_of_twin[1][v] = !to_first || prng.Chance(200'000);
    }
    plan.fork_attack = prng.Chance(500'000);
  }
  if (options.partitions) {
    const auto episodes = prng.Uniform(0, 3);
    for (std::int64_t i = 0; i < episodes; ++i) {
      PartitionEpisode p;
      p.start_ms = prng.Uniform(0, plan.fault_phase_max_ms - 1);
      p.end_ms = std::min(plan.fault_phase_max_ms, p.start_ms + prng.Uniform(500, 10'000));
      p.symmetric = prng.Chance(500'000);
      p.blocked = p.symmetric ? SymmetricSplit(n, prng) : AsymmetricLinks(n, prng);
      plan.partitions.push_back(std::move(p));
    }
  }
  if (options.crashes) {
    const auto episodes = prng.Uniform(0, static_cast<std::int64_t>(n));
    for (std::int64_t i = 0; i < episodes; ++i) {
      CrashEpisode c;
      c.node = static_cast<ValidatorIndex>(prng.Uniform(0, static_cast<std::int64_t>(n) - 1));
      c.crash_ms = prng.Uniform(0, plan.fault_phase_max_ms - 1);
      c.restart_ms = std::min(plan.fault_phase_max_ms, c.crash_ms + prng.Uniform(1, 5'000));
      plan.crashes.push_back(c);
    }
  }
  plan.clock_offset_ms.assign(n, 0);
  plan.timer_rate_per_mille.assign(n, 1000);
  if (options.clock_skew) {
    for (std::size_t v = 0; v < n; ++v) {
      plan.clock_offset_ms[v] = prng.Uniform(-500, 500);
      plan.timer_rate_per_mille[v] = static_cast<std::uint32_t>(prng.Uniform(850, 1150));
    }
  }
  return plan;
}

std::string FaultPlan::Describe() const {
  std::ostringstream out;
  out << "faults<=" << fault_phase_max_ms << "ms loss=" << loss_per_million / 10'000.0
      << "% dup=" << duplicate_per_million / 10'000.0
      << "% reorder=" << reorder_per_million / 10'000.0
      << "% corrupt=" << corrupt_per_million / 10'000.0 << "% delay=" << delay_min_ms << ".."
      << delay_max_ms << "ms";
  if (twin) out << " twin=" << *twin << (fork_attack ? "+fork" : "");
  out << " partitions=" << partitions.size() << " crashes=" << crashes.size();
  return out.str();
}

}  // namespace mbl::sim
