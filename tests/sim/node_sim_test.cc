// Seed sweeps of the whole-node simulator (node_cluster.h). MBL_SIM_SEEDS sets how many seeds
// the four-node sweep runs (default 150; the seven-node sweep runs a third of it); a failing seed
// prints its one-line replay command.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <cstdlib>
#include <string>

#include "base/big_endian.h"
#include "consensus/codec.h"
#include "node/bft_replica.h"
#include "tests/sim/event_queue.h"
#include "tests/sim/node_checker.h"
#include "tests/sim/node_cluster.h"
#include "tests/sim/sim_disk.h"

namespace mbl::sim {
namespace {

std::uint64_t SeedCount(std::uint64_t default_count) {
  return SeedCountFromEnvironment(default_count);
}

struct SweepTotals {
  std::uint64_t crashes = 0;
  std::uint64_t torn_syncs = 0;
  std::uint64_t epochs = 0;
  std::uint64_t acknowledged = 0;
};

SweepTotals Sweep(SimOptions options, std::uint64_t first_seed, std::uint64_t count) {
  SweepTotals totals;
  for (std::uint64_t seed = first_seed; seed < first_seed + count; ++seed) {
    options.seed = seed;
    const NodeSimResult result = RunNodeSimulation(options);
    EXPECT_TRUE(result.ok) << result.failure;
    if (!result.ok) break;
    totals.crashes += result.crashes;
    totals.torn_syncs += result.torn_syncs;
    totals.epochs += result.epochs;
    totals.acknowledged += result.acknowledged;
  }
  return totals;
}

TEST(WholeNodeSimulator, FaultFreeFourNodesRunTheWholeScript) {
  SimOptions options;
  options.seed = 11;
  options.twins = options.crashes = options.partitions = options.message_faults = false;
  options.validator_change = false;
  const NodeSimResult result = RunNodeSimulation(options);
  ASSERT_TRUE(result.ok) << result.failure;
  EXPECT_GT(result.acknowledged, 10u) << result.Summary();
  EXPECT_GT(result.client_steps, 8u) << result.Summary();
}

TEST(WholeNodeSimulator, SameSeedReplaysIdentically) {
  SimOptions options;
  options.seed = 4242;
  const NodeSimResult first = RunNodeSimulation(options);
  const NodeSimResult second = RunNodeSimulation(options);
  ASSERT_TRUE(first.ok) << first.failure;
  EXPECT_EQ(first.trace_digest, second.trace_digest) << first.Summary() << "\n" << second.Summary();
  EXPECT_EQ(first.events, second.events);
  options.seed = 4243;
  EXPECT_NE(RunNodeSimulation(options).trace_digest, first.trace_digest);
}

TEST(WholeNodeSimulator, FourNodesHoldEveryInvariantUnderRandomFaults) {
  SimOptions options;
  options.nodes = 4;
  const SweepTotals totals = Sweep(options, 1, SeedCount(150));
  // The sweep must have crashed nodes inside syncs and changed validator sets, or it proves
  // little about the commit path and the epochs.
  EXPECT_GT(totals.torn_syncs, 0u);
  EXPECT_GT(totals.epochs, 0u);
  EXPECT_GT(totals.acknowledged, 0u);
}

TEST(WholeNodeSimulator, SevenNodesHoldEveryInvariantUnderRandomFaults) {
  SimOptions options;
  options.nodes = 7;
  Sweep(options, 100'001, SeedCount(150) / 3 + 1);
}

// The simulator must find a known bug: with votes sent before the safety data recording them is
// durable, a crash inside that sync lets a restarted validator vote again in a round it voted in
// (docs/testing.md has the figures).
TEST(WholeNodeSimulator, FindsTheInjectedVoteBeforePersistBug) {
  SimOptions options;
  options.inject_vote_before_persist_bug = true;
  std::uint64_t found_at = 0;
  for (std::uint64_t seed = 1; seed <= 300 && found_at == 0; ++seed) {
    options.seed = seed;
    const NodeSimResult result = RunNodeSimulation(options);
    if (!result.ok) {
      EXPECT_NE(result.failure.find("double vote"), std::string::npos) << result.failure;
      EXPECT_NE(result.failure.find("--inject-vote-before-persist-bug"), std::string::npos);
      found_at = seed;
    }
  }
  EXPECT_NE(found_at, 0u) << "300 seeds did not find the injected bug";
}

// ---- The simulated disk.

std::string ReadBack(SimDisk& disk, const std::string& path) {
  std::string data;
  if (!rocksdb::ReadFileToString(disk.env(), path, &data).ok()) return "<absent>";
  return data;
}

void Append(SimDisk& disk, const std::string& path, const std::string& data, bool sync,
            bool create) {
  auto& fs = *disk.env()->GetFileSystem();
  std::unique_ptr<rocksdb::FSWritableFile> file;
  const rocksdb::IOOptions io;
  if (create) {
    ASSERT_TRUE(fs.NewWritableFile(path, rocksdb::FileOptions(), &file, nullptr).ok());
  } else {
    ASSERT_TRUE(fs.ReopenWritableFile(path, rocksdb::FileOptions(), &file, nullptr).ok());
  }
  ASSERT_TRUE(file->Append(data, io, nullptr).ok());
  if (sync) {
    ASSERT_TRUE(file->Sync(io, nullptr).ok());
  }
  ASSERT_TRUE(file->Close(io, nullptr).ok());
}

TEST(SimDisk, ACrashKeepsWhatWasSyncedAndAPrefixOfTheLogsTail) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    SimDisk disk("/d");
    ASSERT_TRUE(disk.env()->CreateDirIfMissing("/d").ok());
    Append(disk, "/d/000004.log", "synced|", true, true);
    Append(disk, "/d/000004.log", "unsynced tail", false, false);
    Append(disk, "/d/MANIFEST-000001", "never synced", false, true);
    disk.CrashNow();
    Append(disk, "/d/000004.log", "after the crash", true, false);
    Append(disk, "/d/000009.log", "made after the crash", true, true);
    Prng prng(seed);
    disk.Reboot(prng);
    const std::string log = ReadBack(disk, "/d/000004.log");
    EXPECT_TRUE(log.starts_with("synced|")) << log;
    EXPECT_TRUE(std::string("synced|unsynced tail").starts_with(log)) << log;
    EXPECT_EQ(ReadBack(disk, "/d/MANIFEST-000001"), "");  // not a log: cut to what was synced
    EXPECT_EQ(ReadBack(disk, "/d/000009.log"), "<absent>");
  }
}

TEST(SimDisk, AnArmedCrashLosesTheSyncItStrikes) {
  SimDisk disk("/d");
  ASSERT_TRUE(disk.env()->CreateDirIfMissing("/d").ok());
  disk.ArmCrash(2);
  Append(disk, "/d/CURRENT", "first", true, true);
  EXPECT_FALSE(disk.crashed());
  Append(disk, "/d/OPTIONS", "second", true, true);
  EXPECT_TRUE(disk.crashed());
  Prng prng(1);
  disk.Reboot(prng);
  EXPECT_EQ(ReadBack(disk, "/d/CURRENT"), "first");
  EXPECT_EQ(ReadBack(disk, "/d/OPTIONS"), "");
}

// ---- The checker catches what it claims to.

std::string VoteFrame(std::uint64_t epoch, consensus::Round round, std::uint8_t block_byte) {
  consensus::VoteMsg vote;
  vote.voter = 2;
  vote.vote_data.round = round;
  vote.vote_data.height = 1;
  vote.vote_data.block_id.fill(block_byte);
  std::string frame(1, static_cast<char>(node::FrameKind::kConsensus));
  big_endian::PutU64(frame, epoch);
  return frame + consensus::EncodeMessage(vote);
}

TEST(NodeChecker, DetectsAnHonestDoubleVoteInOneRoundOfOneEpoch) {
  NodeChecker checker({});
  checker.ObserveHonestFrame(VoteFrame(0, 5, 0xAA));
  checker.ObserveHonestFrame(VoteFrame(0, 5, 0xAA));  // the same vote again: fine
  checker.ObserveHonestFrame(VoteFrame(1, 5, 0xBB));  // another epoch: fine
  checker.ObserveHonestFrame(VoteFrame(0, 6, 0xBB));  // another round: fine
  EXPECT_FALSE(checker.failed()) << checker.failure();
  checker.ObserveHonestFrame(VoteFrame(0, 5, 0xBB));
  ASSERT_TRUE(checker.failed());
  EXPECT_NE(checker.failure().find("double vote"), std::string::npos) << checker.failure();
}

}  // namespace
}  // namespace mbl::sim
