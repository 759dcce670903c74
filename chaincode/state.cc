#include "chaincode/state.h"

#include <algorithm>

namespace mbl::chaincode {

std::optional<std::string> OverlayState::Get(std::string_view key) const {
  auto it = writes_.find(key);
  if (it != writes_.end()) return it->second;
  return base_.Get(key);
}

bool OverlayState::Contains(std::string_view key) const {
  auto it = writes_.find(key);
  if (it != writes_.end()) return it->second.has_value();
  return base_.Contains(key);
}

void OverlayState::Scan(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  // Merges the base's ordered scan with the ordered pending writes; a pending write (or
  // deletion) shadows the base entry of the same key.
  auto pending = writes_.lower_bound(prefix);
  auto in_range = [&] {
    return pending != writes_.end() && pending->first.compare(0, prefix.size(), prefix) == 0;
  };
  bool keep_going = true;
  auto emit_pending = [&] {
    if (pending->second.has_value()) keep_going = visit(pending->first, *pending->second);
    ++pending;
  };
  base_.Scan(prefix, [&](std::string_view key, std::string_view value) {
    while (keep_going && in_range() && pending->first < key) emit_pending();
    if (!keep_going) return false;
    if (in_range() && pending->first == key) {
      emit_pending();
    } else {
      keep_going = visit(key, value);
    }
    return keep_going;
  });
  while (keep_going && in_range()) emit_pending();
}

void OverlayState::Merge(const WriteSet& writes) {
  for (const auto& [key, value] : writes) writes_[key] = value;
}

std::optional<std::string> MemoryState::Get(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.live) return std::nullopt;
  return it->second.value;
}

bool MemoryState::Contains(std::string_view key) const {
  auto it = entries_.find(key);
  return it != entries_.end() && it->second.live;
}

void MemoryState::Scan(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  // The two levels hold disjoint keys: merge them in key order.
  auto old = std::lower_bound(sorted_.begin(), sorted_.end(), prefix);
  auto fresh = recent_.lower_bound(prefix);
  while (true) {
    const bool old_left = old != sorted_.end() && old->starts_with(prefix);
    const bool fresh_left = fresh != recent_.end() && fresh->starts_with(prefix);
    if (!old_left && !fresh_left) return;
    std::string_view key = old_left && (!fresh_left || *old < *fresh) ? *old++ : *fresh++;
    const Slot& slot = entries_.find(key)->second;
    if (slot.live && !visit(key, slot.value)) return;
  }
}

template <typename Key, typename Value>
void MemoryState::Put(Key&& key, Value&& value) {
  auto [it, inserted] = entries_.try_emplace(std::forward<Key>(key));
  it->second.value = std::forward<Value>(value);
  if (inserted) {
    recent_.insert(it->first);
    ++live_;
  } else if (!it->second.live) {  // deleted, still in sorted_: alive again
    it->second.live = true;
    ++live_;
    --deleted_in_sorted_;
  }
}

void MemoryState::Erase(std::string_view key) {
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.live) return;
  --live_;
  auto in_recent = recent_.find(key);
  if (in_recent != recent_.end()) {  // not in sorted_ yet: drop it at once
    recent_.erase(in_recent);
    entries_.erase(it);
    return;
  }
  it->second.live = false;
  it->second.value = std::string();
  ++deleted_in_sorted_;
}

void MemoryState::RebuildIndexIfDue() {
  constexpr std::size_t kMinimumBatch = 4096;
  const std::size_t due = std::max(kMinimumBatch, sorted_.size() / 4);
  if (recent_.size() < due && deleted_in_sorted_ < due) return;
  std::vector<std::string_view> merged;
  merged.reserve(sorted_.size() - deleted_in_sorted_ + recent_.size());
  std::vector<Entries::iterator> deleted;
  deleted.reserve(deleted_in_sorted_);
  auto fresh = recent_.begin();
  for (std::string_view key : sorted_) {
    while (fresh != recent_.end() && *fresh < key) merged.push_back(*fresh++);
    if (deleted_in_sorted_ == deleted.size()) {
      merged.push_back(key);  // no deleted entry left to find: no lookup
      continue;
    }
    auto it = entries_.find(key);
    if (it->second.live) {
      merged.push_back(key);
    } else {
      deleted.push_back(it);
    }
  }
  merged.insert(merged.end(), fresh, recent_.end());
  for (auto it : deleted) entries_.erase(it);
  sorted_ = std::move(merged);
  recent_.clear();
  deleted_in_sorted_ = 0;
}

void MemoryState::Apply(const WriteSet& writes) {
  for (const auto& [key, value] : writes) {
    if (value.has_value()) {
      Put(key, *value);
    } else {
      Erase(key);
    }
  }
  RebuildIndexIfDue();
}

void MemoryState::Apply(WriteSet&& writes) {
  while (!writes.empty()) {
    auto node = writes.extract(writes.begin());
    if (node.mapped().has_value()) {
      Put(std::move(node.key()), std::move(*node.mapped()));
    } else {
      Erase(node.key());
    }
  }
  RebuildIndexIfDue();
}

}  // namespace mbl::chaincode
