#include "node/mempool.h"

#include <sodium.h>

#include <array>
#include <cstdint>

#include "crypto/encoding.h"

namespace mbl::node {

std::size_t Mempool::IdHash::operator()(const chaincode::RecordId& id) const {
  static const std::array<unsigned char, crypto_shorthash_KEYBYTES> key = [] {
    std::array<unsigned char, crypto_shorthash_KEYBYTES> drawn;
    randombytes_buf(drawn.data(), drawn.size());
    return drawn;
  }();
  std::uint64_t hash = 0;
  static_assert(sizeof hash == crypto_shorthash_BYTES);
  crypto_shorthash(reinterpret_cast<unsigned char*>(&hash), id.data(), id.size(), key.data());
  return static_cast<std::size_t>(hash);
}

Status Mempool::Add(const chaincode::RecordId& id, chaincode::SignedRecord record) {
  std::lock_guard lock(mutex_);
  if (known_.contains(id)) {
    return AlreadyExists("record " + crypto::ToHex(id) + " is already pending");
  }
  if (queue_.size() >= records_max_ || bytes_ + record.payload.size() > bytes_max_) {
    return ResourceExhausted("the node's queue of pending records is full (" +
                             std::to_string(queue_.size()) + " records); retry shortly");
  }
  bytes_ += record.payload.size();
  known_.emplace(id, std::make_pair(record.signer, record.signature));
  queue_.push_back(Entry{id, std::move(record)});
  ready_.notify_one();
  return Status::Ok();
}

bool Mempool::Contains(const chaincode::RecordId& id) const {
  std::lock_guard lock(mutex_);
  return known_.contains(id);
}

bool Mempool::HoldsVerified(const chaincode::RecordId& id,
                            const chaincode::SignedRecord& record) const {
  std::lock_guard lock(mutex_);
  auto it = known_.find(id);
  return it != known_.end() && it->second.first == record.signer &&
         it->second.second == record.signature;
}

bool Mempool::WaitForRecords(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, wait, [&] { return closed_ || !queue_.empty(); });
  return !queue_.empty();
}

std::vector<chaincode::SignedRecord> Mempool::Peek(
    std::size_t records_max, std::size_t bytes_max,
    const std::set<chaincode::RecordId>& exclude) const {
  std::lock_guard lock(mutex_);
  std::vector<chaincode::SignedRecord> batch;
  std::size_t batch_bytes = 0;
  for (const Entry& entry : queue_) {
    if (batch.size() >= records_max) break;
    if (exclude.contains(entry.id)) continue;
    std::size_t size = entry.record.payload.size();
    if (!batch.empty() && batch_bytes + size > bytes_max) break;
    batch_bytes += size;
    batch.push_back(entry.record);
  }
  return batch;
}

void Mempool::Remove(const std::vector<chaincode::RecordId>& ids) {
  std::lock_guard lock(mutex_);
  IdSet removed;
  for (const auto& id : ids) {
    if (known_.erase(id) > 0) removed.insert(id);
  }
  // A committed block holds the oldest records as a rule: drop them from the front, and walk the
  // rest of the queue only for those left (a block another validator proposed in its own order).
  std::size_t left = removed.size();
  while (left > 0 && !queue_.empty() && removed.contains(queue_.front().id)) {
    bytes_ -= queue_.front().record.payload.size();
    queue_.pop_front();
    --left;
  }
  if (left == 0) return;
  std::erase_if(queue_, [&](const Entry& entry) {
    if (!removed.contains(entry.id)) return false;
    bytes_ -= entry.record.payload.size();
    return true;
  });
}

void Mempool::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  ready_.notify_all();
}

std::size_t Mempool::pending_records() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t Mempool::pending_bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace mbl::node
