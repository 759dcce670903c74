#include "crypto/sha256.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdio>
#include <random>
#include <string>

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

Hash256 Hash(std::string_view data, Sha256Engine engine) {
  return Sha256Hasher(engine).Update(data).Final();
}

Hash256 LibsodiumSha256(std::string_view data) {
  Hash256 out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

TEST(Sha256, BothEnginesGiveTheKnownAnswers) {
  for (Sha256Engine engine : {Sha256Engine::kAutomatic, Sha256Engine::kPortable}) {
    EXPECT_EQ(ToHex(Hash("abc", engine)),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // FIPS 180-2 appendix B.3: one million 'a', fed in uneven pieces.
    Sha256Hasher million(engine);
    const std::string piece(997, 'a');
    std::size_t fed = 0;
    while (fed < 1'000'000) {
      const std::size_t take = std::min<std::size_t>(piece.size(), 1'000'000 - fed);
      million.Update(std::string_view(piece).substr(0, take));
      fed += take;
    }
    EXPECT_EQ(ToHex(million.Final()),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }
}

// Every length around the block and padding boundaries, and random ones, split at random points:
// both engines agree with libsodium.
TEST(Sha256, BothEnginesAgreeWithLibsodiumAtEveryBoundary) {
  std::mt19937 random(20261201);
  std::string data(4096, '\0');
  for (char& c : data) c = static_cast<char>(random());
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 200; ++n) lengths.push_back(n);
  for (int i = 0; i < 200; ++i) lengths.push_back(random() % data.size());
  for (std::size_t length : lengths) {
    const std::string_view input(data.data(), length);
    const Hash256 expected = LibsodiumSha256(input);
    for (Sha256Engine engine : {Sha256Engine::kAutomatic, Sha256Engine::kPortable}) {
      ASSERT_EQ(Hash(input, engine), expected) << "length " << length;
      const std::size_t split = length == 0 ? 0 : random() % length;
      Hash256 pieces =
          Sha256Hasher(engine).Update(input.substr(0, split)).Update(input.substr(split)).Final();
      ASSERT_EQ(pieces, expected) << "length " << length << " split at " << split;
    }
  }
}

TEST(Sha256, ReportsWhichEngineRuns) {
  // Not an assertion on the machine: the answer is logged so that benchmark figures name it.
  std::printf("SHA-256 with CPU extensions: %s\n", Sha256UsesCpuExtensions() ? "yes" : "no");
  EXPECT_EQ(Hash("abc", Sha256Engine::kAutomatic), Hash("abc", Sha256Engine::kPortable));
}

}  // namespace
}  // namespace mbl::crypto
