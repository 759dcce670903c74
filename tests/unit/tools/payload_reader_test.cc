// The verifiers' rule for reading genesis and exit record payloads (tools/payload_reader.h): what
// it accepts it reads as the ledger's own Protobuf parser and chaincode do; what parsers could read
// differently it refuses.
#include "tools/payload_reader.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "chaincode/executor.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/registry.h"
#include "tests/support/ledger_fixture.h"

namespace mbl::tools {
namespace {

// The validators the chaincode establishes from a genesis payload, in index order, lowercase.
std::vector<std::string> ChaincodeValidators(const std::string& payload,
                                             const crypto::KeyPair& signer) {
  chaincode::SignedRecord genesis = chaincode::SignRecord(payload, signer);
  chaincode::MemoryState state;
  auto execution = chaincode::ExecuteBlock({genesis}, state, {0, test_support::kGenesisTimeMs},
                                           crypto::Hash256{});
  MBL_CHECK_MSG(execution.results[0].accepted, execution.results[0].rejection.message);
  state.Apply(execution.writes);
  std::vector<std::string> keys;
  for (const auto& validator : chaincode::GetValidators(state)) {
    std::string key = validator.public_key();
    std::transform(key.begin(), key.end(), key.begin(), [](char c) { return std::tolower(c); });
    keys.push_back(key);
  }
  return keys;
}

class PayloadReaderTest : public ::testing::Test {
 protected:
  v1::Record Genesis() const {
    v1::Record record;
    MBL_CHECK(record.ParseFromString(fixture_.genesis().payload));
    return record;
  }
  const crypto::KeyPair& Signer() const { return fixture_.Key("rs", v1::TOP_MANAGEMENT); }
  static std::string Serialize(const v1::Record& record) {
    return chaincode::SerializeDeterministic(record);
  }

  test_support::LedgerFixture fixture_{0, 4};
};

TEST_F(PayloadReaderTest, ReadsTheValidatorsInTheLedgersOrderAndTheOrganizations) {
  auto view = ReadGenesisPayload(fixture_.genesis().payload);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->validators, ChaincodeValidators(fixture_.genesis().payload, Signer()));
  ASSERT_EQ(view->organizations.size(), 5u);
  EXPECT_EQ(view->organizations[1].id, "cb");
  EXPECT_EQ(view->organizations[1].name, "cb Ltd");
  EXPECT_EQ(view->organizations[1].person_keys.size(), 3u);
}

TEST_F(PayloadReaderTest, KeysWrittenInCapitalsAreOrderedAsTheLedgerIndexesThem) {
  v1::Record record = Genesis();
  for (int i = 0; i < record.genesis().validators_size(); i += 2) {
    std::string& key = *record.mutable_genesis()->mutable_validators(i)->mutable_public_key();
    std::transform(key.begin(), key.end(), key.begin(), [](char c) { return std::toupper(c); });
  }
  const std::string payload = Serialize(record);
  auto view = ReadGenesisPayload(payload);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->validators, ChaincodeValidators(payload, Signer()));
}

TEST_F(PayloadReaderTest, UnknownFieldsAreSkippedAsProtobufKeepsThemAside) {
  std::string payload = fixture_.genesis().payload;
  payload += std::string("\xb8\x06\x07", 3);  // field 103, varint 7
  v1::Record parsed;
  ASSERT_TRUE(parsed.ParseFromString(payload));
  auto view = ReadGenesisPayload(payload);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->validators, ChaincodeValidators(fixture_.genesis().payload, Signer()));
}

std::string Varint(std::uint64_t n) {
  std::string out;
  do {
    out.push_back(static_cast<char>((n & 0x7f) | (n > 0x7f ? 0x80 : 0)));
    n >>= 7;
  } while (n != 0);
  return out;
}

// A length-delimited field.
std::string Field(std::uint32_t number, const std::string& bytes) {
  return Varint(number << 3 | 2) + Varint(bytes.size()) + bytes;
}

TEST_F(PayloadReaderTest, AValidatorWithTwoKeysIsRefusedWhereProtobufKeepsTheLast) {
  v1::Record record = Genesis();
  const std::string second(64, 'e');
  // The genesis with its first validator's message carrying a second public_key field.
  v1::Genesis genesis = record.genesis();
  genesis.clear_validators();
  std::string genesis_bytes = genesis.SerializeAsString();
  for (int i = 0; i < record.genesis().validators_size(); ++i) {
    std::string validator = record.genesis().validators(i).SerializeAsString();
    if (i == 0) validator += Field(2, second);
    genesis_bytes += Field(4, validator);
  }
  record.clear_genesis();
  const std::string payload = record.SerializeAsString() + Field(10, genesis_bytes);
  v1::Record parsed;
  ASSERT_TRUE(parsed.ParseFromString(payload));
  EXPECT_EQ(parsed.genesis().validators(0).public_key(), second) << "Protobuf keeps the last";
  auto refused = ReadGenesisPayload(payload);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("appears more than once"), std::string::npos)
      << refused.status().message();
}

