// Records admitted but not yet committed: bounded, deduplicated by record id, first in first out.
// A record taken for a block stays known ("in flight") until the commit path releases it, so the
// same record can never be ordered twice (R5). Thread safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "chaincode/envelope.h"

namespace mbl::node {

class Mempool {
 public:
  Mempool(std::size_t records_max, std::size_t bytes_max)
      : records_max_(records_max), bytes_max_(bytes_max) {}

  // kAlreadyExists when pending or in flight; kResourceExhausted when full.
  Status Add(const chaincode::RecordId& id, chaincode::SignedRecord record);
  bool Contains(const chaincode::RecordId& id) const;
  // True when this exact envelope (same payload, signer and signature) was admitted here, so its
  // signature was verified already: a proposal carrying it need not verify it again.
  bool HoldsVerified(const chaincode::RecordId& id, const chaincode::SignedRecord& record) const;

  // Waits up to `wait` for a record, then takes at most `records_max` records / `bytes_max`
  // payload bytes (at least one record when any is pending). They stay in flight.
  std::vector<chaincode::SignedRecord> TakeBatch(std::size_t records_max, std::size_t bytes_max,
                                                 std::chrono::milliseconds wait);
  // The commit path is done with these ids (committed, or dropped).
  void Release(const std::vector<chaincode::RecordId>& ids);
  // BFT ordering leaves records pending until they commit, since a proposal can be abandoned:
  // Peek copies, oldest first, up to `records_max` / `bytes_max` records whose ids are not in
  // `exclude` (the records already in uncommitted blocks); Remove drops committed ones.
  std::vector<chaincode::SignedRecord> Peek(std::size_t records_max, std::size_t bytes_max,
                                            const std::set<chaincode::RecordId>& exclude) const;
  void Remove(const std::vector<chaincode::RecordId>& ids);

  // Wakes every waiter; TakeBatch returns at once from now on.
  void Close();

  std::size_t pending_records() const;
  std::size_t pending_bytes() const;

 private:
  struct Entry {
    chaincode::RecordId id;
    chaincode::SignedRecord record;
  };
  // Every admission, proposal check and commit looks ids up here (an ordered map of 32-byte keys
  // was 5 % of a validator's CPU under load). The hash is keyed (SipHash, key drawn when the
  // process starts): ids follow from payloads their signers choose, and must not let a member
  // fill one bucket.
  struct IdHash {
    std::size_t operator()(const chaincode::RecordId& id) const;
  };
  using IdSet = std::unordered_set<chaincode::RecordId, IdHash>;
  const std::size_t records_max_;
  const std::size_t bytes_max_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Entry> queue_;
  // Pending and in flight, with the signer and signature admission verified.
  std::unordered_map<chaincode::RecordId, std::pair<crypto::PublicKey, crypto::Signature>, IdHash>
      known_;
  std::size_t bytes_ = 0;
  bool closed_ = false;
};

}  // namespace mbl::node
