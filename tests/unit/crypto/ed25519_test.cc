#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"

namespace mbl::crypto {
namespace {

struct Rfc8032Vector {
  const char* seed;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 section 7.1, TEST 1..3.
constexpr Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c"
     "f9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0"
     "f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f76098"
     "4dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

TEST(Ed25519, Rfc8032Vectors) {
  ASSERT_TRUE(InitializeCrypto().ok());
  for (const auto& v : kVectors) {
    auto seed = FixedFromHex<kSeedBytes>(v.seed, "seed");
    ASSERT_TRUE(seed.ok());
    KeyPair pair = KeyPair::FromSeed(*seed);
    EXPECT_EQ(ToHex(pair.public_key), v.public_key);
    std::string message = FromHex(v.message).value();
    Signature signature = Sign(pair.secret_key, message);
    EXPECT_EQ(ToHex(signature), v.signature);
    EXPECT_TRUE(Verify(pair.public_key, message, signature));
  }
}

TEST(Ed25519, TamperedMessageSignatureOrKeyFails) {
  KeyPair pair = KeyPair::Generate();
  KeyPair other = KeyPair::Generate();
  Signature signature = Sign(pair.secret_key, std::string_view("ship 45 t"));
  EXPECT_TRUE(Verify(pair.public_key, std::string_view("ship 45 t"), signature));
  EXPECT_FALSE(Verify(pair.public_key, std::string_view("ship 46 t"), signature));
  EXPECT_FALSE(Verify(other.public_key, std::string_view("ship 45 t"), signature));
  for (std::size_t i = 0; i < signature.size(); i += 7) {
    Signature bad = signature;
    bad[i] ^= 0x01;
    EXPECT_FALSE(Verify(pair.public_key, std::string_view("ship 45 t"), bad)) << "byte " << i;
  }
}

TEST(Ed25519, StrictVerificationRejectsNonCanonicalS) {
  KeyPair pair = KeyPair::Generate();
  Signature signature = Sign(pair.secret_key, std::string_view("m"));
  // Adding the group order L to S gives the same point equation but a non-canonical S >= L.
  static constexpr std::uint8_t kOrder[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                              0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                              0,    0,    0,    0,    0,    0,    0,    0,
                                              0,    0,    0,    0,    0,    0,    0,    0x10};
  Signature malleated = signature;
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned sum = malleated[32 + i] + kOrder[i] + carry;
    malleated[32 + i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
  }
  EXPECT_FALSE(Verify(pair.public_key, std::string_view("m"), malleated));
}

TEST(Ed25519, SecretKeyIsWipedWhenMovedFrom) {
  KeyPair pair = KeyPair::Generate();
  SecretKey moved = std::move(pair.secret_key);
  std::array<std::uint8_t, kSecretKeyBytes> zero{};
  EXPECT_EQ(pair.secret_key.bytes(), zero);  // NOLINT(bugprone-use-after-move): intended
  EXPECT_NE(moved.bytes(), zero);
}

}  // namespace
}  // namespace mbl::crypto
