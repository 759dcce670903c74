// The state the chaincode reads and writes: an ordered key-value map. The node backs it with
// RocksDB; tests and the simulator with memory. The chaincode never sees anything else (R16).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mbl::chaincode {

class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual std::optional<std::string> Get(std::string_view key) const = 0;
  // Get(key).has_value(), which a reader may answer without copying the value.
  virtual bool Contains(std::string_view key) const { return Get(key).has_value(); }
  // Visits keys starting with `prefix` in ascending byte order until `visit` returns false.
  virtual void Scan(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;
};

// The byte order of keys, that of std::less<std::string>, compared eight bytes per step without
// a call: every write of a block goes into an ordered map whose keys share long prefixes
// ("c/shipment/", "r/"), and the comparisons of those inserts were a tenth of a shipment's
// execution (docs/benchmarks.md, "Chaincode alone").
struct KeyLess {
  // Eight bytes loaded and byte-swapped compare in byte order on a little-endian machine only.
  static_assert(std::endian::native == std::endian::little, "KeyLess assumes little-endian");
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept {
    const std::size_t common = a.size() < b.size() ? a.size() : b.size();
    std::size_t i = 0;
    for (; i + 8 <= common; i += 8) {
      std::uint64_t x;
      std::uint64_t y;
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);  // big-endian: byte order
    }
    for (; i < common; ++i) {
      if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
    }
    return a.size() < b.size();
  }
};

// A write set: key -> new value, or std::nullopt for a deletion. Ordered, so that hashing it is
// deterministic.
using WriteSet = std::map<std::string, std::optional<std::string>, KeyLess>;

// Reads through a write set held elsewhere (kept alive and unchanged by its owner) to a base
// reader, without copying it: a pending write or deletion shadows the base entry. How a node
// executes a block over its uncommitted ancestors (one layer per ancestor, oldest nearest the
// base), and what OverlayState reads through.
class WriteSetLayer : public StateReader {
 public:
  WriteSetLayer(const StateReader& base, const WriteSet& writes) : base_(base), writes_(writes) {}
  WriteSetLayer(const WriteSetLayer&) = delete;
  WriteSetLayer& operator=(const WriteSetLayer&) = delete;

  std::optional<std::string> Get(std::string_view key) const final;
  bool Contains(std::string_view key) const final;
  void Scan(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const final;

 private:
  const StateReader& base_;
  const WriteSet& writes_;
};

namespace internal {
// Holds an OverlayState's writes; a base class so that they exist before the layer reading them.
struct OwnedWrites {
  WriteSet owned_writes_;
};
}  // namespace internal

// Pending writes of its own over a base reader: how records later in a block see the effects of
// earlier ones before anything is stored. Never copied. To layer over another overlay, pass it as
// a StateReader: OverlayState child(static_cast<const StateReader&>(parent)).
class OverlayState final : private internal::OwnedWrites, public WriteSetLayer {
 public:
  explicit OverlayState(const StateReader& base) : WriteSetLayer(base, owned_writes_) {}

  void Put(std::string key, std::string value) { owned_writes_[std::move(key)] = std::move(value); }
  void Delete(std::string key) { owned_writes_[std::move(key)] = std::nullopt; }
  void Merge(const WriteSet& writes);
  const WriteSet& writes() const { return owned_writes_; }
};

// A whole state in memory: tests, the simulator, the independent re-application check and the
// chaincode benchmark. Point reads are hash lookups. Ordered scans go through an index of views
// of the keys, in levels as in a log-structured merge tree: one large sorted vector, and up to
// kMaxRuns small sorted runs, one per Apply (a write set is ordered, so its new keys come sorted
// and are appended without a comparison). Too many runs are merged into one; when the runs reach a
// quarter of the large vector (or deleted entries a quarter of the index), everything is merged
// into it and deleted entries are dropped. So a write costs a bounded number of moves, and a scan
// O(kMaxRuns log n) plus what it visits (docs/benchmarks.md, "Chaincode alone"). Everything
// changes in Apply only: concurrent readers of a const MemoryState are safe.
class MemoryState final : public StateReader {
 public:
  MemoryState() = default;
  MemoryState(const MemoryState&) = delete;
  MemoryState& operator=(const MemoryState&) = delete;

  std::optional<std::string> Get(std::string_view key) const override;
  bool Contains(std::string_view key) const override;
  void Scan(std::string_view prefix,
            const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const override;
  void Apply(const WriteSet& writes);
  void Apply(WriteSet&& writes);  // moves the keys and values in
  std::size_t size() const { return live_; }

 private:
  static constexpr std::size_t kMaxRuns = 8;
  struct Entry {
    std::string key;
    std::string value;
    std::uint64_t hash = 0;
    bool live = true;  // false: deleted, still listed in the index until the next full merge
  };
  using Keys = std::vector<std::string_view>;  // views of the keys stored in entries_

  static std::uint64_t HashOf(std::string_view key) { return std::hash<std::string_view>{}(key); }
  // The entry under `key`, live or deleted; nullptr when there is none.
  const Entry* Find(std::string_view key) const;
  Entry* Find(std::string_view key) {
    return const_cast<Entry*>(static_cast<const MemoryState*>(this)->Find(key));
  }
  // The entry under `key`, made (with `key` moved in) when there was none.
  Entry& FindOrAdd(std::string&& key, bool& added);
  // The slot holding `key` (hash `hash`), or the empty slot that ends its probe run.
  std::size_t Probe(std::string_view key, std::uint64_t hash) const;
  // Forgets an entry that no level of the index lists any more.
  void Remove(Entry& entry);
  void Grow();
  std::size_t SlotOf(const Entry& entry) const;

  void Put(std::string key, std::string value, Keys& added);
  void Erase(std::string_view key);
  void AddRun(Keys added);
  static Keys MergeRuns(std::vector<Keys>& runs);

  // Point reads: open addressing with linear probing over table_, a power of two in size and at
  // most half full. A slot is 0 (empty) or holds the top 32 bits of its key's hash above the
  // entry's number + 1, so a lookup of an absent key (every new record id's duplicate check)
  // usually ends at the first slot without touching an entry. entries_ is a deque: it never
  // moves an element, so the views in the index stay valid; erased entries' numbers are reused.
  std::vector<std::uint64_t> table_;
  std::deque<Entry> entries_;
  std::vector<std::uint32_t> free_entries_;
  Keys sorted_;             // every level holds distinct keys, live or deleted
  std::vector<Keys> runs_;  // at most kMaxRuns
  std::size_t in_runs_ = 0;
  std::size_t live_ = 0;
  std::size_t deleted_ = 0;  // entries kept for the index only
};

}  // namespace mbl::chaincode
