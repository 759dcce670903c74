#include "crypto/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

namespace mbl::crypto {
namespace {

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mbl-keyfile-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(KeyFileTest, SecretKeyFileIsCreated0600AndRoundTrips) {
  ::umask(022);
  KeyPair pair = KeyPair::Generate();
  ASSERT_TRUE(WriteSecretKeyFile(dir_ / "k.secret", pair).ok());
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "k.secret").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto loaded = ReadSecretKeyFile(dir_ / "k.secret");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->public_key, pair.public_key);
  EXPECT_EQ(loaded->secret_key.bytes(), pair.secret_key.bytes());
}

TEST_F(KeyFileTest, RefusesGroupOrWorldReadableSecretKey) {
  KeyPair pair = KeyPair::Generate();
  ASSERT_TRUE(WriteSecretKeyFile(dir_ / "k.secret", pair).ok());
  ASSERT_EQ(::chmod((dir_ / "k.secret").c_str(), 0644), 0);
  auto loaded = ReadSecretKeyFile(dir_ / "k.secret");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), Code::kPermissionDenied);
  EXPECT_NE(loaded.status().message().find("chmod 600"), std::string::npos);
  ASSERT_EQ(::chmod((dir_ / "k.secret").c_str(), 0640), 0);
  EXPECT_FALSE(ReadSecretKeyFile(dir_ / "k.secret").ok());
}

TEST_F(KeyFileTest, NeverOverwritesAKey) {
  KeyPair first = KeyPair::Generate();
  KeyPair second = KeyPair::Generate();
  ASSERT_TRUE(WriteSecretKeyFile(dir_ / "k.secret", first).ok());
  Status again = WriteSecretKeyFile(dir_ / "k.secret", second);
  EXPECT_EQ(again.code(), Code::kAlreadyExists);
  EXPECT_EQ(ReadSecretKeyFile(dir_ / "k.secret")->public_key, first.public_key);
}

TEST_F(KeyFileTest, PublicKeyFileRoundTripsAndMalformedFilesAreRefused) {
  KeyPair pair = KeyPair::Generate();
  ASSERT_TRUE(WritePublicKeyFile(dir_ / "k.public", pair.public_key).ok());
  EXPECT_EQ(*ReadPublicKeyFile(dir_ / "k.public"), pair.public_key);

  std::ofstream(dir_ / "bad.public") << "mbl-ed25519-public-v1 abcd\n";
  EXPECT_EQ(ReadPublicKeyFile(dir_ / "bad.public").status().code(), Code::kInvalidArgument);
  std::ofstream(dir_ / "wrongtag.public") << "ssh-ed25519 AAAA\n";
  EXPECT_EQ(ReadPublicKeyFile(dir_ / "wrongtag.public").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ReadPublicKeyFile(dir_ / "missing.public").status().code(), Code::kNotFound);
  // A public key file is not a secret key file.
  ASSERT_EQ(::chmod((dir_ / "k.public").c_str(), 0600), 0);
  EXPECT_EQ(ReadSecretKeyFile(dir_ / "k.public").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace mbl::crypto
