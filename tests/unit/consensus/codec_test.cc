// Canonical bytes of consensus messages (docs/consensus.md, "Byte formats").
#include "consensus/codec.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "tests/unit/consensus/fixture.h"

namespace mbl::consensus {
namespace {

using testing::Fixture;

std::vector<Message> SampleMessages(Fixture& f) {
  const Block b1 = f.MakeBlock(f.genesis_block(), f.genesis_qc(), 1);
  const QuorumCertificate qc1 = f.Certify(b1, {0, 1, 2});
  const TimeoutCertificate tc2 = f.MakeTc(2, {{0, qc1}, {1, qc1}, {3, f.genesis_qc()}});
  const Block b3 = f.MakeBlock(b1, qc1, 3, std::string("\0binary\xff", 8));
  return {f.Propose(b3, tc2),
          f.Vote(b1, 2),
          f.Timeout(3, qc1, 1, tc2),
          SyncInfo{qc1, tc2},
          BlockRequest{b3.id, 2, b1.id, 1, 64},
          BlockResponse{{b1, b3}}};
}

TEST(ConsensusCodec, EveryMessageRoundTripsExactly) {
  Fixture f(4);
  for (const Message& message : SampleMessages(f)) {
    const std::string bytes = EncodeMessage(message);
    auto decoded = DecodeMessage(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, message);
    EXPECT_EQ(EncodeMessage(*decoded), bytes);  // one encoding per value
  }
}

TEST(ConsensusCodec, EveryTruncationIsRejectedWithoutCrashing) {
  Fixture f(4);
  for (const Message& message : SampleMessages(f)) {
    const std::string bytes = EncodeMessage(message);
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      EXPECT_FALSE(DecodeMessage(std::string_view(bytes).substr(0, size)).ok()) << size;
    }
    EXPECT_FALSE(DecodeMessage(bytes + "x").ok()) << "trailing bytes";
  }
}

TEST(ConsensusCodec, ByteFlipsNeverCrashAndNeverForgeASignedMessage) {
  Fixture f(4);
  CertificateVerifier verifier(f.validators(), f.chain_id(), f.genesis_qc());
  const Message proposal = SampleMessages(f)[0];
  const std::string bytes = EncodeMessage(proposal);
  for (std::size_t at = 0; at < bytes.size(); at += 7) {
    std::string flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x41);
    auto decoded = DecodeMessage(flipped);
    if (!decoded.ok()) continue;
    const auto* p = std::get_if<ProposalMsg>(&*decoded);
    if (p == nullptr || *p == std::get<ProposalMsg>(proposal)) continue;
    EXPECT_FALSE(verifier.VerifyProposal(*p).ok()) << "flip at byte " << at;
  }
}

TEST(ConsensusCodec, RejectsUnsortedSignersUnknownTypeAndVersion) {
  Fixture f(4);
  const Block b1 = f.MakeBlock(f.genesis_block(), f.genesis_qc(), 1);
  QuorumCertificate qc = f.Certify(b1, {2, 0, 1});  // unsorted
  EXPECT_FALSE(DecodeQuorumCertificate(EncodeQuorumCertificate(qc)).ok());
  // A verifier that names a repeated signer takes the signers as listed.
  auto as_listed = DecodeQuorumCertificate(EncodeQuorumCertificate(qc), SignerOrder::kAsListed);
  ASSERT_TRUE(as_listed.ok()) << as_listed.status().ToString();
  EXPECT_EQ(*as_listed, qc);
  std::string bytes = EncodeMessage(f.Vote(b1, 1));
  bytes[1] = 99;
  EXPECT_FALSE(DecodeMessage(bytes).ok());
  bytes = EncodeMessage(f.Vote(b1, 1));
  bytes[0] = 2;
  EXPECT_FALSE(DecodeMessage(bytes).ok());
}

TEST(ConsensusCodec, RejectsCountsBeyondLimitsBeforeAllocating) {
  // A block response claiming 2^32 - 1 blocks in a few bytes.
  std::string bytes = {static_cast<char>(kCodecVersion),
                       static_cast<char>(MessageType::kBlockResponse),
                       '\xff',
                       '\xff',
                       '\xff',
                       '\xff'};
  auto decoded = DecodeMessage(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("limit"), std::string::npos);
}

TEST(ConsensusCodec, SigningBytesAreDomainSeparated) {
  Fixture f(4);
  const Block b1 = f.MakeBlock(f.genesis_block(), f.genesis_qc(), 1);
  const std::string vote = VoteSigningBytes(f.chain_id(), f.Vote(b1, 0).vote_data);
  const std::string proposal = ProposalSigningBytes(f.chain_id(), b1.id);
  const std::string timeout = TimeoutSigningBytes(f.chain_id(), 1, 0);
  EXPECT_TRUE(vote.starts_with(std::string_view("mbl.consensus.vote.v1\0", 22)));
  EXPECT_TRUE(proposal.starts_with(std::string_view("mbl.consensus.proposal.v1\0", 26)));
  EXPECT_TRUE(timeout.starts_with(std::string_view("mbl.consensus.timeout.v1\0", 25)));
  EXPECT_EQ(vote.size(), 22u + 32u + 152u);
  EXPECT_EQ(proposal.size(), 26u + 32u + 32u);
  EXPECT_EQ(timeout.size(), 25u + 32u + 16u);
  // Byte layout of the timeout statement: tag || chain id || round || high QC round, big-endian.
  EXPECT_EQ(crypto::ToHex(timeout.substr(57)), "00000000000000010000000000000000");
}

TEST(ConsensusCodec, BlockIdCoversEveryField) {
  Fixture f(4);
  const Block b1 = f.MakeBlock(f.genesis_block(), f.genesis_qc(), 1);
  auto changed = [&](auto mutate) {
    Block copy = b1;
    mutate(copy);
    return ComputeBlockId(copy) != b1.id;
  };
  EXPECT_TRUE(changed([](Block& b) { b.round += 1; }));
  EXPECT_TRUE(changed([](Block& b) { b.height += 1; }));
  EXPECT_TRUE(changed([](Block& b) { b.time_ms += 1; }));
  EXPECT_TRUE(changed([](Block& b) { b.author += 1; }));
  EXPECT_TRUE(changed([](Block& b) { b.payload += "x"; }));
  EXPECT_TRUE(changed([](Block& b) { b.execution.state_root[0] ^= 1; }));
  EXPECT_TRUE(changed([](Block& b) { b.execution.results_root[0] ^= 1; }));
  EXPECT_TRUE(changed([](Block& b) { b.qc.vote_data.round += 1; }));
}

TEST(ConsensusCodec, SafetyDataRoundTrips) {
  Fixture f(4);
  const Block b1 = f.MakeBlock(f.genesis_block(), f.genesis_qc(), 1);
  const QuorumCertificate qc1 = f.Certify(b1, {0, 1, 2});
  const SafetyData data{7, 1, qc1, f.MakeTc(6, {{0, qc1}, {1, qc1}, {2, qc1}})};
  auto decoded = DecodeSafetyData(EncodeSafetyData(data));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, data);
  EXPECT_FALSE(DecodeSafetyData(EncodeSafetyData(data).substr(1)).ok());
}

}  // namespace
}  // namespace mbl::consensus
