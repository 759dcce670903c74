// The kind of each rejection (chaincode/executor.h RefusalKind): whether a record refused by the
// dry run can never become valid, and why. Admission maps the kinds to statuses (node/ledger.h).
#include <gtest/gtest.h>

#include "chaincode/registry.h"
#include "tests/support/chaincode_expect.h"
#include "tests/support/ledger_fixture.h"

namespace mbl::chaincode {
namespace {

using test_support::ExpectRejected;
using test_support::LedgerFixture;

// A site definition: valid when the smelter's operation responsible signs it.
v1::Record Site(const std::string& id) {
  v1::Record record;
  record.mutable_site_definition()->set_site_id(id);
  record.mutable_site_definition()->set_area_type("site");
  return record;
}

// Signed by a key no member holds.
SignedRecord SignedByAStranger(LedgerFixture& ledger, const v1::Record& record) {
  return SignRecord(ledger.Sign(record, "smelter", v1::OPERATION_RESPONSIBLE).payload,
                    crypto::KeyPair::Generate());
}

TEST(RefusalKinds, R3_UnknownSignerIsUnauthenticated) {
  LedgerFixture ledger;
  auto result = ledger.CommitOne(SignedByAStranger(ledger, Site("plant")));
  ExpectRejected(result, "R3", "not a current member key");
  EXPECT_EQ(result.rejection.kind, RefusalKind::kUnauthenticated);
}

TEST(RefusalKinds, R3_SignerWithoutTheRoleIsNotAuthorized) {
  LedgerFixture ledger;
  auto result = ledger.CommitOne(ledger.Sign(Site("plant"), "smelter", v1::EVALUATION_RESPONSIBLE));
  ExpectRejected(result, "R3", "does not hold the role");
  EXPECT_EQ(result.rejection.kind, RefusalKind::kNotAuthorized);
}

TEST(RefusalKinds, R3_SignerOfAnotherOrganizationIsNotAuthorized) {
  LedgerFixture ledger;
  v1::Record record = Site("plant");
  record.set_author_org("wiremaker");
  auto result = ledger.CommitOne(ledger.Sign(record, "smelter", v1::OPERATION_RESPONSIBLE));
  ExpectRejected(result, "R3", "belongs to organization 'smelter'");
  EXPECT_EQ(result.rejection.kind, RefusalKind::kNotAuthorized);
}

TEST(RefusalKinds, R5_RecordAlreadyInTheLedgerAlreadyExists) {
  LedgerFixture ledger;
  auto record = ledger.Sign(Site("plant"), "smelter", v1::OPERATION_RESPONSIBLE);
  ASSERT_TRUE(ledger.CommitOne(record).accepted);
  auto result = ledger.CommitOne(record);
  ExpectRejected(result, "R5", "already in the ledger");
  EXPECT_EQ(result.rejection.kind, RefusalKind::kAlreadyExists);
}

TEST(RefusalKinds, R5_RecordOfAnotherChainOrOutsideItsWindowIsInvalid) {
  LedgerFixture ledger;
  v1::Record other_chain = Site("plant");
  other_chain.set_chain_id(std::string(32, '\x07'));
  auto result = ledger.CommitOne(ledger.Sign(other_chain, "smelter", v1::OPERATION_RESPONSIBLE));
  ExpectRejected(result, "R5", "not to this ledger");
  EXPECT_EQ(result.rejection.kind, RefusalKind::kInvalid);
  v1::Record expired = Site("plant");
  expired.set_valid_until_ms(ledger.time_ms() + 500);
  result = ledger.CommitOne(ledger.Sign(expired, "smelter", v1::OPERATION_RESPONSIBLE),
                            ledger.time_ms() + 1000);
  ExpectRejected(result, "R5", "validity window ended");
  EXPECT_EQ(result.rejection.kind, RefusalKind::kInvalid);
}

TEST(RefusalKinds, FORMAT_MalformedPayloadAndMissingBodyAreInvalid) {
  LedgerFixture ledger;
  auto result = ledger.CommitOne(
      SignRecord("\xff\xff\xff", ledger.Key("smelter", v1::OPERATION_RESPONSIBLE)));
  ExpectRejected(result, "FORMAT", "not a valid");
  EXPECT_EQ(result.rejection.kind, RefusalKind::kInvalid);
  result = ledger.CommitOne(ledger.Sign(v1::Record(), "smelter", v1::OPERATION_RESPONSIBLE));
  ExpectRejected(result, "FORMAT", "no body");
  EXPECT_EQ(result.rejection.kind, RefusalKind::kInvalid);
}

TEST(RefusalKinds, T1_GenesisAfterBlockZeroIsInvalid) {
  LedgerFixture ledger;
  LedgerFixture other;
  auto result = ledger.CommitOne(other.genesis());
  ExpectRejected(result, "T1", "only valid as the first record of block 0");
  EXPECT_EQ(result.rejection.kind, RefusalKind::kInvalid);
}

TEST(RefusalKinds, T1_GenesisNamingNoValidatorIsInvalid) {
  v1::Record record;
  record.set_version(1);
  record.set_author_org("rs");
  record.mutable_genesis()->set_chain_name("no-validators");
  MemoryState empty;
  BlockExecution execution =
      ExecuteBlock({SignRecord(SerializeDeterministic(record), crypto::KeyPair::Generate())}, empty,
                   {0, test_support::kGenesisTimeMs}, crypto::Hash256{});
  ExpectRejected(execution.results.at(0), "T1", "genesis names no validator");
  EXPECT_EQ(execution.results.at(0).rejection.kind, RefusalKind::kInvalid);
}

TEST(RefusalKinds, T1_MembershipRuleIsARuleViolation) {
  LedgerFixture ledger;
  v1::Record removal;
  removal.mutable_membership_change()->set_remove_organization("nobody");
  auto result = ledger.CommitOne(ledger.Sign(removal, "rs", v1::TOP_MANAGEMENT));
  ExpectRejected(result, "T1", "organization 'nobody' is not a member");
  EXPECT_EQ(result.rejection.kind, RefusalKind::kRuleViolation);
}

TEST(RefusalKinds, T4_UndefinedProductGroupIsARuleViolation) {
  LedgerFixture ledger;
  v1::Record factor;
  factor.mutable_conversion_factor()->set_product_group_in("undefined-in");
  factor.mutable_conversion_factor()->set_product_group_out("undefined-out");
  factor.mutable_conversion_factor()->set_factor_ppm(1'000'000);
  factor.mutable_conversion_factor()->set_method_document_hash(std::string(64, 'a'));
  auto result = ledger.CommitOne(ledger.Sign(factor, "smelter", v1::OPERATION_RESPONSIBLE));
  ASSERT_FALSE(result.accepted);
  EXPECT_EQ(result.rejection.rule, "T4") << result.rejection.message;
  EXPECT_EQ(result.rejection.kind, RefusalKind::kRuleViolation);
}

// Admission's dry run gives each record the kind a block would give it.
TEST(RefusalKinds, R3_DryRunGivesTheKindsOfABlock) {
  LedgerFixture ledger;
  std::vector<SignedRecord> records = {
      ledger.Sign(Site("plant"), "smelter", v1::EVALUATION_RESPONSIBLE),
      SignedByAStranger(ledger, Site("mill"))};
  std::vector<RecordResult> dry_run =
      DryRunEach(records, ledger.state(), {ledger.height() + 1, ledger.time_ms() + 1000});
  ASSERT_EQ(dry_run.size(), 2u);
  EXPECT_EQ(dry_run[0].rejection.kind, RefusalKind::kNotAuthorized);
  EXPECT_EQ(dry_run[1].rejection.kind, RefusalKind::kUnauthenticated);
}

}  // namespace
}  // namespace mbl::chaincode
