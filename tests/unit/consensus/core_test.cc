// ConsensusCore end to end on one or two nodes, driven by hand (docs/consensus.md).
#include "consensus/core.h"

#include <gtest/gtest.h>

#include <memory>

#include "tests/unit/consensus/fixture.h"

namespace mbl::consensus {
namespace {

using testing::ActionsOf;
using testing::Fixture;
using testing::TestHost;

// One validator's core with its own host and signer.
struct Node {
  Node(const Fixture& f, ValidatorIndex self, RecoveryState recovery = {})
      : signer(f.key(self)),
        core(f.Config(self), ConsensusDependencies{host, host, signer, host}, std::move(recovery)) {
  }
  TestHost host;
  KeyPairSigner signer;
  ConsensusCore core;
};

// A chain B1..Bk of the fixture with each block certified by validators {0, 1, 2}.
struct Chain {
  std::vector<Block> blocks;
  std::vector<QuorumCertificate> qcs;  // qcs[i] certifies blocks[i]
};
Chain BuildChain(Fixture& f, Round rounds) {
  Chain chain;
  const Block* parent = &f.genesis_block();
  QuorumCertificate parent_qc = f.genesis_qc();
  chain.blocks.reserve(rounds);
  for (Round r = 1; r <= rounds; ++r) {
    chain.blocks.push_back(f.MakeBlock(*parent, parent_qc, r, "records-" + std::to_string(r)));
    chain.qcs.push_back(f.Certify(chain.blocks.back(), {0, 1, 2}));
    parent = &chain.blocks.back();
    parent_qc = chain.qcs.back();
  }
  return chain;
}

TEST(ConsensusCore, SingleValidatorCommitsAlone) {
  Fixture f(1);
  Node node(f, 0);
  Output out = node.core.Start();
  std::vector<CommittedBlock> committed;
  for (int step = 0; step < 10; ++step) {
    const auto persists = ActionsOf<PersistSafetyData>(out);
    ASSERT_EQ(persists.size(), 1u) << "step " << step;
    EXPECT_TRUE(ActionsOf<SendVote>(out).empty());  // N = 1: the vote goes to itself
    out = node.core.OnSafetyDataPersisted(persists[0].sequence);
    for (const auto& c : ActionsOf<CommitBlocks>(out)) {
      committed.insert(committed.end(), c.blocks.begin(), c.blocks.end());
    }
  }
  ASSERT_GE(committed.size(), 8u);
  for (std::size_t i = 0; i < committed.size(); ++i) {
    EXPECT_EQ(committed[i].block.height, i + 1);
    EXPECT_EQ(committed[i].qc.certified_block_id(), committed[i].block.id);
  }
  EXPECT_EQ(node.core.committed_height(), committed.size());
}

TEST(ConsensusCore, PersistBeforeSend_VoteLeavesOnlyAfterTheAck) {
  Fixture f(4);
  Node node(f, 3);
  (void)node.core.Start();
  const Chain chain = BuildChain(f, 1);
  Output out = node.core.OnProposal(1, f.Propose(chain.blocks[0]));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  const auto persists = ActionsOf<PersistSafetyData>(out);
  ASSERT_EQ(persists.size(), 1u);
  EXPECT_EQ(persists[0].safety_data.highest_voted_round, 1u);
  ASSERT_TRUE(persists[0].voted_block.has_value());
  EXPECT_EQ(persists[0].voted_block->id, chain.blocks[0].id);
  EXPECT_TRUE(ActionsOf<SendVote>(out).empty());

  EXPECT_FALSE(node.core.OnSafetyDataPersisted(persists[0].sequence + 1).status.ok());
  out = node.core.OnSafetyDataPersisted(persists[0].sequence);
  const auto votes = ActionsOf<SendVote>(out);
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].to, 2u);  // the leader of round 2
  EXPECT_EQ(votes[0].vote.vote_data.block_id, chain.blocks[0].id);
}

TEST(ConsensusCore, RestartFromPersistedSafetyDataNeverDoubleVotes) {
  Fixture f(4);
  const Chain chain = BuildChain(f, 1);
  PersistSafetyData persisted;
  {
    Node node(f, 3);
    (void)node.core.Start();
    Output out = node.core.OnProposal(1, f.Propose(chain.blocks[0]));
    persisted = ActionsOf<PersistSafetyData>(out).at(0);
    ASSERT_EQ(ActionsOf<SendVote>(node.core.OnSafetyDataPersisted(persisted.sequence)).size(), 1u);
  }  // crash
  Node restarted(f, 3,
                 RecoveryState{persisted.safety_data, std::nullopt, {*persisted.voted_block}});
  (void)restarted.core.Start();
  EXPECT_EQ(restarted.core.current_round(), 1u);
  // The leader of round 1 equivocates: a second block of round 1.
  const Block conflicting =
      f.MakeBlock(f.genesis_block(), f.genesis_qc(), 1, "the other block of round 1");
  Output out = restarted.core.OnProposal(1, f.Propose(conflicting));
  EXPECT_TRUE(ActionsOf<PersistSafetyData>(out).empty());
  EXPECT_TRUE(ActionsOf<SendVote>(out).empty());
  // The voted block came back from disk, so the next round can build on it.
  EXPECT_NE(restarted.core.FindBlock(chain.blocks[0].id), nullptr);
}

