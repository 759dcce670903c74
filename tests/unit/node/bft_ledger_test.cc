// Four (or more) ledgers in one process, ordering by BFT consensus over an in-process network
// whose links the tests cut and restore. Real RocksDB stores, real consensus core, real chaincode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/limits.h"
#include "consensus/codec.h"
#include "crypto/encoding.h"
#include "formats/records_payload.h"
#include "node/epoch.h"
#include "node/ledger_views.h"
#include "node/log.h"
#include "tests/support/data_dir_damage.h"
#include "tests/unit/node/node_test_util.h"

namespace mbl::node {
namespace {

using formats::DecodeBftCertificate;
using formats::DecodeSyncChunk;
using formats::EncodeSyncChunk;
using formats::SyncChunk;
using testing::SiteRecord;
using testing::TempDir;

// Delivers frames synchronously between registered nodes, by their keys (as the real links do:
// indices are per epoch); a node marked down neither sends nor receives (as if its links were
// cut). A receiver drops frames from keys outside its own validator set, as a handshake would.
using KeyHandler = std::function<void(const crypto::PublicKey& from, std::string frame)>;
class LoopbackHub {
 public:
  void Register(const crypto::PublicKey& key, KeyHandler handler) {
    std::lock_guard lock(mutex_);
    handlers_[key] = std::move(handler);
  }
  void Unregister(const crypto::PublicKey& key) {
    std::lock_guard lock(mutex_);
    handlers_.erase(key);
  }
  void SetUp(const crypto::PublicKey& key, bool up) {
    std::lock_guard lock(mutex_);
    if (up) {
      down_.erase(key);
    } else {
      down_.insert(key);
    }
  }
  void Deliver(const crypto::PublicKey& from, const crypto::PublicKey& to,
               const std::string& frame) {
    std::lock_guard lock(mutex_);
    if (down_.contains(from) || down_.contains(to)) return;
    auto it = handlers_.find(to);
    if (it != handlers_.end()) it->second(from, frame);
  }
  bool Connected(const crypto::PublicKey& a, const crypto::PublicKey& b) {
    std::lock_guard lock(mutex_);
    return handlers_.contains(b) && !down_.contains(a) && !down_.contains(b);
  }

 private:
  std::mutex mutex_;
  std::map<crypto::PublicKey, KeyHandler> handlers_;
  std::set<crypto::PublicKey> down_;
};

class LoopbackNetwork final : public PeerNetwork {
 public:
  LoopbackNetwork(LoopbackHub& hub, const crypto::PublicKey& self, const NetworkSetup& setup,
                  FrameHandler handler)
      : hub_(hub), self_(self) {
    for (const auto& validator : setup.validators) keys_.push_back(validator.key);
    hub_.Register(self_, [this, handler = std::move(handler)](const crypto::PublicKey& from,
                                                              std::string frame) {
      auto it = std::find(keys_.begin(), keys_.end(), from);
      if (it != keys_.end()) handler(static_cast<std::uint32_t>(it - keys_.begin()), frame);
    });
  }
  ~LoopbackNetwork() override { hub_.Unregister(self_); }
  void Send(std::uint32_t to, std::string frame) override {
    if (to < keys_.size() && keys_[to] != self_) hub_.Deliver(self_, keys_[to], frame);
  }
  void Broadcast(const std::string& frame) override {
    for (const auto& key : keys_) {
      if (key != self_) hub_.Deliver(self_, key, frame);
    }
  }
  std::vector<PeerLink> Links() const override {
    std::vector<PeerLink> links;
    for (std::uint32_t to = 0; to < keys_.size(); ++to) {
      if (keys_[to] != self_) links.push_back({to, hub_.Connected(self_, keys_[to]), 0, 0, 0});
    }
    return links;
  }

