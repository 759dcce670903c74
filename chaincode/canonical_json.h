// Canonical JSON written straight into a string, byte for byte what nlohmann::json::dump()
// writes for the same value (sorted keys, no spaces). State values and result details are
// hashed into the roots consensus votes on, so they must never change bytes; the hot record
// types (shipments, lots, counters) write them with this instead of building a json tree first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

  std::string& out_;
  // Per open object or array: whether a member was written yet (to place commas).
  std::vector<bool> has_members_;
  bool after_key_ = false;
};

// Appends `value` as a JSON string literal exactly as nlohmann::json::dump() escapes it.
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace mbl::chaincode