TEST(ConsensusCore, CrashBeforeTheAckLosesTheVoteButNeverSendsIt) {
  Fixture f(4);
  const Chain chain = BuildChain(f, 1);
  {
    Node node(f, 3);
    (void)node.core.Start();
    Output out = node.core.OnProposal(1, f.Propose(chain.blocks[0]));
    ASSERT_EQ(ActionsOf<PersistSafetyData>(out).size(), 1u);
    ASSERT_TRUE(ActionsOf<SendVote>(out).empty());
  }  // crash before the host acknowledged: the vote never left, nothing was persisted
  Node restarted(f, 3);
  (void)restarted.core.Start();
  const Block other = f.MakeBlock(f.genesis_block(), f.genesis_qc(), 1, "other");
  Output out = restarted.core.OnProposal(1, f.Propose(other));
  EXPECT_EQ(ActionsOf<PersistSafetyData>(out).size(), 1u);  // its only vote of round 1
}

TEST(ConsensusCore, VotesCertifyExecution_NoVoteForResultsItDisagreesWith) {
  Fixture f(4);
  Node node(f, 3);
  node.host.lie_about_execution = true;  // this node computes another state root
  (void)node.core.Start();
  const Chain chain = BuildChain(f, 1);
  Output out = node.core.OnProposal(1, f.Propose(chain.blocks[0]));
  EXPECT_EQ(out.status.code(), Code::kFailedPrecondition) << out.status.ToString();
  EXPECT_TRUE(ActionsOf<PersistSafetyData>(out).empty());
}

TEST(ConsensusCore, NoVoteForAPayloadTheHostRefuses) {
  Fixture f(4);
  Node node(f, 3);
  (void)node.core.Start();
  const Block bad = f.MakeBlock(f.genesis_block(), f.genesis_qc(), 1, "bad");
  Output out = node.core.OnProposal(1, f.Propose(bad));
  EXPECT_FALSE(out.status.ok());
  EXPECT_TRUE(ActionsOf<PersistSafetyData>(out).empty());
}

TEST(ConsensusCore, TwoChainCommit_ParentCommitsOnlyWithAConsecutiveRoundChild) {
  Fixture f(4);
  Node node(f, 0);  // leads round 4 only, which times out below
  (void)node.core.Start();
  const Chain c = BuildChain(f, 3);  // B1 <- B2 <- B3, rounds 1, 2, 3
  EXPECT_TRUE(ActionsOf<CommitBlocks>(node.core.OnProposal(1, f.Propose(c.blocks[0]))).empty());
  EXPECT_TRUE(ActionsOf<CommitBlocks>(node.core.OnProposal(2, f.Propose(c.blocks[1]))).empty());
  // B3 carries QC(B2), and round(B2) = round(B1) + 1: B1 commits.
  auto commits = ActionsOf<CommitBlocks>(node.core.OnProposal(3, f.Propose(c.blocks[2])));
  ASSERT_EQ(commits.size(), 1u);
  ASSERT_EQ(commits[0].blocks.size(), 1u);
  EXPECT_EQ(commits[0].blocks[0].block.id, c.blocks[0].id);
  EXPECT_EQ(commits[0].blocks[0].qc, c.qcs[0]);
  EXPECT_EQ(commits[0].commit_qc, c.qcs[1]);

  // Round 4 times out; B5 (round 5) extends B3 through the TC; B6 extends B5.
  const auto tc4 = f.MakeTc(4, {{0, c.qcs[2]}, {1, c.qcs[2]}, {2, c.qcs[2]}});
  const Block b5 = f.MakeBlock(c.blocks[2], c.qcs[2], 5, "five");
  const QuorumCertificate qc5 = f.Certify(b5, {0, 1, 2});
  const Block b6 = f.MakeBlock(b5, qc5, 6, "six");
  const QuorumCertificate qc6 = f.Certify(b6, {0, 1, 2});
  const Block b7 = f.MakeBlock(b6, qc6, 7, "seven");
  // The TC carries QC(B3), and B3 directly follows B2: B2 commits.
  commits = ActionsOf<CommitBlocks>(node.core.OnProposal(1, f.Propose(b5, tc4)));
  ASSERT_EQ(commits.size(), 1u);
  ASSERT_EQ(commits[0].blocks.size(), 1u);
  EXPECT_EQ(commits[0].blocks[0].block.id, c.blocks[1].id);
  // QC(B5) certifies B5 of round 5 whose parent B3 has round 3: B3 does not commit.
  EXPECT_TRUE(ActionsOf<CommitBlocks>(node.core.OnProposal(2, f.Propose(b6))).empty());
  // QC(B6): B6 (round 6) directly follows B5 (round 5): B5 commits, and B3 with it, in order.
  commits = ActionsOf<CommitBlocks>(node.core.OnProposal(3, f.Propose(b7)));
  ASSERT_EQ(commits.size(), 1u);
  ASSERT_EQ(commits[0].blocks.size(), 2u);
  EXPECT_EQ(commits[0].blocks[0].block.id, c.blocks[2].id);
  EXPECT_EQ(commits[0].blocks[0].qc, c.qcs[2]);
  EXPECT_EQ(commits[0].blocks[1].block.id, b5.id);
  EXPECT_EQ(commits[0].blocks[1].qc, qc5);
  EXPECT_EQ(commits[0].commit_qc, qc6);
  EXPECT_EQ(node.core.committed_height(), 4u);
}

