#include "tools/terminal_text.h"

#include <cstdint>
#include <optional>

namespace mbl::tools {
namespace {

struct CodePoint {
  char32_t value = 0;
  std::size_t length_bytes = 0;
};

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// The well-formed UTF-8 sequence at the start of `text` (RFC 3629, table 3-7 of the Unicode
// standard), or nullopt when its first byte does not begin one. Checking the second byte's range
// per lead byte is what rules out overlong forms, surrogates and code points above U+10FFFF.
std::optional<CodePoint> DecodeUtf8(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return CodePoint{lead, 1};
  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // below: overlong
    if (lead == 0xED) second_max = 0x9F;  // above: UTF-16 surrogates U+D800..U+DFFF
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // below: overlong
    if (lead == 0xF4) second_max = 0x8F;  // above: beyond U+10FFFF
  } else {
    return std::nullopt;  // a continuation byte, C0/C1 (overlong two-byte lead) or F5..FF
  }
  if (text.size() < length || byte(1) < second_min || byte(1) > second_max) return std::nullopt;
  char32_t value = lead & (0xFF >> (length + 1));
  for (std::size_t i = 1; i < length; ++i) {
    if (!IsContinuation(byte(i))) return std::nullopt;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  return CodePoint{value, length};
}

bool IsBidiControl(char32_t value) {
  return value == 0x061C || value == 0x200E || value == 0x200F ||
         (value >= 0x202A && value <= 0x202E) || (value >= 0x2066 && value <= 0x2069);
}

// Code points outside C0 that a terminal may act on (C0 is handled byte by byte).
bool IsNonC0Control(char32_t value) {
  return value == 0x7F || (value >= 0x80 && value <= 0x9F) || IsBidiControl(value);
}

void AppendHex(std::string& out, std::uint32_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4)
    out.push_back(kHex[(value >> shift) & 15]);
}

void AppendByteEscape(std::string& out, unsigned char byte) {
  out += "\\x";
  AppendHex(out, byte, 2);
}

void AppendUnicodeEscape(std::string& out, char32_t value) {
  out += "\\u";
  AppendHex(out, static_cast<std::uint32_t>(value), 4);
}

}  // namespace

std::string TerminalSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::optional<CodePoint> code_point = DecodeUtf8(text);
    if (!code_point) {
      AppendByteEscape(out, static_cast<unsigned char>(text.front()));
      text.remove_prefix(1);
      continue;
    }
    const char32_t value = code_point->value;
    if (value < 0x20 || value == 0x7F) {
      AppendByteEscape(out, static_cast<unsigned char>(value));
    } else if (IsNonC0Control(value)) {
      AppendUnicodeEscape(out, value);
    } else {
      out.append(text.substr(0, code_point->length_bytes));
    }
    text.remove_prefix(code_point->length_bytes);
  }
  return out;
}

std::string TerminalSafeJson(const nlohmann::json& value, int indent) {
  // With `replace`, bytes that are not UTF-8 become U+FFFD rather than a type_error 316; the
  // text is then well-formed UTF-8 whose only non-ASCII characters are inside strings.
  const std::string text =
      value.dump(indent < 0 ? -1 : indent, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::optional<CodePoint> code_point = DecodeUtf8(rest);
    const std::size_t length = code_point ? code_point->length_bytes : 1;
    if (code_point && IsNonC0Control(code_point->value)) {
      AppendUnicodeEscape(out, code_point->value);  // a JSON escape: the string decodes the same
    } else if (!code_point) {
      out += "\\ufffd";  // cannot happen after `replace`; kept as valid JSON if it ever does
    } else {
      out.append(rest.substr(0, length));
    }
    rest.remove_prefix(length);
  }
  return out;
}

std::string TerminalSafeMember(const nlohmann::json& object, std::string_view key,
                               std::string_view absent) {
  if (!object.is_object()) return std::string(absent);
  const auto member = object.find(std::string(key));
  if (member == object.end()) return std::string(absent);
  return member->is_string() ? TerminalSafe(member->get_ref<const std::string&>())
                             : TerminalSafeJson(*member);
}

}  // namespace mbl::tools
