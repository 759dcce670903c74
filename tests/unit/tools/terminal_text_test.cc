// TerminalSafe and TerminalSafeJson (tools/terminal_text.h): every class of character a terminal
// could act on becomes a visible escape; well-formed text is kept byte for byte.
#include "tools/terminal_text.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "tools/cli.h"

namespace mbl::tools {
namespace {

using nlohmann::json;

std::string Hex2(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof text, "%02x", value);
  return text;
}

// True when `text` holds a byte or character a terminal may act on: C0 (newline included), DEL,
// C1 (C2 80..C2 9F) or a bidirectional control (U+061C, U+200E/F, U+202A..E, U+2066..9).
bool HoldsTerminalControl(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = [&](std::size_t at) {
      return at < text.size() ? static_cast<unsigned char>(text[at]) : 0u;
    };
    if (byte(i) < 0x20 || byte(i) == 0x7F) return true;
    if (byte(i) == 0xC2 && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9F) return true;
    if (byte(i) == 0xD8 && byte(i + 1) == 0x9C) return true;  // U+061C
    if (byte(i) == 0xE2 && byte(i + 1) == 0x80 &&
        (byte(i + 2) == 0x8E || byte(i + 2) == 0x8F ||
         (byte(i + 2) >= 0xAA && byte(i + 2) <= 0xAE)))
      return true;
    if (byte(i) == 0xE2 && byte(i + 1) == 0x81 && byte(i + 2) >= 0xA6 && byte(i + 2) <= 0xA9)
      return true;
  }
  return false;
}

TEST(TerminalText, EveryC0ControlAndDelBecomeAByteEscape) {
  for (unsigned value = 0; value < 0x20; ++value) {
    const std::string text = std::string("a") + static_cast<char>(value) + "b";
    EXPECT_EQ(TerminalSafe(text), "a\\x" + Hex2(value) + "b") << "U+" << Hex2(value);
  }
  EXPECT_EQ(TerminalSafe("a\x7f"
                         "b"),
            "a\\x7fb");
  EXPECT_EQ(TerminalSafe(std::string("\0", 1)), "\\x00");
}

TEST(TerminalText, NewlineAndCarriageReturnCannotForgeALine) {
  EXPECT_EQ(TerminalSafe("refused\n  ok    step 2\rVERIFIED"),
            "refused\\x0a  ok    step 2\\x0dVERIFIED");
  EXPECT_EQ(TerminalSafe("\x1b[2K\rVERIFIED"), "\\x1b[2K\\x0dVERIFIED");
  EXPECT_EQ(TerminalSafe("FAILED\b\b\b\b\b\bOK"), "FAILED\\x08\\x08\\x08\\x08\\x08\\x08OK");
}

TEST(TerminalText, EveryC1ControlBecomesAUnicodeEscape) {
  for (unsigned value = 0x80; value <= 0x9F; ++value) {
    const std::string text = std::string("a\xc2") + static_cast<char>(value) + "b";
    EXPECT_EQ(TerminalSafe(text), "a\\u00" + Hex2(value) + "b") << "U+00" << Hex2(value);
  }
  // U+00A0, the first character after C1, is text.
  EXPECT_EQ(TerminalSafe("\xc2\xa0"), "\xc2\xa0");
}

TEST(TerminalText, EveryBidirectionalControlBecomesAUnicodeEscape) {
  const struct {
    const char* utf8;
    const char* escaped;
  } kControls[] = {
      {"\xd8\x9c", "\\u061c"},     {"\xe2\x80\x8e", "\\u200e"}, {"\xe2\x80\x8f", "\\u200f"},
      {"\xe2\x80\xaa", "\\u202a"}, {"\xe2\x80\xab", "\\u202b"}, {"\xe2\x80\xac", "\\u202c"},
      {"\xe2\x80\xad", "\\u202d"}, {"\xe2\x80\xae", "\\u202e"}, {"\xe2\x81\xa6", "\\u2066"},
      {"\xe2\x81\xa7", "\\u2067"}, {"\xe2\x81\xa8", "\\u2068"}, {"\xe2\x81\xa9", "\\u2069"},
  };
  for (const auto& control : kControls) {
    EXPECT_EQ(TerminalSafe(std::string("x") + control.utf8 + "y"),
              std::string("x") + control.escaped + "y");
  }
  // Their neighbours are ordinary characters: U+200D (zero width joiner, used in emoji),
  // U+202F (narrow no-break space), U+2065 and U+206A.
  for (const char* kept : {"\xe2\x80\x8d", "\xe2\x80\xaf", "\xe2\x81\xa5", "\xe2\x81\xaa"}) {
    EXPECT_EQ(TerminalSafe(kept), kept);
  }
}

