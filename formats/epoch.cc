#include "formats/epoch.h"

#include "base/big_endian.h"
#include "base/limits.h"
#include "consensus/codec.h"
#include "formats/records_payload.h"

namespace mbl::formats {
namespace {

using big_endian::PutBytes;
using big_endian::PutU32;
using big_endian::PutU64;
using big_endian::TakeBytes;
using big_endian::TakeUint;

constexpr std::string_view kEpochDomainTag{"mbl.epoch-domain.v1\0", 20};

std::string Text(std::uint64_t value) { return std::to_string(value); }

}  // namespace

crypto::Hash256 EpochDomain(const crypto::Hash256& chain_id, std::uint64_t epoch) {
  if (epoch == 0) return chain_id;
  std::string bytes(kEpochDomainTag);
  bytes.append(reinterpret_cast<const char*>(chain_id.data()), chain_id.size());
  PutU64(bytes, epoch);
  return crypto::Sha256(bytes);
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

Result<std::vector<consensus::CommittedBlock>> VerifySyncChunk(const SyncChunk& chunk,
                                                               const SyncBase& base) {
  if (chunk.epoch != base.epoch) {
    return InvalidArgument("sync chunk of epoch " + Text(chunk.epoch) + ", this node is in " +
                           Text(base.epoch));
  }
  MBL_ASSIGN_OR_RETURN(consensus::ValidatorSet validators,
                       consensus::ValidatorSet::Create(base.validators));
  const consensus::QuorumCertificate root_qc =
      consensus::MakeGenesisQc(consensus::MakeGenesisBlock(base.root));
  consensus::CertificateVerifier verifier(validators, base.domain, root_qc);
  consensus::QuorumCertificate parent_qc = base.tip_qc ? *base.tip_qc : root_qc;
  crypto::Hash256 parent_hash = base.tip_hash;
  std::uint64_t height = base.tip_height;
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

}  // namespace mbl::formats