TEST(ConsensusCore, LeaderFormsQcFromAQuorumOfVotesAndProposesNext) {
  Fixture f(4);
  Node leader(f, 2);  // leads round 2, collects votes of round 1
  (void)leader.core.Start();
  const Chain c = BuildChain(f, 1);
  Output out = leader.core.OnProposal(1, f.Propose(c.blocks[0]));
  out = leader.core.OnSafetyDataPersisted(ActionsOf<PersistSafetyData>(out).at(0).sequence);
  EXPECT_TRUE(ActionsOf<BroadcastProposal>(out).empty());  // own vote only: 1 of 3
  out = leader.core.OnVote(0, f.Vote(c.blocks[0], 0));
  EXPECT_TRUE(ActionsOf<BroadcastProposal>(out).empty());
  out = leader.core.OnVote(0, f.Vote(c.blocks[0], 0));  // duplicate: still 2 of 3
  EXPECT_TRUE(ActionsOf<BroadcastProposal>(out).empty());
  out = leader.core.OnVote(1, f.Vote(c.blocks[0], 1));
  const auto proposals = ActionsOf<BroadcastProposal>(out);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].proposal.block.round, 2u);
  EXPECT_EQ(proposals[0].proposal.block.qc.certified_block_id(), c.blocks[0].id);
  EXPECT_EQ(proposals[0].proposal.block.qc.signatures.size(), 3u);
  EXPECT_EQ(leader.core.current_round(), 2u);
}

TEST(ConsensusCore, TimeoutsFormATcAndAdvanceTheRound) {
  Fixture f(4);
  Node node(f, 3);
  (void)node.core.Start();
  EXPECT_EQ(node.core.current_round(), 1u);
  // f + 1 = 2 timeouts of round 1: the node joins (Bracha) and sends its own after persisting.
  Output out = node.core.OnTimeout(0, f.Timeout(1, f.genesis_qc(), 0));
  EXPECT_TRUE(ActionsOf<PersistSafetyData>(out).empty());
  out = node.core.OnTimeout(1, f.Timeout(1, f.genesis_qc(), 1));
  const auto persists = ActionsOf<PersistSafetyData>(out);
  ASSERT_EQ(persists.size(), 1u);
  EXPECT_TRUE(ActionsOf<BroadcastTimeout>(out).empty());
  out = node.core.OnSafetyDataPersisted(persists[0].sequence);
  ASSERT_EQ(ActionsOf<BroadcastTimeout>(out).size(), 1u);
  // Its own timeout was the third: a TC of round 1, so round 2.
  EXPECT_EQ(node.core.current_round(), 2u);
  // No vote in round 1 any more.
  const Chain c = BuildChain(f, 1);
  EXPECT_TRUE(
      ActionsOf<PersistSafetyData>(node.core.OnProposal(1, f.Propose(c.blocks[0]))).empty());
}

