// Checking certificates and signed messages against the validator set, and forming QCs from votes
// and TCs from timeouts. Everything from the network passes through CertificateVerifier before
// it can change any state; a failure is a Status naming the rule broken, never a crash.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "base/status.h"
#include "consensus/types.h"
#include "consensus/validator_set.h"

namespace mbl::consensus {

// Why a quorum certificate is not valid, one kind for each way it can be wrong, in the order
// CheckQuorumCertificate looks for them. The network only refuses such a QC; a verifier outside
// it names the kind (mbl verify's reason codes, docs/formats.md "Exit proof bundle").
enum class QcFault {
  kNone,
  kUnknownSigner,    // a signer index outside the validators
  kDuplicateSigner,  // one validator signs twice (one index, or one key listed at two indexes)
  kTooFewSigners,    // fewer distinct validators than the quorum
  kUnsortedSigners,  // signers not in increasing order
  kMalformed,        // round not above the parent round, or height 0
  kBadSignature,     // a signature that does not verify under its validator's key
};

struct QcCheck {
  QcFault fault = QcFault::kNone;
  // The signature (index into qc.signatures) a kUnknownSigner, kDuplicateSigner or kBadSignature
  // is about.
  std::size_t at = 0;
  Status status;  // the fault in words: kUnauthenticated or kInvalidArgument
  bool ok() const { return fault == QcFault::kNone; }
};

// The checks of a QC other than the genesis QC, against the validators' `keys` (by index) of which
// `quorum` distinct ones must sign, in this order: each signer is a validator and none signs
// twice, at least `quorum` sign, signers are increasing, the vote data is well formed (round
// above the parent round, height >= 1), and each signature verifies over VoteSigningBytes.
// `keys` may list one key at two indexes (a set a verifier read from a history it does not
// trust, never a ValidatorSet): the key then counts, and signs, once.
[[nodiscard]] QcCheck CheckQuorumCertificate(const QuorumCertificate& qc,
                                             const std::vector<crypto::PublicKey>& keys,
                                             std::size_t quorum, const crypto::Hash256& chain_id);

class CertificateVerifier {
 public:
  CertificateVerifier(const ValidatorSet& validators, const crypto::Hash256& chain_id,
                      QuorumCertificate genesis_qc);

  // A QC is valid when it is the genesis QC, or when it passes CheckQuorumCertificate against
  // the validators and their quorum(). Valid QCs are remembered, so each costs its signature
  // checks once.
  Status VerifyQc(const QuorumCertificate& qc);
  // A TC is valid when quorum() distinct validators signed (round, high_qc_round) with
  // high_qc_round < round, and high_qc is a valid QC whose round is the highest of them.
  Status VerifyTc(const TimeoutCertificate& tc);

  Status VerifyProposal(const ProposalMsg& proposal);
  Status VerifyVote(const VoteMsg& vote) const;
  Status VerifyTimeout(const TimeoutMsg& timeout);
  Status VerifySyncInfo(const SyncInfo& sync_info);

  const QuorumCertificate& genesis_qc() const { return genesis_qc_; }

 private:
  Status CheckSigner(ValidatorIndex signer, const char* what) const;
  void Remember(const crypto::Hash256& digest);

  const ValidatorSet& validators_;
  const crypto::Hash256 chain_id_;
  const QuorumCertificate genesis_qc_;
  std::set<crypto::Hash256> verified_;  // digests of verified QCs and TCs
};

// Votes arriving at the next leader, grouped by round and by the vote data they sign. A validator
// counts once per round: its first vote of a round is kept, any other is ignored.
class VoteCollector {
 public:
  // `vote` must be verified. Returns the QC the first time a quorum of votes agrees on one
  // vote data.
  std::optional<QuorumCertificate> Add(const VoteMsg& vote, std::size_t quorum);
  void PruneBelow(Round round);
  std::size_t rounds_tracked() const { return rounds_.size(); }

 private:
  struct Tally {
    VoteData vote_data;
    std::map<ValidatorIndex, crypto::Signature> signatures;
    bool certified = false;
  };
  struct RoundVotes {
    std::set<ValidatorIndex> voters;
    std::map<crypto::Hash256, Tally> tallies;  // by VoteDataDigest
  };
  std::map<Round, RoundVotes> rounds_;
};

// Timeouts of each round, one per validator (the first one it sent), and the TC they form.
class TimeoutCollector {
 public:
  struct AddResult {
    std::size_t signers = 0;               // distinct validators that timed out in the round so far
    std::optional<TimeoutCertificate> tc;  // set once, when the quorum is reached
  };
  // `timeout` must be verified.
  AddResult Add(const TimeoutMsg& timeout, std::size_t quorum);
  void PruneBelow(Round round);
  std::size_t rounds_tracked() const { return rounds_.size(); }

 private:
  struct RoundTimeouts {
    std::map<ValidatorIndex, TimeoutSignature> signatures;
    QuorumCertificate high_qc;  // the highest QC among the kept timeouts
    bool certified = false;
  };
  std::map<Round, RoundTimeouts> rounds_;
};

}  // namespace mbl::consensus
