// The state the chaincode reads and writes: an ordered key-value map. The node backs it with
// RocksDB; tests and the simulator with memory. The chaincode never sees anything else (R16).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mbl::chaincode {

class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual std::optional<std::string> Get(std::string_view key) const = 0;
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

// A whole state in memory: tests, the simulator and the independent re-application check.
class MemoryState final : public StateReader {
 public:
  std::optional<std::string> Get(std::string_view key) const override;
  void Scan(std::string_view prefix,
            const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const override;
  void Apply(const WriteSet& writes);
  std::size_t size() const { return entries_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> entries_;
};

}  // namespace mbl::chaincode
