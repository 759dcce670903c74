// Canonical JSON written straight into a string, byte for byte what nlohmann::json::dump()
// writes for the same value (sorted keys, no spaces). State values and result details are
// hashed into the roots consensus votes on, so they must never change bytes; the hot record
// types (shipments, lots, counters) write them with this instead of building a json tree first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mbl::chaincode {

// Keys must be written in the order nlohmann::json sorts them (std::string comparison), which is
// what makes the output canonical; each caller lists its keys in that order.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Uint(std::uint64_t value);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Bool(bool value);
  // A value that is already canonical JSON (e.g. a provenance encoded once for many shipments).
  JsonWriter& Raw(std::string_view json);

 private:
  void BeforeValue();

  // Bit `depth_ - 1` of has_members_ tells whether the innermost open object or array has a
  // member yet (to place commas); canonical values here nest a few levels, never 64.
  static constexpr int kMaxDepth = 64;
  bool HasMembers() const { return (has_members_ >> (depth_ - 1)) & 1; }
  void SetHasMembers() { has_members_ |= std::uint64_t{1} << (depth_ - 1); }
  void Open(char bracket);
  void Close(char bracket);

  std::string& out_;
  std::uint64_t has_members_ = 0;
  int depth_ = 0;
  bool after_key_ = false;
};

// Appends `value` as a JSON string literal exactly as nlohmann::json::dump() escapes it.
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace mbl::chaincode
