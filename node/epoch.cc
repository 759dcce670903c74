#include "node/epoch.h"

#include "base/check.h"
#include "base/limits.h"
#include "chaincode/epochs.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "formats/records_payload.h"

namespace mbl::node {

using formats::Block;
using formats::CommitProof;
using formats::SyncChunk;

namespace {

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
  MBL_ASSIGN_OR_RETURN(formats::BftCertificate certificate,
                       formats::DecodeBftCertificate(block.certificate));
  return certificate.qc;
}

}  // namespace

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
  setup.domain = formats::EpochDomain(chain_id, epoch.number);
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

Status PutEpochEnd(Store& store, std::uint64_t epoch, const CommitProof& proof) {
  return store.PutSafetyData(EpochEndKey(epoch), formats::EncodeCommitProof(proof));
}

std::optional<CommitProof> GetEpochEnd(const Store& store, std::uint64_t epoch) {
  std::optional<std::string> bytes = store.GetSafetyData(EpochEndKey(epoch));
  if (!bytes) return std::nullopt;
  auto proof = formats::DecodeCommitProof(*bytes);
  MBL_CHECK_MSG(proof.ok(), "stored end proof of epoch " + Text(epoch) +
                                " is damaged: " + proof.status().ToString());
  return *proof;
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
    const std::size_t size = formats::EncodeBlock(block).size() + 4;
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
  const Tip tip = store.tip();
  formats::SyncBase base{setup.number, setup.genesis, setup.keys(), setup.domain,
                         tip.height,   tip.hash,      std::nullopt};
  if (tip.height > setup.genesis.height) {
    MBL_ASSIGN_OR_RETURN(consensus::QuorumCertificate tip_qc, StoredQc(store, tip.height));
    base.tip_qc = std::move(tip_qc);
  }
  return formats::VerifySyncChunk(chunk, base);
}

}  // namespace mbl::node
