#include "chaincode/state.h"

namespace mbl::chaincode {

std::optional<std::string> OverlayState::Get(std::string_view key) const {
  auto it = writes_.find(key);
  if (it != writes_.end()) return it->second;
  return base_.Get(key);
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
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void MemoryState::Scan(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (!visit(it->first, it->second)) return;
  }
}

void MemoryState::Apply(const WriteSet& writes) {
  for (const auto& [key, value] : writes) {
    if (value.has_value()) {
      entries_[key] = *value;
    } else {
      entries_.erase(key);
    }
  }
}

}  // namespace mbl::chaincode
