// The consensus payload of a block: its ordered records, and the BFT certificate a committed
// block carries in the store. Formats in docs/formats.md ("Consensus payload", "BFT certificate").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chaincode/envelope.h"
#include "consensus/codec.h"
#include "consensus/types.h"

namespace mbl::formats {

// u32 count || count * (u32 length || EncodeEnvelope). No records encode as the empty string,
// which is what the consensus core treats as "nothing to propose".
std::string EncodeRecordsPayload(const std::vector<chaincode::SignedRecord>& records);
// Refuses truncation, trailing bytes, more than limits::kBlockRecordsMax records and a non-empty
// encoding of zero records (so every record list has exactly one encoding).
Result<std::vector<chaincode::SignedRecord>> DecodeRecordsPayload(std::string_view bytes);

// What a block committed by BFT consensus stores as its certificate: what the block header does
// not say about the consensus block (round, author) and the QC that certifies it.
// u8 version (2) || u64 round || u32 author || EncodeQuorumCertificate(qc).
struct BftCertificate {
  consensus::Round round = 0;
  consensus::ValidatorIndex author = 0;
  consensus::QuorumCertificate qc;
};
inline constexpr std::uint8_t kBftCertificateVersion = 2;
std::string EncodeBftCertificate(const BftCertificate& certificate);
// `order`: how the QC's signers are taken (consensus::DecodeQuorumCertificate).
Result<BftCertificate> DecodeBftCertificate(
    std::string_view bytes, consensus::SignerOrder order = consensus::SignerOrder::kIncreasing);

}  // namespace mbl::formats
