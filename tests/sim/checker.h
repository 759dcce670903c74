// The invariants checked after every step of a simulated run (DESIGN D9):
//  - agreement: no two honest nodes commit different blocks at one height;
//  - validity: every committed block extends the previous one and carries a valid QC chain
//    (its certifying QC, and a commit QC one round later proving the 2-chain rule);
//  - execution: each committed block's execution result equals what the fake executor computes
//    from the previous committed state, on every node;
//  - no double vote: no honest validator's signature appears on two different vote data of one
//    round, anywhere on the wire (votes, QCs).
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>

#include "consensus/actions.h"
#include "consensus/certificates.h"
#include "consensus/types.h"
#include "consensus/validator_set.h"
#include "tests/sim/sim_host.h"

namespace mbl::sim {

class SafetyChecker {
 public:
  SafetyChecker(const consensus::ValidatorSet& validators, const crypto::Hash256& chain_id,
                const Block& genesis, std::set<consensus::ValidatorIndex> byzantine);

  // Every message an instance sends (before the network may corrupt it). Conflicting signatures
  // of a Byzantine validator are counted as equivocations; of an honest one, they fail the run.
  void ObserveMessage(const consensus::Message& message);
  // A CommitBlocks of an honest instance, with that instance's disk before the commit.
  void ObserveCommit(consensus::ValidatorIndex validator, const Disk& disk,
                     const consensus::CommitBlocks& commit);

  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  std::size_t highest_agreed_height() const { return committed_.size(); }
  // Rounds in which a Byzantine validator signed two different blocks (votes or proposals).
  std::size_t equivocations() const { return equivocating_rounds_.size(); }

 private:
  void ObserveSignature(consensus::ValidatorIndex signer, const consensus::VoteData& vote_data);
  void Fail(std::string message);

  consensus::CertificateVerifier verifier_;
  const Block genesis_;
  const std::set<consensus::ValidatorIndex> byzantine_;
  void Record(
      consensus::ValidatorIndex signer, consensus::Round round, const crypto::Hash256& what,
      std::map<std::pair<consensus::ValidatorIndex, consensus::Round>, crypto::Hash256>& seen,
      const char* kind);

  std::map<std::pair<consensus::ValidatorIndex, consensus::Round>, crypto::Hash256> votes_;
  std::map<std::pair<consensus::ValidatorIndex, consensus::Round>, crypto::Hash256> proposals_;
  std::set<std::pair<consensus::ValidatorIndex, consensus::Round>> equivocating_rounds_;
  std::map<Height, BlockId> committed_;  // the first block committed at each height
  std::string failure_;
};

}  // namespace mbl::sim
