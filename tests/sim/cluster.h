// A whole cluster in one process on virtual time: N validators (plus a Byzantine twin), a
// network that delays, loses, duplicates, reorders, corrupts and partitions messages, crashes and
// restarts, skewed clocks. Everything comes from one seed; the checks of checker.h run after
// every event, and liveness is checked once the faults stop.
#pragma once

#include <cstdint>
#include <string>

#include "tests/sim/scenario.h"

namespace mbl::sim {

struct SimResult {
  bool ok = true;
  std::string failure;  // what broke, then the replay command
  std::uint64_t events = 0;
  std::uint64_t messages = 0;
  std::uint64_t messages_rejected = 0;  // malformed or refused by the receiving core
  std::int64_t virtual_ms = 0;
  std::int64_t heal_ms = 0;
  Round heal_round = 0;
  Round max_round = 0;
  std::uint64_t min_committed_height = 0;  // over honest nodes at the end
  std::uint64_t equivocations = 0;         // rounds in which the twin signed two blocks
  std::uint64_t trace_digest = 0;          // identical for identical runs
  std::string plan;

  std::string Summary() const;
};

// Runs one seed to the end: success once, after the faults stopped, every honest node committed
// a block proposed after the heal; failure on any broken invariant or when commits do not resume
// within LivenessRoundsMax rounds.
SimResult RunSimulation(const SimOptions& options);

// The bound on rounds between the heal and the first commit of a post-heal block on every node.
Round LivenessRoundsMax(std::size_t nodes);

}  // namespace mbl::sim
