#include "node/epoch.h"

#include <algorithm>

#include "base/big_endian.h"
#include "base/check.h"
#include "base/limits.h"
#include "chaincode/epochs.h"
#include "chaincode/registry.h"
#include "consensus/codec.h"
#include "crypto/encoding.h"
#include "node/records_payload.h"

namespace mbl::node {
namespace {

using big_endian::PutBytes;
using big_endian::PutU32;
using big_endian::PutU64;
using big_endian::TakeBytes;
using big_endian::TakeUint;

constexpr std::string_view kEpochDomainTag{"mbl.epoch-domain.v1\0", 20};

std::string Text(std::uint64_t value) { return std::to_string(value); }

std::string EpochEndKey(std::uint64_t epoch) { return "epoch_end/" + Text(epoch); }

// The epoch's base heights from the state: base[n] for n = 0..current.
std::vector<std::uint64_t> BaseHeights(const chaincode::StateReader& state) {
  std::vector<std::uint64_t> bases{0};
  for (const auto& epoch : chaincode::StoredEpochs(state)) bases.push_back(epoch.base_height);
  return bases;
}

Result<consensus::QuorumCertificate> StoredQc(const Store& store, std::uint64_t height) {
  MBL_ASSIGN_OR_RETURN(Block block, store.GetBlock(height));
  MBL_ASSIGN_OR_RETURN(BftCertificate certificate, DecodeBftCertificate(block.certificate));
  return certificate.qc;
}

}  // namespace

crypto::Hash256 EpochDomain(const crypto::Hash256& chain_id, std::uint64_t epoch) {
  if (epoch == 0) return chain_id;
  std::string bytes(kEpochDomainTag);
  bytes.append(reinterpret_cast<const char*>(chain_id.data()), chain_id.size());
  PutU64(bytes, epoch);
  return crypto::Sha256(bytes);
}

std::vector<crypto::PublicKey> EpochSetup::keys() const {
  std::vector<crypto::PublicKey> keys;
  for (const auto& validator : validators) keys.push_back(validator.key);
  return keys;
}

Result<EpochSetup> ReadEpochSetup(const Store& store, const crypto::Hash256& chain_id,
                                  const crypto::PublicKey& node_key) {
  auto snapshot = store.Snapshot();
  const chaincode::EpochInfo epoch = chaincode::CurrentEpoch(*snapshot);
  EpochSetup setup;
  setup.number = epoch.number;
  setup.domain = EpochDomain(chain_id, epoch.number);
  MBL_ASSIGN_OR_RETURN(Block root, store.GetBlock(epoch.base_height));
  setup.genesis.height = epoch.base_height;
  setup.genesis.time_ms = root.header.time_ms;
  setup.genesis.execution = {root.header.state_root, root.header.results_root};
  for (const auto& validator : chaincode::GetValidators(*snapshot)) {
    auto key = crypto::FixedFromHex<crypto::kPublicKeyBytes>(validator.public_key(),
                                                             "validator public key");
    if (!key.ok()) return DataLoss("validator key in the ledger state: " + key.status().message());
    if (*key == node_key) setup.self = static_cast<std::uint32_t>(setup.validators.size());
    setup.validators.push_back({*key, validator.address()});
  }
  if (setup.validators.empty()) return DataLoss("the ledger state has no validators");
  return setup;
}

std::string EncodeCommitProof(const CommitProof& proof) {
  std::string out;
  PutU32(out, static_cast<std::uint32_t>(proof.size()));
  for (const auto& qc : proof) PutBytes(out, consensus::EncodeQuorumCertificate(qc));
  return out;
}

Result<CommitProof> DecodeCommitProof(std::string_view bytes) {
  std::uint64_t count = 0;
  if (!TakeUint(bytes, 4, count) || count == 0 || count > limits::kCommitProofQcsMax) {
    return InvalidArgument("commit proof: between 1 and " + Text(limits::kCommitProofQcsMax) +
                           " certificates expected");
  }
  CommitProof proof;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string_view qc_bytes;
    if (!TakeBytes(bytes, qc_bytes)) return InvalidArgument("commit proof: truncated");
    MBL_ASSIGN_OR_RETURN(auto qc, consensus::DecodeQuorumCertificate(qc_bytes));
    proof.push_back(std::move(qc));
  }
  if (!bytes.empty()) return InvalidArgument("commit proof: trailing bytes");
  return proof;
}

