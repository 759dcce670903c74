// The formats of validator-set epochs (docs/decisions/0011-validator-set-epochs.md): the signing
// domain of each epoch, the commit proof that ends one, and the sync chunks that carry an ended
// epoch's blocks to a node that catches up, with their checks. Pure: what a node reads from its
// store for them is in node/epoch.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "consensus/certificates.h"
#include "consensus/core.h"
#include "consensus/types.h"
#include "formats/block.h"

namespace mbl::formats {

// Epoch 0 signs under the chain id itself; epoch n >= 1 under
// SHA-256("mbl.epoch-domain.v1\0" || chain id || u64 n), so that no signature of one epoch counts
// in another (rounds start again at 0 in every epoch).
crypto::Hash256 EpochDomain(const crypto::Hash256& chain_id, std::uint64_t epoch);

// A chain of QCs q_1..q_m that proves the block q_1 certifies committed: each q_{i+1} certifies a
// child of q_i's block, and q_m's block is in the round right after its parent's (the 2-chain
// commit rule: q_m commits its parent, an descendant of q_1's block or that block itself).
using CommitProof = std::vector<consensus::QuorumCertificate>;
std::string EncodeCommitProof(const CommitProof& proof);
Result<CommitProof> DecodeCommitProof(std::string_view bytes);
Status VerifyCommitProof(const CommitProof& proof, consensus::CertificateVerifier& verifier);

// The consensus block a stored BFT block was, given the QC of its parent (the epoch root's QC for
// the first block of an epoch); an error when the stored block is not the one its QC certifies.
Result<consensus::CommittedBlock> ToConsensusBlock(const Block& stored,
                                                   const consensus::QuorumCertificate& parent_qc);

// Catch-up across epochs: committed blocks of an ended epoch, oldest first, with the proof that
// the last of them committed.
struct SyncChunk {
  std::uint64_t epoch = 0;
  std::vector<Block> blocks;
  CommitProof proof;
};
std::string EncodeSyncChunk(const SyncChunk& chunk);
Result<SyncChunk> DecodeSyncChunk(std::string_view bytes);

// What a sync chunk is checked against: the epoch a node is in and the tip the chunk must extend.
struct SyncBase {
  std::uint64_t epoch = 0;
  consensus::Genesis root;                             // the epoch's root block (height base_n)
  std::vector<crypto::PublicKey> validators;           // the epoch's keys, by validator index
  crypto::Hash256 domain{};                            // EpochDomain of the epoch
  std::uint64_t tip_height = 0;                        // the node's last committed block
  crypto::Hash256 tip_hash{};                          // BlockHash of its header
  std::optional<consensus::QuorumCertificate> tip_qc;  // its QC; none when the tip is the root
};

// The blocks follow the tip one by one, each is the block its QC certifies under the epoch's
// validators, and the proof commits the last. Returns the consensus blocks to commit, in order.
Result<std::vector<consensus::CommittedBlock>> VerifySyncChunk(const SyncChunk& chunk,
                                                               const SyncBase& base);

}  // namespace mbl::formats