TEST(ConsensusCore, CatchUpFetchesCertifiedBlocksFromAPeer) {
  Fixture f(4);
  const Chain c = BuildChain(f, 4);
  Node ahead(f, 0);  // leads no round it enters here, so it only follows
  (void)ahead.core.Start();
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(ahead.core.OnProposal(0, f.Propose(c.blocks[i])).status.ok());
  }
  Node behind(f, 3);
  (void)behind.core.Start();
  // B4 arrives first: its parent B3 is unknown, so the node asks for the blocks.
  Output out = behind.core.OnProposal(0, f.Propose(c.blocks[3]));
  const auto requests = ActionsOf<RequestBlocks>(out);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].request.target_id, c.blocks[2].id);
  EXPECT_EQ(requests[0].to, 0u);  // the proposer of B4 has its ancestors
  Output served = ahead.core.OnBlockRequest(3, requests[0].request);
  const auto responses = ActionsOf<SendBlocks>(served);
  ASSERT_EQ(responses.size(), 1u);
  ASSERT_EQ(responses[0].response.blocks.size(), 3u);
  out = behind.core.OnBlocksFetched(0, responses[0].response);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_FALSE(behind.core.fetching());
  // B1 commits (QC(B2) is consecutive) and the waiting proposal B4 is voted for.
  EXPECT_FALSE(ActionsOf<CommitBlocks>(out).empty());
  const auto persists = ActionsOf<PersistSafetyData>(out);
  ASSERT_EQ(persists.size(), 1u);
  EXPECT_EQ(persists[0].voted_block->id, c.blocks[3].id);
}

TEST(ConsensusCore, FetchedBlocksMustBeCertified) {
  Fixture f(4);
  const Chain c = BuildChain(f, 4);
  Node behind(f, 3);
  (void)behind.core.Start();
  Output out = behind.core.OnProposal(0, f.Propose(c.blocks[3]));
  ASSERT_EQ(ActionsOf<RequestBlocks>(out).size(), 1u);
  // A peer answers with a block that is not on the certified chain.
  BlockResponse forged{{c.blocks[0], f.MakeBlock(c.blocks[0], c.qcs[0], 2, "forged")}};
  out = behind.core.OnBlocksFetched(1, forged);
  EXPECT_EQ(behind.core.FindBlock(forged.blocks[1].id), nullptr);
  EXPECT_TRUE(behind.core.fetching());
}

TEST(ConsensusCore, RejectsBadInputWithoutChangingState) {
  Fixture f(4);
  Node node(f, 2);
  (void)node.core.Start();
  const Chain c = BuildChain(f, 1);
  VoteMsg vote = f.Vote(c.blocks[0], 1);
  vote.voter = 11;
  EXPECT_FALSE(node.core.OnVote(1, vote).status.ok());
  ProposalMsg proposal = f.Propose(c.blocks[0]);
  proposal.block.author = 0;
  EXPECT_FALSE(node.core.OnProposal(0, proposal).status.ok());
  EXPECT_FALSE(node.core.OnBlockRequest(17, BlockRequest{}).status.ok());
  EXPECT_FALSE(node.core.OnBlocksFetched(1, BlockResponse{}).status.ok());
  // Random bytes never crash the decoder.
  std::string noise;
  for (int i = 0; i < 2'000; ++i) {
    noise.push_back(static_cast<char>((i * 131 + 7) % 256));
    (void)DecodeMessage(noise);
  }
  EXPECT_EQ(node.core.current_round(), 1u);
  EXPECT_EQ(node.core.safety_data().highest_voted_round, 0u);
}

TEST(Pacemaker, AdvancesOnQcOrTcOfTheCurrentRoundOrLater) {
  Pacemaker pacemaker(3, std::nullopt, TimeoutPolicy{100, 4});
  EXPECT_FALSE(pacemaker.AdvanceRoundQc(1));
  EXPECT_TRUE(pacemaker.AdvanceRoundQc(3));
  EXPECT_EQ(pacemaker.current_round(), 4u);
  TimeoutCertificate tc;
  tc.round = 6;
  EXPECT_TRUE(pacemaker.AdvanceRoundTc(tc));
  EXPECT_EQ(pacemaker.current_round(), 7u);
  ASSERT_TRUE(pacemaker.last_round_tc().has_value());
  EXPECT_TRUE(pacemaker.AdvanceRoundQc(7));
  EXPECT_FALSE(pacemaker.last_round_tc().has_value());  // entered by QC: no TC needed
}

TEST(Pacemaker, RoundTimerBacksOffWithoutCommitsAndIsCapped) {
  Pacemaker pacemaker(1, std::nullopt, TimeoutPolicy{100, 4});
  EXPECT_EQ(pacemaker.RoundTimeoutMs(0), 100);
  (void)pacemaker.AdvanceRoundQc(2);  // round 3: still the normal pipeline
  EXPECT_EQ(pacemaker.RoundTimeoutMs(0), 100);
  (void)pacemaker.AdvanceRoundQc(4);  // round 5: two rounds past the third without a commit
  EXPECT_EQ(pacemaker.RoundTimeoutMs(0), 225);
  (void)pacemaker.AdvanceRoundQc(100);
  EXPECT_EQ(pacemaker.RoundTimeoutMs(0), 100 * 3 / 2 * 3 / 2 * 3 / 2 * 3 / 2);
  EXPECT_EQ(pacemaker.RoundTimeoutMs(100), 100);
}

}  // namespace
}  // namespace mbl::consensus
