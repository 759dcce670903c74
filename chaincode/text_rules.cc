#include "chaincode/text_rules.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace mbl::chaincode {
namespace {

std::string CodePointName(char32_t code_point) {
  char name[16];
  std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(code_point));
  return name;
}

// Why `code_point` is refused, or nullptr when it is allowed.
const char* RefusedBecause(char32_t code_point) {
  if (code_point < 0x20 || code_point == 0x7f) return "a control character";
  if (code_point >= 0x80 && code_point <= 0x9f) return "a C1 control character";
  if ((code_point >= 0x202a && code_point <= 0x202e) ||
      (code_point >= 0x2066 && code_point <= 0x2069)) {
    return "a bidirectional control character";
  }
  if (code_point == 0x200e || code_point == 0x200f || code_point == 0x061c) {
    return "an invisible direction mark";
  }
  if (code_point == 0x2028 || code_point == 0x2029) return "a line or paragraph separator";
  return nullptr;
}

struct Decoded {
  char32_t code_point = 0;
  std::size_t length = 0;  // 0: not a valid UTF-8 sequence
};

// One RFC 3629 sequence starting at text[at] (not ASCII): no overlong forms, no surrogates,
// nothing above U+10FFFF.
Decoded DecodeMultibyte(std::string_view text, std::size_t at) {
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  std::uint8_t lead = byte(at);
  std::size_t length;
  char32_t code_point;
  char32_t minimum;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, code_point = lead & 0x1f, minimum = 0x80;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, code_point = lead & 0x0f, minimum = 0x800;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, code_point = lead & 0x07, minimum = 0x10000;
  } else {
    return {};
  }
  if (text.size() - at < length) return {};
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return {};
    code_point = (code_point << 6) | (byte(at + i) & 0x3f);
  }
  if (code_point < minimum || code_point > 0x10ffff ||
      (code_point >= 0xd800 && code_point <= 0xdfff)) {
    return {};
  }
  return {code_point, length};
}

// True when all eight bytes of `word` are printable ASCII (0x20..0x7e), the bulk of ledger text:
// checked a word at a time ("hasless" and "hasmore" of Bit Twiddling Hacks). A false answer only
// sends the word to the exact check byte by byte.
bool AllPrintableAscii(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighBits;
  std::uint64_t delete_or_above = ((word + kOnes) | word) & kHighBits;
  return (below_space | delete_or_above) == 0;
}

}  // namespace

std::optional<TextFault> FindTextFault(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::uint64_t word;
    if (text.size() - at >= sizeof word) {
      std::memcpy(&word, text.data() + at, sizeof word);
      if (AllPrintableAscii(word)) {
        at += sizeof word;
        continue;
      }
    }
    auto byte = static_cast<std::uint8_t>(text[at]);
    if (byte >= 0x20 && byte < 0x7f) {  // printable ASCII: nearly all ledger text
      ++at;
      continue;
    }
    if (byte < 0x80) {
      return TextFault{at, CodePointName(byte) + " (" + RefusedBecause(byte) + ")"};
    }
    Decoded decoded = DecodeMultibyte(text, at);
    if (decoded.length == 0) return TextFault{at, "bytes that are not valid UTF-8"};
    if (const char* because = RefusedBecause(decoded.code_point)) {
      return TextFault{at, CodePointName(decoded.code_point) + " (" + because + ")"};
    }
    at += decoded.length;
  }
  return std::nullopt;
}

}  // namespace mbl::chaincode
