// Four (or more) ledgers in one process, ordering by BFT consensus over an in-process network
// whose links the tests cut and restore. Real RocksDB stores, real consensus core, real chaincode.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "consensus/codec.h"
#include "node/log.h"
#include "node/records_payload.h"
#include "tests/support/data_dir_damage.h"
#include "tests/unit/node/node_test_util.h"

namespace mbl::node {
namespace {

using testing::SiteRecord;
using testing::TempDir;

// Delivers frames synchronously between registered nodes; a node marked down neither sends nor
// receives (as if its links were cut).
class LoopbackHub {
 public:
  void Register(std::uint32_t index, FrameHandler handler) {
    std::lock_guard lock(mutex_);
    handlers_[index] = std::move(handler);
  }
  void Unregister(std::uint32_t index) {
    std::lock_guard lock(mutex_);
    handlers_.erase(index);
  }
  void SetUp(std::uint32_t index, bool up) {
    std::lock_guard lock(mutex_);
    if (up) {
      down_.erase(index);
    } else {
      down_.insert(index);
    }
  }
  void Deliver(std::uint32_t from, std::uint32_t to, const std::string& frame) {
    std::lock_guard lock(mutex_);
    if (down_.contains(from) || down_.contains(to)) return;
    auto it = handlers_.find(to);
    if (it != handlers_.end()) it->second(from, frame);
  }
  bool Connected(std::uint32_t a, std::uint32_t b) {
    std::lock_guard lock(mutex_);
    return handlers_.contains(b) && !down_.contains(a) && !down_.contains(b);
  }

 private:
  std::mutex mutex_;
  std::map<std::uint32_t, FrameHandler> handlers_;
  std::set<std::uint32_t> down_;
};

class LoopbackNetwork final : public PeerNetwork {
 public:
  LoopbackNetwork(LoopbackHub& hub, std::uint32_t self, std::size_t size, FrameHandler handler)
      : hub_(hub), self_(self), size_(size) {
    hub_.Register(self_, std::move(handler));
  }
  ~LoopbackNetwork() override { hub_.Unregister(self_); }
  void Send(std::uint32_t to, std::string frame) override { hub_.Deliver(self_, to, frame); }
  void Broadcast(const std::string& frame) override {
    for (std::uint32_t to = 0; to < size_; ++to) {
      if (to != self_) hub_.Deliver(self_, to, frame);
    }
  }
  std::vector<PeerLink> Links() const override {
    std::vector<PeerLink> links;
    for (std::uint32_t to = 0; to < size_; ++to) {
      if (to != self_) links.push_back({to, hub_.Connected(self_, to), 0, 0, 0});
    }
    return links;
  }

 private:
  LoopbackHub& hub_;
  const std::uint32_t self_;
  const std::size_t size_;
};

class BftLedgerTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kValidators = 4;

  BftLedgerTest() : fixture_(0, kValidators) {
    for (std::size_t i = 0; i < kValidators; ++i) dirs_.push_back(std::make_unique<TempDir>());
    ledgers_.resize(kValidators);
  }
  ~BftLedgerTest() override {
    for (auto& ledger : ledgers_) ledger.reset();
  }

  void Open(std::uint32_t index) {
    LedgerOptions options;
    options.data_dir = dirs_[index]->path();
    options.genesis = fixture_.genesis();
    options.timeouts.base_ms = 200;
    options.clock_allowance_ms = 5000;
    options.make_network = [this, index](
                               const NetworkSetup& setup,
                               FrameHandler handler) -> Result<std::unique_ptr<PeerNetwork>> {
      validator_of_node_[index] = setup.self;
      return std::unique_ptr<PeerNetwork>(std::make_unique<LoopbackNetwork>(
          hub_, setup.self, setup.validators.size(), std::move(handler)));
    };
    auto ledger =
        Ledger::Open(std::move(options),
                     crypto::KeyPair::FromSeed(fixture_.validator_keys()[index].secret_key.seed()));
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ledgers_[index] = std::move(*ledger);
  }
  void OpenAll() {
    if (std::getenv("MBL_TEST_DEBUG")) SetLogLevel(LogLevel::kDebug);
    for (std::uint32_t i = 0; i < kValidators; ++i) Open(i);
  }

  chaincode::RecordId Submit(std::uint32_t index, const chaincode::SignedRecord& record) {
    auto outcomes = ledgers_[index]->Submit({record});
    EXPECT_TRUE(outcomes[0].status.ok()) << outcomes[0].status.ToString();
    return outcomes[0].id;
  }

