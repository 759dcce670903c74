// The signed record envelope (DESIGN D3): the exact payload bytes that were signed, the signer's
// public key and the signature. Payload bytes are stored, forwarded and hashed as they are, never
// re-serialized. Byte layouts are in docs/formats.md ("Signed record envelope").
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"

namespace mbl::chaincode {

using RecordId = crypto::Hash256;

// Domain tag in front of the payload in both the signed message and the record id, so a record
// signature can never be mistaken for any other signature of the ledger.
inline constexpr std::string_view kRecordDomainTag{"mbl.record.v1\0", 14};

struct SignedRecord {
  std::string payload;  // serialized mbl.v1.Record, exactly as signed
  crypto::PublicKey signer{};
  crypto::Signature signature{};
};

// record id = SHA-256(kRecordDomainTag || payload). Independent of the signature, so the same
// payload re-signed is still the same record (R5: takes effect once).
RecordId ComputeRecordId(std::string_view payload);

// The bytes an author signs: kRecordDomainTag || payload.
std::string SigningMessage(std::string_view payload);

SignedRecord SignRecord(std::string payload, const crypto::KeyPair& signer);

// Verifies size limits and the signature; never parses the payload.
Status VerifyEnvelope(const SignedRecord& record);

// Canonical envelope bytes: u32 big-endian payload length || payload || signer (32) ||
// signature (64). Used for storage, transport and as the Merkle leaf of the block's records root.
std::string EncodeEnvelope(const SignedRecord& record);
Result<SignedRecord> DecodeEnvelope(std::string_view bytes);

}  // namespace mbl::chaincode