TEST_F(PayloadReaderTest, EncodingsParsersCouldReadDifferentlyAreRefused) {
  const std::string genesis = fixture_.genesis().payload;
  struct Case {
    const char* what;
    std::string payload;
    const char* message;
  };
  const Case cases[] = {
      {"a second body", genesis + std::string("\x5a\x00", 2), "2 bodies"},
      {"the genesis body twice (Protobuf would merge)", genesis + std::string("\x52\x00", 2),
       "more than once"},
      {"a group", genesis + std::string("\x9b\x06\x9c\x06", 4), "wire type 3"},
      {"version as bytes", std::string("\x0a\x00", 2) + genesis, "wire type 2 instead of 0"},
      {"a truncated field", genesis + "\x52", "truncated"},
      {"field number 0", std::string("\x00\x01", 2) + genesis, "out of range"},
      {"an 11-byte varint", genesis + std::string("\x20") + std::string(10, '\xff') + "\x01",
       "too long"},
      {"version 2", std::string("\x08\x02", 2) + genesis.substr(2), "version is not 1"},
      {"no record at all", "", "0 bodies"},
  };
  for (const Case& c : cases) {
    auto view = ReadGenesisPayload(c.payload);
    ASSERT_FALSE(view.ok()) << c.what;
    EXPECT_NE(view.status().message().find(c.message), std::string::npos)
        << c.what << ": " << view.status().message();
  }
}

TEST_F(PayloadReaderTest, StringsItReadsMustBeUtf8AndKeysHex) {
  v1::Record record = Genesis();
  record.mutable_genesis()->mutable_organizations(0)->set_name("bad \xc0\xaf name");
  std::string payload;
  record.SerializePartialToString(&payload);  // Protobuf itself refuses to parse it back
  v1::Record parsed;
  EXPECT_FALSE(parsed.ParseFromString(payload));
  auto view = ReadGenesisPayload(payload);
  ASSERT_FALSE(view.ok());
  EXPECT_NE(view.status().message().find("UTF-8"), std::string::npos);
  record = Genesis();
  record.mutable_genesis()->mutable_validators(1)->set_public_key("not a key");
  EXPECT_FALSE(ReadGenesisPayload(Serialize(record)).ok());
  record = Genesis();
  *record.mutable_genesis()->add_validators() = record.genesis().validators(0);
  auto twice = ReadGenesisPayload(Serialize(record));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("listed twice"), std::string::npos);
}

TEST_F(PayloadReaderTest, ReadsAnExitRecordAsProtobufDoes) {
  v1::Record record;
  record.set_version(1);
  record.set_chain_id(std::string(32, '\x07'));
  record.set_author_org("brand");
  record.set_nonce(99);
  v1::SystemExit* exit = record.mutable_system_exit();
  exit->set_site_id("assembly");
  exit->set_characteristic("cu-re-mix");
  exit->set_product_group("cu-cathode");
  exit->set_credit_grams(1'000'000);
  exit->set_product_description("recycled copper cable");
  exit->set_product_batch("cables 2026-W50");
  exit->set_scope(v1::SystemExit::PACKAGING);
  exit->set_product_units(4000);
  exit->set_disclose_quantities(true);
  auto view = ReadExitRecordPayload(Serialize(record));
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->chain_id, record.chain_id());
  EXPECT_EQ(view->author_org, "brand");
  EXPECT_EQ(view->site_id, "assembly");
  EXPECT_EQ(view->characteristic, "cu-re-mix");
  EXPECT_EQ(view->product_group, "cu-cathode");
  EXPECT_EQ(view->credit_grams, 1'000'000u);
  EXPECT_EQ(view->product_description, "recycled copper cable");
  EXPECT_EQ(view->product_batch, "cables 2026-W50");
  EXPECT_EQ(ScopeName(view->scope), "packaging");
  EXPECT_EQ(view->product_units, 4000u);
  EXPECT_TRUE(view->disclose_quantities);
  auto genesis_as_exit = ReadExitRecordPayload(fixture_.genesis().payload);
  ASSERT_FALSE(genesis_as_exit.ok());
  EXPECT_NE(genesis_as_exit.status().message().find("not a system exit"), std::string::npos);
  // A second system exit body: Protobuf would merge the two, the rule refuses.
  std::string twice = Serialize(record);
  auto refused = ReadExitRecordPayload(twice + std::string("\xda\x01\x02\x20\x05", 5));
  EXPECT_FALSE(refused.ok());
}

}  // namespace
}  // namespace mbl::tools
