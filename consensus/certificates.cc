#include "consensus/certificates.h"

#include <algorithm>
#include <string>

#include "base/limits.h"
#include "consensus/codec.h"

namespace mbl::consensus {
namespace {

std::string RoundText(Round round) { return std::to_string(round); }

template <typename Signatures>
Status CheckSortedDistinct(const Signatures& signatures, const char* what) {
  for (std::size_t i = 1; i < signatures.size(); ++i) {
    if (signatures[i].signer <= signatures[i - 1].signer) {
      return InvalidArgument(std::string(what) + ": signer " +
                             std::to_string(signatures[i].signer) +
                             " is duplicated or out of order; each validator signs once");
    }
  }
  return Status::Ok();
}

QcCheck Refuse(QcFault fault, std::size_t at, Status status) {
  return QcCheck{fault, at, std::move(status)};
}

}  // namespace

QcCheck CheckQuorumCertificate(const QuorumCertificate& qc,
                               const std::vector<crypto::PublicKey>& keys, std::size_t quorum,
                               const crypto::Hash256& chain_id) {
  const VoteData& v = qc.vote_data;
  std::set<crypto::PublicKey> signer_keys;  // a key listed at two indexes still signs once
  for (std::size_t i = 0; i < qc.signatures.size(); ++i) {
    const ValidatorIndex signer = qc.signatures[i].signer;
    if (signer >= keys.size()) {
      return Refuse(
          QcFault::kUnknownSigner, i,
          Unauthenticated("quorum certificate: signer " + std::to_string(signer) +
                          " is not a validator (the set has " + std::to_string(keys.size()) + ")"));
    }
    if (!signer_keys.insert(keys[signer]).second) {
      return Refuse(QcFault::kDuplicateSigner, i,
                    InvalidArgument("quorum certificate: validator " + std::to_string(signer) +
                                    " signs twice; each validator signs once"));
    }
  }
  if (signer_keys.size() < quorum) {
    return Refuse(QcFault::kTooFewSigners, 0,
                  Unauthenticated("quorum certificate of round " + RoundText(v.round) + ": " +
                                  std::to_string(signer_keys.size()) + " signatures, " +
                                  std::to_string(quorum) + " needed"));
  }
  for (std::size_t i = 1; i < qc.signatures.size(); ++i) {
    if (qc.signatures[i].signer <= qc.signatures[i - 1].signer) {
      return Refuse(
          QcFault::kUnsortedSigners, i,
          InvalidArgument("quorum certificate: signer " + std::to_string(qc.signatures[i].signer) +
                          " is out of order; signers are increasing"));
    }
  }
  if (v.round <= v.parent_round) {
    return Refuse(QcFault::kMalformed, 0,
                  InvalidArgument("quorum certificate: round " + RoundText(v.round) +
                                  " must be above its parent round " + RoundText(v.parent_round)));
  }
  if (v.height == 0) {
    return Refuse(QcFault::kMalformed, 0,
                  InvalidArgument("quorum certificate: height 0 is genesis only"));
  }
  const std::string message = VoteSigningBytes(chain_id, v);
  for (std::size_t i = 0; i < qc.signatures.size(); ++i) {
    const ValidatorSignature& s = qc.signatures[i];
    if (!crypto::Verify(keys[s.signer], message, s.signature)) {
      return Refuse(QcFault::kBadSignature, i,
                    Unauthenticated("quorum certificate of round " + RoundText(v.round) +
                                    ": signature of validator " + std::to_string(s.signer) +
                                    " does not verify"));
    }
  }
  return QcCheck{};
}

CertificateVerifier::CertificateVerifier(const ValidatorSet& validators,
                                         const crypto::Hash256& chain_id,
                                         QuorumCertificate genesis_qc)
    : validators_(validators), chain_id_(chain_id), genesis_qc_(std::move(genesis_qc)) {}

Status CertificateVerifier::CheckSigner(ValidatorIndex signer, const char* what) const {
  if (!validators_.Contains(signer)) {
    return Unauthenticated(std::string(what) + ": signer " + std::to_string(signer) +
                           " is not a validator (the set has " +
                           std::to_string(validators_.size()) + ")");
  }
  return Status::Ok();
}

void CertificateVerifier::Remember(const crypto::Hash256& digest) {
  if (verified_.size() >= limits::kConsensusVerifiedCacheEntriesMax) verified_.clear();
  verified_.insert(digest);
}

Status CertificateVerifier::VerifyQc(const QuorumCertificate& qc) {
  if (qc == genesis_qc_) return Status::Ok();
  // A remembered digest is of a QC that passed every check below, byte for byte.
  const crypto::Hash256 digest = QuorumCertificateDigest(qc);
  if (verified_.contains(digest)) return Status::Ok();
  QcCheck check = CheckQuorumCertificate(qc, validators_.keys(), validators_.quorum(), chain_id_);
  if (!check.ok()) return check.status;
  Remember(digest);
  return Status::Ok();
}

Status CertificateVerifier::VerifyTc(const TimeoutCertificate& tc) {
  if (tc.signatures.size() < validators_.quorum()) {
    return Unauthenticated("timeout certificate of round " + RoundText(tc.round) + ": " +
                           std::to_string(tc.signatures.size()) + " signatures, " +
                           std::to_string(validators_.quorum()) + " needed");
  }
  MBL_RETURN_IF_ERROR(CheckSortedDistinct(tc.signatures, "timeout certificate"));
  if (tc.high_qc.round() != tc.max_high_qc_round()) {
    return InvalidArgument("timeout certificate of round " + RoundText(tc.round) +
                           ": its high QC has round " + RoundText(tc.high_qc.round()) +
                           " but the highest signed high-QC round is " +
                           RoundText(tc.max_high_qc_round()));
  }
  const crypto::Hash256 digest = TimeoutCertificateDigest(tc);
  if (verified_.contains(digest)) return Status::Ok();
  for (const auto& s : tc.signatures) {
    MBL_RETURN_IF_ERROR(CheckSigner(s.signer, "timeout certificate"));
    if (s.high_qc_round >= tc.round) {
      return InvalidArgument("timeout certificate of round " + RoundText(tc.round) +
                             ": validator " + std::to_string(s.signer) + " reports high QC round " +
                             RoundText(s.high_qc_round) + ", not below the timeout round");
    }
    const std::string message = TimeoutSigningBytes(chain_id_, tc.round, s.high_qc_round);
    if (!crypto::Verify(validators_.key(s.signer), message, s.signature)) {
      return Unauthenticated("timeout certificate of round " + RoundText(tc.round) +
                             ": signature of validator " + std::to_string(s.signer) +
                             " does not verify");
    }
  }
  MBL_RETURN_IF_ERROR(VerifyQc(tc.high_qc).WithContext("timeout certificate high QC"));
  Remember(digest);
  return Status::Ok();
}

Status CertificateVerifier::VerifyProposal(const ProposalMsg& proposal) {
  const Block& b = proposal.block;
  MBL_RETURN_IF_ERROR(CheckSigner(b.author, "proposal"));
  if (b.author != validators_.LeaderOf(b.round)) {
    return PermissionDenied("proposal of round " + RoundText(b.round) + " by validator " +
                            std::to_string(b.author) + ": the leader of that round is " +
                            std::to_string(validators_.LeaderOf(b.round)));
  }
  if (b.id != ComputeBlockId(b)) return InvalidArgument("proposal: block id does not match");
  if (b.round <= b.qc.round()) {
    return InvalidArgument("proposal: block round " + RoundText(b.round) +
                           " is not above its QC round " + RoundText(b.qc.round()));
  }
  if (b.height != b.qc.vote_data.height + 1) {
    return InvalidArgument("proposal: block height " + std::to_string(b.height) +
                           " does not follow its parent's height " +
                           std::to_string(b.qc.vote_data.height));
  }
  if (b.round != b.qc.round() + 1) {
    // Jolteon: a round that does not follow the QC's round needs the TC of the round before.
    if (!proposal.last_round_tc || proposal.last_round_tc->round + 1 != b.round) {
      return InvalidArgument("proposal of round " + RoundText(b.round) + " extends a QC of round " +
                             RoundText(b.qc.round()) +
                             " without the timeout certificate of the previous round");
    }
  }
  const std::string message = ProposalSigningBytes(chain_id_, b.id);
  if (!crypto::Verify(validators_.key(b.author), message, proposal.signature)) {
    return Unauthenticated("proposal of round " + RoundText(b.round) +
                           ": author signature does not verify");
  }
  MBL_RETURN_IF_ERROR(VerifyQc(b.qc).WithContext("proposal QC"));
  if (proposal.last_round_tc) {
    MBL_RETURN_IF_ERROR(VerifyTc(*proposal.last_round_tc).WithContext("proposal TC"));
  }
  return Status::Ok();
}

Status CertificateVerifier::VerifyVote(const VoteMsg& vote) const {
  MBL_RETURN_IF_ERROR(CheckSigner(vote.voter, "vote"));
  const VoteData& v = vote.vote_data;
  if (v.round <= v.parent_round || v.height == 0) {
    return InvalidArgument("vote of validator " + std::to_string(vote.voter) + " for round " +
                           RoundText(v.round) + ": malformed vote data");
  }
  if (!crypto::Verify(validators_.key(vote.voter), VoteSigningBytes(chain_id_, v),
                      vote.signature)) {
    return Unauthenticated("vote of validator " + std::to_string(vote.voter) + " for round " +
                           RoundText(v.round) + ": signature does not verify");
  }
  return Status::Ok();
}

Status CertificateVerifier::VerifyTimeout(const TimeoutMsg& timeout) {
  MBL_RETURN_IF_ERROR(CheckSigner(timeout.sender, "timeout"));
  if (timeout.high_qc.round() >= timeout.round) {
    return InvalidArgument("timeout of round " + RoundText(timeout.round) + ": high QC round " +
                           RoundText(timeout.high_qc.round()) + " is not below it");
  }
  if (timeout.last_round_tc && timeout.last_round_tc->round >= timeout.round) {
    return InvalidArgument("timeout of round " + RoundText(timeout.round) +
                           ": attached TC is not of an earlier round");
  }
  const std::string message =
      TimeoutSigningBytes(chain_id_, timeout.round, timeout.high_qc.round());
  if (!crypto::Verify(validators_.key(timeout.sender), message, timeout.signature)) {
    return Unauthenticated("timeout of validator " + std::to_string(timeout.sender) +
                           " for round " + RoundText(timeout.round) +
                           ": signature does not verify");
  }
  MBL_RETURN_IF_ERROR(VerifyQc(timeout.high_qc).WithContext("timeout high QC"));
  if (timeout.last_round_tc) {
    MBL_RETURN_IF_ERROR(VerifyTc(*timeout.last_round_tc).WithContext("timeout TC"));
  }
  return Status::Ok();
}

Status CertificateVerifier::VerifySyncInfo(const SyncInfo& sync_info) {
  MBL_RETURN_IF_ERROR(VerifyQc(sync_info.high_qc).WithContext("sync info high QC"));
  if (sync_info.last_round_tc) {
    MBL_RETURN_IF_ERROR(VerifyTc(*sync_info.last_round_tc).WithContext("sync info TC"));
  }
  return Status::Ok();
}

std::optional<QuorumCertificate> VoteCollector::Add(const VoteMsg& vote, std::size_t quorum) {
  RoundVotes& round_votes = rounds_[vote.vote_data.round];
  if (!round_votes.voters.insert(vote.voter).second) return std::nullopt;
  Tally& tally = round_votes.tallies[VoteDataDigest(vote.vote_data)];
  tally.vote_data = vote.vote_data;
  tally.signatures.emplace(vote.voter, vote.signature);
  if (tally.certified || tally.signatures.size() < quorum) return std::nullopt;
  tally.certified = true;
  QuorumCertificate qc;
  qc.vote_data = tally.vote_data;
  for (const auto& [signer, signature] : tally.signatures)
    qc.signatures.push_back({signer, signature});
  return qc;
}

void VoteCollector::PruneBelow(Round round) {
  rounds_.erase(rounds_.begin(), rounds_.lower_bound(round));
}

TimeoutCollector::AddResult TimeoutCollector::Add(const TimeoutMsg& timeout, std::size_t quorum) {
  RoundTimeouts& round_timeouts = rounds_[timeout.round];
  const bool inserted =
      round_timeouts.signatures
          .emplace(timeout.sender,
                   TimeoutSignature{timeout.sender, timeout.high_qc.round(), timeout.signature})
          .second;
  // The TC's high QC is taken only from kept timeouts, so it always matches a signed round.
  if (inserted && (round_timeouts.signatures.size() == 1 ||
                   timeout.high_qc.round() > round_timeouts.high_qc.round())) {
    round_timeouts.high_qc = timeout.high_qc;
  }
  AddResult result;
  result.signers = round_timeouts.signatures.size();
  if (!inserted || round_timeouts.certified || result.signers < quorum) return result;
  round_timeouts.certified = true;
  TimeoutCertificate tc;
  tc.round = timeout.round;
  tc.high_qc = round_timeouts.high_qc;
  for (const auto& [signer, signature] : round_timeouts.signatures)
    tc.signatures.push_back(signature);
  result.tc = std::move(tc);
  return result;
}

void TimeoutCollector::PruneBelow(Round round) {
  rounds_.erase(rounds_.begin(), rounds_.lower_bound(round));
}

}  // namespace mbl::consensus
