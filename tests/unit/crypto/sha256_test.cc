#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"

namespace mbl::crypto {
namespace {

// FIPS 180-2 appendix B known answers.
TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(ToHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  Hash256 incremental = Sha256Hasher().Update("ab").Update("c").Final();
  EXPECT_EQ(incremental, Sha256("abc"));
  Hash256 framed = Sha256Hasher().UpdateU32BigEndian(3).Update("abc").Final();
  Hash256 prefixed = Sha256Hasher().UpdateLengthPrefixed("abc").Final();
  EXPECT_EQ(framed, prefixed);
  EXPECT_EQ(Sha256Hasher().UpdateU64BigEndian(0x0102030405060708ULL).Final(),
            Sha256(std::string_view("\x01\x02\x03\x04\x05\x06\x07\x08", 8)));
}

}  // namespace
}  // namespace mbl::crypto
