// Canonical bytes of every consensus structure (docs/consensus.md, "Byte formats"): what is
// signed, what is hashed into a block id, and what travels between validators. Hand-written,
// big-endian, length-prefixed; one encoding per value, so decoding and re-encoding is the identity
// and a signature never depends on a serializer's choices (DESIGN D3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "consensus/types.h"
#include "crypto/sha256.h"

namespace mbl::consensus {

// The first byte of every encoded message and of the persisted safety data.
inline constexpr std::uint8_t kCodecVersion = 1;

// Domain-separation tags: each starts the bytes it guards, NUL-terminated, so that bytes signed
// for one purpose can never be read as bytes of another.
inline constexpr std::string_view kBlockIdTag{"mbl.consensus.block.v1\0", 23};
inline constexpr std::string_view kVoteDataTag{"mbl.consensus.vote-data.v1\0", 27};
inline constexpr std::string_view kProposalSignTag{"mbl.consensus.proposal.v1\0", 26};
inline constexpr std::string_view kVoteSignTag{"mbl.consensus.vote.v1\0", 22};
inline constexpr std::string_view kTimeoutSignTag{"mbl.consensus.timeout.v1\0", 25};

enum class MessageType : std::uint8_t {
  kProposal = 1,
  kVote = 2,
  kTimeout = 3,
  kSyncInfo = 4,
  kBlockRequest = 5,
  kBlockResponse = 6,
};

// ---- Hashes and signed bytes ------------------------------------------------------------------

// SHA-256(kVoteDataTag || EncodeVoteData(vote_data)).
crypto::Hash256 VoteDataDigest(const VoteData& vote_data);
// SHA-256(kBlockIdTag || round || height || time_ms || author || VoteDataDigest(qc.vote_data) ||
//         SHA-256(payload) || execution.state_root || execution.results_root).
BlockId ComputeBlockId(const Block& block);
// Sets block.id from the fields.
void SealBlock(Block& block);
// SHA-256 of the full encoded QC (signatures included): the key of the verified-QC cache.
crypto::Hash256 QuorumCertificateDigest(const QuorumCertificate& qc);
crypto::Hash256 TimeoutCertificateDigest(const TimeoutCertificate& tc);

// The exact bytes each signature covers; chain_id binds them to one network.
std::string ProposalSigningBytes(const crypto::Hash256& chain_id, const BlockId& block_id);
std::string VoteSigningBytes(const crypto::Hash256& chain_id, const VoteData& vote_data);
std::string TimeoutSigningBytes(const crypto::Hash256& chain_id, Round round, Round high_qc_round);

// ---- Structures -------------------------------------------------------------------------------

std::string EncodeVoteData(const VoteData& vote_data);
std::string EncodeQuorumCertificate(const QuorumCertificate& qc);
std::string EncodeTimeoutCertificate(const TimeoutCertificate& tc);
std::string EncodeBlock(const Block& block);
// Decoders reject truncated input, trailing bytes, counts over the limits of base/limits.h and
// unsorted or duplicate signers. A decoded block's id is computed, never read.
// kAsListed takes a QC's signers in the order they come, for a verifier that names what is wrong
// with a certificate (CheckQuorumCertificate in certificates.h then refuses them, typed).
enum class SignerOrder { kIncreasing, kAsListed };
Result<QuorumCertificate> DecodeQuorumCertificate(std::string_view bytes,
                                                  SignerOrder order = SignerOrder::kIncreasing);
Result<Block> DecodeBlock(std::string_view bytes);

// ---- Messages ---------------------------------------------------------------------------------

// kCodecVersion || MessageType || body.
std::string EncodeMessage(const Message& message);
Result<Message> DecodeMessage(std::string_view bytes);

// ---- Persisted safety data (the host stores these bytes and syncs them) ----------------------
std::string EncodeSafetyData(const SafetyData& data);
Result<SafetyData> DecodeSafetyData(std::string_view bytes);

}  // namespace mbl::consensus
