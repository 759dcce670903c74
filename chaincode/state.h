// The state the chaincode reads and writes: an ordered key-value map. The node backs it with
// RocksDB; tests and the simulator with memory. The chaincode never sees anything else (R16).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
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

// A write set: key -> new value, or std::nullopt for a deletion. Ordered, so that hashing it is
// deterministic.
using WriteSet = std::map<std::string, std::optional<std::string>, std::less<>>;

// Reads through pending writes to a base reader: how records later in a block see the effects of
// earlier ones before anything is stored.
class OverlayState final : public StateReader {
 public:
  explicit OverlayState(const StateReader& base) : base_(base) {}
  // Never copied. To layer over another overlay, pass it as a StateReader:
  // OverlayState child(static_cast<const StateReader&>(parent)).
  OverlayState(const OverlayState&) = delete;
  OverlayState& operator=(const OverlayState&) = delete;
  std::optional<std::string> Get(std::string_view key) const override;
  bool Contains(std::string_view key) const override;
  void Scan(std::string_view prefix,
            const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const override;

  void Put(std::string key, std::string value) { writes_[std::move(key)] = std::move(value); }
  void Delete(std::string key) { writes_[std::move(key)] = std::nullopt; }
  void Merge(const WriteSet& writes);
  const WriteSet& writes() const { return writes_; }

 private:
  const StateReader& base_;
  WriteSet writes_;
};

// A whole state in memory: tests, the simulator, the independent re-application check and the
// chaincode benchmark. Point reads are hash lookups; ordered scans go through an index of two
// levels, a sorted vector and a small ordered set of the keys added since the vector was last
// rebuilt (docs/benchmarks.md, "Chaincode alone"). A rebuild merges the set into the vector and
// drops deleted keys; it runs when the set (or the deleted keys) reach a quarter of the vector, so
// its cost per write is a bounded number of moves, and a scan costs O(log n) plus what it visits.
// All of it changes in Apply only: concurrent readers of a const MemoryState are safe.
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
  struct Slot {
    std::string value;
    bool live = true;  // false: deleted, still listed in sorted_ until the next rebuild
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  // The index holds views of the keys stored in entries_: an unordered_map never moves its
  // elements (not even when it rehashes), so the views stay valid until an entry is erased.
  using Entries = std::unordered_map<std::string, Slot, KeyHash, std::equal_to<>>;

  template <typename Key, typename Value>
  void Put(Key&& key, Value&& value);
  void Erase(std::string_view key);
  void RebuildIndexIfDue();

  Entries entries_;
  std::vector<std::string_view> sorted_;            // may list deleted entries
  std::set<std::string_view, std::less<>> recent_;  // live entries added since the last rebuild
  std::size_t live_ = 0;
  std::size_t deleted_in_sorted_ = 0;
};

}  // namespace mbl::chaincode
