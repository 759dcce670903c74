#include "formats/block.h"

#include <gtest/gtest.h>

namespace mbl::formats {
namespace {

Block SampleBlock(const crypto::KeyPair& proposer) {
  Block block;
  block.records.push_back(chaincode::SignRecord("first", proposer));
  block.records.push_back(chaincode::SignRecord("second", proposer));
  block.header.height = 7;
  block.header.parent_hash[0] = 9;
  block.header.time_ms = 1'767'225'600'000;
  block.header.record_count = 2;
  block.header.records_root = RecordsRoot(block.records);
  block.header.proposer = proposer.public_key;
  block.certificate = SignBlock(block.header, proposer);
  return block;
}

TEST(Block, EncodeDecodeRoundTripAndHashPinsEveryField) {
  crypto::KeyPair proposer = crypto::KeyPair::Generate();
  Block block = SampleBlock(proposer);
  auto decoded = DecodeBlock(EncodeBlock(block));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(EncodeBlock(*decoded), EncodeBlock(block));
  EXPECT_EQ(BlockHash(decoded->header), BlockHash(block.header));
  BlockHeader changed = block.header;
  changed.time_ms += 1;
  EXPECT_NE(BlockHash(changed), BlockHash(block.header));
  changed = block.header;
  changed.state_root[31] ^= 1;
  EXPECT_NE(BlockHash(changed), BlockHash(block.header));
}

TEST(Block, SignatureCoversTheHeader) {
  crypto::KeyPair proposer = crypto::KeyPair::Generate();
  Block block = SampleBlock(proposer);
  EXPECT_TRUE(VerifyBlockSignature(block.header, block.certificate));
  BlockHeader forged = block.header;
  forged.height += 1;
  EXPECT_FALSE(VerifyBlockSignature(forged, block.certificate));
  EXPECT_FALSE(VerifyBlockSignature(block.header, "short"));
}

TEST(Block, TruncatedOrPaddedBytesAreDataLoss) {
  crypto::KeyPair proposer = crypto::KeyPair::Generate();
  std::string bytes = EncodeBlock(SampleBlock(proposer));
  EXPECT_EQ(DecodeBlock(bytes.substr(0, bytes.size() - 3)).status().code(), Code::kDataLoss);
  EXPECT_EQ(DecodeBlock(bytes + "x").status().code(), Code::kDataLoss);
  EXPECT_EQ(DecodeBlock("").status().code(), Code::kDataLoss);
  std::string bad_version = bytes;
  bad_version[0] = 9;
  EXPECT_EQ(DecodeBlock(bad_version).status().code(), Code::kDataLoss);
}

}  // namespace
}  // namespace mbl::formats
