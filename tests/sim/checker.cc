#include "tests/sim/checker.h"

#include <string_view>
#include <variant>

#include "consensus/codec.h"
#include "consensus/core.h"
#include "crypto/encoding.h"

namespace mbl::sim {

using consensus::QuorumCertificate;

SafetyChecker::SafetyChecker(const consensus::ValidatorSet& validators,
                             const crypto::Hash256& chain_id, const Block& genesis,
                             std::set<consensus::ValidatorIndex> byzantine)
    : verifier_(validators, chain_id, consensus::MakeGenesisQc(genesis)),
      genesis_(genesis),
      byzantine_(std::move(byzantine)) {}

void SafetyChecker::Fail(std::string message) {
  if (failure_.empty()) failure_ = std::move(message);
}

void SafetyChecker::Record(
    consensus::ValidatorIndex signer, consensus::Round round, const crypto::Hash256& what,
    std::map<std::pair<consensus::ValidatorIndex, consensus::Round>, crypto::Hash256>& seen,
    const char* kind) {
  const auto key = std::make_pair(signer, round);
  const auto [it, inserted] = seen.emplace(key, what);
  if (inserted || it->second == what) return;
  if (byzantine_.contains(signer)) {
    equivocating_rounds_.insert(key);
    return;
  }
  // Only votes are a safety matter for honest nodes: an honest leader that crashed after
  // proposing may propose again in the same round, and voters still vote once.
  if (std::string_view(kind) == "vote") {
    Fail("double vote: honest validator " + std::to_string(signer) +
         " signed two different blocks in round " + std::to_string(round));
  }
}

void SafetyChecker::ObserveSignature(consensus::ValidatorIndex signer,
                                     const consensus::VoteData& vote_data) {
  Record(signer, vote_data.round, consensus::VoteDataDigest(vote_data), votes_, "vote");
}

void SafetyChecker::ObserveMessage(const consensus::Message& message) {
  const auto observe_qc = [this](const QuorumCertificate& qc) {
    for (const auto& s : qc.signatures) ObserveSignature(s.signer, qc.vote_data);
  };
  if (const auto* vote = std::get_if<consensus::VoteMsg>(&message)) {
    ObserveSignature(vote->voter, vote->vote_data);
  } else if (const auto* proposal = std::get_if<consensus::ProposalMsg>(&message)) {
    Record(proposal->block.author, proposal->block.round, proposal->block.id, proposals_,
           "proposal");
    observe_qc(proposal->block.qc);
    if (proposal->last_round_tc) observe_qc(proposal->last_round_tc->high_qc);
  } else if (const auto* timeout = std::get_if<consensus::TimeoutMsg>(&message)) {
    observe_qc(timeout->high_qc);
  } else if (const auto* sync = std::get_if<consensus::SyncInfo>(&message)) {
    observe_qc(sync->high_qc);
  }
}

void SafetyChecker::ObserveCommit(consensus::ValidatorIndex validator, const Disk& disk,
                                  const consensus::CommitBlocks& commit) {
  const std::string who = "validator " + std::to_string(validator) + ": ";
  if (commit.blocks.empty()) return Fail(who + "empty commit");
  const Block* previous = disk.committed.empty() ? &genesis_ : &disk.committed.back().block;
  for (const auto& [block, qc] : commit.blocks) {
    const std::string where = who + "committed block at height " + std::to_string(block.height);
    if (block.height != previous->height + 1 || block.parent_id() != previous->id) {
      return Fail(where + " does not extend its previously committed block");
    }
    if (block.id != consensus::ComputeBlockId(block)) return Fail(where + " has a wrong id");
    if (qc.certified_block_id() != block.id || qc.vote_data.execution != block.execution) {
      return Fail(where + " is delivered with a QC for another block or result");
    }
    if (Status s = verifier_.VerifyQc(qc); !s.ok()) return Fail(where + ": " + s.ToString());
    if (Status s = verifier_.VerifyQc(block.qc); !s.ok()) return Fail(where + ": " + s.ToString());
    if (FakeExecute(block, previous->execution) != block.execution) {
      return Fail(where + ": execution result differs from the deterministic executor's");
    }
    const auto [it, inserted] = committed_.emplace(block.height, block.id);
    if (!inserted && it->second != block.id) {
      return Fail("SAFETY VIOLATION: " + where + " is " + crypto::ToHex(block.id) +
                  " but another honest node committed " + crypto::ToHex(it->second));
    }
    previous = &block;
  }
  const auto& v = commit.commit_qc.vote_data;
  if (v.parent_id != previous->id || v.parent_round != previous->round ||
      v.round != previous->round + 1) {
    return Fail(who + "commit QC does not prove the 2-chain rule for height " +
                std::to_string(previous->height));
  }
  if (Status s = verifier_.VerifyQc(commit.commit_qc); !s.ok()) {
    return Fail(who + "commit QC: " + s.ToString());
  }
}

}  // namespace mbl::sim