 private:
  LoopbackHub& hub_;
  const crypto::PublicKey self_;
  std::vector<crypto::PublicKey> keys_;
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
    const crypto::KeyPair& key = NodeKey(index);
    options.make_network = [this, self = key.public_key](
                               const NetworkSetup& setup,
                               FrameHandler handler) -> Result<std::unique_ptr<PeerNetwork>> {
      return std::unique_ptr<PeerNetwork>(
          std::make_unique<LoopbackNetwork>(hub_, self, setup, std::move(handler)));
    };
    auto ledger =
        Ledger::Open(std::move(options), crypto::KeyPair::FromSeed(key.secret_key.seed()));
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
      ADD_FAILURE() << "node " << node << ": " << HealthJson(ledgers_[node]->Health()).dump();
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

  // Polls (bounded) until every ledger in `nodes` is in `epoch` with `role`.
  bool InEpoch(const std::vector<std::uint32_t>& nodes, std::uint64_t epoch,
               const std::string& role) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      bool all = true;
      for (auto node : nodes) {
        nlohmann::json consensus = HealthJson(ledgers_[node]->Health())["consensus"];
        all = all && consensus["epoch"] == epoch && consensus["role"] == role;
      }
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (auto node : nodes)
      ADD_FAILURE() << "node " << node << ": " << HealthJson(ledgers_[node]->Health());
    return false;
  }

  // A T1 change by the requirements setter's top management (membership quorum 0: enacted).
  chaincode::SignedRecord ValidatorChange(bool add, const crypto::KeyPair& key) {
    v1::Record record;
    record.set_valid_until_ms(testing::WallNowMs() + 60 * 60 * 1000);
    if (add) {
      auto* validator = record.mutable_membership_change()->mutable_add_validator();
      validator->set_organization("brand");
      validator->set_public_key(crypto::ToHex(key.public_key));
      validator->set_address("127.0.0.1:17899");
    } else {
      record.mutable_membership_change()->set_remove_validator(crypto::ToHex(key.public_key));
    }
    return fixture_.Sign(record, "rs", v1::TOP_MANAGEMENT);
  }

  // Room for ledgers beyond the genesis's validators.
  void AddNode() {
    dirs_.push_back(std::make_unique<TempDir>());
    ledgers_.resize(dirs_.size());
  }

  // Cuts (or restores) every link of ledger `node`.
  void SetUp(std::uint32_t node, bool up) { hub_.SetUp(NodeKey(node).public_key, up); }

  // Ledger i runs with validator key i of the genesis; ledgers beyond them with keys of their own.
  const crypto::KeyPair& NodeKey(std::uint32_t node) {
    if (node < fixture_.validator_keys().size()) return fixture_.validator_keys()[node];
    while (extra_keys_.size() <= node - fixture_.validator_keys().size()) {
      extra_keys_.push_back(crypto::KeyPair::Generate());
    }
    return extra_keys_[node - fixture_.validator_keys().size()];
  }

  crypto::Hash256 ChainId() const {
    crypto::Hash256 id{};
    std::copy(fixture_.chain_id().begin(), fixture_.chain_id().end(), id.begin());
    return id;
  }

  test_support::LedgerFixture fixture_;
  LoopbackHub hub_;
  std::deque<crypto::KeyPair> extra_keys_;
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
    stalled = HealthJson(ledgers_[3]->Health())["status"] == "degraded";
    if (!stalled) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(stalled) << HealthJson(ledgers_[3]->Health()).dump();
  EXPECT_NE(HealthJson(ledgers_[3]->Health())["error"].get<std::string>().find("space"),
            std::string::npos)
      << HealthJson(ledgers_[3]->Health()).dump();
  auto refused = ledgers_[3]->Submit({SiteRecord(fixture_, "site-refused")});
  EXPECT_EQ(refused[0].status.code(), Code::kUnavailable);
  disk.Free();
  ASSERT_TRUE(CommittedOn({3}, last, std::chrono::seconds(30)));
  EXPECT_EQ(HealthJson(ledgers_[3]->Health())["status"], "ok");
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
    stalled = HealthJson(ledgers_[3]->Health())["status"] == "degraded";
    if (!stalled) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(stalled) << HealthJson(ledgers_[3]->Health()).dump();
  const std::string error = HealthJson(ledgers_[3]->Health())["error"];
  EXPECT_NE(error.find("is not writable (Read-only file system)"), std::string::npos) << error;
  EXPECT_FALSE(ledgers_[3]->store().FindRecord(last).has_value());
  auto refused = ledgers_[3]->Submit({SiteRecord(fixture_, "site-refused")});
  EXPECT_EQ(refused[0].status.code(), Code::kUnavailable);

