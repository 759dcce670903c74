// Validator-set epochs on the node (docs/decisions/0011-validator-set-epochs.md). Epoch n runs
// its own consensus instance: the validator set the state held after block base_n, signatures
// under EpochDomain(chain id, n), and a root block at height base_n built from that block's
// header. The block that changes the set ends the epoch; its commit is proven by a CommitProof,
// kept in the safety column, and served with the epoch's blocks to nodes that catch up.
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
#include "node/block.h"
#include "node/store.h"

namespace mbl::node {

// What a node needs to reach another validator of an epoch, read from the ledger's state.
struct ValidatorEndpoint {
  crypto::PublicKey key{};
  std::string address;  // host:port of its validator link listener
};

// Epoch 0 signs under the chain id itself; epoch n >= 1 under
// SHA-256("mbl.epoch-domain.v1\0" || chain id || u64 n), so that no signature of one epoch counts
// in another (rounds start again at 0 in every epoch).
crypto::Hash256 EpochDomain(const crypto::Hash256& chain_id, std::uint64_t epoch);

struct EpochSetup {
  std::uint64_t number = 0;
  consensus::Genesis genesis;                 // the epoch's root block (height base_n)
  std::vector<ValidatorEndpoint> validators;  // by validator index
  crypto::Hash256 domain{};
  std::optional<std::uint32_t> self;  // this node's index when it is a validator of the epoch

  std::vector<crypto::PublicKey> keys() const;
};

// The epoch the store's committed state is in, for the node holding `node_key`.
Result<EpochSetup> ReadEpochSetup(const Store& store, const crypto::Hash256& chain_id,
                                  const crypto::PublicKey& node_key);

// A chain of QCs q_1..q_m that proves the block q_1 certifies committed: each q_{i+1} certifies a
// child of q_i's block, and q_m's block is in the round right after its parent's (the 2-chain
// commit rule: q_m commits its parent, an descendant of q_1's block or that block itself).
using CommitProof = std::vector<consensus::QuorumCertificate>;
std::string EncodeCommitProof(const CommitProof& proof);
Result<CommitProof> DecodeCommitProof(std::string_view bytes);
Status VerifyCommitProof(const CommitProof& proof, consensus::CertificateVerifier& verifier);

// The proof that epoch `epoch`'s last block committed, kept in the safety column.
Status PutEpochEnd(Store& store, std::uint64_t epoch, const CommitProof& proof);
std::optional<CommitProof> GetEpochEnd(const Store& store, std::uint64_t epoch);

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

// The blocks after `after_height` of ended epoch `epoch` (at most `bytes_max` of them, at least
// one), or an error when this store cannot serve them.
Result<SyncChunk> BuildSyncChunk(const Store& store, std::uint64_t epoch,
                                 std::uint64_t after_height, std::size_t bytes_max);

// Checks a chunk against the epoch a node is in (`setup`) and its tip: the blocks follow the tip
// one by one, each is the block its QC certifies under the epoch's validators, and the proof
// commits the last. Returns the consensus blocks to commit, in order.
Result<std::vector<consensus::CommittedBlock>> VerifySyncChunk(const SyncChunk& chunk,
                                                               const EpochSetup& setup,
                                                               const Store& store);

}  // namespace mbl::node
