// Checked reads of the state entries this chaincode wrote (docs/formats.md, "State keys"). Only
// this chaincode writes the state, so an entry that does not parse, lacks a field or holds a
// field of another type is corruption or a bug, never bad input: every read here aborts with the
// key and the field (DESIGN D7), where nlohmann's parse(), at() and get<>() would throw an
// exception that nothing catches. Each kind of entry has one decoder built on these
// (state_entries.h, credits/credit_values.h, registry.h, epochs.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mbl::chaincode {

// The JSON object stored under `key`, parsed without exceptions.
nlohmann::json ParseStoredObject(std::string_view key, std::string_view value);

// A decimal number stored under `key` (g/member-since/, #count, c/retired/ values) or written
// into it (the year of a c/flow/ key, the number of a g/epochs/ key).
std::uint64_t ParseStoredUint(std::string_view key, std::string_view digits);
std::int64_t ParseStoredInt(std::string_view key, std::string_view digits);

// One object of a stored entry, the entry itself or one nested in it, with where it came from.
// A view: the key and the object must outlive it.
class StoredFields {
 public:
  // `path` names a nested object in messages ("portions[0].provenance"); empty for the entry.
  StoredFields(std::string_view key, const nlohmann::json& object, std::string path = {});

  bool Has(std::string_view field) const;
  std::string String(std::string_view field) const;
  std::uint64_t Uint(std::string_view field) const;
  std::uint32_t Uint32(std::string_view field) const;
  std::int64_t Int(std::string_view field) const;
  bool Bool(std::string_view field) const;
  // A string of hex digits, as the bytes it spells.
  std::string Hex(std::string_view field) const;
  // The position in `names` of the string `field` holds (an enum stored by name).
  template <std::size_t N>
  std::size_t OneOf(std::string_view field, const std::array<std::string_view, N>& names) const {
    const std::string value = String(field);
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == value) return i;
    }
    Corrupt(Path(field) + " is '" + value + "', none of the names it may hold");
  }

  StoredFields Object(std::string_view field) const;
  // Arrays whose every element has the kind named.
  std::vector<StoredFields> Objects(std::string_view field) const;
  std::vector<std::string> Strings(std::string_view field) const;
  std::vector<std::int64_t> Ints(std::string_view field) const;
  std::vector<std::uint64_t> Uints(std::string_view field) const;

  // Aborts naming the key: for the checks a decoder makes beyond the kinds of its fields.
  [[noreturn]] void Corrupt(const std::string& problem) const;

 private:
  using IsKind = bool (*)(const nlohmann::json&);
  const nlohmann::json& Field(std::string_view field, IsKind is_kind, std::string_view kind) const;
  const nlohmann::json& Array(std::string_view field) const;
  template <typename Value>
  std::vector<Value> Elements(std::string_view field, IsKind is_kind, std::string_view kind) const;
  std::string Path(std::string_view field) const;

  std::string_view key_;
  const nlohmann::json& object_;
  std::string path_;
};

namespace internal {
// Holds a StoredEntry's parsed value; a base class so that it exists before the fields reading it.
struct ParsedEntry {
  nlohmann::json parsed_;
};
}  // namespace internal

// A whole entry: the value stored under `key` parsed by ParseStoredObject, and its fields. Never
// copied (the fields read the parsed value it holds); `key` must outlive it.
class StoredEntry final : private internal::ParsedEntry, public StoredFields {
 public:
  StoredEntry(std::string_view key, std::string_view value);
  StoredEntry(const StoredEntry&) = delete;
  StoredEntry& operator=(const StoredEntry&) = delete;

  const nlohmann::json& json() const { return parsed_; }
};

}  // namespace mbl::chaincode
