#include "chaincode/envelope.h"

#include <gtest/gtest.h>

#include "base/limits.h"

namespace mbl::chaincode {
namespace {

TEST(Envelope, EncodeDecodeRoundTripKeepsExactBytes) {
  crypto::KeyPair key = crypto::KeyPair::Generate();
  SignedRecord record = SignRecord(std::string("\x08\x01\x1a\x03"
                                               "abc",
                                               7),
                                   key);
  ASSERT_TRUE(VerifyEnvelope(record).ok());
  std::string bytes = EncodeEnvelope(record);
  EXPECT_EQ(bytes.size(), 4 + 7 + 32 + 64u);
  auto decoded = DecodeEnvelope(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->payload, record.payload);
  EXPECT_EQ(decoded->signer, record.signer);
  EXPECT_EQ(decoded->signature, record.signature);
  EXPECT_EQ(EncodeEnvelope(*decoded), bytes);
}

TEST(Envelope, RecordIdIgnoresSignatureButNotPayload) {
  crypto::KeyPair a = crypto::KeyPair::Generate();
  crypto::KeyPair b = crypto::KeyPair::Generate();
  EXPECT_EQ(ComputeRecordId(SignRecord("payload", a).payload),
            ComputeRecordId(SignRecord("payload", b).payload));
  EXPECT_NE(ComputeRecordId("payload"), ComputeRecordId("payload2"));
}

TEST(Envelope, TamperedPayloadSignerOrSignatureIsRefused) {
  crypto::KeyPair key = crypto::KeyPair::Generate();
  SignedRecord record = SignRecord("ship 45 t", key);
  SignedRecord tampered = record;
  tampered.payload = "ship 46 t";
  EXPECT_EQ(VerifyEnvelope(tampered).code(), Code::kUnauthenticated);
  tampered = record;
  tampered.signer = crypto::KeyPair::Generate().public_key;
  EXPECT_EQ(VerifyEnvelope(tampered).code(), Code::kUnauthenticated);
  tampered = record;
  tampered.signature[10] ^= 4;
  EXPECT_EQ(VerifyEnvelope(tampered).code(), Code::kUnauthenticated);
}

TEST(Envelope, SizeLimitsAndTruncationAreRefused) {
  crypto::KeyPair key = crypto::KeyPair::Generate();
  EXPECT_EQ(VerifyEnvelope(SignRecord("", key)).code(), Code::kInvalidArgument);
  SignedRecord big = SignRecord(std::string(limits::kRecordPayloadBytesMax + 1, 'x'), key);
  EXPECT_EQ(VerifyEnvelope(big).code(), Code::kInvalidArgument);
  std::string bytes = EncodeEnvelope(SignRecord("abc", key));
  EXPECT_FALSE(DecodeEnvelope(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(DecodeEnvelope(bytes + "x").ok());
  EXPECT_FALSE(DecodeEnvelope("").ok());
  std::string huge_length = bytes;
  huge_length[0] = '\x7f';
  EXPECT_FALSE(DecodeEnvelope(huge_length).ok());
}

}  // namespace
}  // namespace mbl::chaincode
