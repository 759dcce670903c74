// Storage: one synced batch per block, and a start-up integrity check that names what disagrees.
#include "node/store.h"

#include <gtest/gtest.h>

#include <future>

#include "node/ledger.h"
#include "tests/support/data_dir_damage.h"
#include "tests/unit/node/node_test_util.h"

namespace mbl::node {
namespace {

using formats::Block;
using testing::SiteRecord;
using testing::TempDir;

std::string HeightKey(std::uint64_t height) {
  std::string key(8, '\0');
  for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(height >> (56 - 8 * i));
  return key;
}

class StoreTest : public ::testing::Test {
 protected:
  // Builds a store with genesis and two more blocks through the real ledger, then closes it.
  void SetUp() override {
    auto ledger = testing::OpenTestLedger(fixture_, data_dir());
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    for (const char* site : {"a", "b"}) {
      auto outcome = (*ledger)->Submit({SiteRecord(fixture_, site)});
      ASSERT_TRUE(outcome[0].status.ok());
      std::promise<void> done;
      (*ledger)->WhenCommitted({outcome[0].id}, std::chrono::seconds(10),
                               [&] { done.set_value(); });
      done.get_future().wait();
      ids_.push_back(outcome[0].id);
    }
  }

  std::filesystem::path data_dir() const { return dir_.path() / "data"; }

  std::unique_ptr<Store> Reopen() {
    auto store = Store::Open(data_dir());
    MBL_CHECK(store.ok());
    return std::move(*store);
  }

  void ExpectIntegrityFailure(Store& store, const std::string& what) {
    Status status = store.CheckIntegrity();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), Code::kDataLoss);
    EXPECT_NE(status.message().find(what), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("restore it from a backup"), std::string::npos);
  }

  TempDir dir_;
  test_support::LedgerFixture fixture_;
  std::vector<chaincode::RecordId> ids_;
};

TEST_F(StoreTest, IntactStorePassesAndReadsBack) {
  auto store = Reopen();
  EXPECT_TRUE(store->CheckIntegrity().ok());
  EXPECT_EQ(store->tip().height, 2u);
  auto location = store->FindRecord(ids_[1]);
  ASSERT_TRUE(location.has_value());
  EXPECT_EQ(location->height, 2u);
  EXPECT_TRUE(store->GetResult(location->height, location->index)->accepted);
  auto block = store->GetBlock(2);
  ASSERT_TRUE(block.ok());
  EXPECT_TRUE(VerifyBlockSignature(block->header, block->certificate));
  EXPECT_EQ(store->GetBlock(3).status().code(), Code::kNotFound);
}

TEST_F(StoreTest, DetectsATamperedBlock) {
  auto store = Reopen();
  Block block = store->GetBlock(1).value();
  block.records[0].payload[block.records[0].payload.size() - 1] ^= 1;
  ASSERT_TRUE(store->CorruptForTest("blocks", HeightKey(1), EncodeBlock(block)).ok());
  ExpectIntegrityFailure(*store, "records root");
}

TEST_F(StoreTest, DetectsAMissingBlockBehindTheTip) {
  auto store = Reopen();
  ASSERT_TRUE(store->CorruptForTest("blocks", HeightKey(2), std::nullopt).ok());
  ExpectIntegrityFailure(*store, "highest stored block is 1");
}

TEST_F(StoreTest, DetectsAStateEntryChangedOutsideTheCommitPath) {
  auto store = Reopen();
  ASSERT_TRUE(store->CorruptForTest("state", "g/org/smelter", std::string("forged")).ok());
  ExpectIntegrityFailure(*store, "state column family");
}

TEST_F(StoreTest, DetectsAMissingRecordIndexEntry) {
  auto store = Reopen();
  std::string id(reinterpret_cast<const char*>(ids_[0].data()), ids_[0].size());
  ASSERT_TRUE(store->CorruptForTest("records", id, std::nullopt).ok());
  ExpectIntegrityFailure(*store, "record index");
}

TEST_F(StoreTest, DetectsAChangedResult) {
  auto store = Reopen();
  std::string key = HeightKey(1) + std::string(4, '\0');
  auto result = store->GetResult(1, 0).value();
  result.details_json = "{\"forged\":true}";
  ASSERT_TRUE(store->CorruptForTest("results", key, chaincode::EncodeRecordResult(result)).ok());
  ExpectIntegrityFailure(*store, "results root");
}

TEST_F(StoreTest, NodeRefusesToOpenACorruptStore) {
  {
    auto store = Reopen();
    ASSERT_TRUE(store->CorruptForTest("state", "g/chain", std::string("{}")).ok());
  }
  auto ledger = testing::OpenTestLedger(fixture_, data_dir());
  ASSERT_FALSE(ledger.ok());
  EXPECT_EQ(ledger.status().code(), Code::kDataLoss);
  EXPECT_NE(ledger.status().message().find("integrity check"), std::string::npos);
}

// Damage to the files themselves, done to a stopped node's data directory as a failing disk or a
// careless operator would: the node refuses to start, saying what is wrong and what to do.
class DamagedDataDirectoryTest : public StoreTest {
 protected:
  // Opening the store once more makes RocksDB write its log into table files (*.sst).
  void MoveTheLogIntoTableFiles() { Reopen(); }

