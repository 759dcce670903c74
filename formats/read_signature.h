// Signed read requests (DESIGN D6): reads other than health, validators and exit lookup carry
//   X-Mbl-Key:       hex Ed25519 public key of a member's person
//   X-Mbl-Time:      UTC milliseconds when the request was signed
//   X-Mbl-Signature: hex Ed25519 signature over ReadSigningMessage(method, target, time)
// Free of HTTP library types so the CLI signs with the same code the node verifies with.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/ed25519.h"

namespace mbl::formats {

inline constexpr std::string_view kReadKeyHeader = "X-Mbl-Key";
inline constexpr std::string_view kReadTimeHeader = "X-Mbl-Time";
inline constexpr std::string_view kReadSignatureHeader = "X-Mbl-Signature";

// "mbl.read.v1\0" || method || "\n" || target (path and query, as sent) || "\n" || decimal time.
std::string ReadSigningMessage(std::string_view method, std::string_view target,
                               std::int64_t time_ms);

struct ReadSignature {
  crypto::PublicKey key{};
  std::int64_t time_ms = 0;
  crypto::Signature signature{};
};

ReadSignature SignRead(std::string_view method, std::string_view target, std::int64_t time_ms,
                       const crypto::KeyPair& key);

// Parses the three header values and checks the signature and that time_ms is within
// `window_ms` of now_ms. kUnauthenticated with the reason otherwise.
Result<crypto::PublicKey> VerifyReadSignature(std::string_view method, std::string_view target,
                                              std::string_view key_hex, std::string_view time_text,
                                              std::string_view signature_hex, std::int64_t now_ms,
                                              std::int64_t window_ms);

}  // namespace mbl::formats