Status VerifyCommitProof(const CommitProof& proof, consensus::CertificateVerifier& verifier) {
  if (proof.size() < 2 || proof.size() > limits::kCommitProofQcsMax) {
    return InvalidArgument("commit proof: 2 to " + Text(limits::kCommitProofQcsMax) +
                           " certificates expected, got " + Text(proof.size()));
  }
  for (std::size_t i = 0; i < proof.size(); ++i) {
    MBL_RETURN_IF_ERROR(verifier.VerifyQc(proof[i]).WithContext("commit proof"));
    if (i == 0) continue;
    const consensus::VoteData& child = proof[i].vote_data;
    const consensus::VoteData& parent = proof[i - 1].vote_data;
    if (child.parent_id != parent.block_id || child.parent_round != parent.round ||
        child.height != parent.height + 1) {
      return InvalidArgument("commit proof: certificate " + Text(i) +
                             " does not certify a child of the block before it");
    }
  }
  const consensus::VoteData& last = proof.back().vote_data;
  if (!consensus::ProvesCommit(last)) {
    return InvalidArgument(
        "commit proof: its last certificate is not one round after its parent, "
        "so it commits nothing");
  }
  return Status::Ok();
}

Status PutEpochEnd(Store& store, std::uint64_t epoch, const CommitProof& proof) {
  return store.PutSafetyData(EpochEndKey(epoch), EncodeCommitProof(proof));
}

std::optional<CommitProof> GetEpochEnd(const Store& store, std::uint64_t epoch) {
  std::optional<std::string> bytes = store.GetSafetyData(EpochEndKey(epoch));
  if (!bytes) return std::nullopt;
  auto proof = DecodeCommitProof(*bytes);
  MBL_CHECK_MSG(proof.ok(), "stored end proof of epoch " + Text(epoch) +
                                " is damaged: " + proof.status().ToString());
  return *proof;
}

Result<consensus::CommittedBlock> ToConsensusBlock(const Block& stored,
                                                   const consensus::QuorumCertificate& parent_qc) {
  MBL_ASSIGN_OR_RETURN(BftCertificate certificate, DecodeBftCertificate(stored.certificate));
  consensus::Block block;
  block.round = certificate.round;
  block.height = stored.header.height;
  block.time_ms = stored.header.time_ms;
  block.author = certificate.author;
  block.qc = parent_qc;
  block.payload = EncodeRecordsPayload(stored.records);
  block.execution = {stored.header.state_root, stored.header.results_root};
  consensus::SealBlock(block);
  if (block.id != certificate.qc.certified_block_id()) {
    return DataLoss("block " + Text(stored.header.height) +
                    " is not the block its quorum certificate certifies");
  }
  return consensus::CommittedBlock{std::move(block), std::move(certificate.qc)};
}

std::string EncodeSyncChunk(const SyncChunk& chunk) {
  std::string out;
  PutU64(out, chunk.epoch);
  PutU32(out, static_cast<std::uint32_t>(chunk.blocks.size()));
  for (const auto& block : chunk.blocks) PutBytes(out, EncodeBlock(block));
  PutBytes(out, EncodeCommitProof(chunk.proof));
  return out;
}

Result<SyncChunk> DecodeSyncChunk(std::string_view bytes) {
  SyncChunk chunk;
  std::uint64_t count = 0;
  if (!TakeUint(bytes, 8, chunk.epoch) || !TakeUint(bytes, 4, count) || count == 0 ||
      count > limits::kSyncChunkBlocksMax) {
    return InvalidArgument("sync chunk: between 1 and " + Text(limits::kSyncChunkBlocksMax) +
                           " blocks expected");
  }
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string_view block_bytes;
    if (!TakeBytes(bytes, block_bytes)) return InvalidArgument("sync chunk: truncated block");
    MBL_ASSIGN_OR_RETURN(Block block, DecodeBlock(block_bytes));
    chunk.blocks.push_back(std::move(block));
  }
  std::string_view proof_bytes;
  if (!TakeBytes(bytes, proof_bytes)) return InvalidArgument("sync chunk: truncated proof");
  MBL_ASSIGN_OR_RETURN(chunk.proof, DecodeCommitProof(proof_bytes));
  if (!bytes.empty()) return InvalidArgument("sync chunk: trailing bytes");
  return chunk;
}

