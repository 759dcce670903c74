// Validator-set epochs (docs/decisions/0011-validator-set-epochs.md). A T1 change that adds or
// removes a validator, enacted in block H, ends epoch n at H and starts epoch n + 1 with the set
// the state holds after H. Consensus runs one instance per epoch, each with its own signing domain
// and validator set; exit proofs carry the history so that a verifier can follow it from genesis.
//
// State: `g/epoch` holds the current epoch {"base_height", "number"} (absent: epoch 0, base 0);
// `g/epochs/<n, 20 digits>` holds {"base_height", "validators": [hex keys in index order]} of
// each epoch n >= 1. Epoch 0's set is the genesis's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chaincode/executor.h"
#include "chaincode/handler.h"
#include "chaincode/state.h"

namespace mbl::chaincode {

struct EpochInfo {
  std::uint64_t number = 0;
  std::uint64_t base_height = 0;        // the block that enacted the change (0 for epoch 0)
  std::vector<std::string> validators;  // hex public keys, by validator index (sorted)
  friend bool operator==(const EpochInfo&, const EpochInfo&) = default;
};

namespace keys {
std::string Epoch();
std::string EpochEntry(std::uint64_t number);
}  // namespace keys

// The epoch the state is in; its `validators` are the current set (g/validator/...).
EpochInfo CurrentEpoch(const StateReader& state);
// Epochs 1..current as stored (epoch 0 is the genesis's and not stored).
std::vector<EpochInfo> StoredEpochs(const StateReader& state);
// Whether a block's writes start a new epoch (the block enacted a validator-set change).
bool StartsEpoch(const WriteSet& writes);

// Called by T1 after it added or removed a validator in `state`: refuses changes a ledger cannot
// carry out (a single-validator ledger, fewer than 2 validators left, a second change in one
// block) and records the new epoch. Adds "epoch" and "validator_set_after" to `details`.
HandlerResult StartEpoch(WorkingState& state, const BlockContext& block,
                         std::size_t validators_before, nlohmann::json& details);

}  // namespace mbl::chaincode
