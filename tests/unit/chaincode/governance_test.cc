// T1..T5 and the generic record rules (R3 authority, R5 duplicates and replay, R16 determinism).
#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>

#include "base/limits.h"
#include "chaincode/epochs.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "tests/support/chaincode_expect.h"
#include "tests/support/ledger_fixture.h"

namespace mbl::chaincode {
namespace {

using test_support::DomainState;
using test_support::ExpectRejected;
using test_support::LedgerFixture;

v1::Record Characteristic(const std::string& id, v1::CharacteristicCategory category) {
  v1::Record record;
  auto* definition = record.mutable_characteristic_definition();
  definition->set_id(id);
  definition->set_name("Cu " + id);
  definition->set_category(category);
  return record;
}

v1::Record ProductGroup(const std::string& id, const std::string& nature) {
  v1::Record record;
  auto* group = record.mutable_product_group_definition();
  group->set_id(id);
  group->set_nature(nature);
  return record;
}

v1::Record Factor(const std::string& in, const std::string& out, std::uint32_t ppm) {
  v1::Record record;
  auto* factor = record.mutable_conversion_factor();
  factor->set_product_group_in(in);
  factor->set_product_group_out(out);
  factor->set_factor_ppm(ppm);
  factor->set_method_document_hash(std::string(64, 'a'));
  return record;
}

v1::Record Site(const std::string& id) {
  v1::Record record;
  auto* site = record.mutable_site_definition();
  site->set_site_id(id);
  site->set_name("Site " + id);
  site->set_area_type("site");
  site->set_physical_presence_possible(true);
  return record;
}

TEST(Genesis, T1_CreatesMembersKeysAndValidators) {
  LedgerFixture ledger;
  auto chain = GetChain(ledger.state());
  ASSERT_TRUE(chain.has_value());
  EXPECT_EQ(chain->chain_id, ledger.chain_id());
  auto holder =
      GetKeyHolder(ledger.state(), ledger.Key("smelter", v1::OPERATION_RESPONSIBLE).public_key);
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->organization, "smelter");
  EXPECT_EQ(GetValidators(ledger.state()).size(), 1u);
  EXPECT_EQ(GetOrganization(ledger.state(), "cb")->kind(), v1::CERTIFICATION_BODY);
}

TEST(Genesis, T1_OnlyOnceAndOnlyInBlockZero) {
  LedgerFixture ledger;
  v1::Record again;
  again.mutable_genesis()->set_chain_name("second");
  again.set_chain_id("");
  auto signed_again = ledger.Sign(again, "rs", v1::TOP_MANAGEMENT);
  ExpectRejected(ledger.CommitOne(signed_again), "T1", "first record of block 0");
}

TEST(Authority, R3_CharacteristicNeedsTheRequirementsSetter) {
  LedgerFixture ledger;
  auto before = DomainState(ledger.state());
  auto result = ledger.CommitOne(
      ledger.Sign(Characteristic("cu-re", v1::RECYCLED_CONTENT), "smelter", v1::TOP_MANAGEMENT));
  ExpectRejected(result, "R3", "requirements_setter");
  EXPECT_EQ(DomainState(ledger.state()), before);
}

TEST(Authority, R3_SignerWithoutTheRoleIsRejected) {
  LedgerFixture ledger;
  auto result = ledger.CommitOne(ledger.Sign(Site("plant"), "smelter", v1::EVALUATION_RESPONSIBLE));
  ExpectRejected(result, "R3", "operation_responsible");
}

TEST(Authority, R3_KeyOfAnotherOrganizationIsRejected) {
  LedgerFixture ledger;
  v1::Record record = Site("plant");
  record.set_author_org("wiremaker");  // signed by the smelter's key, speaking for the wire maker
  auto result = ledger.CommitOne(ledger.Sign(record, "smelter", v1::OPERATION_RESPONSIBLE));
  ExpectRejected(result, "R3", "belongs to organization 'smelter'");
}

TEST(Authority, R3_UnknownKeyIsRejected) {
  LedgerFixture ledger;
  v1::Record record = Site("plant");
  record.set_version(1);
  record.set_chain_id(ledger.chain_id());
  record.set_author_org("smelter");
  record.set_valid_until_ms(ledger.time_ms() + 60'000);
  auto stranger = crypto::KeyPair::Generate();
  auto result = ledger.CommitOne(SignRecord(SerializeDeterministic(record), stranger));
  ExpectRejected(result, "R3", "not a current member key");
}

TEST(Authority, R3_RemovedKeyIsRejected) {
  LedgerFixture ledger;
  v1::Record removal;
  auto* change = removal.mutable_membership_change()->mutable_remove_person();
  change->set_organization("smelter");
  change->mutable_person()->set_public_key(
      crypto::ToHex(ledger.Key("smelter", v1::OPERATION_RESPONSIBLE).public_key));
  ASSERT_TRUE(ledger.CommitOne(ledger.Sign(removal, "rs", v1::TOP_MANAGEMENT)).accepted);
  auto result = ledger.CommitOne(ledger.Sign(Site("plant"), "smelter", v1::OPERATION_RESPONSIBLE));
  ExpectRejected(result, "R3", "not a current member key");
}

TEST(Membership, T1_AddedPersonCanSignForTheirOrganization) {
  LedgerFixture ledger;
  crypto::KeyPair newcomer = crypto::KeyPair::Generate();
  v1::Record addition;
  auto* change = addition.mutable_membership_change()->mutable_add_person();
  change->set_organization("wiremaker");
  change->mutable_person()->set_name("new operator");
  change->mutable_person()->set_public_key(crypto::ToHex(newcomer.public_key));
  change->mutable_person()->add_roles(v1::OPERATION_RESPONSIBLE);
  ASSERT_TRUE(ledger.CommitOne(ledger.Sign(addition, "rs", v1::TOP_MANAGEMENT)).accepted);
  auto holder = GetKeyHolder(ledger.state(), newcomer.public_key);
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->organization, "wiremaker");
  // Another member cannot change wiremaker's people (only wiremaker's top management, or the
  // requirements setter's proposal with the quorum).
  auto refused = ledger.CommitOne(ledger.Sign(addition, "brand", v1::TOP_MANAGEMENT));
  ExpectRejected(refused, "R3", "changes only its own people's keys");
}

TEST(Sites, T2_DefinesAndVersionsASite) {
  LedgerFixture ledger;
  ASSERT_TRUE(
      ledger.CommitOne(ledger.Sign(Site("plant"), "smelter", v1::OPERATION_RESPONSIBLE)).accepted);
  v1::Record second = Site("plant");
  second.mutable_site_definition()->add_physically_linked_sites("smelter/mine");
  auto result = ledger.CommitOne(ledger.Sign(second, "smelter", v1::OPERATION_RESPONSIBLE));
  ASSERT_TRUE(result.accepted);
  EXPECT_EQ(nlohmann::json::parse(result.details_json)["version"], 2);
  EXPECT_EQ(GetSite(ledger.state(), "smelter", "plant")->physically_linked_sites_size(), 1);
  EXPECT_TRUE(GetVersion(ledger.state(), keys::Site("smelter", "plant"), 1).has_value());
}

TEST(Sites, T2_RejectsUnknownAreaTypeAndBadDocumentHash) {
  LedgerFixture ledger;
  v1::Record bad_area = Site("plant");
  bad_area.mutable_site_definition()->set_area_type("planet");
  ExpectRejected(ledger.CommitOne(ledger.Sign(bad_area, "smelter", v1::OPERATION_RESPONSIBLE)),
                 "FORMAT", "area_type");
  v1::Record bad_hash = Site("plant");
  bad_hash.mutable_site_definition()->set_document_hash("xyz");
  ExpectRejected(ledger.CommitOne(ledger.Sign(bad_hash, "smelter", v1::OPERATION_RESPONSIBLE)),
                 "FORMAT", "document_hash");
}

TEST(ReferenceData, T3_T4_DefinitionsAndSimilarNature) {
  LedgerFixture ledger;
  ASSERT_TRUE(ledger
                  .CommitOne(ledger.Sign(Characteristic("cu-8.0-mix", v1::GHG_REDUCED), "rs",
                                         v1::TOP_MANAGEMENT))
                  .accepted);
  ASSERT_TRUE(
      ledger.CommitOne(ledger.Sign(ProductGroup("cathode", "copper"), "rs", v1::TOP_MANAGEMENT))
          .accepted);
  ASSERT_TRUE(
      ledger.CommitOne(ledger.Sign(ProductGroup("wire", "copper"), "rs", v1::TOP_MANAGEMENT))
          .accepted);
  ASSERT_TRUE(
      ledger
          .CommitOne(ledger.Sign(ProductGroup("computer", "electronics"), "rs", v1::TOP_MANAGEMENT))
          .accepted);
  EXPECT_EQ(GetCharacteristic(ledger.state(), "cu-8.0-mix")->category(), v1::GHG_REDUCED);
  EXPECT_TRUE(SimilarInNature(ledger.state(), "cathode", "wire"));
  EXPECT_FALSE(SimilarInNature(ledger.state(), "cathode", "computer"));
  EXPECT_FALSE(SimilarInNature(ledger.state(), "cathode", "undefined"));
}

TEST(ConversionFactors, R2_FactorMustBeIntegerPpmInRange) {
  LedgerFixture ledger;
  ASSERT_TRUE(
      ledger.CommitOne(ledger.Sign(ProductGroup("cathode", "copper"), "rs", v1::TOP_MANAGEMENT))
          .accepted);
  ASSERT_TRUE(
      ledger.CommitOne(ledger.Sign(ProductGroup("wire", "copper"), "rs", v1::TOP_MANAGEMENT))
          .accepted);
  ExpectRejected(ledger.CommitOne(ledger.Sign(Factor("cathode", "wire", 0), "wiremaker",
                                              v1::OPERATION_RESPONSIBLE)),
                 "R2", "1..1000000");
  ExpectRejected(ledger.CommitOne(ledger.Sign(Factor("cathode", "wire", 1'000'001), "wiremaker",
                                              v1::OPERATION_RESPONSIBLE)),
                 "R2", "1..1000000");
  ExpectRejected(ledger.CommitOne(ledger.Sign(Factor("cathode", "rod", 950'000), "wiremaker",
                                              v1::OPERATION_RESPONSIBLE)),
                 "T4", "'rod' is not defined");
}

TEST(ConversionFactors, T4_VersionedOldVersionsStayQueryable) {
  LedgerFixture ledger;
  ASSERT_TRUE(
      ledger.CommitOne(ledger.Sign(ProductGroup("cathode", "copper"), "rs", v1::TOP_MANAGEMENT))
          .accepted);
  ASSERT_TRUE(
      ledger.CommitOne(ledger.Sign(ProductGroup("wire", "copper"), "rs", v1::TOP_MANAGEMENT))
          .accepted);
  ASSERT_TRUE(ledger
                  .CommitOne(ledger.Sign(Factor("cathode", "wire", 1'000'000), "wiremaker",
                                         v1::OPERATION_RESPONSIBLE))
                  .accepted);
  ASSERT_TRUE(ledger
                  .CommitOne(ledger.Sign(Factor("cathode", "wire", 980'000), "wiremaker",
                                         v1::OPERATION_RESPONSIBLE))
                  .accepted);
  EXPECT_EQ(GetConversionFactor(ledger.state(), "wiremaker", "cathode", "wire")->factor_ppm(),
            980'000u);
  auto first =
      GetVersion(ledger.state(), keys::ConversionFactor("wiremaker", "cathode", "wire"), 1);
  ASSERT_TRUE(first.has_value());
  v1::ConversionFactorDefinition old;
  ASSERT_TRUE(old.ParseFromString(*first));
  EXPECT_EQ(old.factor_ppm(), 1'000'000u);
  EXPECT_FALSE(GetConversionFactor(ledger.state(), "smelter", "cathode", "wire").has_value());
}

TEST(Accreditation, T5_AccreditsOnlyCertificationBodiesForDefinedCharacteristics) {
  LedgerFixture ledger;
  ASSERT_TRUE(ledger
                  .CommitOne(ledger.Sign(Characteristic("cu-re-mix", v1::RECYCLED_CONTENT), "rs",
                                         v1::TOP_MANAGEMENT))
                  .accepted);
  v1::Record accreditation;
  accreditation.mutable_cb_accreditation()->set_certification_body("cb");
  accreditation.mutable_cb_accreditation()->add_characteristics("cu-re-mix");
  ASSERT_TRUE(ledger.CommitOne(ledger.Sign(accreditation, "rs", v1::TOP_MANAGEMENT)).accepted);
  EXPECT_TRUE(IsAccredited(ledger.state(), "cb", "cu-re-mix", ledger.time_ms()));
  EXPECT_FALSE(IsAccredited(ledger.state(), "cb", "cu-8.0-mix", ledger.time_ms()));

  v1::Record smelter_as_cb = accreditation;
  smelter_as_cb.mutable_cb_accreditation()->set_certification_body("smelter");
  ExpectRejected(ledger.CommitOne(ledger.Sign(smelter_as_cb, "rs", v1::TOP_MANAGEMENT)), "T5",
                 "certification_body");
  // An undefined characteristic is a missing definition (T3), as in every other record.
  v1::Record undefined = accreditation;
  undefined.mutable_cb_accreditation()->set_characteristics(0, "cu-undefined");
  ExpectRejected(ledger.CommitOne(ledger.Sign(undefined, "rs", v1::TOP_MANAGEMENT)), "T3",
                 "not defined");
}

TEST(Replay, R5_SameRecordTakesEffectOnceInOneBlockAndAcrossBlocks) {
  LedgerFixture ledger;
  auto record = ledger.Sign(Site("plant"), "smelter", v1::OPERATION_RESPONSIBLE);
  auto block = ledger.Commit({record, record});
  EXPECT_TRUE(block.results[0].accepted);
  ExpectRejected(block.results[1], "R5", "already in the ledger");
  ExpectRejected(ledger.CommitOne(record), "R5", "already in the ledger");
  EXPECT_EQ(nlohmann::json::parse(block.results[0].details_json)["version"], 1);
  // Still version 1: the duplicates did nothing.
  EXPECT_FALSE(GetVersion(ledger.state(), keys::Site("smelter", "plant"), 2).has_value());
}

TEST(Replay, R5_RecordOutsideItsValidityWindowIsRejected) {
  LedgerFixture ledger;
  v1::Record record = Site("plant");
  record.set_valid_until_ms(ledger.time_ms() + 500);
  auto expired = ledger.Sign(record, "smelter", v1::OPERATION_RESPONSIBLE);
  ExpectRejected(ledger.CommitOne(expired, ledger.time_ms() + 1000), "R5", "validity window ended");
  record.set_valid_until_ms(ledger.time_ms() + limits::kRecordValidityWindowMs + 10'000);
  ExpectRejected(ledger.CommitOne(ledger.Sign(record, "smelter", v1::OPERATION_RESPONSIBLE)), "R5",
                 "at most 24 h");
}

TEST(Replay, R5_RecordOfAnotherChainIsRejected) {
  LedgerFixture ledger;
  v1::Record record = Site("plant");
  record.set_chain_id(std::string(32, '\x07'));
  ExpectRejected(ledger.CommitOne(ledger.Sign(record, "smelter", v1::OPERATION_RESPONSIBLE)), "R5",
                 "not to this ledger");
}

TEST(Format, MalformedPayloadAndMissingBodyAreRejectedNotFatal) {
  LedgerFixture ledger;
  const auto& key = ledger.Key("smelter", v1::OPERATION_RESPONSIBLE);
  ExpectRejected(ledger.CommitOne(SignRecord("\xff\xff\xff", key)), "FORMAT", "not a valid");
  v1::Record empty;
  ExpectRejected(ledger.CommitOne(ledger.Sign(empty, "smelter", v1::OPERATION_RESPONSIBLE)),
                 "FORMAT", "no body");
  v1::Record long_name = Site("plant");
  long_name.mutable_site_definition()->set_name(std::string(limits::kRecordTextBytesMax + 1, 'n'));
  ExpectRejected(ledger.CommitOne(ledger.Sign(long_name, "smelter", v1::OPERATION_RESPONSIBLE)),
                 "FORMAT", "limit");
}

// A field this version does not know would be read by a newer node and ignored by this one (R16):
// the record is refused, wherever the field sits, and changes nothing.
TEST(Format, R16_RecordWithAnUnknownFieldIsRejectedAndChangesNothing) {
  LedgerFixture ledger;
  const auto before = DomainState(ledger.state());
  v1::Record nested = Site("plant");
  nested.mutable_site_definition()
      ->GetReflection()
      ->MutableUnknownFields(nested.mutable_site_definition())
      ->AddVarint(99, 7);
  ExpectRejected(ledger.CommitOne(ledger.Sign(nested, "smelter", v1::OPERATION_RESPONSIBLE)),
                 "FORMAT", "site_definition.field 99");
  v1::Record outer = Site("plant");
  outer.GetReflection()->MutableUnknownFields(&outer)->AddLengthDelimited(40, "hidden");
  ExpectRejected(ledger.CommitOne(ledger.Sign(outer, "smelter", v1::OPERATION_RESPONSIBLE)),
                 "FORMAT", "field 40");
  v1::Record deep;  // inside a repeated sub-message of a body
  deep.mutable_genesis()->add_organizations();
  auto* second = deep.mutable_genesis()->add_organizations();
  second->GetReflection()->MutableUnknownFields(second)->AddFixed32(77, 1);
  ExpectRejected(ledger.CommitOne(ledger.Sign(deep, "smelter", v1::OPERATION_RESPONSIBLE)),
                 "FORMAT", "genesis.organizations[1].field 77");
  // A known number in another wire type is kept aside by the parser as unknown: refused too.
  std::string wrong_type = ledger.Sign(Site("plant"), "smelter", v1::OPERATION_RESPONSIBLE).payload;
  wrong_type += std::string("\x18\x01", 2);  // author_org (3) as a varint
  ExpectRejected(
      ledger.CommitOne(SignRecord(wrong_type, ledger.Key("smelter", v1::OPERATION_RESPONSIBLE))),
      "FORMAT", "does not know (field 3)");
  EXPECT_EQ(DomainState(ledger.state()), before);
  // The same record without the extra field is accepted.
  EXPECT_TRUE(
      ledger.CommitOne(ledger.Sign(Site("plant"), "smelter", v1::OPERATION_RESPONSIBLE)).accepted);
}

TEST(Atomicity, RejectedRecordChangesNothingEvenAfterPartialWrites) {
  LedgerFixture ledger;
  ASSERT_TRUE(ledger
                  .CommitOne(ledger.Sign(Characteristic("cu-re-mix", v1::RECYCLED_CONTENT), "rs",
                                         v1::TOP_MANAGEMENT))
                  .accepted);
  auto before = DomainState(ledger.state());
  // The handler writes the first characteristic's accreditation before finding the second
  // undefined: nothing of it may survive.
  v1::Record accreditation;
  accreditation.mutable_cb_accreditation()->set_certification_body("cb");
  accreditation.mutable_cb_accreditation()->add_characteristics("cu-re-mix");
  accreditation.mutable_cb_accreditation()->add_characteristics("cu-undefined");
  ExpectRejected(ledger.CommitOne(ledger.Sign(accreditation, "rs", v1::TOP_MANAGEMENT)), "T3",
                 "not defined");
  EXPECT_EQ(DomainState(ledger.state()), before);
  EXPECT_FALSE(IsAccredited(ledger.state(), "cb", "cu-re-mix", ledger.time_ms()));
}

TEST(Determinism, R16_ReplayFromGenesisGivesTheSameStateRootAndResults) {
  LedgerFixture ledger;
  ledger.Commit({ledger.Sign(Site("plant"), "smelter", v1::OPERATION_RESPONSIBLE),
                 ledger.Sign(Site("mill"), "wiremaker", v1::OPERATION_RESPONSIBLE),
                 ledger.Sign(Site("bad"), "brand", v1::EVALUATION_RESPONSIBLE)});
  ledger.CommitOne(ledger.Sign(ProductGroup("wire", "copper"), "rs", v1::TOP_MANAGEMENT));
  EXPECT_EQ(test_support::ReplayFromGenesis(ledger.blocks()), ledger.state_root());

  // Executing the same block twice on the same state gives identical bytes.
  MemoryState empty;
  const auto& [records, time_ms] = ledger.blocks()[0];
  BlockExecution a = ExecuteBlock(records, empty, {0, time_ms}, {});
  BlockExecution b = ExecuteBlock(records, empty, {0, time_ms}, {});
  EXPECT_EQ(a.state_root, b.state_root);
  EXPECT_EQ(a.results_root, b.results_root);
  EXPECT_EQ(EncodeRecordResult(a.results[0]), EncodeRecordResult(b.results[0]));
}

TEST(Determinism, R16_StateRootDependsOnParentAndEveryWrite) {
  crypto::Hash256 parent{};
  WriteSet writes{{"a", "1"}, {"b", std::nullopt}};
  crypto::Hash256 root = ComputeStateRoot(parent, writes);
  WriteSet changed{{"a", "2"}, {"b", std::nullopt}};
  WriteSet deleted{{"a", std::nullopt}, {"b", std::nullopt}};
  EXPECT_NE(ComputeStateRoot(parent, changed), root);
  EXPECT_NE(ComputeStateRoot(parent, deleted), root);
  parent[0] = 1;
  EXPECT_NE(ComputeStateRoot(parent, writes), root);
}

}  // namespace
}  // namespace mbl::chaincode

namespace mbl::chaincode {
namespace {

using test_support::LedgerFixture;

v1::Record ApproveRecord(const RecordId& proposal) {
  v1::Record record;
  record.mutable_membership_change()->set_approve(crypto::ToHex(proposal));
  return record;
}

TEST(Membership, T1_ChangeTakesEffectOnlyWhenTheQuorumOfOtherMembersApproves) {
  LedgerFixture ledger(/*membership_quorum=*/2);
  crypto::KeyPair newcomer = crypto::KeyPair::Generate();
  v1::Record proposal;
  auto* change = proposal.mutable_membership_change()->mutable_add_person();
  change->set_organization("brand");
  change->mutable_person()->set_name("new buyer");
  change->mutable_person()->set_public_key(crypto::ToHex(newcomer.public_key));
  change->mutable_person()->add_roles(v1::OPERATION_RESPONSIBLE);
  auto proposed = ledger.Sign(proposal, "rs", v1::TOP_MANAGEMENT);
  ASSERT_TRUE(ledger.CommitOne(proposed).accepted);
  RecordId proposal_id = ComputeRecordId(proposed.payload);
  EXPECT_FALSE(GetKeyHolder(ledger.state(), newcomer.public_key).has_value()) << "not yet";

  // The proposer cannot approve itself; an operation responsible cannot approve; one member
  // approving twice counts once.
  auto self = ledger.CommitOne(ledger.Sign(ApproveRecord(proposal_id), "rs", v1::TOP_MANAGEMENT));
  EXPECT_EQ(self.rejection.rule, "T1");
  auto wrong_role = ledger.CommitOne(
      ledger.Sign(ApproveRecord(proposal_id), "smelter", v1::OPERATION_RESPONSIBLE));
  EXPECT_EQ(wrong_role.rejection.rule, "R3");
  ASSERT_TRUE(
      ledger.CommitOne(ledger.Sign(ApproveRecord(proposal_id), "smelter", v1::TOP_MANAGEMENT))
          .accepted);
  auto twice =
      ledger.CommitOne(ledger.Sign(ApproveRecord(proposal_id), "smelter", v1::TOP_MANAGEMENT));
  EXPECT_EQ(twice.rejection.rule, "T1");
  EXPECT_FALSE(GetKeyHolder(ledger.state(), newcomer.public_key).has_value());

  auto enacted =
      ledger.CommitOne(ledger.Sign(ApproveRecord(proposal_id), "cb", v1::TOP_MANAGEMENT));
  ASSERT_TRUE(enacted.accepted) << enacted.rejection.message;
  EXPECT_EQ(nlohmann::json::parse(enacted.details_json)["enacted"], true);
  EXPECT_EQ(GetKeyHolder(ledger.state(), newcomer.public_key)->organization, "brand");
  auto late =
      ledger.CommitOne(ledger.Sign(ApproveRecord(proposal_id), "wiremaker", v1::TOP_MANAGEMENT));
  EXPECT_EQ(late.rejection.rule, "T1") << "an enacted proposal is gone";
}

v1::Record AddValidatorRecord(const crypto::KeyPair& key, const std::string& org) {
  v1::Record record;
  auto* validator = record.mutable_membership_change()->mutable_add_validator();
  validator->set_organization(org);
  validator->set_public_key(crypto::ToHex(key.public_key));
  validator->set_address("127.0.0.1:17899");
  return record;
}

v1::Record RemoveValidatorRecord(const crypto::PublicKey& key) {
  v1::Record record;
  record.mutable_membership_change()->set_remove_validator(crypto::ToHex(key));
  return record;
}

TEST(Epochs, T1_AddingAValidatorStartsAnEpochWithTheNewSet) {
  LedgerFixture ledger(/*membership_quorum=*/0, /*validator_count=*/4);
  EXPECT_EQ(CurrentEpoch(ledger.state()).number, 0u);
  EXPECT_EQ(CurrentEpoch(ledger.state()).validators.size(), 4u);
  crypto::KeyPair newcomer = crypto::KeyPair::Generate();
  auto block =
      ledger.Commit({ledger.Sign(AddValidatorRecord(newcomer, "brand"), "rs", v1::TOP_MANAGEMENT)});
  ASSERT_TRUE(block.results[0].accepted) << block.results[0].rejection.message;
  EXPECT_TRUE(StartsEpoch(block.writes));
  EpochInfo epoch = CurrentEpoch(ledger.state());
  EXPECT_EQ(epoch.number, 1u);
  EXPECT_EQ(epoch.base_height, ledger.height());
  ASSERT_EQ(epoch.validators.size(), 5u);
  EXPECT_TRUE(std::is_sorted(epoch.validators.begin(), epoch.validators.end()));
  auto details = nlohmann::json::parse(block.results[0].details_json);
  EXPECT_EQ(details["epoch"], 1);
  EXPECT_EQ(details["validator_set_after"].get<std::vector<std::string>>(), epoch.validators);
  std::vector<EpochInfo> stored = StoredEpochs(ledger.state());
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0], epoch);
}

TEST(Epochs, T1_RemovingAValidatorStartsAnEpochAndOtherRecordsDoNot) {
  LedgerFixture ledger(0, 4);
  auto site = ledger.Commit({ledger.Sign(Site("plant"), "smelter", v1::OPERATION_RESPONSIBLE)});
  EXPECT_FALSE(StartsEpoch(site.writes));
  const crypto::PublicKey removed = ledger.validator_keys()[2].public_key;
  auto block =
      ledger.Commit({ledger.Sign(RemoveValidatorRecord(removed), "rs", v1::TOP_MANAGEMENT)});
  ASSERT_TRUE(block.results[0].accepted) << block.results[0].rejection.message;
  EpochInfo epoch = CurrentEpoch(ledger.state());
  EXPECT_EQ(epoch.number, 1u);
  EXPECT_EQ(epoch.validators.size(), 3u);
  EXPECT_EQ(std::count(epoch.validators.begin(), epoch.validators.end(), crypto::ToHex(removed)),
            0);
}

TEST(Epochs, T1_OneValidatorSetChangePerBlockTheSecondIsRejectedAndChangesNothing) {
  LedgerFixture ledger(0, 4);
  crypto::KeyPair first = crypto::KeyPair::Generate();
  crypto::KeyPair second = crypto::KeyPair::Generate();
  auto block =
      ledger.Commit({ledger.Sign(AddValidatorRecord(first, "brand"), "rs", v1::TOP_MANAGEMENT),
                     ledger.Sign(AddValidatorRecord(second, "cb"), "rs", v1::TOP_MANAGEMENT)});
  ASSERT_TRUE(block.results[0].accepted);
  ExpectRejected(block.results[1], "T1", "already changes in this block");
  EXPECT_EQ(CurrentEpoch(ledger.state()).validators.size(), 5u);
  // In the next block it goes through and starts epoch 2.
  auto next =
      ledger.CommitOne(ledger.Sign(AddValidatorRecord(second, "cb"), "rs", v1::TOP_MANAGEMENT));
  ASSERT_TRUE(next.accepted) << next.rejection.message;
  EXPECT_EQ(CurrentEpoch(ledger.state()).number, 2u);
  EXPECT_EQ(StoredEpochs(ledger.state()).size(), 2u);
}

TEST(Epochs, T1_ASingleValidatorLedgerKeepsItsValidatorSet) {
  LedgerFixture ledger;  // one validator: it orders alone
  auto before = DomainState(ledger.state());
  crypto::KeyPair newcomer = crypto::KeyPair::Generate();
  ExpectRejected(ledger.CommitOne(
                     ledger.Sign(AddValidatorRecord(newcomer, "brand"), "rs", v1::TOP_MANAGEMENT)),
                 "T1", "single validator");
  ExpectRejected(
      ledger.CommitOne(ledger.Sign(RemoveValidatorRecord(ledger.validator_key().public_key), "rs",
                                   v1::TOP_MANAGEMENT)),
      "T1", "last validator");
  EXPECT_EQ(DomainState(ledger.state()), before);
}

TEST(Epochs, T1_ABftLedgerKeepsAtLeastTwoValidators) {
  LedgerFixture ledger(0, 2);
  auto before = DomainState(ledger.state());
  ExpectRejected(
      ledger.CommitOne(ledger.Sign(RemoveValidatorRecord(ledger.validator_keys()[0].public_key),
                                   "rs", v1::TOP_MANAGEMENT)),
      "T1", "at least 2 validators");
  EXPECT_EQ(DomainState(ledger.state()), before);
}

TEST(Epochs, T1_AValidatorChangeNeedsTheRequirementsSetterAndAMemberOrganization) {
  LedgerFixture ledger(0, 4);
  auto before = DomainState(ledger.state());
  crypto::KeyPair newcomer = crypto::KeyPair::Generate();
  ExpectRejected(ledger.CommitOne(ledger.Sign(AddValidatorRecord(newcomer, "brand"), "smelter",
                                              v1::TOP_MANAGEMENT)),
                 "R3", "requirements_setter");
  ExpectRejected(ledger.CommitOne(
                     ledger.Sign(AddValidatorRecord(newcomer, "nobody"), "rs", v1::TOP_MANAGEMENT)),
                 "T1", "not a member");
  ExpectRejected(
      ledger.CommitOne(ledger.Sign(AddValidatorRecord(ledger.validator_keys()[1], "brand"), "rs",
                                   v1::TOP_MANAGEMENT)),
      "T1", "already the key of a validator");
  EXPECT_EQ(DomainState(ledger.state()), before);
}

}  // namespace
}  // namespace mbl::chaincode
