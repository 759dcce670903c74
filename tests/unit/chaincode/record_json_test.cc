#include "chaincode/record_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "chaincode/canonical_json.h"
#include "chaincode/proto/records.pb.h"
#include "tests/support/ledger_fixture.h"

namespace mbl::chaincode {
namespace {

// The writer scans strings eight bytes at a time for bytes that need escaping: a special byte
// at every position of strings around that width must come out exactly as nlohmann writes it.
TEST(JsonWriter, StringsMatchNlohmannWhereverASpecialByteSits) {
  for (std::string_view special :
       {"\"", "\\", "\n", "\x01", "\x1f", "\x7f", " ", "~", "\xc3\xa9"}) {
    for (std::size_t length = 0; length <= 19; ++length) {
      for (std::size_t at = 0; at <= length; ++at) {
        std::string value(length, 'a');
        value.insert(at, special);
        std::string written;
        JsonWriter(written).String(value);
        ASSERT_EQ(written, nlohmann::json(value).dump()) << "length " << length << " at " << at;
      }
    }
  }
}

TEST(RecordJson, RoundTripsEveryFieldKind) {
  auto payload = RecordPayloadFromJson(R"({"version": 1, "author_org": "smelter", "nonce": "42",
      "valid_until_ms": "1767225600000",
      "shipment": {"to_org": "wiremaker", "product_mass_grams": "45000000", "credit_grams": 45000000}})");
  ASSERT_TRUE(payload.ok()) << payload.status().ToString();
  v1::Record record;
  ASSERT_TRUE(record.ParseFromString(*payload));
  EXPECT_EQ(record.shipment().credit_grams(), 45'000'000u);
  EXPECT_EQ(record.nonce(), 42u);
  auto json = RecordPayloadToJson(*payload);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)["shipment"]["to_org"], "wiremaker");
}

TEST(RecordJson, UnknownFieldsAndWrongTypesAreNamed) {
  auto unknown = RecordPayloadFromJson(R"({"author_org": "x", "site_definiton": {}})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("site_definiton"), std::string::npos);
  EXPECT_FALSE(RecordPayloadFromJson(R"({"nonce": "not a number"})").ok());
  EXPECT_FALSE(RecordPayloadFromJson("[]").ok());
  EXPECT_FALSE(RecordPayloadToJson("\xff\xff").ok());
}

TEST(RecordJson, EnvelopeJsonRoundTripAndFieldErrors) {
  crypto::KeyPair key = crypto::KeyPair::Generate();
  SignedRecord record = SignRecord("payload bytes", key);
  auto back = EnvelopeFromJson(EnvelopeToJson(record));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->payload, record.payload);
  EXPECT_EQ(back->signature, record.signature);
  nlohmann::json missing = EnvelopeToJson(record);
  missing.erase("signer");
  EXPECT_NE(EnvelopeFromJson(missing).status().message().find("signer"), std::string::npos);
  nlohmann::json short_signature = EnvelopeToJson(record);
  short_signature["signature"] = "abcd";
  EXPECT_NE(EnvelopeFromJson(short_signature).status().message().find("signature"),
            std::string::npos);
  EXPECT_FALSE(EnvelopeFromJson(nlohmann::json::array()).ok());
}

TEST(Format, EmptyBodyIsRejectedWithItsRule) {
  test_support::LedgerFixture ledger;
  v1::Record record;
  RecordResult result = ledger.CommitOne(ledger.Sign(record, "smelter", v1::OPERATION_RESPONSIBLE));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.rejection.rule, "FORMAT");
}

}  // namespace
}  // namespace mbl::chaincode
