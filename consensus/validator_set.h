// The validators of one network: their Ed25519 keys in a fixed order, the fault threshold and the
// round-robin leader election of DiemBFT v4 (LeaderElection.get_leader, without reputation).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "base/status.h"
#include "consensus/types.h"
#include "crypto/ed25519.h"

namespace mbl::consensus {

// N - f signers of N validators, f = floor((N - 1) / 3). Equals 2f + 1 when N = 3f + 1 (the
// papers' setting); for other N it is the smallest size at which any two quorums share f + 1
// validators, i.e. at least one honest one (2f + 1 would not be enough for N = 5 or 6).
inline std::size_t QuorumSize(std::size_t validators) { return validators - (validators - 1) / 3; }

class ValidatorSet {
 public:
  // 1..limits::kValidatorsMax distinct keys; the order is the validator index.
  static Result<ValidatorSet> Create(std::vector<crypto::PublicKey> keys);

  std::size_t size() const { return keys_.size(); }
  // f = floor((N - 1) / 3): the Byzantine validators the network tolerates.
  std::size_t max_faulty() const { return (keys_.size() - 1) / 3; }
  // QuorumSize(N).
  std::size_t quorum() const { return QuorumSize(keys_.size()); }
  // f + 1: enough timeouts that at least one honest validator timed out (Bracha-style joining).
  std::size_t timeout_join_threshold() const { return max_faulty() + 1; }

  bool Contains(ValidatorIndex index) const { return index < keys_.size(); }
  const crypto::PublicKey& key(ValidatorIndex index) const;
  std::optional<ValidatorIndex> IndexOf(const crypto::PublicKey& key) const;
  const std::vector<crypto::PublicKey>& keys() const { return keys_; }

  // Round-robin: leader(r) = validators[r mod N].
  ValidatorIndex LeaderOf(Round round) const {
    return static_cast<ValidatorIndex>(round % keys_.size());
  }

 private:
  explicit ValidatorSet(std::vector<crypto::PublicKey> keys) : keys_(std::move(keys)) {}
  std::vector<crypto::PublicKey> keys_;
};

}  // namespace mbl::consensus
