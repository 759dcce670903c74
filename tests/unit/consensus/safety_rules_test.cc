// The voting and timeout rules of DiemBFT v4 / Jolteon (docs/consensus.md, "Safety rules").
#include "consensus/safety_rules.h"

#include <gtest/gtest.h>

#include "tests/unit/consensus/fixture.h"

namespace mbl::consensus {
namespace {

using testing::Fixture;

class SafetyRulesTest : public ::testing::Test {
 protected:
  SafetyRulesTest() : f_(4), signer_(f_.key(1)) {}

  SafetyRules Rules(Round highest_voted = 0, Round highest_qc = 0) {
    return SafetyRules(highest_voted, highest_qc, f_.chain_id(), 1, signer_);
  }
  // b1 (round 1) on genesis, certified; b2 (round 2) on b1.
  void BuildChain() {
    b1_ = f_.MakeBlock(f_.genesis_block(), f_.genesis_qc(), 1);
    qc1_ = f_.Certify(b1_, {0, 1, 2});
    b2_ = f_.MakeBlock(b1_, qc1_, 2);
  }

  Fixture f_;
  KeyPairSigner signer_;
  Block b1_, b2_;
  QuorumCertificate qc1_;
};

TEST_F(SafetyRulesTest, VotingRule_VotesForBlockDirectlyExtendingItsQc) {
  BuildChain();
  SafetyRules rules = Rules();
  auto vote = rules.MakeVote(b2_, std::nullopt);
  ASSERT_TRUE(vote.ok()) << vote.status().ToString();
  EXPECT_EQ(vote->vote_data.block_id, b2_.id);
  EXPECT_EQ(vote->vote_data.parent_id, b1_.id);
  EXPECT_EQ(vote->vote_data.execution, b2_.execution);  // votes certify execution (D4)
  EXPECT_EQ(rules.highest_voted_round(), 2u);
  EXPECT_EQ(rules.highest_qc_round(), 1u);
  EXPECT_TRUE(crypto::Verify(f_.key(1).public_key, VoteSigningBytes(f_.chain_id(), vote->vote_data),
                             vote->signature));
}

TEST_F(SafetyRulesTest, VotingRule_NeverVotesTwiceInARound) {
  BuildChain();
  SafetyRules rules = Rules();
  ASSERT_TRUE(rules.MakeVote(b2_, std::nullopt).ok());
  const Block other = f_.MakeBlock(b1_, qc1_, 2, "another payload");
  auto second = rules.MakeVote(other, std::nullopt);
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kFailedPrecondition);
  // Not even the same block a second time: the vote is only ever signed once.
  EXPECT_FALSE(rules.MakeVote(b2_, std::nullopt).ok());
}

TEST_F(SafetyRulesTest, VotingRule_NeverVotesBelowHighestVotedRound) {
  BuildChain();
  SafetyRules rules = Rules(/*highest_voted=*/5, /*highest_qc=*/1);
  EXPECT_FALSE(rules.MakeVote(b2_, std::nullopt).ok());
  EXPECT_EQ(rules.highest_voted_round(), 5u);
}

TEST_F(SafetyRulesTest, VotingRule_RefusesRoundThatSkipsItsQcWithoutTc) {
  BuildChain();
  const Block skipping = f_.MakeBlock(b1_, qc1_, 4);  // round 4 on a QC of round 1
  SafetyRules rules = Rules();
  EXPECT_FALSE(rules.MakeVote(skipping, std::nullopt).ok());
  EXPECT_EQ(rules.highest_voted_round(), 0u);  // a refusal changes nothing
}

TEST_F(SafetyRulesTest, VotingRule_TcJustifiesRoundOnlyWhenQcIsAtLeastTheTcsHighQc) {
  BuildChain();
  // A TC of round 3 whose highest QC is qc1 (round 1): a block of round 4 on qc1 is safe.
  const auto tc3 = f_.MakeTc(3, {{0, qc1_}, {2, qc1_}, {3, f_.genesis_qc()}});
  const Block on_qc1 = f_.MakeBlock(b1_, qc1_, 4);
  EXPECT_TRUE(Rules().MakeVote(on_qc1, tc3).ok());
  // A block of round 4 on the genesis QC (round 0 < 1) must be refused: it could fork away
  // from a block that a quorum may have locked on.
  const Block on_genesis = f_.MakeBlock(f_.genesis_block(), f_.genesis_qc(), 4);
  EXPECT_FALSE(Rules().MakeVote(on_genesis, tc3).ok());
  // A TC of another round does not justify round 4.
  const auto tc2 = f_.MakeTc(2, {{0, qc1_}, {2, qc1_}, {3, qc1_}});
  EXPECT_FALSE(Rules().MakeVote(on_qc1, tc2).ok());
}

TEST_F(SafetyRulesTest, TimeoutRule_StopsVotingInTheRound) {
  BuildChain();
  SafetyRules rules = Rules();
  auto timeout = rules.MakeTimeout(2, qc1_, std::nullopt);
  ASSERT_TRUE(timeout.ok()) << timeout.status().ToString();
  EXPECT_TRUE(crypto::Verify(f_.key(1).public_key, TimeoutSigningBytes(f_.chain_id(), 2, 1),
                             timeout->signature));
  EXPECT_FALSE(rules.MakeVote(b2_, std::nullopt).ok());
}

TEST_F(SafetyRulesTest, TimeoutRule_SameRoundAgainButNeverAnEarlierRound) {
  BuildChain();
  SafetyRules rules = Rules();
  ASSERT_TRUE(rules.MakeVote(b2_, std::nullopt).ok());  // highest voted round 2
  const QuorumCertificate qc2 = f_.Certify(b2_, {0, 1, 2});
  EXPECT_TRUE(rules.MakeTimeout(3, qc2, std::nullopt).ok());
  EXPECT_TRUE(rules.MakeTimeout(3, qc2, std::nullopt).ok());  // re-sent after a restart
  EXPECT_FALSE(rules.MakeTimeout(2, qc1_, std::nullopt).ok());
}

TEST_F(SafetyRulesTest, TimeoutRule_HighQcMustCoverTheQcVotedOn) {
  BuildChain();
  SafetyRules rules = Rules();
  ASSERT_TRUE(rules.MakeVote(b2_, std::nullopt).ok());  // voted on qc1: highest_qc_round 1
  const auto tc2 = f_.MakeTc(2, {{0, qc1_}, {2, qc1_}, {3, qc1_}});
  // Round 3 after the TC of round 2, but with the genesis QC as high QC: refused.
  EXPECT_FALSE(rules.MakeTimeout(3, f_.genesis_qc(), tc2).ok());
  EXPECT_TRUE(rules.MakeTimeout(3, qc1_, tc2).ok());
}

TEST_F(SafetyRulesTest, TimeoutRule_RoundMustFollowQcOrTc) {
  BuildChain();
  EXPECT_FALSE(Rules().MakeTimeout(5, qc1_, std::nullopt).ok());
  const auto tc4 = f_.MakeTc(4, {{0, qc1_}, {2, qc1_}, {3, qc1_}});
  EXPECT_TRUE(Rules().MakeTimeout(5, qc1_, tc4).ok());
}

TEST_F(SafetyRulesTest, RestartFromPersistedRoundsNeverDoubleVotes) {
  BuildChain();
  SafetyRules before = Rules();
  ASSERT_TRUE(before.MakeVote(b2_, std::nullopt).ok());
  // What PersistSafetyData carried is all a restarted node knows.
  SafetyRules after = Rules(before.highest_voted_round(), before.highest_qc_round());
  const Block conflicting = f_.MakeBlock(b1_, qc1_, 2, "conflicting");
  EXPECT_FALSE(after.MakeVote(conflicting, std::nullopt).ok());
}

}  // namespace
}  // namespace mbl::consensus
