#include "crypto/sha256.h"

#include "base/check.h"

namespace mbl::crypto {

Hash256 Sha256(std::span<const std::uint8_t> data) {
  Hash256 out{};
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

Hash256 Sha256(std::string_view data) {
  return Sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()),
                                              data.size()));
}

Sha256Hasher::Sha256Hasher() { crypto_hash_sha256_init(&state_); }

Sha256Hasher& Sha256Hasher::Update(std::span<const std::uint8_t> data) {
  MBL_CHECK(!finished_);
  crypto_hash_sha256_update(&state_, data.data(), data.size());
  return *this;
}

Sha256Hasher& Sha256Hasher::Update(std::string_view data) {
  return Update(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()),
                                              data.size()));
}

Sha256Hasher& Sha256Hasher::UpdateU8(std::uint8_t value) {
  return Update(std::span<const std::uint8_t>(&value, 1));
}

Sha256Hasher& Sha256Hasher::UpdateU32BigEndian(std::uint32_t value) {
  std::uint8_t bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
  return Update(std::span<const std::uint8_t>(bytes, 4));
}

Sha256Hasher& Sha256Hasher::UpdateU64BigEndian(std::uint64_t value) {
  std::uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (56 - 8 * i));
  return Update(std::span<const std::uint8_t>(bytes, 8));
}

Sha256Hasher& Sha256Hasher::UpdateLengthPrefixed(std::string_view data) {
  MBL_CHECK_LE(data.size(), 0xffffffffULL);
  UpdateU32BigEndian(static_cast<std::uint32_t>(data.size()));
  return Update(data);
}

Hash256 Sha256Hasher::Final() {
  MBL_CHECK(!finished_);
  finished_ = true;
  Hash256 out{};
  crypto_hash_sha256_final(&state_, out.data());
  return out;
}

}  // namespace mbl::crypto
