// T1 and R3: one spelling per key. Public keys are 64 hex characters in either case on the way in;
// the ledger compares them as the 32 bytes they spell, refuses a key already present in any
// spelling (two people, two organizations, two validators) and stores and reports them in
// lowercase.
#include <gtest/gtest.h>

#include <cctype>

#include "chaincode/epochs.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "tests/support/chaincode_expect.h"
#include "tests/support/ledger_fixture.h"

namespace mbl::chaincode {
namespace {

using test_support::ExpectRejected;
using test_support::kGenesisTimeMs;
using test_support::LedgerFixture;

std::string Upper(std::string hex) {
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

// A genesis of a requirements setter "rs" (top management `top`) and a value-chain member "mine"
// with one person, and validators with the given keys (as spelled), one per organization in
// turn; executed as block 0 of an empty ledger.
struct GenesisRun {
  MemoryState state;
  RecordResult result;
};

std::unique_ptr<GenesisRun> RunGenesis(const crypto::KeyPair& top, const std::string& mine_key_hex,
                                       const std::vector<std::string>& validator_keys_hex) {
  MBL_CHECK(crypto::InitializeCrypto().ok());
  v1::Record record;
  record.set_version(1);
  record.set_author_org("rs");
  v1::Genesis* genesis = record.mutable_genesis();
  genesis->set_chain_name("keys");
  genesis->set_genesis_time_ms(kGenesisTimeMs);
  v1::Organization* rs = genesis->add_organizations();
  rs->set_id("rs");
  rs->set_kind(v1::REQUIREMENTS_SETTER);
  v1::Person* rs_top = rs->add_people();
  rs_top->set_name("rs-top");
  rs_top->set_public_key(crypto::ToHex(top.public_key));
  rs_top->add_roles(v1::TOP_MANAGEMENT);
  v1::Organization* mine = genesis->add_organizations();
  mine->set_id("mine");
  mine->set_kind(v1::VALUE_CHAIN);
  v1::Person* mine_ops = mine->add_people();
  mine_ops->set_name("mine-ops");
  mine_ops->set_public_key(mine_key_hex);
  mine_ops->add_roles(v1::OPERATION_RESPONSIBLE);
  for (std::size_t i = 0; i < validator_keys_hex.size(); ++i) {
    v1::Validator* validator = genesis->add_validators();
    validator->set_organization(i % 2 == 0 ? "rs" : "mine");
    validator->set_public_key(validator_keys_hex[i]);
    validator->set_address("127.0.0.1:" + std::to_string(17800 + i));
  }
  auto run = std::make_unique<GenesisRun>();
  BlockExecution block = ExecuteBlock({SignRecord(SerializeDeterministic(record), top)}, run->state,
                                      {0, kGenesisTimeMs}, crypto::Hash256{});
  run->result = block.results.at(0);
  run->state.Apply(std::move(block.writes));
  return run;
}

TEST(Genesis, T1_OneValidatorKeyInTwoSpellingsIsRefused) {
  crypto::KeyPair top = crypto::KeyPair::Generate();
  std::string node = crypto::ToHex(crypto::KeyPair::Generate().public_key);
  auto run =
      RunGenesis(top, crypto::ToHex(crypto::KeyPair::Generate().public_key), {node, Upper(node)});
  ExpectRejected(run->result, "T1", "validator key " + node + " is already the key of a validator");
  EXPECT_FALSE(GetChain(run->state).has_value()) << "a refused genesis creates no ledger";
}

TEST(Genesis, T1_OnePersonKeyInTwoSpellingsIsRefusedNamingItsHolder) {
  crypto::KeyPair top = crypto::KeyPair::Generate();
  std::string top_hex = crypto::ToHex(top.public_key);
  auto run =
      RunGenesis(top, Upper(top_hex), {crypto::ToHex(crypto::KeyPair::Generate().public_key)});
  ExpectRejected(run->result, "T1",
                 "key " + top_hex + " of 'mine-ops' already belongs to rs-top of 'rs'");
}

TEST(Genesis, T1_KeysSpelledInUppercaseAreStoredAndReportedInLowercase) {
  crypto::KeyPair top = crypto::KeyPair::Generate();
  crypto::KeyPair mine = crypto::KeyPair::Generate();
  std::string node = crypto::ToHex(crypto::KeyPair::Generate().public_key);
  auto run = RunGenesis(top, Upper(crypto::ToHex(mine.public_key)), {Upper(node)});
  ASSERT_TRUE(run->result.accepted) << run->result.rejection.message;
  std::vector<v1::Validator> validators = GetValidators(run->state);
  ASSERT_EQ(validators.size(), 1u);
  EXPECT_EQ(validators[0].public_key(), node);
  EXPECT_TRUE(run->state.Get(keys::Validator(node)).has_value());
  EXPECT_FALSE(run->state.Get(keys::Validator(Upper(node))).has_value());
  EXPECT_EQ(CurrentEpoch(run->state).validators, std::vector<std::string>{node});
  EXPECT_EQ(GetKeyHolder(run->state, mine.public_key)->person, "mine-ops");
}

v1::Record AddValidator(const std::string& key_hex, const std::string& org) {
  v1::Record record;
  auto* validator = record.mutable_membership_change()->mutable_add_validator();
  validator->set_organization(org);
  validator->set_public_key(key_hex);
  validator->set_address("127.0.0.1:17899");
  return record;
}

TEST(Membership, T1_AValidatorKeyAlreadyPresentInAnotherSpellingIsRefused) {
  LedgerFixture ledger(/*membership_quorum=*/0, /*validator_count=*/4);
  std::string existing = crypto::ToHex(ledger.validator_keys()[1].public_key);
  auto before = GetValidators(ledger.state()).size();
  ExpectRejected(ledger.CommitOne(
                     ledger.Sign(AddValidator(Upper(existing), "brand"), "rs", v1::TOP_MANAGEMENT)),
                 "T1",
                 "validator key " + existing + " is already the key of a validator of 'wiremaker'");
  EXPECT_EQ(GetValidators(ledger.state()).size(), before);
  EXPECT_EQ(CurrentEpoch(ledger.state()).number, 0u) << "no new validator set";
}

TEST(Membership, T1_AValidatorAddedInUppercaseIsStoredAndReportedInLowercase) {
  LedgerFixture ledger(0, 4);
  std::string node = crypto::ToHex(crypto::KeyPair::Generate().public_key);
  RecordResult added =
      ledger.CommitOne(ledger.Sign(AddValidator(Upper(node), "brand"), "rs", v1::TOP_MANAGEMENT));
  ASSERT_TRUE(added.accepted) << added.rejection.message;
  auto after = nlohmann::json::parse(added.details_json)["validator_set_after"];
  EXPECT_NE(std::find(after.begin(), after.end(), node), after.end()) << added.details_json;
  EXPECT_TRUE(ledger.state().Get(keys::Validator(node)).has_value());
  // Removing it by either spelling finds it.
  v1::Record remove;
  remove.mutable_membership_change()->set_remove_validator(Upper(node));
  RecordResult removed = ledger.CommitOne(ledger.Sign(remove, "rs", v1::TOP_MANAGEMENT));
  ASSERT_TRUE(removed.accepted) << removed.rejection.message;
  EXPECT_FALSE(ledger.state().Get(keys::Validator(node)).has_value());
}

TEST(Membership, T1_APersonKeyAlreadyHeldInAnotherSpellingIsRefusedInLowercase) {
  LedgerFixture ledger;
  std::string held = crypto::ToHex(ledger.Key("smelter", v1::OPERATION_RESPONSIBLE).public_key);
  v1::Record add;
  auto* change = add.mutable_membership_change()->mutable_add_person();
  change->set_organization("brand");
  change->mutable_person()->set_name("brand-new");
  change->mutable_person()->set_public_key(Upper(held));
  change->mutable_person()->add_roles(v1::OPERATION_RESPONSIBLE);
  ExpectRejected(
      ledger.CommitOne(ledger.Sign(add, "rs", v1::TOP_MANAGEMENT)), "T1",
      "key " + held + " of 'brand-new' already belongs to smelter-operation_responsible");
  EXPECT_EQ(
      GetKeyHolder(ledger.state(), ledger.Key("smelter", v1::OPERATION_RESPONSIBLE).public_key)
          ->organization,
      "smelter");
}

}  // namespace
}  // namespace mbl::chaincode
