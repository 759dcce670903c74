#include "chaincode/epochs.h"

#include <cstdio>

#include "base/check.h"
#include "base/limits.h"
#include "chaincode/registry.h"
#include "chaincode/stored_json.h"

namespace mbl::chaincode {
namespace keys {

std::string Epoch() { return "g/epoch"; }

std::string EpochEntry(std::uint64_t number) {
  char digits[21];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(number));
  return "g/epochs/" + std::string(digits);
}

}  // namespace keys
namespace {

std::vector<std::string> ValidatorKeys(const StateReader& state) {
  std::vector<std::string> keys;
  for (const v1::Validator& validator : GetValidators(state)) {
    keys.push_back(validator.public_key());
  }
  return keys;
}

}  // namespace

EpochInfo CurrentEpoch(const StateReader& state) {
  EpochInfo epoch;
  const std::string key = keys::Epoch();
  if (std::optional<std::string> stored = state.Get(key)) {
    const StoredEntry fields(key, *stored);
    epoch.number = fields.Uint("number");
    epoch.base_height = fields.Uint("base_height");
  }
  epoch.validators = ValidatorKeys(state);
  return epoch;
}

std::vector<EpochInfo> StoredEpochs(const StateReader& state) {
  std::vector<EpochInfo> epochs;
  state.Scan("g/epochs/", [&](std::string_view key, std::string_view value) {
    const StoredEntry fields(key, value);
    EpochInfo epoch;
    epoch.number = ParseStoredUint(key, key.substr(key.rfind('/') + 1));
    epoch.base_height = fields.Uint("base_height");
    epoch.validators = fields.Strings("validators");
    epochs.push_back(std::move(epoch));
    return true;
  });
  for (std::size_t i = 0; i < epochs.size(); ++i) MBL_CHECK_EQ(epochs[i].number, i + 1);
  return epochs;
}

bool StartsEpoch(const WriteSet& writes) { return writes.contains(keys::Epoch()); }

HandlerResult StartEpoch(WorkingState& state, const BlockContext& block,
                         std::size_t validators_before, nlohmann::json& details) {
  const EpochInfo after = CurrentEpoch(state);
  if (validators_before == 1) {
    return Reject(
        "T1",
        "this ledger has a single validator, which orders alone (docs/operations.md); its "
        "validator set cannot change: create a ledger with several validators instead");
  }
  if (after.validators.size() < 2) {
    return Reject("T1",
                  "a ledger ordered by BFT consensus needs at least 2 validators; this "
                  "change would leave " +
                      std::to_string(after.validators.size()));
  }
  if (after.validators.size() > limits::kValidatorsMax) {
    return Reject("T1",
                  "a ledger has at most " + std::to_string(limits::kValidatorsMax) + " validators");
  }
  if (after.number > 0 && after.base_height == block.height) {
    return Reject("T1", "the validator set already changes in this block (height " +
                            std::to_string(block.height) +
                            "); submit this change again once that block is committed");
  }
  const std::uint64_t number = after.number + 1;
  nlohmann::json current = {{"number", number}, {"base_height", block.height}};
  state.Put(keys::Epoch(), current.dump());
  nlohmann::json entry = {{"base_height", block.height}, {"validators", after.validators}};
  state.Put(keys::EpochEntry(number), entry.dump());
  details["epoch"] = number;
  details["validator_set_after"] = after.validators;
  return std::nullopt;
}

}  // namespace mbl::chaincode