  // Polls (bounded) until every open ledger in `nodes` holds `id`.
  bool CommittedOn(const std::vector<std::uint32_t>& nodes, const chaincode::RecordId& id,
                   std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      bool all = true;
      for (auto node : nodes) all = all && ledgers_[node]->store().FindRecord(id).has_value();
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (auto node : nodes)
      ADD_FAILURE() << "node " << node << ": " << ledgers_[node]->Health().dump();
    return false;
  }

  // Every pair of ledgers agrees on every block both hold.
  void ExpectSameChain(const std::vector<std::uint32_t>& nodes) {
    for (auto a : nodes) {
      for (auto b : nodes) {
        std::uint64_t height =
            std::min(ledgers_[a]->store().tip().height, ledgers_[b]->store().tip().height);
        for (std::uint64_t h = 0; h <= height; ++h) {
          auto block_a = ledgers_[a]->store().GetBlock(h);
          auto block_b = ledgers_[b]->store().GetBlock(h);
          ASSERT_TRUE(block_a.ok() && block_b.ok());
          EXPECT_EQ(BlockHash(block_a->header), BlockHash(block_b->header)) << "height " << h;
        }
      }
    }
  }

  // Cuts (or restores) every link of ledger `node`.
  void SetUp(std::uint32_t node, bool up) { hub_.SetUp(validator_of_node_.at(node), up); }

  test_support::LedgerFixture fixture_;
  LoopbackHub hub_;
  std::map<std::uint32_t, std::uint32_t> validator_of_node_;  // ledger index -> validator index
  std::vector<std::unique_ptr<TempDir>> dirs_;
  std::vector<std::unique_ptr<Ledger>> ledgers_;
};

TEST_F(BftLedgerTest, RecordsSubmittedToAnyNodeCommitOnAllWithAQuorumCertificate) {
  OpenAll();
  std::vector<chaincode::RecordId> ids;
  for (std::uint32_t i = 0; i < kValidators; ++i) {
    ids.push_back(Submit(i, SiteRecord(fixture_, "site-" + std::to_string(i))));
  }
  for (const auto& id : ids) ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, id));
  ExpectSameChain({0, 1, 2, 3});
  auto location = ledgers_[0]->store().FindRecord(ids[0]);
  auto block = ledgers_[0]->store().GetBlock(location->height);
  ASSERT_TRUE(block.ok());
  auto certificate = DecodeBftCertificate(block->certificate);
  ASSERT_TRUE(certificate.ok()) << certificate.status().ToString();
  // The QC certifies this block's execution (D4): its vote data carries the header's roots.
  EXPECT_GE(certificate->qc.signatures.size(), 3u);
  EXPECT_EQ(certificate->qc.vote_data.execution.state_root, block->header.state_root);
  EXPECT_EQ(certificate->qc.vote_data.execution.results_root, block->header.results_root);
  EXPECT_EQ(certificate->qc.vote_data.height, block->header.height);
}

TEST_F(BftLedgerTest, TheSameRecordSubmittedToTwoNodesCommitsOnce) {
  OpenAll();
  auto record = SiteRecord(fixture_, "site-twice");
  auto id = Submit(1, record);
  ledgers_[2]->Submit({record});  // may be refused as already pending: either way, once
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, id));
  std::size_t copies = 0;
  for (std::uint64_t h = 1; h <= ledgers_[0]->store().tip().height; ++h) {
    auto block = ledgers_[0]->store().GetBlock(h);
    for (const auto& r : block->records) copies += r.payload == record.payload ? 1 : 0;
  }
  EXPECT_EQ(copies, 1u);
}

TEST_F(BftLedgerTest, AnIdleNetworkWritesNoEmptyBlocks) {
  OpenAll();
  auto id = Submit(0, SiteRecord(fixture_, "site-idle"));
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, id));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::uint64_t height = ledgers_[0]->store().tip().height;
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(ledgers_[0]->store().tip().height, height);
  // A record, then the two empty blocks that certify it and carry its certificate.
  EXPECT_LE(height, 4u);
}

