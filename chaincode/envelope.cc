#include "chaincode/envelope.h"

#include <cstring>

#include "base/limits.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {
namespace {

constexpr std::size_t kLengthBytes = 4;
constexpr std::size_t kEnvelopeFixedBytes =
    kLengthBytes + crypto::kPublicKeyBytes + crypto::kSignatureBytes;

}  // namespace

RecordId ComputeRecordId(std::string_view payload) {
  return crypto::Sha256Hasher().Update(kRecordDomainTag).Update(payload).Final();
}

std::string SigningMessage(std::string_view payload) {
  std::string message;
  message.reserve(kRecordDomainTag.size() + payload.size());
  message.append(kRecordDomainTag);
  message.append(payload);
  return message;
}

SignedRecord SignRecord(std::string payload, const crypto::KeyPair& signer) {
  SignedRecord record;
  record.signature = crypto::Sign(signer.secret_key, SigningMessage(payload));
  record.signer = signer.public_key;
  record.payload = std::move(payload);
  return record;
}

Status VerifyEnvelope(const SignedRecord& record) {
  if (record.payload.empty()) return InvalidArgument("record payload is empty");
  if (record.payload.size() > limits::kRecordPayloadBytesMax) {
    return InvalidArgument("record payload is " + std::to_string(record.payload.size()) +
                           " bytes; the limit is " +
                           std::to_string(limits::kRecordPayloadBytesMax) +
                           " (records carry document hashes, not documents)");
  }
  if (!crypto::Verify(record.signer, SigningMessage(record.payload), record.signature)) {
    return Unauthenticated("record signature does not verify against signer key " +
                           crypto::ToHex(record.signer));
  }
  return Status::Ok();
}

std::string EncodeEnvelope(const SignedRecord& record) {
  MBL_CHECK_LE(record.payload.size(), 0xffffffffULL);
  std::string out;
  out.reserve(kEnvelopeFixedBytes + record.payload.size());
  auto length = static_cast<std::uint32_t>(record.payload.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(length >> shift));
  out.append(record.payload);
  out.append(reinterpret_cast<const char*>(record.signer.data()), record.signer.size());
  out.append(reinterpret_cast<const char*>(record.signature.data()), record.signature.size());
  return out;
}

Result<SignedRecord> DecodeEnvelope(std::string_view bytes) {
  if (bytes.size() < kEnvelopeFixedBytes) {
    return InvalidArgument("envelope is " + std::to_string(bytes.size()) +
                           " bytes, shorter than its fixed part");
  }
  std::uint32_t length = 0;
  for (std::size_t i = 0; i < kLengthBytes; ++i) {
    length = (length << 8) | static_cast<std::uint8_t>(bytes[i]);
  }
  if (length > limits::kRecordPayloadBytesMax) {
    return InvalidArgument("envelope declares a payload of " + std::to_string(length) +
                           " bytes, above the limit");
  }
  if (bytes.size() != kEnvelopeFixedBytes + length) {
    return InvalidArgument("envelope length " + std::to_string(bytes.size()) +
                           " does not match its declared payload length " + std::to_string(length));
  }
  SignedRecord record;
  record.payload.assign(bytes.substr(kLengthBytes, length));
  std::memcpy(record.signer.data(), bytes.data() + kLengthBytes + length, crypto::kPublicKeyBytes);
  std::memcpy(record.signature.data(),
              bytes.data() + kLengthBytes + length + crypto::kPublicKeyBytes,
              crypto::kSignatureBytes);
  return record;
}

}  // namespace mbl::chaincode