  ASSERT_TRUE(mount.SetReadOnly(false));
  ASSERT_TRUE(CommittedOn({3}, last, std::chrono::seconds(30)));
  EXPECT_EQ(HealthJson(ledgers_[3]->Health())["status"], "ok");
  auto after = Submit(3, SiteRecord(fixture_, "site-after"));
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, after));
  ExpectSameChain({0, 1, 2, 3});
  ledgers_[3].reset();  // and its data directory passes the start-up integrity check
  Open(3);
  EXPECT_TRUE(ledgers_[3]->store().CheckIntegrity().ok());
  ledgers_[3].reset();  // before the bind mount goes
}

TEST_F(BftLedgerTest, T1_RemovingAValidatorEndsTheEpochAndTheOthersCommitInTheNext) {
  OpenAll();
  auto change = Submit(0, ValidatorChange(/*add=*/false, NodeKey(3)));
  // The removed validator may not see its removal commit: the others stop talking to it once
  // they are in the next epoch (docs/operations.md, "Changing the validator set").
  ASSERT_TRUE(CommittedOn({0, 1, 2}, change));
  ASSERT_TRUE(InEpoch({0, 1, 2}, 1, "validator"));
  auto after = Submit(1, SiteRecord(fixture_, "site-epoch-1"));
  ASSERT_TRUE(CommittedOn({0, 1, 2}, after));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(ledgers_[3]->store().FindRecord(after).has_value());
  ExpectSameChain({0, 1, 2, 3});
  // The new block is certified by the three remaining validators under epoch 1's domain.
  auto location = ledgers_[0]->store().FindRecord(after);
  ASSERT_TRUE(location.has_value());
  auto block = ledgers_[0]->store().GetBlock(location->height);
  ASSERT_TRUE(block.ok());
  auto certificate = DecodeBftCertificate(block->certificate);
  ASSERT_TRUE(certificate.ok());
  auto epoch = ReadEpochSetup(ledgers_[0]->store(), ChainId(), NodeKey(0).public_key);
  ASSERT_TRUE(epoch.ok());
  EXPECT_EQ(epoch->validators.size(), 3u);
  auto validators = consensus::ValidatorSet::Create(epoch->keys());
  ASSERT_TRUE(validators.ok());
  consensus::CertificateVerifier verifier(
      *validators, epoch->domain,
      consensus::MakeGenesisQc(consensus::MakeGenesisBlock(epoch->genesis)));
  EXPECT_TRUE(verifier.VerifyQc(certificate->qc).ok());
  consensus::CertificateVerifier old_domain(
      *validators, ChainId(),
      consensus::MakeGenesisQc(consensus::MakeGenesisBlock(epoch->genesis)));
  EXPECT_FALSE(old_domain.VerifyQc(certificate->qc).ok()) << "signatures are bound to the epoch";
  // The end of epoch 0 is proven and kept.
  EXPECT_TRUE(GetEpochEnd(ledgers_[0]->store(), 0).has_value());
}

TEST_F(BftLedgerTest, T1_AnAddedValidatorCatchesUpAcrossTheEpochAndVotesInIt) {
  OpenAll();
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, Submit(0, SiteRecord(fixture_, "site-before"))));
  auto change = Submit(1, ValidatorChange(/*add=*/true, NodeKey(4)));
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, change));
  ASSERT_TRUE(InEpoch({0, 1, 2, 3}, 1, "validator"));
  AddNode();
  Open(4);  // an empty data directory: it starts at genesis, where it is no validator
  ASSERT_TRUE(CommittedOn({4}, change));
  ASSERT_TRUE(InEpoch({4}, 1, "validator"));
  // Five validators, quorum four: with one of the first four cut off, nothing commits unless
  // the new one votes.
  SetUp(0, false);
  auto after = Submit(2, SiteRecord(fixture_, "site-five"));
  ASSERT_TRUE(CommittedOn({1, 2, 3, 4}, after));
  ExpectSameChain({1, 2, 3, 4});
}