  void ExpectRefusedAtStart(const std::string& what) {
    auto ledger = testing::OpenTestLedger(fixture_, data_dir());
    ASSERT_FALSE(ledger.ok()) << "the node started on a damaged data directory";
    const std::string& message = ledger.status().message();
    EXPECT_EQ(ledger.status().code(), Code::kDataLoss) << message;  // mbl-node exits 3
    EXPECT_NE(message.find(what), std::string::npos) << message;
    EXPECT_NE(message.find("restore it from a backup"), std::string::npos) << message;
    EXPECT_NE(message.find("catches up from its peers"), std::string::npos) << message;
  }
};

TEST_F(DamagedDataDirectoryTest, AFlippedByteInATableFileIsRefusedNamingTheFile) {
  MoveTheLogIntoTableFiles();
  auto table = test_support::LargestFile(data_dir(), ".sst");
  ASSERT_FALSE(table.empty());
  test_support::FlipByte(table, 0.25);
  ExpectRefusedAtStart(table.filename().string());
}

TEST_F(DamagedDataDirectoryTest, AMissingTableFileIsRefused) {
  MoveTheLogIntoTableFiles();
  auto table = test_support::LargestFile(data_dir(), ".sst");
  ASSERT_FALSE(table.empty());
  std::filesystem::remove(table);
  ExpectRefusedAtStart(table.stem().string());  // RocksDB names it, also as 000012.ldb
}

TEST_F(DamagedDataDirectoryTest, AFlippedByteInTheWriteAheadLogIsRefused) {
  auto log = test_support::LargestFile(data_dir(), ".log");
  ASSERT_FALSE(log.empty());
  test_support::FlipByte(log, 0.5);
  ExpectRefusedAtStart("write-ahead log");
}

// The one damage a crash can do to synced writes: the write in flight is cut short. It was never
// acknowledged, so the store opens at the block before it.
TEST_F(DamagedDataDirectoryTest, ALogCutShortByACrashOpensAtTheLastWholeBlock) {
  auto log = test_support::LargestFile(data_dir(), ".log");
  ASSERT_FALSE(log.empty());
  test_support::TruncateTo(log, std::filesystem::file_size(log) - 16);
  auto ledger = testing::OpenTestLedger(fixture_, data_dir());
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  EXPECT_EQ((*ledger)->store().tip().height, 1u);
  EXPECT_TRUE((*ledger)->store().CheckIntegrity().ok());
}

TEST_F(DamagedDataDirectoryTest, AMissingManifestIsRefused) {
  MoveTheLogIntoTableFiles();
  auto manifest = test_support::CurrentManifest(data_dir());
  std::filesystem::remove(manifest);
  ExpectRefusedAtStart("CURRENT names " + manifest.filename().string() + ", which is missing");
}

TEST_F(DamagedDataDirectoryTest, AnEmptyManifestIsRefused) {
  MoveTheLogIntoTableFiles();
  auto manifest = test_support::CurrentManifest(data_dir());
  test_support::TruncateTo(manifest, 0);
  ExpectRefusedAtStart(manifest.filename().string() + " is empty");
}

TEST_F(DamagedDataDirectoryTest, AManifestCutShortIsRefused) {
  MoveTheLogIntoTableFiles();
  auto manifest = test_support::CurrentManifest(data_dir());
  test_support::TruncateTo(manifest, std::filesystem::file_size(manifest) / 2);
  auto ledger = testing::OpenTestLedger(fixture_, data_dir());
  ASSERT_FALSE(ledger.ok()) << "the node started on a cut-short MANIFEST";
  EXPECT_EQ(ledger.status().code(), Code::kDataLoss) << ledger.status().ToString();
  EXPECT_NE(ledger.status().message().find("restore it from a backup"), std::string::npos);
}

// Without CURRENT, RocksDB would take the directory for a new database; the node refuses instead
// of starting empty over the remains of the old one.
TEST_F(DamagedDataDirectoryTest, AMissingCurrentFileIsRefusedRatherThanStartingEmpty) {
  std::filesystem::remove(data_dir() / "CURRENT");
  ExpectRefusedAtStart(
      "CURRENT, which names the MANIFEST listing the database's files, is missing");
}

TEST_F(DamagedDataDirectoryTest, AnEmptyCurrentFileIsRefused) {
  test_support::TruncateTo(data_dir() / "CURRENT", 0);
  ExpectRefusedAtStart("CURRENT is empty or damaged");
}

TEST(StateChecksum, AddThenSubtractReturnsToZeroInAnyOrder) {
  crypto::Hash256 zero{};
  auto sum = AddEntryToChecksum(zero, "a", "1", false);
  sum = AddEntryToChecksum(sum, "b", "2", false);
  auto other_order = AddEntryToChecksum(AddEntryToChecksum(zero, "b", "2", false), "a", "1", false);
  EXPECT_EQ(sum, other_order);
  sum = AddEntryToChecksum(sum, "a", "1", true);
  sum = AddEntryToChecksum(sum, "b", "2", true);
  EXPECT_EQ(sum, zero);
}

}  // namespace
}  // namespace mbl::node
