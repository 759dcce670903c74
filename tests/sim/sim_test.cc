// Seed sweeps of the cluster simulator. MBL_SIM_SEEDS sets how many seeds each sweep runs
// (default below); a failing seed prints its one-line replay command.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "consensus/codec.h"
#include "consensus/core.h"
#include "tests/sim/checker.h"
#include "tests/sim/cluster.h"
#include "tests/sim/event_queue.h"

namespace mbl::sim {
namespace {

std::uint64_t SeedCount(std::uint64_t default_count) {
  return SeedCountFromEnvironment(default_count);
}

// Runs `count` seeds from `first_seed`; returns the equivocations the twins managed in total.
std::uint64_t Sweep(SimOptions options, std::uint64_t first_seed, std::uint64_t count) {
  std::uint64_t equivocations = 0;
  for (std::uint64_t seed = first_seed; seed < first_seed + count; ++seed) {
    options.seed = seed;
    const SimResult result = RunSimulation(options);
    EXPECT_TRUE(result.ok) << result.failure;
    if (!result.ok) break;
    equivocations += result.equivocations;
  }
  return equivocations;
}

TEST(Simulator, SingleValidatorCommitsAlone) {
  SimOptions options;
  options.nodes = 1;
  options.rounds = 20;
  const SimResult result = RunSimulation(options);
  ASSERT_TRUE(result.ok) << result.failure;
  EXPECT_GE(result.min_committed_height, 15u) << result.Summary();
}

TEST(Simulator, FaultFreeClusterCommitsEveryRound) {
  SimOptions options;
  options.seed = 7;
  options.rounds = 40;
  options.twins = options.crashes = options.partitions = options.message_faults = false;
  const SimResult result = RunSimulation(options);
  ASSERT_TRUE(result.ok) << result.failure;
  // With every leader honest and no faults, round r commits block r - 2: no round is wasted.
  EXPECT_GE(result.min_committed_height + 3, result.heal_round) << result.Summary();
  EXPECT_EQ(result.messages_rejected, 0u) << result.Summary();
}

TEST(Simulator, SameSeedReplaysIdentically) {
  SimOptions options;
  options.seed = 4242;
  const SimResult first = RunSimulation(options);
  const SimResult second = RunSimulation(options);
  ASSERT_TRUE(first.ok) << first.failure;
  EXPECT_EQ(first.trace_digest, second.trace_digest);
  EXPECT_EQ(first.events, second.events);
  options.seed = 4243;
  EXPECT_NE(RunSimulation(options).trace_digest, first.trace_digest);
}

TEST(Simulator, FourValidatorsHoldInvariantsUnderRandomFaults) {
  SimOptions options;
  options.nodes = 4;
  Sweep(options, 1, SeedCount(200));
}

TEST(Simulator, SevenValidatorsHoldInvariantsUnderRandomFaults) {
  SimOptions options;
  options.nodes = 7;
  Sweep(options, 100'001, SeedCount(200) / 3 + 1);
}

TEST(Simulator, TwinEquivocationNeverBreaksAgreement) {
  // Crash- and partition-free runs where the seed's twin is the only fault: the equivocation
  // itself is what is tested.
  SimOptions options;
  options.crashes = options.partitions = false;
  // The twins must actually have signed conflicting blocks, or the sweep proves nothing.
  EXPECT_GT(Sweep(options, 200'001, SeedCount(200) / 5 + 1), 0u);
}

TEST(Simulator, CrashRestartWithoutNetworkFaultsNeverDoubleVotes) {
  SimOptions options;
  options.twins = options.partitions = options.message_faults = false;
  Sweep(options, 300'001, SeedCount(200) / 5 + 1);
}

// The checker itself must catch what it claims to: two heights' worth of conflicting commits and a
// double vote, built by hand.
class CheckerTest : public ::testing::Test {
 protected:
  CheckerTest() {
    MBL_CHECK(crypto::InitializeCrypto().ok());
    std::vector<crypto::PublicKey> public_keys;
    for (int i = 0; i < 4; ++i) {
      keys_.push_back(crypto::KeyPair::FromSeed(crypto::Sha256("checker" + std::to_string(i))));
      public_keys.push_back(keys_.back().public_key);
    }
    validators_.emplace(std::move(consensus::ValidatorSet::Create(public_keys)).value());
    genesis_ = consensus::MakeGenesisBlock(consensus::Genesis{0, 0, {}});
  }
  Block MakeBlock(const Block& parent, const consensus::QuorumCertificate& parent_qc,
                  consensus::Round round, const std::string& payload) {
    Block b;
    b.round = round;
    b.height = parent.height + 1;
    b.author = validators_->LeaderOf(round);
    b.qc = parent_qc;
    b.payload = payload;
    b.execution = FakeExecute(b, parent.execution);
    consensus::SealBlock(b);
    return b;
  }
  consensus::QuorumCertificate Certify(const Block& b) {
    consensus::QuorumCertificate qc;
    qc.vote_data = {b.id, b.round, b.height, b.parent_id(), b.qc.round(), b.execution};
    for (consensus::ValidatorIndex v = 0; v < 3; ++v) {
      qc.signatures.push_back({v, crypto::Sign(keys_[v].secret_key, consensus::VoteSigningBytes(
                                                                        chain_id_, qc.vote_data))});
    }
    return qc;
  }
  // Commits b (certified) with a consecutive child as proof.
  consensus::CommitBlocks Commit(const Block& b) {
    const auto qc = Certify(b);
    const Block child = MakeBlock(b, qc, b.round + 1, "child");
    return consensus::CommitBlocks{{{b, qc}}, Certify(child)};
  }

  std::vector<crypto::KeyPair> keys_;
  std::optional<consensus::ValidatorSet> validators_;
  crypto::Hash256 chain_id_ = crypto::Sha256("checker-chain");
  Block genesis_;
};

TEST_F(CheckerTest, DetectsConflictingCommitsAtOneHeight) {
  SafetyChecker checker(*validators_, chain_id_, genesis_, {});
  const auto genesis_qc = consensus::MakeGenesisQc(genesis_);
  const Block a = MakeBlock(genesis_, genesis_qc, 1, "a");
  const Block b = MakeBlock(genesis_, genesis_qc, 1, "b");
  checker.ObserveCommit(0, Disk{}, Commit(a));
  EXPECT_FALSE(checker.failed()) << checker.failure();
  checker.ObserveCommit(1, Disk{}, Commit(b));
  ASSERT_TRUE(checker.failed());
  EXPECT_NE(checker.failure().find("SAFETY VIOLATION"), std::string::npos);
}

TEST_F(CheckerTest, DetectsACommitWithoutTheTwoChainProof) {
  SafetyChecker checker(*validators_, chain_id_, genesis_, {});
  const Block a = MakeBlock(genesis_, consensus::MakeGenesisQc(genesis_), 1, "a");
  consensus::CommitBlocks commit = Commit(a);
  const Block late_child = MakeBlock(a, Certify(a), 3, "two rounds later");
  commit.commit_qc = Certify(late_child);
  checker.ObserveCommit(0, Disk{}, commit);
  EXPECT_TRUE(checker.failed());
}

TEST_F(CheckerTest, DetectsHonestDoubleVoteButOnlyCountsByzantineOnes) {
  const auto genesis_qc = consensus::MakeGenesisQc(genesis_);
  const Block a = MakeBlock(genesis_, genesis_qc, 1, "a");
  const Block b = MakeBlock(genesis_, genesis_qc, 1, "b");
  SafetyChecker with_twin(*validators_, chain_id_, genesis_, {0});
  with_twin.ObserveMessage(consensus::SyncInfo{Certify(a), std::nullopt});
  with_twin.ObserveMessage(consensus::SyncInfo{Certify(b), std::nullopt});
  // Validators 1 and 2 are honest and signed both: a double vote.
  EXPECT_TRUE(with_twin.failed());
  EXPECT_EQ(with_twin.equivocations(), 1u);  // validator 0's
}

}  // namespace
}  // namespace mbl::sim
