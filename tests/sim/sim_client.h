// The organizations of a simulated run and what they submit: the consortium's reference data,
// then rounds of certified credits shipped from the smelter to the wire maker, each round with a
// double spend (two shipments of more than half the smelter's credits, sent to two nodes at
// once), the same record sent to two nodes, and receipts. A validator-set change (adding a
// validator that starts as a follower, or removing one) comes in the middle. Every key and
// record derives from the seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chaincode/envelope.h"
#include "tests/sim/prng.h"
#include "tests/support/ledger_fixture.h"

namespace mbl::sim {

// One step of the script: records that may be submitted together. The next step starts once
// each is settled (committed, or refused by admission for a reason that retrying cannot fix).
struct ClientStep {
  std::vector<chaincode::SignedRecord> records;
  // Shipments of one double spend: at most one of them may be accepted (R5).
  std::vector<chaincode::RecordId> exclusive;
  bool duplicate_to_two_nodes = false;  // each record goes to two nodes (R5: it counts once)
  bool changes_validators = false;
};

enum class ValidatorChange { kNone, kAdd, kRemove };

struct ClientScript {
  std::vector<ClientStep> steps;
  chaincode::SignedRecord probe;  // submitted at the heal: liveness is every node holding it
};

// `rounds` credit rounds; `change` placed after the first round.
ClientScript MakeClientScript(test_support::LedgerFixture& fixture, Prng& prng, std::size_t rounds,
                              ValidatorChange change, const crypto::PublicKey& change_key);

// The characteristics the script uses (R6 is checked for each).
inline constexpr const char* kSimCharacteristics[] = {"cu-8.0-mix", "cu-re-mix"};

}  // namespace mbl::sim
