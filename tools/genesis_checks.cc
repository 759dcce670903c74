#include "tools/genesis_checks.h"

#include <cctype>
#include <map>
#include <set>

#include "chaincode/executor.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/state.h"
#include "chaincode/validator_address.h"
#include "crypto/encoding.h"

namespace mbl::tools {
namespace {

// Lowercase hex, so keys that differ only in case compare equal, as the chaincode compares them.
std::string KeyText(const std::string& hex) {
  std::string lower = hex;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// A test or demonstration network (mbl net create): every validator on a loopback address.
bool AllOnThisMachine(const v1::Genesis& genesis) {
  for (const v1::Validator& validator : genesis.validators()) {
    auto address = chaincode::ParseValidatorAddress(validator.address());
    if (!address.ok() || !IsLoopback(address->host)) return false;
  }
  return true;
}

void CheckAddresses(const v1::Genesis& genesis, GenesisFindings& findings) {
  std::map<std::string, std::string> owner_of_address;
  std::size_t loopback = 0;
  for (const v1::Validator& validator : genesis.validators()) {
    const std::string who = "validator of '" + validator.organization() + "'";
    auto address = chaincode::ParseValidatorAddress(validator.address());
    if (!address.ok()) continue;  // the chaincode's refusal reports it
    const std::string endpoint = address->host + ":" + std::to_string(address->port);
    if (auto [it, fresh] = owner_of_address.emplace(endpoint, who); !fresh) {
      findings.errors.push_back(who + " has address " + validator.address() + ", already the " +
                                it->second + "'s; each validator listens on an address of its own");
    }
    if (!address->host_is_ip) {
      findings.warnings.push_back(
          who + " has the host name '" + address->host +
          "': its node must set validator_listen_address (the IP address to listen on, e.g. "
          "0.0.0.0) in its config, and every other node must resolve the name");
    }
    if (IsLoopback(address->host)) ++loopback;
  }
  if (genesis.validators_size() > 1 && loopback > 0 &&
      loopback < static_cast<std::size_t>(genesis.validators_size())) {
    findings.warnings.push_back(
        std::to_string(loopback) +
        " validator address(es) are loopback addresses, which other machines cannot reach");
  }
}

void CheckKeys(const v1::Genesis& genesis, GenesisFindings& findings) {
  std::set<std::string> person_keys;
  for (const v1::Organization& organization : genesis.organizations()) {
    for (const v1::Person& person : organization.people()) {
      person_keys.insert(KeyText(person.public_key()));
    }
  }
  for (const v1::Validator& validator : genesis.validators()) {
    if (person_keys.contains(KeyText(validator.public_key()))) {
      findings.warnings.push_back(
          "the validator key of '" + validator.organization() +
          "' is also a person's key; a node key sits on a server, so make the person a key of "
          "their own (mbl keygen)");
    }
  }
}

void CheckQuorum(const v1::Genesis& genesis, GenesisFindings& findings) {
  std::size_t others = 0;
  for (const v1::Organization& organization : genesis.organizations()) {
    if (organization.kind() != v1::REQUIREMENTS_SETTER) ++others;
  }
  const std::uint32_t quorum = genesis.membership_quorum();
  if (quorum > others) {
    findings.errors.push_back("membership_quorum is " + std::to_string(quorum) + " but only " +
                              std::to_string(others) +
                              " organizations besides the requirements setter could approve: no "
                              "membership change could ever take effect");
  } else if (quorum == 0 && others > 0 && !AllOnThisMachine(genesis)) {
    findings.warnings.push_back(
        "membership_quorum is 0: the requirements setter's top management alone admits and "
        "removes organizations and changes validators; set it to the number of other "
        "organizations that must approve such a change (docs/operations.md)");
  }
}

}  // namespace

GenesisFindings CheckGenesis(const chaincode::SignedRecord& genesis) {
  GenesisFindings findings;
  v1::Record record;
  if (!record.ParseFromString(genesis.payload) || !record.has_genesis()) {
    findings.errors.push_back("the payload is not a genesis record (T1)");
    return findings;
  }
  // The nodes run the genesis as block 0 on an empty state: run it the same way.
  chaincode::MemoryState empty;
  const chaincode::BlockContext block0{.height = 0, .time_ms = record.genesis().genesis_time_ms()};
  const chaincode::RecordResult result = chaincode::DryRunEach({genesis}, empty, block0).at(0);
  if (!result.accepted) {
    findings.errors.push_back("the nodes would refuse it (" + result.rejection.rule +
                              "): " + result.rejection.message);
  }
  CheckAddresses(record.genesis(), findings);
  CheckKeys(record.genesis(), findings);
  CheckQuorum(record.genesis(), findings);
  return findings;
}

}  // namespace mbl::tools
