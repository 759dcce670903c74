#include "node/exit_proof.h"

#include "chaincode/executor.h"
#include "chaincode/record_json.h"
#include "consensus/codec.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "node/block.h"
#include "node/records_payload.h"

namespace mbl::node {
namespace {

// The QCs from the block after `height` on, until one proves the 2-chain commit (its round
// follows its parent's); the node's last commit QC closes the chain at the tip.
Result<nlohmann::json> CommitChain(const ExitProofInputs& inputs, std::uint64_t height,
                                   const consensus::VoteData& certified) {
  nlohmann::json chain = nlohmann::json::array();
  const std::uint64_t tip = inputs.store.tip().height;
  consensus::VoteData previous = certified;
  for (std::uint64_t next = height + 1; next <= tip + 1; ++next) {
    consensus::QuorumCertificate qc;
    if (next <= tip) {
      MBL_ASSIGN_OR_RETURN(Block block, inputs.store.GetBlock(next));
      MBL_ASSIGN_OR_RETURN(BftCertificate certificate, DecodeBftCertificate(block.certificate));
      qc = std::move(certificate.qc);
    } else if (inputs.last_commit_qc &&
               inputs.last_commit_qc->vote_data.parent_id == previous.block_id) {
      qc = *inputs.last_commit_qc;
    } else {
      return Unavailable("the commit proof of block " + std::to_string(height) +
                         " is not available on this node yet; retry after the next block");
    }
    chain.push_back(crypto::ToHex(consensus::EncodeQuorumCertificate(qc)));
    if (qc.vote_data.round == qc.vote_data.parent_round + 1) return chain;
    previous = qc.vote_data;
  }
  return Unavailable("no commit proof for block " + std::to_string(height) + " on this node yet");
}

}  // namespace

Result<nlohmann::json> BuildExitProof(const ExitProofInputs& inputs,
                                      const chaincode::RecordId& record_id,
                                      const std::string& exit_code) {
  auto location = inputs.store.FindRecord(record_id);
  if (!location) return NotFound("the exit record is not stored on this node");
  MBL_ASSIGN_OR_RETURN(Block block, inputs.store.GetBlock(location->height));
  std::vector<crypto::Hash256> leaves;
  std::string leaf;
  for (std::uint32_t i = 0; i < block.header.record_count; ++i) {
    MBL_ASSIGN_OR_RETURN(chaincode::RecordResult result,
                         inputs.store.GetResult(location->height, i));
    std::string bytes = chaincode::EncodeRecordResult(result);
    leaves.push_back(crypto::MerkleLeafHash(bytes));
    if (i == location->index) leaf = std::move(bytes);
  }
  nlohmann::json path = nlohmann::json::array();
  for (const auto& hash : crypto::MerkleInclusionProof(leaves, location->index)) {
    path.push_back(crypto::ToHex(hash));
  }
  nlohmann::json validators = nlohmann::json::array();
  for (const auto& key : inputs.validators) validators.push_back(crypto::ToHex(key));
  nlohmann::json bundle = {
      {"format", kExitProofFormat},
      {"exit_code", exit_code},
      {"chain_id", crypto::ToHex(chaincode::ComputeRecordId(inputs.genesis.payload))},
      {"genesis", chaincode::EnvelopeToJson(inputs.genesis)},
      {"validator_sets",
       nlohmann::json::array(
           {{{"from_height", 0}, {"validators", validators}, {"established_by", "genesis"}}})},
      {"result",
       {{"leaf", crypto::ToHex(leaf)},
        {"index", location->index},
        {"tree_size", block.header.record_count},
        {"path", path}}},
      {"block",
       {{"header", crypto::ToHex(EncodeHeader(block.header))},
        {"certificate", crypto::ToHex(block.certificate)}}}};
  if (inputs.validators.size() == 1) {
    bundle["certificate_kind"] = "single-validator";  // the proposer's signature over the header
    return bundle;
  }
  bundle["certificate_kind"] = "quorum";
  MBL_ASSIGN_OR_RETURN(BftCertificate certificate, DecodeBftCertificate(block.certificate));
  MBL_ASSIGN_OR_RETURN(bundle["commit_chain"],
                       CommitChain(inputs, location->height, certificate.qc.vote_data));
  // The node's current tip, certified: what a verifier's checkpoint compares against.
  MBL_ASSIGN_OR_RETURN(Block tip, inputs.store.GetBlock(inputs.store.tip().height));
  if (auto tip_certificate = DecodeBftCertificate(tip.certificate); tip_certificate.ok()) {
    bundle["tip"] = crypto::ToHex(consensus::EncodeQuorumCertificate(tip_certificate->qc));
  }
  return bundle;
}

}  // namespace mbl::node
