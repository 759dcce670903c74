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
  // One cursor per level; the levels hold distinct keys, so the smallest key next is unique.
  struct Cursor {
    Keys::const_iterator at, end;
  };
  Cursor cursors[kMaxRuns + 1];
  std::size_t count = 0;
  auto open = [&](const Keys& level) {
    auto at = std::lower_bound(level.begin(), level.end(), prefix);
    if (at != level.end() && at->starts_with(prefix)) cursors[count++] = {at, level.end()};
  };
  open(sorted_);
  for (const Keys& run : runs_) open(run);
  while (count > 0) {
    std::size_t smallest = 0;
    for (std::size_t i = 1; i < count; ++i) {
      if (*cursors[i].at < *cursors[smallest].at) smallest = i;
    }
    std::string_view key = *cursors[smallest].at++;
    if (cursors[smallest].at == cursors[smallest].end ||
        !cursors[smallest].at->starts_with(prefix)) {
      cursors[smallest] = cursors[--count];
    }
    const Slot& slot = entries_.find(key)->second;
    if (slot.live && !visit(key, slot.value)) return;
  }
}

void MemoryState::Put(std::string key, std::string value, Keys& added) {
  auto [it, inserted] = entries_.try_emplace(std::move(key));
  it->second.value = std::move(value);
  if (inserted) {
    added.push_back(it->first);
    ++live_;
  } else if (!it->second.live) {  // deleted but still indexed: alive again where it is listed
    it->second.live = true;
    ++live_;
    --deleted_;
  }
}

void MemoryState::Erase(std::string_view key) {
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.live) return;
  it->second.live = false;
  it->second.value = std::string();
  --live_;
  ++deleted_;
}

MemoryState::Keys MemoryState::MergeRuns(std::vector<Keys>& runs) {
  while (runs.size() > 1) {  // pairwise, so each key moves O(log runs) times
    std::vector<Keys> next;
    for (std::size_t i = 0; i + 1 < runs.size(); i += 2) {
      Keys merged(runs[i].size() + runs[i + 1].size());
      std::merge(runs[i].begin(), runs[i].end(), runs[i + 1].begin(), runs[i + 1].end(),
                 merged.begin());
      next.push_back(std::move(merged));
    }
    if (runs.size() % 2 == 1) next.push_back(std::move(runs.back()));
    runs = std::move(next);
  }
  Keys all = runs.empty() ? Keys() : std::move(runs.front());
  runs.clear();
  return all;
}

void MemoryState::AddRun(Keys added) {
  if (!added.empty()) {
    in_runs_ += added.size();
    runs_.push_back(std::move(added));
  }
  constexpr std::size_t kMinimumBatch = 4096;
  const bool runs_due = in_runs_ >= std::max(kMinimumBatch, sorted_.size() / 4);
  const bool deleted_due = deleted_ >= std::max(kMinimumBatch, (sorted_.size() + in_runs_) / 4);
  if (runs_due || deleted_due) {
    runs_.push_back(std::move(sorted_));
    Keys all = MergeRuns(runs_);
    sorted_.clear();
    sorted_.reserve(all.size() - deleted_);
    for (std::string_view key : all) {
      if (deleted_ == 0) {
        sorted_.push_back(key);  // no deleted entry left to find: no lookup
        continue;
      }
      auto it = entries_.find(key);
      if (it->second.live) {
        sorted_.push_back(key);
      } else {
        entries_.erase(it);
        --deleted_;
      }
    }
    in_runs_ = 0;
  } else if (runs_.size() > kMaxRuns) {
    Keys merged = MergeRuns(runs_);
    runs_.push_back(std::move(merged));
  }
}

// A copy keeps what the caller still reads; the move below then takes it in.
void MemoryState::Apply(const WriteSet& writes) { Apply(WriteSet(writes)); }

void MemoryState::Apply(WriteSet&& writes) {
  Keys added;
  while (!writes.empty()) {
    auto node = writes.extract(writes.begin());
    if (node.mapped().has_value()) {
      Put(std::move(node.key()), std::move(*node.mapped()), added);
    } else {
      Erase(node.key());
    }
  }
  AddRun(std::move(added));
}

}  // namespace mbl::chaincode
