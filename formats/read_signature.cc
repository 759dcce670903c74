#include "formats/read_signature.h"

#include <charconv>

#include "crypto/encoding.h"

namespace mbl::formats {

std::string ReadSigningMessage(std::string_view method, std::string_view target,
                               std::int64_t time_ms) {
  std::string message("mbl.read.v1", 11);
  message.push_back('\0');
  message.append(method);
  message.push_back('\n');
  message.append(target);
  message.push_back('\n');
  message.append(std::to_string(time_ms));
  return message;
}

ReadSignature SignRead(std::string_view method, std::string_view target, std::int64_t time_ms,
                       const crypto::KeyPair& key) {
  return ReadSignature{key.public_key, time_ms,
                       crypto::Sign(key.secret_key, ReadSigningMessage(method, target, time_ms))};
}

Result<crypto::PublicKey> VerifyReadSignature(std::string_view method, std::string_view target,
                                              std::string_view key_hex, std::string_view time_text,
                                              std::string_view signature_hex, std::int64_t now_ms,
                                              std::int64_t window_ms) {
  if (key_hex.empty() || time_text.empty() || signature_hex.empty()) {
    return Unauthenticated(
        "this read needs a signed request: headers X-Mbl-Key, X-Mbl-Time and "
        "X-Mbl-Signature (docs/api.md, 'Signed reads')");
  }
  auto key = crypto::FixedFromHex<crypto::kPublicKeyBytes>(key_hex, "X-Mbl-Key");
  if (!key.ok()) return Unauthenticated(key.status().message());
  auto signature = crypto::FixedFromHex<crypto::kSignatureBytes>(signature_hex, "X-Mbl-Signature");
  if (!signature.ok()) return Unauthenticated(signature.status().message());
  std::int64_t time_ms = 0;
  auto [end, error] =
      std::from_chars(time_text.data(), time_text.data() + time_text.size(), time_ms);
  if (error != std::errc() || end != time_text.data() + time_text.size()) {
    return Unauthenticated("X-Mbl-Time must be UTC milliseconds");
  }
  if (time_ms < now_ms - window_ms || time_ms > now_ms + window_ms) {
    return Unauthenticated("the signed request's time is more than " +
                           std::to_string(window_ms / 1000) +
                           " s away from the node's clock; sign it again (and check the clock)");
  }
  if (!crypto::Verify(*key, ReadSigningMessage(method, target, time_ms), *signature)) {
    return Unauthenticated("the request signature does not verify for X-Mbl-Key");
  }
  return *key;
}

}  // namespace mbl::formats
