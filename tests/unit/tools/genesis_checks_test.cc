// `mbl genesis` checks a spec before it writes it: what the nodes would refuse is an error (no
// file), what is legal but likely a mistake across machines is a warning (docs/operations.md).
#include "tools/genesis_checks.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "chaincode/proto/records.pb.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"

namespace mbl::tools {
namespace {

struct Spec {
  std::uint32_t membership_quorum = 2;
  std::vector<std::string> addresses = {"10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7000",
                                        "10.0.0.4:7000"};
  bool validator_key_is_a_person_key = false;
};

// A requirements setter and three value-chain organizations, one validator per address.
chaincode::SignedRecord MakeGenesis(const Spec& spec) {
  MBL_CHECK(crypto::InitializeCrypto().ok());
  crypto::KeyPair top = crypto::KeyPair::Generate();
  v1::Record record;
  record.set_version(1);
  record.set_author_org("rs");
  v1::Genesis* genesis = record.mutable_genesis();
  genesis->set_chain_name("checks");
  genesis->set_genesis_time_ms(1'767'225'600'000);
  genesis->set_membership_quorum(spec.membership_quorum);
  const char* orgs[] = {"rs", "smelter", "wiremaker", "brand"};
  std::vector<std::string> person_keys;
  for (const char* id : orgs) {
    v1::Organization* organization = genesis->add_organizations();
    organization->set_id(id);
    organization->set_kind(std::string(id) == "rs" ? v1::REQUIREMENTS_SETTER : v1::VALUE_CHAIN);
    v1::Person* person = organization->add_people();
    person->set_name(std::string(id) + "-top");
    const crypto::PublicKey key =
        std::string(id) == "rs" ? top.public_key : crypto::KeyPair::Generate().public_key;
    person->set_public_key(crypto::ToHex(key));
    person_keys.push_back(person->public_key());
    person->add_roles(v1::TOP_MANAGEMENT);
  }
  for (std::size_t i = 0; i < spec.addresses.size(); ++i) {
    v1::Validator* validator = genesis->add_validators();
    validator->set_organization(orgs[i % 4]);
    validator->set_public_key(spec.validator_key_is_a_person_key && i == 1
                                  ? person_keys[1]
                                  : crypto::ToHex(crypto::KeyPair::Generate().public_key));
    validator->set_address(spec.addresses[i]);
  }
  return chaincode::SignRecord(chaincode::SerializeDeterministic(record), top);
}

bool Mentions(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& line) { return line.find(part) != std::string::npos; });
}

TEST(GenesisChecks, T1_AGoodConsortiumSpecHasNoFindings) {
  GenesisFindings findings = CheckGenesis(MakeGenesis({}));
  EXPECT_TRUE(findings.errors.empty()) << findings.errors.front();
  EXPECT_TRUE(findings.warnings.empty()) << findings.warnings.front();
}

TEST(GenesisChecks, T1_AnAddressWithoutPortIsAnError) {
  Spec spec;
  spec.addresses[2] = "10.0.0.3";
  GenesisFindings findings = CheckGenesis(MakeGenesis(spec));
  ASSERT_EQ(findings.errors.size(), 1u);
  EXPECT_NE(findings.errors[0].find("nodes would refuse it (T1)"), std::string::npos);
  EXPECT_NE(findings.errors[0].find("'10.0.0.3' has no port"), std::string::npos)
      << findings.errors[0];
}

TEST(GenesisChecks, T1_TwoValidatorsOnOneAddressIsAnError) {
  Spec spec;
  spec.addresses[3] = "10.0.0.1:7000";
  GenesisFindings findings = CheckGenesis(MakeGenesis(spec));
  EXPECT_TRUE(Mentions(findings.errors, "already the validator of 'rs'")) << findings.errors.size();
}

TEST(GenesisChecks, T1_AQuorumNoMemberSetCouldReachIsAnError) {
  Spec spec;
  spec.membership_quorum = 4;  // three organizations besides the requirements setter
  GenesisFindings findings = CheckGenesis(MakeGenesis(spec));
  EXPECT_TRUE(Mentions(findings.errors, "membership_quorum is 4 but only 3 organizations"));
  spec.membership_quorum = 3;
  EXPECT_TRUE(CheckGenesis(MakeGenesis(spec)).errors.empty());
}

TEST(GenesisChecks, T1_LikelyMistakesAreWarningsNotErrors) {
  Spec spec;
  spec.membership_quorum = 0;
  spec.addresses = {"127.0.0.1:7000", "node2.wiremaker.example:7000", "10.0.0.3:7000",
                    "10.0.0.4:7000"};
  spec.validator_key_is_a_person_key = true;
  GenesisFindings findings = CheckGenesis(MakeGenesis(spec));
  EXPECT_TRUE(findings.errors.empty()) << findings.errors.front();
  EXPECT_TRUE(Mentions(findings.warnings, "membership_quorum is 0"));
  EXPECT_TRUE(Mentions(findings.warnings, "must set validator_listen_address"));
  EXPECT_TRUE(Mentions(findings.warnings, "1 validator address(es) are loopback"));
  EXPECT_TRUE(Mentions(findings.warnings, "is also a person's key"));
  EXPECT_EQ(findings.warnings.size(), 4u);
}

TEST(GenesisChecks, T1_AllLoopbackIsALocalTestNetworkAndNotWarnedAbout) {
  Spec spec;
  spec.membership_quorum = 0;  // one operator runs every node of a local network
  spec.addresses = {"127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.2:7000", "[::1]:7000"};
  GenesisFindings findings = CheckGenesis(MakeGenesis(spec));
  EXPECT_TRUE(findings.errors.empty());
  EXPECT_TRUE(findings.warnings.empty()) << findings.warnings.front();
}

}  // namespace
}  // namespace mbl::tools
