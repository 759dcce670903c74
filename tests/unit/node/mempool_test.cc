#include "node/mempool.h"

#include <gtest/gtest.h>

#include <thread>

namespace mbl::node {
namespace {

chaincode::SignedRecord Record(const std::string& payload) {
  chaincode::SignedRecord record;
  record.payload = payload;
  return record;
}

TEST(Mempool, DeduplicatesPendingRecordsUntilRemoved) {
  Mempool mempool(10, 1000);
  auto id = chaincode::ComputeRecordId("a");
  ASSERT_TRUE(mempool.Add(id, Record("a")).ok());
  EXPECT_EQ(mempool.Add(id, Record("a")).code(), Code::kAlreadyExists);
  auto batch = mempool.Peek(10, 1000, {});
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(mempool.Add(id, Record("a")).code(), Code::kAlreadyExists) << "peeked, still pending";
  EXPECT_EQ(mempool.pending_records(), 1u);
  mempool.Remove({id});
  EXPECT_EQ(mempool.pending_records(), 0u);
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

TEST(Mempool, PeekKeepsOrderAndRespectsLimitsAndExclusions) {
  Mempool mempool(100, 10'000);
  for (char c = 'a'; c <= 'j'; ++c) {
    std::string payload(1, c);
    ASSERT_TRUE(mempool.Add(chaincode::ComputeRecordId(payload), Record(payload)).ok());
  }
  auto first = mempool.Peek(3, 10'000, {});
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].payload, "a");
  EXPECT_EQ(first[2].payload, "c");
  auto later =
      mempool.Peek(100, 2, {chaincode::ComputeRecordId("a"), chaincode::ComputeRecordId("b")});
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].payload, "c");
  auto oversized = mempool.Peek(100, 0, {});
  EXPECT_EQ(oversized.size(), 1u) << "at least one record when any is pending";
  EXPECT_EQ(mempool.pending_records(), 10u);
}

TEST(Mempool, WaitForRecordsReturnsWhenARecordArrives) {
  Mempool mempool(10, 100);
  EXPECT_FALSE(mempool.WaitForRecords(std::chrono::milliseconds(0)));
  std::thread adder([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(mempool.Add(chaincode::ComputeRecordId("a"), Record("a")).ok());
  });
  EXPECT_TRUE(mempool.WaitForRecords(std::chrono::seconds(30)));
  adder.join();
}

TEST(Mempool, CloseWakesAWaitingOrderer) {
  Mempool mempool(10, 100);
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    mempool.Close();
  });
  EXPECT_FALSE(mempool.WaitForRecords(std::chrono::seconds(30)));
  closer.join();
}

}  // namespace
}  // namespace mbl::node
