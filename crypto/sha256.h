// SHA-256 (libsodium), the only hash of the ledger (DESIGN D3).
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace mbl::crypto {

inline constexpr std::size_t kHashBytes = 32;
using Hash256 = std::array<std::uint8_t, kHashBytes>;

Hash256 Sha256(std::span<const std::uint8_t> data);
Hash256 Sha256(std::string_view data);

// Incremental hashing for structures assembled from several parts.
class Sha256Hasher {
 public:
  Sha256Hasher();
  Sha256Hasher& Update(std::span<const std::uint8_t> data);
  Sha256Hasher& Update(std::string_view data);
  Sha256Hasher& UpdateU8(std::uint8_t value);
  Sha256Hasher& UpdateU32BigEndian(std::uint32_t value);
  Sha256Hasher& UpdateU64BigEndian(std::uint64_t value);
  // Writes a u32 big-endian length followed by the bytes (unambiguous concatenation).
  Sha256Hasher& UpdateLengthPrefixed(std::string_view data);
  Hash256 Final();

 private:
  crypto_hash_sha256_state state_;
  bool finished_ = false;
};

}  // namespace mbl::crypto