// Its links reach no validator, so records admitted there would wait forever (found by the
// whole-node simulator): they are refused with what to do instead.
TEST_F(BftLedgerTest, ANodeThatIsNoValidatorRefusesRecordsAndSaysWhereToSubmit) {
  OpenAll();
  AddNode();
  Open(4);  // not in the genesis's validator set: it follows the chain
  ASSERT_TRUE(InEpoch({4}, 0, "follower"));
  auto outcomes = ledgers_[4]->Submit({SiteRecord(fixture_, "site-at-a-follower")});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status.code(), Code::kUnavailable) << outcomes[0].status.ToString();
  EXPECT_NE(outcomes[0].status.message().find("submit them to a validator"), std::string::npos)
      << outcomes[0].status.ToString();
  // A validator of the epoch still takes them.
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, Submit(0, SiteRecord(fixture_, "site-at-a-validator"))));
}

TEST_F(BftLedgerTest, T1_AValidatorDownDuringTheChangeCatchesUpAcrossTheEpoch) {
  OpenAll();
  ASSERT_TRUE(CommittedOn({0, 1, 2, 3}, Submit(0, SiteRecord(fixture_, "site-before"))));
  SetUp(3, false);
  auto change = Submit(0, ValidatorChange(/*add=*/false, NodeKey(2)));
  ASSERT_TRUE(CommittedOn({0, 1}, change));
  // Epoch 1 is {0, 1, 3} with quorum 3: nothing commits while validator 3 is away.
  auto after = Submit(1, SiteRecord(fixture_, "site-after"));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_FALSE(ledgers_[0]->store().FindRecord(after).has_value());
  // What node 3 will be sent, checked the way it will check it, and refused once tampered with.
  auto setup = ReadEpochSetup(ledgers_[3]->store(), ChainId(), NodeKey(3).public_key);
  ASSERT_TRUE(setup.ok());
  EXPECT_EQ(setup->number, 0u);
  auto chunk = BuildSyncChunk(ledgers_[0]->store(), 0, ledgers_[3]->store().tip().height,
                              limits::kFrameBytesMax / 2);
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  auto decoded = DecodeSyncChunk(EncodeSyncChunk(*chunk));
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(VerifySyncChunk(*decoded, *setup, ledgers_[3]->store()).ok());
  SyncChunk no_proof = *chunk;
  no_proof.proof.resize(1);
  EXPECT_FALSE(VerifySyncChunk(no_proof, *setup, ledgers_[3]->store()).ok());
  SyncChunk altered = *chunk;
  altered.blocks.back().header.time_ms += 1;
  EXPECT_FALSE(VerifySyncChunk(altered, *setup, ledgers_[3]->store()).ok());
  SyncChunk forged = *chunk;
  ASSERT_FALSE(forged.proof.back().signatures.empty());
  forged.proof.back().signatures.front().signature[0] ^= 1;
  EXPECT_FALSE(VerifySyncChunk(forged, *setup, ledgers_[3]->store()).ok());
  SyncChunk other_epoch = *chunk;
  other_epoch.epoch = 1;
  EXPECT_FALSE(VerifySyncChunk(other_epoch, *setup, ledgers_[3]->store()).ok());

  SetUp(3, true);  // it is in epoch 0, its peers in epoch 1: it fetches the end of epoch 0
  ASSERT_TRUE(CommittedOn({0, 1, 3}, after));
  ASSERT_TRUE(InEpoch({0, 1, 3}, 1, "validator"));
  ExpectSameChain({0, 1, 2, 3});
}

}  // namespace
}  // namespace mbl::node