TEST(TerminalText, InvalidUtf8BytesBecomeByteEscapesAndDecodingResumes) {
  // Lone continuation bytes.
  EXPECT_EQ(TerminalSafe("a\x80"
                         "b"),
            "a\\x80b");
  EXPECT_EQ(TerminalSafe("\xbf\xbf"), "\\xbf\\xbf");
  // Overlong forms: '/' as two, three and four bytes; C0 and C1 never begin a sequence.
  EXPECT_EQ(TerminalSafe("\xc0\xaf"), "\\xc0\\xaf");
  EXPECT_EQ(TerminalSafe("\xc1\xbf"), "\\xc1\\xbf");
  EXPECT_EQ(TerminalSafe("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
  EXPECT_EQ(TerminalSafe("\xf0\x80\x80\xaf"), "\\xf0\\x80\\x80\\xaf");
  // An overlong ESC must not slip through as an escape character.
  EXPECT_EQ(TerminalSafe("\xc0\x9b"), "\\xc0\\x9b");
  // UTF-16 surrogates encoded in UTF-8 (U+D800, U+DBFF, U+DC00, U+DFFF).
  EXPECT_EQ(TerminalSafe("\xed\xa0\x80"), "\\xed\\xa0\\x80");
  EXPECT_EQ(TerminalSafe("\xed\xaf\xbf"), "\\xed\\xaf\\xbf");
  EXPECT_EQ(TerminalSafe("\xed\xb0\x80"), "\\xed\\xb0\\x80");
  EXPECT_EQ(TerminalSafe("\xed\xbf\xbf"), "\\xed\\xbf\\xbf");
  // Truncated sequences, at the end and before another character.
  EXPECT_EQ(TerminalSafe("\xe2\x82"), "\\xe2\\x82");
  EXPECT_EQ(TerminalSafe("\xe2\x82"
                         "A"),
            "\\xe2\\x82A");
  EXPECT_EQ(TerminalSafe("\xf0\x9f\x94"), "\\xf0\\x9f\\x94");
  EXPECT_EQ(TerminalSafe("\xc3"), "\\xc3");
  // A truncated sequence must not swallow a control after it.
  EXPECT_EQ(TerminalSafe("\xe2\x1b[2K"), "\\xe2\\x1b[2K");
  // Above U+10FFFF, and bytes that never occur in UTF-8.
  EXPECT_EQ(TerminalSafe("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
  for (unsigned lead = 0xF5; lead <= 0xFF; ++lead) {
    EXPECT_EQ(TerminalSafe(std::string(1, static_cast<char>(lead))), "\\x" + Hex2(lead));
  }
}

TEST(TerminalText, WellFormedTextIsKeptByteForByte) {
  for (const char* text : {
           "Skellefte\xc3\xa5",          // Skellefteå
           "\xe9\x8a\x85",               // 銅
           "copper cathode 99.99 % Cu",  // ASCII with punctuation
           "\xf0\x9f\x94\xa5",           // U+1F525, four bytes
           "\xed\x9f\xbf",               // U+D7FF, just below the surrogates
           "\xee\x80\x80",               // U+E000, just above them
           "\xef\xbf\xbd",               // U+FFFD
           "\xf4\x8f\xbf\xbf",           // U+10FFFF, the last code point
           "C:\\path\\x1b is text",      // a backslash is kept as it is
           "",
       }) {
    EXPECT_EQ(TerminalSafe(text), text);
  }
}

TEST(TerminalText, EscapingTwiceChangesNothingMore) {
  const std::string hostile = "\x1b[2K\rVERIFIED\xc2\x9b\xe2\x80\xae\xff\xed\xa0\x80\n";
  const std::string once = TerminalSafe(hostile);
  EXPECT_FALSE(HoldsTerminalControl(once)) << once;
  EXPECT_EQ(TerminalSafe(once), once);
}

TEST(TerminalText, JsonEscapesC1BidiAndDelAndStaysJsonThatDecodesTheSame) {
  const json value = {{"message",
                       "\x1b[2K\rVERIFIED\x7f\xc2\x9b"
                       "2K\xe2\x80\xae"},
                      {"place", "Skellefte\xc3\xa5 \xe9\x8a\x85"}};
  for (int indent : {-1, 2}) {
    const std::string text = TerminalSafeJson(value, indent);
    std::string without_layout = text;  // the newlines of the indentation are the layout's
    std::erase(without_layout, '\n');
    EXPECT_FALSE(HoldsTerminalControl(without_layout)) << text;
    EXPECT_NE(text.find("\\u009b"), std::string::npos) << text;
    EXPECT_NE(text.find("\\u202e"), std::string::npos) << text;
    EXPECT_NE(text.find("\\u007f"), std::string::npos) << text;
    EXPECT_NE(text.find("Skellefte\xc3\xa5 \xe9\x8a\x85"), std::string::npos) << text;
    EXPECT_EQ(json::parse(text), value);
  }
}

TEST(TerminalText, JsonWithInvalidUtf8DoesNotThrow) {
  const json value = {{"path", "/tmp/\xff\xfe/file"}, {"surrogate", "\xed\xa0\x80"}};
  std::string text;
  ASSERT_NO_THROW(text = TerminalSafeJson(value));
  const json parsed = json::parse(text);
  EXPECT_EQ(parsed["path"], "/tmp/\xef\xbf\xbd\xef\xbf\xbd/file");
  EXPECT_FALSE(HoldsTerminalControl(text)) << text;
}

TEST(TerminalText, MemberOfAnyShapeIsEscapedText) {
  const json reply = {{"status", "\x1b[32mcommitted"}, {"height", 7}, {"nested", {{"a", "\r"}}}};
  EXPECT_EQ(TerminalSafeMember(reply, "status"), "\\x1b[32mcommitted");
  EXPECT_EQ(TerminalSafeMember(reply, "height"), "7");
  EXPECT_EQ(TerminalSafeMember(reply, "nested"), "{\"a\":\"\\r\"}");
  EXPECT_EQ(TerminalSafeMember(reply, "absent", "-"), "-");
  EXPECT_EQ(TerminalSafeMember(json("not an object"), "status", "?"), "?");
  EXPECT_EQ(TerminalSafeMember(json(), "status", "?"), "?");
}

// StatusOfReply is where a node's error message enters a Status: escaped there, so that any
// printer of the Status (mbl verify's "NOT VERIFIED: ...") shows it safely.
TEST(TerminalText, StatusOfReplyEscapesTheNodesMessage) {
  HttpReply reply;
  reply.status = 500;
  reply.body = {{"error", {{"code", "INTERNAL"}, {"message", "\x1b[2K\rVERIFIED\xe2\x80\xae"}}}};
  const Status status = StatusOfReply(reply);
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(HoldsTerminalControl(status.message())) << status.message();
  EXPECT_NE(status.message().find("\\x1b[2K\\x0dVERIFIED\\u202e"), std::string::npos)
      << status.message();
}

TEST(TerminalText, StatusOfReplyOfAnUnexpectedShapeIsAnErrorNotAnException) {
  for (const json& body :
       {json{{"error", "a string, not an object"}},
        json{{"error", {{"message", 42}, {"code", json::array()}}}}, json::array(), json()}) {
    HttpReply reply;
    reply.status = 502;
    reply.body = body;
    Status status = Status::Ok();
    ASSERT_NO_THROW(status = StatusOfReply(reply)) << body.dump();
    EXPECT_FALSE(status.ok());
    EXPECT_NE(status.message().find("HTTP 502"), std::string::npos) << status.message();
  }
}

}  // namespace
}  // namespace mbl::tools
