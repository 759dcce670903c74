// Ed25519 signatures (libsodium). Verification is strict: libsodium >= 1.0.16 rejects
// non-canonical encodings of S and R and small-order public keys (docs/formats.md pins the rules).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/status.h"

namespace mbl::crypto {

inline constexpr std::size_t kPublicKeyBytes = 32;
inline constexpr std::size_t kSecretKeyBytes = 64;  // libsodium layout: seed || public key
inline constexpr std::size_t kSeedBytes = 32;
inline constexpr std::size_t kSignatureBytes = 64;

using PublicKey = std::array<std::uint8_t, kPublicKeyBytes>;
using Signature = std::array<std::uint8_t, kSignatureBytes>;

// Secret key material: never copied implicitly, wiped on destruction.
class SecretKey {
 public:
  SecretKey() = default;
  explicit SecretKey(const std::array<std::uint8_t, kSecretKeyBytes>& bytes) : bytes_(bytes) {}
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  ~SecretKey();

  const std::array<std::uint8_t, kSecretKeyBytes>& bytes() const { return bytes_; }
  std::span<const std::uint8_t, kSeedBytes> seed() const {
    return std::span<const std::uint8_t, kSeedBytes>(bytes_.data(), kSeedBytes);
  }

 private:
  std::array<std::uint8_t, kSecretKeyBytes> bytes_{};
};

struct KeyPair {
  PublicKey public_key{};
  SecretKey secret_key;

  static KeyPair Generate();  // from the OS CSPRNG (randombytes)
  static KeyPair FromSeed(std::span<const std::uint8_t, kSeedBytes> seed);
};

Signature Sign(const SecretKey& secret_key, std::span<const std::uint8_t> message);
Signature Sign(const SecretKey& secret_key, std::string_view message);
bool Verify(const PublicKey& public_key, std::span<const std::uint8_t> message,
            const Signature& signature);
bool Verify(const PublicKey& public_key, std::string_view message, const Signature& signature);

// Must be called once before any other function of crypto/ (idempotent, thread safe).
Status InitializeCrypto();

}  // namespace mbl::crypto
