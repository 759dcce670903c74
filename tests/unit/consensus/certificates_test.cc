// QC and TC formation and verification (docs/consensus.md, "Certificates").
#include "consensus/certificates.h"

#include <gtest/gtest.h>

#include "tests/unit/consensus/fixture.h"

namespace mbl::consensus {
namespace {

using testing::Fixture;

class CertificatesTest : public ::testing::Test {
 protected:
  CertificatesTest() : f_(4), verifier_(f_.validators(), f_.chain_id(), f_.genesis_qc()) {
    b1_ = f_.MakeBlock(f_.genesis_block(), f_.genesis_qc(), 1);
  }
  Fixture f_;
  CertificateVerifier verifier_;
  Block b1_;
};

TEST_F(CertificatesTest, QuorumIsNMinusF) {
  EXPECT_EQ(Fixture(1).validators().quorum(), 1u);
  EXPECT_EQ(Fixture(4).validators().quorum(), 3u);
  EXPECT_EQ(Fixture(5).validators().quorum(), 4u);  // 2f+1 = 3 would let two quorums miss
  EXPECT_EQ(Fixture(7).validators().quorum(), 5u);
  EXPECT_EQ(Fixture(7).validators().max_faulty(), 2u);
}

TEST_F(CertificatesTest, QcFormation_DuplicateVoteCountedOnce) {
  VoteCollector votes;
  EXPECT_FALSE(votes.Add(f_.Vote(b1_, 0), 3).has_value());
  EXPECT_FALSE(votes.Add(f_.Vote(b1_, 0), 3).has_value());
  EXPECT_FALSE(votes.Add(f_.Vote(b1_, 1), 3).has_value());
  auto qc = votes.Add(f_.Vote(b1_, 2), 3);
  ASSERT_TRUE(qc.has_value());
  EXPECT_EQ(qc->signatures.size(), 3u);
  EXPECT_TRUE(verifier_.VerifyQc(*qc).ok());
  EXPECT_FALSE(votes.Add(f_.Vote(b1_, 3), 3).has_value());  // formed once
}

TEST_F(CertificatesTest, QcFormation_AValidatorCountsOncePerRoundEvenForAnotherBlock) {
  const Block other = f_.MakeBlock(f_.genesis_block(), f_.genesis_qc(), 1, "other");
  VoteCollector votes;
  EXPECT_FALSE(votes.Add(f_.Vote(b1_, 0), 3).has_value());
  EXPECT_FALSE(votes.Add(f_.Vote(other, 0), 3).has_value());  // equivocation ignored
  EXPECT_FALSE(votes.Add(f_.Vote(other, 1), 3).has_value());
  EXPECT_FALSE(votes.Add(f_.Vote(other, 2), 3).has_value());  // only 2 distinct for `other`
  EXPECT_TRUE(votes.Add(f_.Vote(other, 3), 3).has_value());
}

TEST_F(CertificatesTest, QcVerification_AcceptsQuorumRejectsTooFew) {
  EXPECT_TRUE(verifier_.VerifyQc(f_.Certify(b1_, {0, 1, 2})).ok());
  const Status too_few = verifier_.VerifyQc(f_.Certify(b1_, {0, 1}));
  EXPECT_EQ(too_few.code(), Code::kUnauthenticated);
}

TEST_F(CertificatesTest, QcVerification_RejectsDuplicateSigners) {
  QuorumCertificate qc = f_.Certify(b1_, {0, 1});
  qc.signatures.push_back(qc.signatures.back());  // 3 entries, 2 validators
  EXPECT_FALSE(verifier_.VerifyQc(qc).ok());
}

TEST_F(CertificatesTest, QcVerification_RejectsNonValidatorSigner) {
  QuorumCertificate qc = f_.Certify(b1_, {0, 1, 2});
  qc.signatures.push_back({7, qc.signatures.back().signature});
  EXPECT_EQ(verifier_.VerifyQc(qc).code(), Code::kUnauthenticated);
}

TEST_F(CertificatesTest, QcVerification_RejectsForgedSignatureAndOtherChain) {
  QuorumCertificate qc = f_.Certify(b1_, {0, 1, 2});
  qc.signatures[1].signature[5] ^= 1;
  EXPECT_EQ(verifier_.VerifyQc(qc).code(), Code::kUnauthenticated);
  CertificateVerifier other_chain(f_.validators(), crypto::Sha256("another chain"),
                                  f_.genesis_qc());
  EXPECT_FALSE(other_chain.VerifyQc(f_.Certify(b1_, {0, 1, 2})).ok());
}

// The one QC check (VerifyQc's, and mbl verify's) names each fault, in its order.
TEST_F(CertificatesTest, QcCheck_NamesEachFaultInItsOrder) {
  const std::vector<crypto::PublicKey>& keys = f_.validators().keys();
  auto fault = [&](const QuorumCertificate& qc) {
    return CheckQuorumCertificate(qc, keys, 3, f_.chain_id()).fault;
  };
  EXPECT_EQ(fault(f_.Certify(b1_, {0, 1, 2})), QcFault::kNone);
  QuorumCertificate qc = f_.Certify(b1_, {0, 1});
  qc.signatures.push_back({7, qc.signatures.back().signature});
  EXPECT_EQ(fault(qc), QcFault::kUnknownSigner);  // before the count
  qc = f_.Certify(b1_, {0, 1});
  qc.signatures.push_back(qc.signatures.back());
  EXPECT_EQ(fault(qc), QcFault::kDuplicateSigner);  // before the order
  EXPECT_EQ(CheckQuorumCertificate(qc, keys, 3, f_.chain_id()).at, 2u);
  EXPECT_EQ(fault(f_.Certify(b1_, {0, 1})), QcFault::kTooFewSigners);
  EXPECT_EQ(fault(f_.Certify(b1_, {2, 0, 1})), QcFault::kUnsortedSigners);
  qc = f_.Certify(b1_, {0, 1, 2});
  qc.vote_data.parent_round = qc.vote_data.round;
  EXPECT_EQ(fault(qc), QcFault::kMalformed);  // before any signature is checked
  qc = f_.Certify(b1_, {0, 1, 2});
  qc.signatures[1].signature[5] ^= 1;
  const QcCheck bad = CheckQuorumCertificate(qc, keys, 3, f_.chain_id());
  EXPECT_EQ(bad.fault, QcFault::kBadSignature);
  EXPECT_EQ(bad.at, 1u);
  EXPECT_EQ(bad.status.code(), Code::kUnauthenticated);
}

// A set from an untrusted history may list one key twice: it counts, and signs, once.
TEST_F(CertificatesTest, QcCheck_AKeyListedTwiceSignsOnce) {
  std::vector<crypto::PublicKey> keys = f_.validators().keys();
  keys.push_back(keys[0]);  // index 4 is validator 0 again
  QuorumCertificate qc = f_.Certify(b1_, {1, 2, 3});
  EXPECT_TRUE(CheckQuorumCertificate(qc, keys, QuorumSize(4), f_.chain_id()).ok());
  qc = f_.Certify(b1_, {0, 1});
  qc.signatures.push_back({4, qc.signatures[0].signature});
  EXPECT_EQ(CheckQuorumCertificate(qc, keys, QuorumSize(4), f_.chain_id()).fault,
            QcFault::kDuplicateSigner);
}

TEST_F(CertificatesTest, QcVerification_GenesisQcOnlyExactly) {
  EXPECT_TRUE(verifier_.VerifyQc(f_.genesis_qc()).ok());
  QuorumCertificate fake = f_.genesis_qc();
  fake.vote_data.execution.state_root[0] ^= 1;  // an unsigned QC that is not genesis
  EXPECT_FALSE(verifier_.VerifyQc(fake).ok());
}

TEST_F(CertificatesTest, TcFormation_KeepsFirstTimeoutPerSignerAndHighestKeptQc) {
  const QuorumCertificate qc1 = f_.Certify(b1_, {0, 1, 2});
  TimeoutCollector timeouts;
  EXPECT_FALSE(timeouts.Add(f_.Timeout(2, f_.genesis_qc(), 0), 3).tc.has_value());
  // The same signer again with a higher QC: ignored, so the TC stays consistent with signatures.
  EXPECT_EQ(timeouts.Add(f_.Timeout(2, qc1, 0), 3).signers, 1u);
  EXPECT_EQ(timeouts.Add(f_.Timeout(2, qc1, 1), 3).signers, 2u);
  auto added = timeouts.Add(f_.Timeout(2, f_.genesis_qc(), 3), 3);
  ASSERT_TRUE(added.tc.has_value());
  EXPECT_EQ(added.tc->high_qc, qc1);
  EXPECT_EQ(added.tc->max_high_qc_round(), 1u);
  EXPECT_TRUE(verifier_.VerifyTc(*added.tc).ok()) << verifier_.VerifyTc(*added.tc).ToString();
}

TEST_F(CertificatesTest, TcVerification_RejectsHighQcNotMatchingSignedRounds) {
  const QuorumCertificate qc1 = f_.Certify(b1_, {0, 1, 2});
  TimeoutCertificate tc = f_.MakeTc(2, {{0, qc1}, {1, qc1}, {2, qc1}});
  ASSERT_TRUE(verifier_.VerifyTc(tc).ok());
  tc.high_qc = f_.genesis_qc();  // hides the QC of round 1 that the signers reported
  EXPECT_FALSE(verifier_.VerifyTc(tc).ok());
}

TEST_F(CertificatesTest, TcVerification_RejectsTooFewDuplicateOrForeignSigners) {
  const auto qc = f_.genesis_qc();
  EXPECT_FALSE(verifier_.VerifyTc(f_.MakeTc(2, {{0, qc}, {1, qc}})).ok());
  TimeoutCertificate duplicated = f_.MakeTc(2, {{0, qc}, {1, qc}});
  duplicated.signatures.push_back(duplicated.signatures.back());
  EXPECT_FALSE(verifier_.VerifyTc(duplicated).ok());
  TimeoutCertificate foreign = f_.MakeTc(2, {{0, qc}, {1, qc}});
  foreign.signatures.push_back({9, 0, foreign.signatures.back().signature});
  EXPECT_FALSE(verifier_.VerifyTc(foreign).ok());
}

TEST_F(CertificatesTest, ProposalVerification_RejectsWrongLeaderAndBadSignature) {
  ProposalMsg good = f_.Propose(b1_);
  EXPECT_TRUE(verifier_.VerifyProposal(good).ok());
  const Block by_wrong_author =
      f_.MakeBlock(f_.genesis_block(), f_.genesis_qc(), 1, "payload", /*author=*/2);
  EXPECT_EQ(verifier_.VerifyProposal(f_.Propose(by_wrong_author)).code(), Code::kPermissionDenied);
  ProposalMsg forged = good;
  forged.signature[0] ^= 1;
  EXPECT_EQ(verifier_.VerifyProposal(forged).code(), Code::kUnauthenticated);
  ProposalMsg tampered = good;
  tampered.block.payload = "tampered";  // id no longer matches
  EXPECT_FALSE(verifier_.VerifyProposal(tampered).ok());
}

TEST_F(CertificatesTest, VoteVerification_RejectsForeignVoterAndForgery) {
  VoteMsg vote = f_.Vote(b1_, 1);
  EXPECT_TRUE(verifier_.VerifyVote(vote).ok());
  vote.voter = 2;  // someone else's name on validator 1's signature
  EXPECT_EQ(verifier_.VerifyVote(vote).code(), Code::kUnauthenticated);
  vote.voter = 40;
  EXPECT_EQ(verifier_.VerifyVote(vote).code(), Code::kUnauthenticated);
}

}  // namespace
}  // namespace mbl::consensus
