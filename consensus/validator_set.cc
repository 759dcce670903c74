#include "consensus/validator_set.h"

#include <algorithm>

#include "base/limits.h"
#include "crypto/encoding.h"

namespace mbl::consensus {

Result<ValidatorSet> ValidatorSet::Create(std::vector<crypto::PublicKey> keys) {
  if (keys.empty()) return InvalidArgument("validator set: at least one validator key is needed");
  if (keys.size() > limits::kValidatorsMax) {
    return InvalidArgument("validator set: " + std::to_string(keys.size()) +
                           " validators exceed the limit of " +
                           std::to_string(limits::kValidatorsMax));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    for (std::size_t j = i + 1; j < keys.size(); ++j) {
      if (keys[i] == keys[j]) {
        return InvalidArgument("validator set: key " + crypto::ToHex(keys[i]) +
                               " is listed twice (positions " + std::to_string(i) + " and " +
                               std::to_string(j) + ")");
      }
    }
  }
  return ValidatorSet(std::move(keys));
}

const crypto::PublicKey& ValidatorSet::key(ValidatorIndex index) const {
  MBL_CHECK_LT(index, keys_.size());
  return keys_[index];
}

std::optional<ValidatorIndex> ValidatorSet::IndexOf(const crypto::PublicKey& key) const {
  const auto it = std::find(keys_.begin(), keys_.end(), key);
  if (it == keys_.end()) return std::nullopt;
  return static_cast<ValidatorIndex>(it - keys_.begin());
}

}  // namespace mbl::consensus
