// The whole-node simulator: N = 4 or 7 full nodes in one process on virtual time — each the
// node's own Ledger (admission, mempool, committer), BFT replica (orderer, epochs, catch-up, sync
// chunks), chaincode and RocksDB store, on a simulated disk (sim_disk.h) — joined by a simulated
// network. One seed decides everything: message delay, loss, duplication, reordering and
// corruption, partitions, crashes at any sync of the commit path with torn log tails, clock skew,
// a Byzantine twin, a validator-set change mid-run, and what the organizations submit
// (sim_client.h), double spends across nodes included. The invariants of node_checker.h are
// checked after every step; once the faults stop, every node must commit a record submitted
// after the heal.
#pragma once

#include <cstdint>
#include <string>

#include "tests/sim/scenario.h"

namespace mbl::sim {

struct NodeSimResult {
  bool ok = true;
  std::string failure;  // what broke, then the replay command
  std::uint64_t events = 0;
  std::uint64_t frames = 0;
  std::uint64_t crashes = 0;  // of them, torn_syncs struck inside a sync
  std::uint64_t torn_syncs = 0;
  std::int64_t virtual_ms = 0;
  std::int64_t heal_ms = 0;
  std::uint64_t height = 0;        // the highest committed height
  std::uint64_t acknowledged = 0;  // records the nodes said were committed
  std::size_t client_steps = 0;    // steps of the script settled
  std::uint64_t epochs = 0;        // validator-set changes that took effect
  std::uint64_t trace_digest = 0;  // identical for identical runs
  std::string plan;

  std::string Summary() const;
};

NodeSimResult RunNodeSimulation(const SimOptions& options);

}  // namespace mbl::sim
