// T1 signers (G4.1): an organization's top management manages its own people's keys (add, remove,
// rotate) at once, without the consortium's quorum; nobody else may, except the requirements
// setter's proposal with the quorum (recovery of an organization that lost its keys). Validators
// move to a new address or key with one change (change_validator), one epoch.
#include <gtest/gtest.h>

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

v1::Record AddPerson(const std::string& org, const std::string& name, const crypto::KeyPair& key,
                     v1::Role role) {
  v1::Record record;
  auto* change = record.mutable_membership_change()->mutable_add_person();
  change->set_organization(org);
  change->mutable_person()->set_name(name);
  change->mutable_person()->set_public_key(crypto::ToHex(key.public_key));
  change->mutable_person()->add_roles(role);
  return record;
}

v1::Record RemovePerson(const std::string& org, const crypto::PublicKey& key) {
  v1::Record record;
  auto* change = record.mutable_membership_change()->mutable_remove_person();
  change->set_organization(org);
  change->mutable_person()->set_public_key(crypto::ToHex(key));
  return record;
}

v1::Record RotatePerson(const std::string& org, const crypto::PublicKey& old_key,
                        const std::string& name, const crypto::KeyPair& new_key, v1::Role role) {
  v1::Record record;
  auto* change = record.mutable_membership_change()->mutable_rotate_person();
  change->set_organization(org);
  change->set_old_public_key(crypto::ToHex(old_key));
  change->mutable_person()->set_name(name);
  change->mutable_person()->set_public_key(crypto::ToHex(new_key.public_key));
  change->mutable_person()->add_roles(role);
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

TEST(OwnPeople, T1_TopManagementAddsItsOwnPersonAtOnceWithoutTheQuorum) {
  LedgerFixture ledger(/*membership_quorum=*/2);
  crypto::KeyPair clerk = crypto::KeyPair::Generate();
  RecordResult added = ledger.CommitOne(
      ledger.Sign(AddPerson("brand", "new clerk", clerk, v1::OPERATION_RESPONSIBLE), "brand",
                  v1::TOP_MANAGEMENT));
  ASSERT_TRUE(added.accepted) << added.rejection.message;
  auto details = nlohmann::json::parse(added.details_json);
  EXPECT_EQ(details["enacted"], true);
  EXPECT_EQ(details["by"], "own_top_management");
  ASSERT_TRUE(GetKeyHolder(ledger.state(), clerk.public_key).has_value());
  EXPECT_EQ(GetKeyHolder(ledger.state(), clerk.public_key)->organization, "brand");
  // The new key signs for brand at once.
  RecordResult site = ledger.CommitOne(ledger.SignWith(Site("store"), "brand", clerk));
  EXPECT_TRUE(site.accepted) << site.rejection.message;
}

TEST(OwnPeople, T1_OnlyTopManagementChangesItsOrganizationsPeople) {
  LedgerFixture ledger;
  auto before = DomainState(ledger.state());
  crypto::KeyPair clerk = crypto::KeyPair::Generate();
  ExpectRejected(ledger.CommitOne(
                     ledger.Sign(AddPerson("brand", "new clerk", clerk, v1::OPERATION_RESPONSIBLE),
                                 "brand", v1::OPERATION_RESPONSIBLE)),
                 "R3", "top_management");
  EXPECT_EQ(DomainState(ledger.state()), before);
}

TEST(OwnPeople, T1_AnotherOrganizationCannotChangeItsPeople) {
  LedgerFixture ledger;
  auto before = DomainState(ledger.state());
  crypto::KeyPair intruder = crypto::KeyPair::Generate();
  ExpectRejected(ledger.CommitOne(ledger.Sign(
                     AddPerson("smelter", "intruder", intruder, v1::OPERATION_RESPONSIBLE), "brand",
                     v1::TOP_MANAGEMENT)),
                 "R3", "'brand' cannot change the people of 'smelter'");
  ExpectRejected(
      ledger.CommitOne(ledger.Sign(
          RemovePerson("smelter", ledger.Key("smelter", v1::OPERATION_RESPONSIBLE).public_key),
          "brand", v1::TOP_MANAGEMENT)),
      "R3", "changes only its own people's keys");
  EXPECT_EQ(DomainState(ledger.state()), before);
}

TEST(OwnPeople, T1_RemovedKeyNoLongerSigns) {
  LedgerFixture ledger(/*membership_quorum=*/2);
  const crypto::KeyPair& operations = ledger.Key("smelter", v1::OPERATION_RESPONSIBLE);
  RecordResult removed = ledger.CommitOne(
      ledger.Sign(RemovePerson("smelter", operations.public_key), "smelter", v1::TOP_MANAGEMENT));
  ASSERT_TRUE(removed.accepted) << removed.rejection.message;
  EXPECT_FALSE(GetKeyHolder(ledger.state(), operations.public_key).has_value());
  ExpectRejected(ledger.CommitOne(ledger.Sign(Site("plant"), "smelter", v1::OPERATION_RESPONSIBLE)),
                 "R3", "not a current member key");
}

TEST(OwnPeople, T1_RotationRetiresTheOldKeyAndEnrolsTheNewOneInOneRecord) {
  LedgerFixture ledger(/*membership_quorum=*/2);
  const crypto::KeyPair& old_key = ledger.Key("smelter", v1::OPERATION_RESPONSIBLE);
  crypto::KeyPair new_key = crypto::KeyPair::Generate();
  RecordResult rotated = ledger.CommitOne(
      ledger.Sign(RotatePerson("smelter", old_key.public_key, "smelter-ops (new laptop)", new_key,
                               v1::OPERATION_RESPONSIBLE),
                  "smelter", v1::TOP_MANAGEMENT));
  ASSERT_TRUE(rotated.accepted) << rotated.rejection.message;
  EXPECT_EQ(nlohmann::json::parse(rotated.details_json)["retired_key"],
            crypto::ToHex(old_key.public_key));
  EXPECT_FALSE(GetKeyHolder(ledger.state(), old_key.public_key).has_value());
  EXPECT_EQ(GetKeyHolder(ledger.state(), new_key.public_key)->person, "smelter-ops (new laptop)");
  EXPECT_TRUE(ledger.CommitOne(ledger.SignWith(Site("plant"), "smelter", new_key)).accepted);
  ExpectRejected(ledger.CommitOne(ledger.Sign(Site("yard"), "smelter", v1::OPERATION_RESPONSIBLE)),
                 "R3", "not a current member key");
}

TEST(OwnPeople, T1_ARotationOfAKeyTheOrganizationDoesNotHoldChangesNothing) {
  LedgerFixture ledger;
  auto before = DomainState(ledger.state());
  crypto::KeyPair new_key = crypto::KeyPair::Generate();
  ExpectRejected(
      ledger.CommitOne(ledger.Sign(
          RotatePerson("smelter", ledger.Key("brand", v1::OPERATION_RESPONSIBLE).public_key,
                       "stolen", new_key, v1::OPERATION_RESPONSIBLE),
          "smelter", v1::TOP_MANAGEMENT)),
      "T1", "is not a current key of 'smelter'");
  // The new key already belongs to someone: nothing is retired either.
  ExpectRejected(
      ledger.CommitOne(ledger.Sign(
          RotatePerson("smelter", ledger.Key("smelter", v1::OPERATION_RESPONSIBLE).public_key,
                       "twin", ledger.Key("smelter", v1::EVALUATION_RESPONSIBLE),
                       v1::OPERATION_RESPONSIBLE),
          "smelter", v1::TOP_MANAGEMENT)),
      "T1", "already belongs to");
  EXPECT_EQ(DomainState(ledger.state()), before);
}

TEST(OwnPeople, T1_AnOrganizationKeepsATopManagementKey) {
  LedgerFixture ledger;
  auto before = DomainState(ledger.state());
  const crypto::KeyPair& top = ledger.Key("smelter", v1::TOP_MANAGEMENT);
  ExpectRejected(ledger.CommitOne(ledger.Sign(RemovePerson("smelter", top.public_key), "smelter",
                                              v1::TOP_MANAGEMENT)),
                 "T1", "without a top management key");
  crypto::KeyPair demoted = crypto::KeyPair::Generate();
  ExpectRejected(ledger.CommitOne(ledger.Sign(RotatePerson("smelter", top.public_key, "smelter-ceo",
                                                           demoted, v1::OPERATION_RESPONSIBLE),
                                              "smelter", v1::TOP_MANAGEMENT)),
                 "T1", "without a top management key");
  EXPECT_EQ(DomainState(ledger.state()), before);

  // Rotating the top management key to a new top management key is how a CEO changes devices.
  crypto::KeyPair successor = crypto::KeyPair::Generate();
  RecordResult rotated = ledger.CommitOne(ledger.Sign(
      RotatePerson("smelter", top.public_key, "smelter-ceo", successor, v1::TOP_MANAGEMENT),
      "smelter", v1::TOP_MANAGEMENT));
  ASSERT_TRUE(rotated.accepted) << rotated.rejection.message;
  crypto::KeyPair clerk = crypto::KeyPair::Generate();
  EXPECT_TRUE(ledger
                  .CommitOne(ledger.SignWith(
                      AddPerson("smelter", "clerk", clerk, v1::OPERATION_RESPONSIBLE), "smelter",
                      successor))
                  .accepted);
}

TEST(OwnPeople, T1_RecoveryOfAnotherOrganizationsKeysNeedsTheQuorum) {
  LedgerFixture ledger(/*membership_quorum=*/2);
  crypto::KeyPair replacement = crypto::KeyPair::Generate();
  SignedRecord proposal =
      ledger.Sign(AddPerson("brand", "brand-ceo (recovered)", replacement, v1::TOP_MANAGEMENT),
                  "rs", v1::TOP_MANAGEMENT);
  RecordResult proposed = ledger.CommitOne(proposal);
  ASSERT_TRUE(proposed.accepted) << proposed.rejection.message;
  EXPECT_FALSE(GetKeyHolder(ledger.state(), replacement.public_key).has_value())
      << "the requirements setter alone cannot change another organization's people";
  v1::Record approve;
  approve.mutable_membership_change()->set_approve(
      crypto::ToHex(ComputeRecordId(proposal.payload)));
  ASSERT_TRUE(ledger.CommitOne(ledger.Sign(approve, "smelter", v1::TOP_MANAGEMENT)).accepted);
  EXPECT_FALSE(GetKeyHolder(ledger.state(), replacement.public_key).has_value());
  RecordResult enacted = ledger.CommitOne(ledger.Sign(approve, "cb", v1::TOP_MANAGEMENT));
  ASSERT_TRUE(enacted.accepted) << enacted.rejection.message;
  EXPECT_EQ(GetKeyHolder(ledger.state(), replacement.public_key)->organization, "brand");
}

TEST(OwnPeople, T1_TheRequirementsSetterChangesItsOwnPeopleAtOnce) {
  LedgerFixture ledger(/*membership_quorum=*/2);
  crypto::KeyPair analyst = crypto::KeyPair::Generate();
  RecordResult added = ledger.CommitOne(ledger.Sign(
      AddPerson("rs", "analyst", analyst, v1::EVALUATION_RESPONSIBLE), "rs", v1::TOP_MANAGEMENT));
  ASSERT_TRUE(added.accepted) << added.rejection.message;
  EXPECT_EQ(nlohmann::json::parse(added.details_json)["by"], "own_top_management");
  EXPECT_TRUE(GetKeyHolder(ledger.state(), analyst.public_key).has_value());
}

v1::Record ChangeValidator(const crypto::PublicKey& key, const std::string& new_key_hex,
                           const std::string& new_address) {
  v1::Record record;
  auto* change = record.mutable_membership_change()->mutable_change_validator();
  change->set_public_key(crypto::ToHex(key));
  change->set_new_public_key(new_key_hex);
  change->set_new_address(new_address);
  return record;
}

std::string AddressOf(const MemoryState& state, const std::string& key_hex) {
  for (const v1::Validator& validator : GetValidators(state)) {
    if (validator.public_key() == key_hex) return validator.address();
  }
  return "";
}

TEST(ValidatorChange, T1_MovingAValidatorToANewAddressIsOneEpoch) {
  LedgerFixture ledger(0, 4);
  const std::string key = crypto::ToHex(ledger.validator_keys()[1].public_key);
  RecordResult moved = ledger.CommitOne(ledger.Sign(
      ChangeValidator(ledger.validator_keys()[1].public_key, "", "node2.wiremaker.example:7000"),
      "rs", v1::TOP_MANAGEMENT));
  ASSERT_TRUE(moved.accepted) << moved.rejection.message;
  EXPECT_EQ(AddressOf(ledger.state(), key), "node2.wiremaker.example:7000");
  EpochInfo epoch = CurrentEpoch(ledger.state());
  EXPECT_EQ(epoch.number, 1u);
  EXPECT_EQ(epoch.validators.size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(moved.details_json)["epoch"], 1);
}

TEST(ValidatorChange, T1_ANewNodeKeyReplacesTheOldOneInOneEpoch) {
  LedgerFixture ledger(0, 4);
  const crypto::PublicKey old_key = ledger.validator_keys()[2].public_key;
  const std::string old_address = AddressOf(ledger.state(), crypto::ToHex(old_key));
  const std::string new_key = crypto::ToHex(crypto::KeyPair::Generate().public_key);
  RecordResult changed = ledger.CommitOne(
      ledger.Sign(ChangeValidator(old_key, new_key, ""), "rs", v1::TOP_MANAGEMENT));
  ASSERT_TRUE(changed.accepted) << changed.rejection.message;
  EpochInfo epoch = CurrentEpoch(ledger.state());
  EXPECT_EQ(epoch.number, 1u);
  EXPECT_EQ(epoch.validators.size(), 4u);
  EXPECT_EQ(std::count(epoch.validators.begin(), epoch.validators.end(), new_key), 1);
  EXPECT_EQ(std::count(epoch.validators.begin(), epoch.validators.end(), crypto::ToHex(old_key)),
            0);
  EXPECT_EQ(AddressOf(ledger.state(), new_key), old_address) << "the address stays";
}

TEST(ValidatorChange, T1_ABadChangeIsRefusedAndChangesNothing) {
  LedgerFixture ledger(0, 4);
  auto before = DomainState(ledger.state());
  const crypto::PublicKey key = ledger.validator_keys()[0].public_key;
  ExpectRejected(
      ledger.CommitOne(ledger.Sign(ChangeValidator(key, "", "10.0.0.7"), "rs", v1::TOP_MANAGEMENT)),
      "T1", "has no port");
  ExpectRejected(
      ledger.CommitOne(ledger.Sign(ChangeValidator(key, "", ""), "rs", v1::TOP_MANAGEMENT)),
      "FORMAT", "names neither new_public_key nor new_address");
  ExpectRejected(ledger.CommitOne(ledger.Sign(
                     ChangeValidator(crypto::KeyPair::Generate().public_key, "", "10.0.0.7:7000"),
                     "rs", v1::TOP_MANAGEMENT)),
                 "T1", "is not a validator");
  ExpectRejected(ledger.CommitOne(ledger.Sign(
                     ChangeValidator(key, crypto::ToHex(ledger.validator_keys()[3].public_key), ""),
                     "rs", v1::TOP_MANAGEMENT)),
                 "T1", "already the key of a validator");
  ExpectRejected(ledger.CommitOne(ledger.Sign(ChangeValidator(key, "", "10.0.0.7:7000"), "smelter",
                                              v1::TOP_MANAGEMENT)),
                 "R3", "requirements_setter");
  EXPECT_EQ(DomainState(ledger.state()), before);
  EXPECT_EQ(CurrentEpoch(ledger.state()).number, 0u);
}

TEST(ValidatorChange, T1_AnAddressWithoutPortIsRefusedWhenAddingAValidator) {
  LedgerFixture ledger(0, 4);
  v1::Record record;
  auto* validator = record.mutable_membership_change()->mutable_add_validator();
  validator->set_organization("brand");
  validator->set_public_key(crypto::ToHex(crypto::KeyPair::Generate().public_key));
  validator->set_address("node5.brand.example");
  ExpectRejected(ledger.CommitOne(ledger.Sign(record, "rs", v1::TOP_MANAGEMENT)), "T1",
                 "has no port");
  EXPECT_EQ(CurrentEpoch(ledger.state()).number, 0u);
}

}  // namespace
}  // namespace mbl::chaincode
