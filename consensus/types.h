// The data of Jolteon / DiemBFT v4 (2-chain HotStuff), named as in the papers:
//   Block          DiemBFT v4 "Block": round, parent QC (`qc`), payload, author, plus the
//                  execution result its proposer computed (our votes certify execution, DESIGN D4).
//   VoteData       DiemBFT v4 "VoteInfo" (id, round, parent_id, parent_round, exec_state_id).
//   QuorumCertificate, TimeoutCertificate, SyncInfo as in DiemBFT v4 / Aptos 2-chain.
// Plain values only; canonical bytes live in codec.h, checks in certificates.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/sha256.h"

namespace mbl::consensus {

using Round = std::uint64_t;
using Height = std::uint64_t;
using ValidatorIndex = std::uint32_t;
using BlockId = crypto::Hash256;

// What executing a block on top of its parent's state yields (DESIGN D4): the state root and the
// root over the per-record results. A QC over a block certifies both.
struct ExecutionResult {
  crypto::Hash256 state_root{};
  crypto::Hash256 results_root{};
  friend bool operator==(const ExecutionResult&, const ExecutionResult&) = default;
};

// The statement every vote of a QC signs: "block `block_id` of round `round`, extending
// `parent_id` of `parent_round`, executes to `execution`".
struct VoteData {
  BlockId block_id{};
  Round round = 0;
  Height height = 0;
  BlockId parent_id{};
  Round parent_round = 0;
  ExecutionResult execution;
  friend bool operator==(const VoteData&, const VoteData&) = default;
};

// The 2-chain commit rule of Jolteon: a QC on a block proposed in the round right after its
// parent's proves that parent, and every block before it, committed. The one copy of the rule in
// C++: the block tree, commit proofs, exit proofs and `mbl verify` all ask it (the browser page's
// copy is provesCommit in web/verify.html).
inline bool ProvesCommit(const VoteData& certified) {
  return certified.round == certified.parent_round + 1;
}

struct ValidatorSignature {
  ValidatorIndex signer = 0;
  crypto::Signature signature{};
  friend bool operator==(const ValidatorSignature&, const ValidatorSignature&) = default;
};

// 2f+1 votes on one VoteData. Signatures are sorted by signer, without duplicates. The genesis
// QC is the one certificate without signatures (it certifies the genesis block by definition).
struct QuorumCertificate {
  VoteData vote_data;
  std::vector<ValidatorSignature> signatures;

  Round round() const { return vote_data.round; }
  const BlockId& certified_block_id() const { return vote_data.block_id; }
  friend bool operator==(const QuorumCertificate&, const QuorumCertificate&) = default;
};

struct Block {
  BlockId id{};  // ComputeBlockId(*this); recomputed from the fields on every decode
  Round round = 0;
  Height height = 0;
  std::int64_t time_ms = 0;  // agreed block time, never below the parent's
  ValidatorIndex author = 0;
  QuorumCertificate qc;       // certifies the parent block
  std::string payload;        // opaque to consensus: the host's ordered records
  ExecutionResult execution;  // the author's result of executing this block on its parent

  const BlockId& parent_id() const { return qc.certified_block_id(); }
  friend bool operator==(const Block&, const Block&) = default;
};

// One validator's timeout of `round`, signed over (round, high_qc.round()) as in Aptos'
// TwoChainTimeout: the signature does not cover the QC itself, only its round.
struct TimeoutSignature {
  ValidatorIndex signer = 0;
  Round high_qc_round = 0;
  crypto::Signature signature{};
  friend bool operator==(const TimeoutSignature&, const TimeoutSignature&) = default;
};

// 2f+1 timeouts of one round. `high_qc` is the highest QC among them (its round is the maximum
// of the signers' high_qc_round), so a leader entering round+1 through the TC can extend it.
struct TimeoutCertificate {
  Round round = 0;
  QuorumCertificate high_qc;
  std::vector<TimeoutSignature> signatures;  // sorted by signer, distinct
  Round max_high_qc_round() const;
  friend bool operator==(const TimeoutCertificate&, const TimeoutCertificate&) = default;
};

// ---- Messages between validators --------------------------------------------------------------

// DiemBFT v4 ProposalMsg: the block, the TC justifying its round when the round does not follow
// its QC's round, and the author's signature over the block id.
struct ProposalMsg {
  Block block;
  std::optional<TimeoutCertificate> last_round_tc;
  crypto::Signature signature{};
  friend bool operator==(const ProposalMsg&, const ProposalMsg&) = default;
};

struct VoteMsg {
  VoteData vote_data;
  ValidatorIndex voter = 0;
  crypto::Signature signature{};
  friend bool operator==(const VoteMsg&, const VoteMsg&) = default;
};

// DiemBFT v4 TimeoutMsg: the timeout (round, sender's high QC, signature) and the TC that let the
// sender enter this round, if it entered it by a TC.
struct TimeoutMsg {
  Round round = 0;
  QuorumCertificate high_qc;
  ValidatorIndex sender = 0;
  crypto::Signature signature{};
  std::optional<TimeoutCertificate> last_round_tc;
  friend bool operator==(const TimeoutMsg&, const TimeoutMsg&) = default;
};

// What a node that is ahead sends to one that is behind (DiemBFT SyncInfo).
struct SyncInfo {
  QuorumCertificate high_qc;
  std::optional<TimeoutCertificate> last_round_tc;
  friend bool operator==(const SyncInfo&, const SyncInfo&) = default;
};

// Catch-up: "send me the blocks after `after_id` (height `after_height`) on the path to
// `target_id` (height `target_height`), oldest first, at most `count`".
struct BlockRequest {
  BlockId target_id{};
  Height target_height = 0;
  BlockId after_id{};
  Height after_height = 0;
  std::uint32_t count = 0;
  friend bool operator==(const BlockRequest&, const BlockRequest&) = default;
};

struct BlockResponse {
  std::vector<Block> blocks;  // oldest first; blocks[0] extends the request's after_id
  friend bool operator==(const BlockResponse&, const BlockResponse&) = default;
};

using Message =
    std::variant<ProposalMsg, VoteMsg, TimeoutMsg, SyncInfo, BlockRequest, BlockResponse>;

// A committed block with the QC that certifies it (the QC a later block carries as its parent QC).
struct CommittedBlock {
  Block block;
  QuorumCertificate qc;
  friend bool operator==(const CommittedBlock&, const CommittedBlock&) = default;
};

// The persisted state that makes a restart safe and live. highest_voted_round and
// highest_qc_round are the safety rules' state (DiemBFT v4 Safety); high_qc and last_round_tc let
// a restarted node time out and be followed even if every node restarted at once.
struct SafetyData {
  Round highest_voted_round = 0;
  Round highest_qc_round = 0;
  QuorumCertificate high_qc;
  std::optional<TimeoutCertificate> last_round_tc;
  friend bool operator==(const SafetyData&, const SafetyData&) = default;
};

}  // namespace mbl::consensus
