#include "crypto/ed25519.h"

#include <sodium.h>

#include <mutex>

#include "base/check.h"

namespace mbl::crypto {

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_) {
  sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
  }
  return *this;
}

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

KeyPair KeyPair::Generate() {
  MBL_CHECK(InitializeCrypto().ok());
  std::array<std::uint8_t, kSeedBytes> seed{};
  randombytes_buf(seed.data(), seed.size());
  KeyPair pair = FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return pair;
}

KeyPair KeyPair::FromSeed(std::span<const std::uint8_t, kSeedBytes> seed) {
  MBL_CHECK(InitializeCrypto().ok());
  KeyPair pair;
  std::array<std::uint8_t, kSecretKeyBytes> secret{};
  MBL_CHECK_EQ(crypto_sign_seed_keypair(pair.public_key.data(), secret.data(), seed.data()), 0);
  pair.secret_key = SecretKey(secret);
  sodium_memzero(secret.data(), secret.size());
  return pair;
}

Signature Sign(const SecretKey& secret_key, std::span<const std::uint8_t> message) {
  Signature signature{};
  MBL_CHECK_EQ(crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                                    secret_key.bytes().data()),
               0);
  return signature;
}

Signature Sign(const SecretKey& secret_key, std::string_view message) {
  return Sign(secret_key,
              std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(message.data()),
                                            message.size()));
}

bool Verify(const PublicKey& public_key, std::span<const std::uint8_t> message,
            const Signature& signature) {
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

bool Verify(const PublicKey& public_key, std::string_view message, const Signature& signature) {
  return Verify(public_key,
                std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(message.data()),
                                              message.size()),
                signature);
}

Status InitializeCrypto() {
  static std::once_flag once;
  static int result = -1;
  std::call_once(once, [] { result = sodium_init(); });
  // sodium_init returns 1 when already initialized elsewhere, which is fine.
  if (result < 0) return Internal("libsodium failed to initialize (sodium_init)");
  return Status::Ok();
}

}  // namespace mbl::crypto
