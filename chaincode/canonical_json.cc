#include "chaincode/canonical_json.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/check.h"

namespace mbl::chaincode {

namespace {

// Bytes that nlohmann writes other than as themselves: control characters, '"', '\\', and every
// non-ASCII byte (handed to nlohmann whole, see below).
constexpr bool NeedsCare(unsigned char byte) {
  return byte <= 0x1f || byte == '"' || byte == '\\' || byte >= 0x80;
}

// The length of the leading run of bytes that need no care, eight bytes per step: ids, hex and
// names are whole runs, and this scan is on the path of every record's stored value.
std::size_t PlainPrefixLength(std::string_view value) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  std::size_t plain = 0;
  for (; plain + 8 <= value.size(); plain += 8) {
    std::uint64_t word;
    std::memcpy(&word, value.data() + plain, 8);
    // A byte's high bit is set in `flags` when it is < 0x20, '"', '\\' or >= 0x80 (the classic
    // "has zero byte" test applied to word - 0x20, word ^ '"' and word ^ '\\').
    const std::uint64_t below_space = word - kOnes * 0x20;
    const std::uint64_t quote = (word ^ (kOnes * '"')) - kOnes;
    const std::uint64_t backslash = (word ^ (kOnes * '\\')) - kOnes;
    const std::uint64_t flags = (below_space | quote | backslash | word) & kHighs;
    if (flags != 0) break;  // this word holds one: find it byte by byte below
  }
  while (plain < value.size() && !NeedsCare(static_cast<unsigned char>(value[plain]))) ++plain;
  return plain;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view value) {
  const std::size_t plain = PlainPrefixLength(value);
  if (plain == value.size()) {  // the common case: ids, hex, names
    out.push_back('"');
    out.append(value);
    out.push_back('"');
    return;
  }
  for (std::size_t i = plain; i < value.size(); ++i) {
    if (static_cast<unsigned char>(value[i]) >= 0x80) {
      // Non-ASCII text is rare here (ids, hex, names): nlohmann validates the UTF-8 and escapes
      // it itself, so leaving it the whole string keeps even its errors the same.
      out += nlohmann::json(std::string(value)).dump();
      return;
    }
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  out.append(value.substr(0, plain));
  for (char c : value.substr(plain)) {
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
  if (depth_ > 0) {
    if (HasMembers()) out_.push_back(',');
    SetHasMembers();
  }
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  MBL_CHECK_LT(depth_, kMaxDepth);
  out_.push_back(bracket);
  ++depth_;
  has_members_ &= ~(std::uint64_t{1} << (depth_ - 1));
}

void JsonWriter::Close(char bracket) {
  MBL_CHECK(depth_ > 0 && !after_key_);
  --depth_;
  out_.push_back(bracket);
}

JsonWriter& JsonWriter::BeginObject() {
  Open('{');
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  Close('}');
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  Open('[');
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  Close(']');
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  MBL_CHECK(depth_ > 0 && !after_key_);
  if (HasMembers()) out_.push_back(',');
  SetHasMembers();
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
