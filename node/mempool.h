// Records admitted but not yet committed: bounded, deduplicated by record id, first in first out.
// One protocol for every orderer: Peek copies records for a block, and they stay pending until the
// commit path (node/committer.h) removes them once committed, so a proposal that is abandoned
// loses nothing and the same record is never admitted twice while pending (R5). Thread safe.
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

  // kAlreadyExists when pending; kResourceExhausted when full.
  Status Add(const chaincode::RecordId& id, chaincode::SignedRecord record);
  bool Contains(const chaincode::RecordId& id) const;
  // True when this exact envelope (same payload, signer and signature) was admitted here, so its
  // signature was verified already: a proposal carrying it need not verify it again.
  bool HoldsVerified(const chaincode::RecordId& id, const chaincode::SignedRecord& record) const;

  // Waits up to `wait` until a record is pending or the mempool is closed; true when one is.
  bool WaitForRecords(std::chrono::milliseconds wait);
  // Copies, oldest first, up to `records_max` / `bytes_max` records (at least one when any is
  // pending) whose ids are not in `exclude` (the records already in uncommitted blocks).
  std::vector<chaincode::SignedRecord> Peek(std::size_t records_max, std::size_t bytes_max,
                                            const std::set<chaincode::RecordId>& exclude) const;
  // Drops the records of a committed block (ids not held are ignored).
  void Remove(const std::vector<chaincode::RecordId>& ids);

  // Wakes every waiter; WaitForRecords returns at once from now on.
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
  // Pending, with the signer and signature admission verified.
  std::unordered_map<chaincode::RecordId, std::pair<crypto::PublicKey, crypto::Signature>, IdHash>
      known_;
  std::size_t bytes_ = 0;
  bool closed_ = false;
};

}  // namespace mbl::node
