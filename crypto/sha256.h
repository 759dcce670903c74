// SHA-256 (FIPS 180-4), the only hash of the ledger (DESIGN D3).
//
// Our own implementation rather than libsodium's: every record, result, block and state write is
// hashed, and libsodium 1.0.18 has only a portable SHA-256 (about 150 MB/s here), which was half
// the chaincode's time. This one uses the CPU's SHA extensions where present (x86-64 SHA-NI,
// checked at run time) and a portable path elsewhere; both are tested against libsodium and the
// FIPS known answers (docs/decisions/0009-sha256.md).
#pragma once

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

// Which compression function runs the 64-byte blocks.
enum class Sha256Engine : std::uint8_t {
  kAutomatic,  // SHA extensions when the CPU has them, else portable
  kPortable,   // plain C++, every CPU (tests compare it with the other)
};
// True when this CPU runs the SHA-extension path (for benchmarks and logs).
bool Sha256UsesCpuExtensions();

// Incremental hashing for structures assembled from several parts.
class Sha256Hasher {
 public:
  explicit Sha256Hasher(Sha256Engine engine = Sha256Engine::kAutomatic);
  Sha256Hasher& Update(std::span<const std::uint8_t> data);
  Sha256Hasher& Update(std::string_view data);
  Sha256Hasher& UpdateU8(std::uint8_t value);
  Sha256Hasher& UpdateU32BigEndian(std::uint32_t value);
  Sha256Hasher& UpdateU64BigEndian(std::uint64_t value);
  // Writes a u32 big-endian length followed by the bytes (unambiguous concatenation).
  Sha256Hasher& UpdateLengthPrefixed(std::string_view data);
  Hash256 Final();

  using CompressFn = void (*)(std::uint32_t state[8], const std::uint8_t* blocks,
                              std::size_t count);

 private:
  void Absorb(const std::uint8_t* data, std::size_t size);

  CompressFn compress_;
  std::uint32_t state_[8];
  std::uint8_t buffer_[64];
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
  bool finished_ = false;
};

}  // namespace mbl::crypto
