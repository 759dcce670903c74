#include "crypto/encoding.h"

#include <gtest/gtest.h>

namespace mbl::crypto {
namespace {

TEST(Encoding, HexRoundTripAndErrors) {
  std::string bytes("\x00\x01\xab\xff", 4);
  EXPECT_EQ(ToHex(bytes), "0001abff");
  EXPECT_EQ(FromHex("0001ABff").value(), bytes);
  EXPECT_EQ(FromHex("abc").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(FromHex("zz").status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(FromHex("").ok());
  EXPECT_FALSE((FixedFromHex<4>("0001ab", "key")).ok());
  EXPECT_TRUE((FixedFromHex<3>("0001ab", "key")).ok());
}

TEST(Encoding, Base64RoundTripAndErrors) {
  for (std::string s : {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
                        std::string("foob"), std::string("\x00\xff\x10", 3)}) {
    EXPECT_EQ(FromBase64(ToBase64(s)).value(), s);
  }
  EXPECT_EQ(ToBase64("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(FromBase64("Zm9v!").ok());
  EXPECT_FALSE(FromBase64("Zm9").ok());
}

TEST(Encoding, ConstantTimeEqual) {
  std::array<std::uint8_t, 3> a{1, 2, 3}, b{1, 2, 3}, c{1, 2, 4};
  std::array<std::uint8_t, 2> d{1, 2};
  EXPECT_TRUE(ConstantTimeEqual(a, b));
  EXPECT_FALSE(ConstantTimeEqual(a, c));
  EXPECT_FALSE(ConstantTimeEqual(a, d));
}

}  // namespace
}  // namespace mbl::crypto
