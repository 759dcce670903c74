#include "chaincode/state.h"

#include <algorithm>

#include "base/check.h"

namespace mbl::chaincode {

std::optional<std::string> WriteSetLayer::Get(std::string_view key) const {
  auto it = writes_.find(key);
  if (it != writes_.end()) return it->second;
  return base_.Get(key);
}

bool WriteSetLayer::Contains(std::string_view key) const {
  auto it = writes_.find(key);
  if (it != writes_.end()) return it->second.has_value();
  return base_.Contains(key);
}

void WriteSetLayer::Scan(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  // Merges the base's ordered scan with the ordered pending writes.
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
  for (const auto& [key, value] : writes) owned_writes_[key] = value;
}

namespace {

constexpr std::uint64_t kEntryBits = 0xffffffffULL;

std::uint64_t TagOf(std::uint64_t hash) { return hash >> 32; }

// The number of the entry a (non-empty) slot points at.
std::size_t NumberIn(std::uint64_t slot) { return (slot & kEntryBits) - 1; }

}  // namespace

std::size_t MemoryState::Probe(std::string_view key, std::uint64_t hash) const {
  const std::size_t mask = table_.size() - 1;
  std::size_t i = hash & mask;
  for (; table_[i] != 0; i = (i + 1) & mask) {
    if ((table_[i] >> 32) == TagOf(hash) && entries_[NumberIn(table_[i])].key == key) break;
  }
  return i;
}

const MemoryState::Entry* MemoryState::Find(std::string_view key) const {
  if (table_.empty()) return nullptr;
  const std::uint64_t slot = table_[Probe(key, HashOf(key))];
  return slot == 0 ? nullptr : &entries_[NumberIn(slot)];
}

MemoryState::Entry& MemoryState::FindOrAdd(std::string&& key, bool& added) {
  const std::size_t entries = entries_.size() - free_entries_.size();
  if ((entries + 1) * 2 > table_.size()) Grow();
  const std::uint64_t hash = HashOf(key);
  const std::size_t i = Probe(key, hash);
  added = table_[i] == 0;
  if (!added) return entries_[NumberIn(table_[i])];
  std::size_t number;
  if (free_entries_.empty()) {
    MBL_CHECK_LT(entries_.size(), kEntryBits - 1);
    number = entries_.size();
    entries_.emplace_back();
  } else {
    number = free_entries_.back();
    free_entries_.pop_back();
  }
  Entry& entry = entries_[number];
  entry.key = std::move(key);
  entry.hash = hash;
  entry.live = true;
  table_[i] = (TagOf(hash) << 32) | (number + 1);
  return entry;
}

void MemoryState::Grow() {
  std::vector<std::uint64_t> old = std::move(table_);
  table_.assign(std::max<std::size_t>(1024, old.size() * 2), 0);
  const std::size_t mask = table_.size() - 1;
  for (std::uint64_t slot : old) {
    if (slot == 0) continue;
    std::size_t i = entries_[NumberIn(slot)].hash & mask;
    while (table_[i] != 0) i = (i + 1) & mask;
    table_[i] = slot;
  }
}

std::size_t MemoryState::SlotOf(const Entry& entry) const {
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = entry.hash & mask;; i = (i + 1) & mask) {
    MBL_CHECK(table_[i] != 0);  // every entry is in the table
    if (&entries_[NumberIn(table_[i])] == &entry) return i;
  }
}

void MemoryState::Remove(Entry& entry) {
  // Backward-shift deletion: later slots of the probe run move up into the hole when their
  // home slot does not lie between the hole and them, so no lookup ever stops early.
  const std::size_t mask = table_.size() - 1;
  std::size_t hole = SlotOf(entry);
  const std::size_t number = NumberIn(table_[hole]);
  table_[hole] = 0;
  for (std::size_t next = (hole + 1) & mask; table_[next] != 0; next = (next + 1) & mask) {
    const std::size_t home = entries_[NumberIn(table_[next])].hash & mask;
    const bool home_after_hole = ((next - home) & mask) < ((next - hole) & mask);
    if (home_after_hole) continue;
    table_[hole] = table_[next];
    table_[next] = 0;
    hole = next;
  }
  entry = Entry();
  free_entries_.push_back(static_cast<std::uint32_t>(number));
}

std::optional<std::string> MemoryState::Get(std::string_view key) const {
  const Entry* entry = Find(key);
  if (entry == nullptr || !entry->live) return std::nullopt;
  return entry->value;
}

bool MemoryState::Contains(std::string_view key) const {
  const Entry* entry = Find(key);
  return entry != nullptr && entry->live;
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
    const Entry* entry = Find(key);
    if (entry->live && !visit(key, entry->value)) return;
  }
}

void MemoryState::Put(std::string key, std::string value, Keys& added) {
  bool is_new = false;
  Entry& entry = FindOrAdd(std::move(key), is_new);
  entry.value = std::move(value);
  if (is_new) {
    added.push_back(entry.key);
    ++live_;
  } else if (!entry.live) {  // deleted but still indexed: alive again where it is listed
    entry.live = true;
    ++live_;
    --deleted_;
  }
}

void MemoryState::Erase(std::string_view key) {
  Entry* entry = Find(key);
  if (entry == nullptr || !entry->live) return;
  entry->live = false;
  entry->value = std::string();
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
      Entry* entry = Find(key);
      if (entry->live) {
        sorted_.push_back(key);
      } else {
        Remove(*entry);  // the view `key` dies here: nothing reads it after this
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
