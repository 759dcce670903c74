// An in-memory ledger for chaincode tests: a genesis with a requirements setter, a certification
// body and three value-chain organizations (smelter, wiremaker, brand), each person with a key of
// their own; helpers to sign records and commit blocks through chaincode::ExecuteBlock.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "chaincode/executor.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/state.h"

namespace mbl::test_support {

inline constexpr std::int64_t kGenesisTimeMs = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

class LedgerFixture {
 public:
  // `membership_quorum`: approvals a membership change needs (decision 0005).
  // `validator_count` validators (node keys of their own, addresses 127.0.0.1:17800+i).
  // `key_seed` non-zero: every key derives from it, so that a simulated run replays exactly.
  explicit LedgerFixture(std::uint32_t membership_quorum = 0, std::size_t validator_count = 1,
                         std::uint64_t key_seed = 0);

  const crypto::KeyPair& Key(const std::string& org, v1::Role role) const;
  // The signed genesis record and the single validator's node key (for tests of node/).
  const chaincode::SignedRecord& genesis() const { return genesis_; }
  const crypto::KeyPair& validator_key() const { return validator_key_; }
  const std::vector<crypto::KeyPair>& validator_keys() const { return validator_keys_; }

  // Fills version, chain id, author, a fresh nonce and a validity window from the current time.
  chaincode::SignedRecord Sign(v1::Record record, const std::string& org, v1::Role role);
  // The same, signed by `key` (a key added since the genesis, or one that was never a member's).
  chaincode::SignedRecord SignWith(v1::Record record, const std::string& org,
                                   const crypto::KeyPair& key);

  // Executes one block at `time_ms` (default: 1 s after the previous one) and applies its writes.
  chaincode::BlockExecution Commit(const std::vector<chaincode::SignedRecord>& records,
                                   std::int64_t time_ms = 0);
  // Commit in two steps, for the chaincode benchmark to time them apart: ExecuteNext executes
  // the next block and advances height, time and root; ApplyWrites must follow, with its writes.
  chaincode::BlockExecution ExecuteNext(const std::vector<chaincode::SignedRecord>& records,
                                        std::int64_t time_ms = 0);
  void ApplyWrites(chaincode::WriteSet&& writes) { state_.Apply(std::move(writes)); }
  // Commits one record and returns its result.
  chaincode::RecordResult CommitOne(const chaincode::SignedRecord& record,
                                    std::int64_t time_ms = 0);

  const chaincode::MemoryState& state() const { return state_; }
  const crypto::Hash256& state_root() const { return state_root_; }
  std::int64_t time_ms() const { return time_ms_; }
  std::uint64_t height() const { return height_; }
  const std::string& chain_id() const { return chain_id_; }
  // Every block committed so far, to re-apply them from genesis (R16 checks).
  const std::vector<std::pair<std::vector<chaincode::SignedRecord>, std::int64_t>>& blocks() const {
    return blocks_;
  }

 private:
  std::map<std::pair<std::string, int>, crypto::KeyPair> keys_;
  chaincode::MemoryState state_;
  crypto::Hash256 state_root_{};
  std::int64_t time_ms_ = kGenesisTimeMs;
  std::uint64_t height_ = 0;
  std::uint64_t nonce_ = 0;
  std::string chain_id_;
  chaincode::SignedRecord genesis_;
  crypto::KeyPair validator_key_;
  std::vector<crypto::KeyPair> validator_keys_;
  std::vector<std::pair<std::vector<chaincode::SignedRecord>, std::int64_t>> blocks_;
  std::uint64_t key_seed_ = 0;
  std::uint32_t keys_made_ = 0;
  crypto::KeyPair NewKey();
};

// Re-applies `blocks` from an empty state; returns the final state root.
crypto::Hash256 ReplayFromGenesis(
    const std::vector<std::pair<std::vector<chaincode::SignedRecord>, std::int64_t>>& blocks);

}  // namespace mbl::test_support
