#include "chaincode/canonical_json.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "base/check.h"

namespace mbl::chaincode {

void AppendJsonString(std::string& out, std::string_view value) {
  for (char c : value) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Non-ASCII text is rare here (ids, hex, names): nlohmann validates the UTF-8 and escapes
      // it itself, so leaving it the whole string keeps even its errors the same.
      out += nlohmann::json(std::string(value)).dump();
      return;
    }
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    switch (byte) {
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (byte <= 0x1f) {
          out += "\\u00";
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_members_.empty()) {
    if (has_members_.back()) out_.push_back(',');
    has_members_.back() = true;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  has_members_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  MBL_CHECK(!has_members_.empty() && !after_key_);
  has_members_.pop_back();
  out_.push_back('}');
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  has_members_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  MBL_CHECK(!has_members_.empty() && !after_key_);
  has_members_.pop_back();
  out_.push_back(']');
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  MBL_CHECK(!has_members_.empty() && !after_key_);
  if (has_members_.back()) out_.push_back(',');
  has_members_.back() = true;
  AppendJsonString(out_, key);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(out_, value);
  return *this;
}

JsonWriter& JsonWriter::Uint(std::uint64_t value) {
  BeforeValue();
  char buffer[24];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::Int(std::int64_t value) {
  BeforeValue();
  char buffer[24];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
  return *this;
}

}  // namespace mbl::chaincode
