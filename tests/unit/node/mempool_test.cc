#include "node/mempool.h"

#include <gtest/gtest.h>

namespace mbl::node {
namespace {

chaincode::SignedRecord Record(const std::string& payload) {
  chaincode::SignedRecord record;
  record.payload = payload;
  return record;
}

TEST(Mempool, DeduplicatesPendingAndInFlightRecordsUntilReleased) {
  Mempool mempool(10, 1000);
  auto id = chaincode::ComputeRecordId("a");
  ASSERT_TRUE(mempool.Add(id, Record("a")).ok());
  EXPECT_EQ(mempool.Add(id, Record("a")).code(), Code::kAlreadyExists);
  auto batch = mempool.TakeBatch(10, 1000, std::chrono::milliseconds(0));
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(mempool.Add(id, Record("a")).code(), Code::kAlreadyExists) << "in flight";
  mempool.Release({id});
  EXPECT_TRUE(mempool.Add(id, Record("a")).ok());
}

TEST(Mempool, BoundedByRecordsAndBytes) {
  Mempool by_count(2, 1000);
  ASSERT_TRUE(by_count.Add(chaincode::ComputeRecordId("a"), Record("a")).ok());
  ASSERT_TRUE(by_count.Add(chaincode::ComputeRecordId("b"), Record("b")).ok());
  EXPECT_EQ(by_count.Add(chaincode::ComputeRecordId("c"), Record("c")).code(),
            Code::kResourceExhausted);
  Mempool by_bytes(100, 5);
  ASSERT_TRUE(by_bytes.Add(chaincode::ComputeRecordId("abcd"), Record("abcd")).ok());
  EXPECT_EQ(by_bytes.Add(chaincode::ComputeRecordId("xy"), Record("xy")).code(),
            Code::kResourceExhausted);
}

TEST(Mempool, TakeBatchKeepsOrderAndRespectsLimits) {
  Mempool mempool(100, 10'000);
  for (char c = 'a'; c <= 'j'; ++c) {
    std::string payload(1, c);
    ASSERT_TRUE(mempool.Add(chaincode::ComputeRecordId(payload), Record(payload)).ok());
  }
  auto first = mempool.TakeBatch(3, 10'000, std::chrono::milliseconds(0));
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].payload, "a");
  EXPECT_EQ(first[2].payload, "c");
  auto by_bytes = mempool.TakeBatch(100, 2, std::chrono::milliseconds(0));
  EXPECT_EQ(by_bytes.size(), 2u);
  EXPECT_EQ(mempool.pending_records(), 5u);
}

TEST(Mempool, CloseWakesAWaitingTaker) {
  Mempool mempool(10, 100);
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    mempool.Close();
  });
  auto batch = mempool.TakeBatch(10, 100, std::chrono::seconds(30));
  closer.join();
  EXPECT_TRUE(batch.empty());
}

}  // namespace
}  // namespace mbl::node