TEST_F(BftLedgerTest, CommitsResumeWithOneNodeDownAndItCatchesUpWhenBack) {
  OpenAll();
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, Submit(0, SiteRecord(fixture_, "site-a"))));
  for (std::uint32_t down = 0; down < kValidators; ++down) {
    SetUp(down, false);  // whoever leads, every validator is down once
    std::uint32_t entry = (down + 1) % kValidators;
    auto id = Submit(entry, SiteRecord(fixture_, "site-down-" + std::to_string(down)));
    std::vector<std::uint32_t> up;
    for (std::uint32_t i = 0; i < kValidators; ++i) {
      if (i != down) up.push_back(i);
    }
    ASSERT_TRUE(CommittedOn(up, id)) << "with validator " << down << " down";
    SetUp(down, true);
    auto after = Submit(entry, SiteRecord(fixture_, "site-back-" + std::to_string(down)));
    ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, after)) << "validator " << down << " back";
  }
  ExpectSameChain({0, 1, 2, 3});
}

TEST_F(BftLedgerTest, WithFPlusOneNodesDownNothingCommitsAndCommitsResumeAfter) {
  OpenAll();
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, Submit(0, SiteRecord(fixture_, "site-a"))));
  SetUp(2, false);
  SetUp(3, false);
  // Messages already queued may still commit a block: read the heights once they settle.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::uint64_t height0 = ledgers_[0]->store().tip().height;
  const std::uint64_t height1 = ledgers_[1]->store().tip().height;
  auto id = Submit(0, SiteRecord(fixture_, "site-no-quorum"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  while (std::chrono::steady_clock::now() < deadline) {
    ASSERT_FALSE(ledgers_[0]->store().FindRecord(id).has_value());
    ASSERT_FALSE(ledgers_[1]->store().FindRecord(id).has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(ledgers_[0]->store().tip().height, height0);
  EXPECT_EQ(ledgers_[1]->store().tip().height, height1);
  SetUp(2, true);
  SetUp(3, true);
  // Node 1 holds the record too (forwarded while 2 and 3 were down); they get it from a block.
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, id, std::chrono::seconds(30)));
  ExpectSameChain({0, 1, 2, 3});
}

TEST_F(BftLedgerTest, ARestartedNodeRecoversItsSafetyDataAndKeepsCommitting) {
  OpenAll();
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, Submit(0, SiteRecord(fixture_, "site-a"))));
  for (int cycle = 0; cycle < 3; ++cycle) {
    const std::uint32_t node = static_cast<std::uint32_t>(cycle % kValidators);
    ledgers_[node].reset();
    auto id =
        Submit((node + 1) % kValidators, SiteRecord(fixture_, "site-r" + std::to_string(cycle)));
    Open(node);
    ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, id)) << "cycle " << cycle;
  }
  ExpectSameChain({0, 1, 2, 3});
}

TEST_F(BftLedgerTest, ANodeWithAWipedDataDirectoryCatchesUpFromPeers) {
  OpenAll();
  ledgers_[3].reset();
  std::filesystem::remove_all(dirs_[3]->path());
  std::filesystem::create_directories(dirs_[3]->path());
  chaincode::RecordId last{};
  for (int i = 0; i < 20; ++i)
    last = Submit(i % 3, SiteRecord(fixture_, "site-w" + std::to_string(i)));
  ASSERT_TRUE(CommittedOn({0, 1, 2}, last));
  Open(3);
  auto id = Submit(0, SiteRecord(fixture_, "site-after-wipe"));
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, id, std::chrono::seconds(30)));
  ASSERT_TRUE(CommittedOn({3}, last));
  ExpectSameChain({0, 1, 2, 3});
  EXPECT_TRUE(ledgers_[3]->store().CheckIntegrity().ok());
}