Result<SyncChunk> BuildSyncChunk(const Store& store, std::uint64_t epoch,
                                 std::uint64_t after_height, std::size_t bytes_max) {
  auto snapshot = store.Snapshot();
  const std::vector<std::uint64_t> bases = BaseHeights(*snapshot);
  if (epoch + 1 >= bases.size()) {
    return FailedPrecondition("epoch " + Text(epoch) + " has not ended on this node");
  }
  const std::uint64_t end = bases[epoch + 1];
  if (after_height < bases[epoch] || after_height >= end) {
    return InvalidArgument("height " + Text(after_height) + " is not in epoch " + Text(epoch));
  }
  std::optional<CommitProof> end_proof = GetEpochEnd(store, epoch);
  if (!end_proof) return FailedPrecondition("no end proof of epoch " + Text(epoch) + " here");
  SyncChunk chunk;
  chunk.epoch = epoch;
  std::size_t bytes = 0;
  for (std::uint64_t height = after_height + 1; height <= end; ++height) {
    MBL_ASSIGN_OR_RETURN(Block block, store.GetBlock(height));
    const std::size_t size = EncodeBlock(block).size() + 4;
    if (!chunk.blocks.empty() &&
        (bytes + size > bytes_max || chunk.blocks.size() == limits::kSyncChunkBlocksMax)) {
      break;
    }
    bytes += size;
    chunk.blocks.push_back(std::move(block));
  }
  // The proof: QCs of the blocks from the last one sent up to the first whose round follows its
  // parent's (which commits its parent), or, failing that within the epoch, the end proof.
  const std::uint64_t last = chunk.blocks.back().header.height;
  MBL_ASSIGN_OR_RETURN(auto first, StoredQc(store, last));
  chunk.proof.push_back(std::move(first));
  for (std::uint64_t height = last + 1; height <= end; ++height) {
    if (chunk.proof.size() >= limits::kCommitProofQcsMax / 2) break;
    MBL_ASSIGN_OR_RETURN(auto qc, StoredQc(store, height));
    const bool commits_parent = consensus::ProvesCommit(qc.vote_data);
    chunk.proof.push_back(std::move(qc));
    if (commits_parent) return chunk;
  }
  if (chunk.proof.back().certified_block_id() != end_proof->front().certified_block_id()) {
    return FailedPrecondition("blocks " + Text(last) + ".." + Text(end) +
                              " have no short commit proof; ask for later blocks");
  }
  chunk.proof.insert(chunk.proof.end(), end_proof->begin() + 1, end_proof->end());
  if (chunk.proof.size() > limits::kCommitProofQcsMax) {
    return FailedPrecondition("the commit proof of block " + Text(last) + " is too long");
  }
  return chunk;
}

Result<std::vector<consensus::CommittedBlock>> VerifySyncChunk(const SyncChunk& chunk,
                                                               const EpochSetup& setup,
                                                               const Store& store) {
  if (chunk.epoch != setup.number) {
    return InvalidArgument("sync chunk of epoch " + Text(chunk.epoch) + ", this node is in " +
                           Text(setup.number));
  }
  MBL_ASSIGN_OR_RETURN(consensus::ValidatorSet validators,
                       consensus::ValidatorSet::Create(setup.keys()));
  const consensus::QuorumCertificate root_qc =
      consensus::MakeGenesisQc(consensus::MakeGenesisBlock(setup.genesis));
  consensus::CertificateVerifier verifier(validators, setup.domain, root_qc);
  const Tip tip = store.tip();
  consensus::QuorumCertificate parent_qc = root_qc;
  if (tip.height > setup.genesis.height) {
    MBL_ASSIGN_OR_RETURN(parent_qc, StoredQc(store, tip.height));
  }
  crypto::Hash256 parent_hash = tip.hash;
  std::uint64_t height = tip.height;
  std::vector<consensus::CommittedBlock> blocks;
  for (const Block& stored : chunk.blocks) {
    const std::string where = "sync chunk, block " + Text(stored.header.height);
    if (stored.header.height != height + 1 || stored.header.parent_hash != parent_hash) {
      return InvalidArgument(where + ": does not follow this node's block " + Text(height));
    }
    MBL_ASSIGN_OR_RETURN(consensus::CommittedBlock block, ToConsensusBlock(stored, parent_qc));
    MBL_RETURN_IF_ERROR(verifier.VerifyQc(block.qc).WithContext(where));
    if (block.qc.vote_data.execution != block.block.execution ||
        RecordsRoot(stored.records) != stored.header.records_root ||
        stored.header.record_count != stored.records.size()) {
      return InvalidArgument(where + ": header and certificate disagree");
    }
    height = stored.header.height;
    parent_hash = BlockHash(stored.header);
    parent_qc = block.qc;
    blocks.push_back(std::move(block));
  }
  if (chunk.proof.front() != blocks.back().qc) {
    return InvalidArgument("sync chunk: its commit proof does not start at its last block");
  }
  MBL_RETURN_IF_ERROR(VerifyCommitProof(chunk.proof, verifier).WithContext("sync chunk"));
  return blocks;
}

}  // namespace mbl::node
