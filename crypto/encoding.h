// Hex and base64 for keys, hashes and payloads that cross text boundaries (JSON, files, logs).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace mbl::crypto {

std::string ToHex(std::span<const std::uint8_t> bytes);
std::string ToHex(std::string_view bytes);
// Accepts upper or lower case; rejects odd lengths and non-hex characters.
Result<std::string> FromHex(std::string_view hex);

// Standard base64 with padding (RFC 4648 section 4).
std::string ToBase64(std::string_view bytes);
Result<std::string> FromBase64(std::string_view text);

// Decodes hex into exactly N bytes, naming `what` in the error.
template <std::size_t N>
Result<std::array<std::uint8_t, N>> FixedFromHex(std::string_view hex, std::string_view what);

// Constant-time equality (sodium_memcmp); false when lengths differ.
bool ConstantTimeEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

template <std::size_t N>
Result<std::array<std::uint8_t, N>> FixedFromHex(std::string_view hex, std::string_view what) {
  auto bytes = FromHex(hex);
  if (!bytes.ok()) return bytes.status().WithContext(what);
  if (bytes->size() != N) {
    return InvalidArgument(std::string(what) + ": expected " + std::to_string(N) + " bytes (" +
                           std::to_string(2 * N) + " hex characters), got " +
                           std::to_string(bytes->size()) + " bytes");
  }
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>((*bytes)[i]);
  return out;
}

}  // namespace mbl::crypto
