// Exit proofs on the node: the level-by-level Merkle tree gives RFC 6962 audit paths, and the
// cache of committed blocks stays within its limits.
#include "node/exit_proof.h"

#include <gtest/gtest.h>

#include <future>

#include "crypto/merkle.h"
#include "tests/unit/node/node_test_util.h"

namespace mbl::node {
namespace {

using testing::SiteRecord;
using testing::TempDir;

std::vector<crypto::Hash256> Leaves(std::size_t count) {
  std::vector<crypto::Hash256> leaves;
  for (std::size_t i = 0; i < count; ++i)
    leaves.push_back(crypto::MerkleLeafHash(std::to_string(i)));
  return leaves;
}

TEST(MerkleLevels, GivesTheRootsAndAuditPathsOfRfc6962) {
  for (std::size_t size = 1; size <= 70; ++size) {
    const auto leaves = Leaves(size);
    MerkleLevels tree(leaves);
    ASSERT_EQ(tree.root(), crypto::MerkleRoot(leaves)) << size;
    for (std::size_t index = 0; index < size; ++index) {
      const auto path = tree.InclusionProof(index);
      ASSERT_EQ(path, crypto::MerkleInclusionProof(leaves, index)) << index << " of " << size;
      ASSERT_TRUE(crypto::VerifyMerkleInclusion(leaves[index], index, size, path, tree.root()));
    }
  }
}

class ExitProofCacheTest : public ::testing::Test {
 protected:
  // A store with blocks 1..3 of a few records each, committed by the real ledger.
  void SetUp() override {
    auto ledger = testing::OpenTestLedger(fixture_, dir_.path() / "data");
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    for (int block = 0; block < 3; ++block) {
      std::vector<chaincode::SignedRecord> records;
      for (int i = 0; i < 5; ++i) {
        records.push_back(SiteRecord(fixture_, "site-" + std::to_string(block * 10 + i)));
      }
      auto outcomes = (*ledger)->Submit(records);
      std::vector<chaincode::RecordId> ids;
      for (const auto& outcome : outcomes) ids.push_back(outcome.id);
      std::promise<void> done;
      (*ledger)->WhenCommitted(ids, std::chrono::seconds(10), [&] { done.set_value(); });
      done.get_future().wait();
    }
    (*ledger)->Stop();
    ledger->reset();
    auto store = Store::Open(dir_.path() / "data");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_GE(store_->tip().height, 3u);
  }

  TempDir dir_;
  test_support::LedgerFixture fixture_;
  std::unique_ptr<Store> store_;
};

TEST_F(ExitProofCacheTest, ABlockIsReadOnceAndMatchesItsHeader) {
  ExitProofCache cache;
  auto first = cache.Get(*store_, 1);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ((*first)->records.root(), (*first)->header.records_root);
  EXPECT_EQ((*first)->results.root(), (*first)->header.results_root);
  EXPECT_TRUE((*first)->exits.empty()) << "no exit records among site definitions";
  auto again = cache.Get(*store_, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->get(), again->get()) << "the cached block, not a second read";
  EXPECT_EQ(cache.Get(*store_, 999).status().code(), Code::kNotFound);
}

TEST_F(ExitProofCacheTest, StaysWithinItsBlockAndByteLimits) {
  ExitProofCache by_count(2, 1 << 20);
  for (std::uint64_t height = 1; height <= store_->tip().height; ++height) {
    ASSERT_TRUE(by_count.Get(*store_, height).ok());
    EXPECT_LE(by_count.blocks(), 2u);
  }
  EXPECT_EQ(by_count.blocks(), 2u);
  // A block larger than the whole budget is served, never kept.
  ExitProofCache tiny(8, 16);
  ASSERT_TRUE(tiny.Get(*store_, 1).ok());
  EXPECT_EQ(tiny.blocks(), 0u);
  EXPECT_EQ(tiny.bytes(), 0u);
  // The byte budget evicts the least recently used.
  auto one = LoadProofBlock(*store_, 1);
  ASSERT_TRUE(one.ok());
  ExitProofCache two_blocks(8, 2 * (*one)->bytes + (*one)->bytes / 2);
  for (std::uint64_t height : {1, 2, 1, 3}) ASSERT_TRUE(two_blocks.Get(*store_, height).ok());
  EXPECT_LE(two_blocks.bytes(), 2 * (*one)->bytes + (*one)->bytes / 2);
  EXPECT_LE(two_blocks.blocks(), 2u);
}

}  // namespace
}  // namespace mbl::node