// A small tmpfs for one node's data directory (root only; skipped elsewhere, with the reason).
class SmallFilesystem {
 public:
  explicit SmallFilesystem(const std::filesystem::path& at, std::size_t megabytes) : at_(at) {
    std::string command = "mount -t tmpfs -o size=" + std::to_string(megabytes) + "m tmpfs " +
                          at.string() + " 2>/dev/null";
    mounted_ = std::system(command.c_str()) == 0;
  }
  ~SmallFilesystem() {
    if (mounted_) std::system(("umount -l " + at_.string()).c_str());
  }
  bool mounted() const { return mounted_; }
  // Fills the filesystem up to its last `keep_bytes`.
  void Fill(std::size_t keep_bytes) {
    auto space = std::filesystem::space(at_);
    std::ofstream filler(at_ / "filler", std::ios::binary);
    std::string chunk(1 << 16, 'x');
    for (std::uintmax_t left = space.available - keep_bytes; left > 0;) {
      std::size_t n = std::min<std::uintmax_t>(left, chunk.size());
      filler.write(chunk.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
  }
  void Free() { std::filesystem::remove(at_ / "filler"); }

 private:
  std::filesystem::path at_;
  bool mounted_ = false;
};

TEST_F(BftLedgerTest, ADiskFullNodeStopsCommittingCleanlyAndResumesWhenSpaceReturns) {
  SmallFilesystem disk(dirs_[3]->path(), 64);
  if (!disk.mounted()) GTEST_SKIP() << "needs root to mount a small tmpfs";
  OpenAll();
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, Submit(0, SiteRecord(fixture_, "site-before"))));
  disk.Fill(0);
  chaincode::RecordId last{};
  for (int i = 0; i < 30; ++i)
    last = Submit(i % 3, SiteRecord(fixture_, "site-full-" + std::to_string(i)));
  ASSERT_TRUE(CommittedOn({0, 1, 2}, last));  // the others keep committing
  // Node 3 says why it stopped, and refuses new records rather than accepting what it can't keep.
  bool stalled = false;
  for (int i = 0; i < 200 && !stalled; ++i) {
    stalled = ledgers_[3]->Health()["status"] == "degraded";
    if (!stalled) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(stalled) << ledgers_[3]->Health().dump();
  EXPECT_NE(ledgers_[3]->Health()["error"].get<std::string>().find("space"), std::string::npos)
      << ledgers_[3]->Health().dump();
  auto refused = ledgers_[3]->Submit({SiteRecord(fixture_, "site-refused")});
  EXPECT_EQ(refused[0].status.code(), Code::kUnavailable);
  disk.Free();
  ASSERT_TRUE(CommittedOn({3}, last, std::chrono::seconds(30)));
  EXPECT_EQ(ledgers_[3]->Health()["status"], "ok");
  auto after = Submit(3, SiteRecord(fixture_, "site-after"));
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, after));
  ExpectSameChain({0, 1, 2, 3});
  ledgers_[3].reset();  // and its data directory passes the start-up integrity check
  Open(3);
  EXPECT_TRUE(ledgers_[3]->store().CheckIntegrity().ok());
  ledgers_[3].reset();  // before the filesystem goes
}

// One validator's data directory turns read-only under it (a read-only bind mount laid over it,
// since Linux refuses to remount a filesystem read-only while files are open for writing): it
// stops committing with the reason and refuses records, the other three go on, and it catches up
// by itself once the directory is writable again.
TEST_F(BftLedgerTest, AReadOnlyDataDirectoryStallsTheNodeCleanlyAndItResumesWhenWritable) {
  OpenAll();
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, Submit(0, SiteRecord(fixture_, "site-before"))));
  test_support::ReadOnlyBindMount mount(dirs_[3]->path());
  if (!mount.mounted() || !mount.SetReadOnly(true)) {
    GTEST_SKIP() << "needs the right to mount (root) to lay a read-only bind mount over the "
                    "data directory";
  }
  chaincode::RecordId last{};
  for (int i = 0; i < 30; ++i)
    last = Submit(i % 3, SiteRecord(fixture_, "site-ro-" + std::to_string(i)));
  ASSERT_TRUE(CommittedOn({0, 1, 2}, last));
  bool stalled = false;
  for (int i = 0; i < 250 && !stalled; ++i) {
    stalled = ledgers_[3]->Health()["status"] == "degraded";
    if (!stalled) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(stalled) << ledgers_[3]->Health().dump();
  const std::string error = ledgers_[3]->Health()["error"];
  EXPECT_NE(error.find("is not writable (Read-only file system)"), std::string::npos) << error;
  EXPECT_FALSE(ledgers_[3]->store().FindRecord(last).has_value());
  auto refused = ledgers_[3]->Submit({SiteRecord(fixture_, "site-refused")});
  EXPECT_EQ(refused[0].status.code(), Code::kUnavailable);

  ASSERT_TRUE(mount.SetReadOnly(false));
  ASSERT_TRUE(CommittedOn({3}, last, std::chrono::seconds(30)));
  EXPECT_EQ(ledgers_[3]->Health()["status"], "ok");
  auto after = Submit(3, SiteRecord(fixture_, "site-after"));
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, after));
  ExpectSameChain({0, 1, 2, 3});
  ledgers_[3].reset();  // and its data directory passes the start-up integrity check
  Open(3);
  EXPECT_TRUE(ledgers_[3]->store().CheckIntegrity().ok());
  ledgers_[3].reset();  // before the bind mount goes
}

}  // namespace
}  // namespace mbl::node
