// Membership and reference data (T1..T5) as stored in the state: who holds which key and role,
// organizations, sites, characteristics, product groups, conversion factors, accreditations.
// Values are Protobuf messages serialized deterministically (docs/formats.md, "State").
//
// Readers come in two forms: over any StateReader (queries, the node), returning copies; and
// over the block's WorkingState (handlers), returning pointers into what the block decoded once
// (valid until the block ends). Handlers pass context.state and so get the second form.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chaincode/handler.h"
#include "chaincode/proto/governance.pb.h"
#include "chaincode/state.h"
#include "crypto/ed25519.h"

namespace mbl::chaincode {

// Deterministic serialization (same bytes on every node running this binary, R16).
std::string SerializeDeterministic(const google::protobuf::Message& message);

struct ChainInfo {
  std::string chain_id;  // raw 32 bytes: the genesis record id
  std::string chain_name;
  std::uint32_t membership_quorum = 0;
  std::int64_t genesis_time_ms = 0;
};

struct KeyHolder {
  std::string organization;
  std::string person;
  std::vector<v1::Role> roles;
};

std::string RoleName(v1::Role role);
std::string KindName(v1::OrganizationKind kind);

std::optional<ChainInfo> GetChain(const StateReader& state);
const ChainInfo* GetChain(WorkingState& state);
void PutChain(WorkingState& state, const ChainInfo& chain);
ChainInfo DecodeChain(std::string_view json);

std::optional<v1::Organization> GetOrganization(const StateReader& state, std::string_view org);
const v1::Organization* GetOrganization(WorkingState& state, std::string_view org);
void PutOrganization(WorkingState& state, const v1::Organization& organization);
// When `org` became a member (R14 closes only periods of its membership): the block time of the
// membership change that admitted it, stored then; the genesis time for members named in genesis,
// which store nothing.
std::int64_t MemberSinceMs(WorkingState& state, std::string_view org);
void PutMemberSince(WorkingState& state, std::string_view org, std::int64_t time_ms);

// The current holder of `key`, if any.
std::optional<KeyHolder> GetKeyHolder(const StateReader& state, const crypto::PublicKey& key);
const KeyHolder* GetKeyHolder(WorkingState& state, const crypto::PublicKey& key);
void PutKeyHolder(WorkingState& state, const crypto::PublicKey& key, const KeyHolder& holder);
void DeleteKeyHolder(WorkingState& state, const crypto::PublicKey& key);
KeyHolder DecodeKeyHolder(std::string_view key, std::string_view json);

// R3: `signer` is a current key of a person of `org` holding `role`. The rejection names the
// organization, the key and the role needed.
HandlerResult RequireRole(const StateReader& state, std::string_view org,
                          const crypto::PublicKey& signer, v1::Role role);
HandlerResult RequireRole(WorkingState& state, std::string_view org,
                          const crypto::PublicKey& signer, v1::Role role);
// The organization exists and is of `kind`.
HandlerResult RequireKind(const StateReader& state, std::string_view org,
                          v1::OrganizationKind kind);
HandlerResult RequireKind(WorkingState& state, std::string_view org, v1::OrganizationKind kind);

std::vector<v1::Validator> GetValidators(const StateReader& state);
void PutValidator(WorkingState& state, const v1::Validator& validator);
void DeleteValidator(WorkingState& state, std::string_view public_key_hex);

struct Versioned {
  std::uint64_t version = 0;
  std::int64_t defined_at_ms = 0;
};

std::optional<v1::SiteDefinition> GetSite(const StateReader& state, std::string_view org,
                                          std::string_view site_id);
const v1::SiteDefinition* GetSite(WorkingState& state, std::string_view org,
                                  std::string_view site_id);
std::optional<v1::CharacteristicDefinition> GetCharacteristic(const StateReader& state,
                                                              std::string_view id);
const v1::CharacteristicDefinition* GetCharacteristic(WorkingState& state, std::string_view id);
std::optional<v1::ProductGroupDefinition> GetProductGroup(const StateReader& state,
                                                          std::string_view id);
const v1::ProductGroupDefinition* GetProductGroup(WorkingState& state, std::string_view id);
// Same nature: the condition of R9 (site-to-site transfer).
bool SimilarInNature(const StateReader& state, std::string_view group_a, std::string_view group_b);
bool SimilarInNature(WorkingState& state, std::string_view group_a, std::string_view group_b);
// Latest version of org's factor from group_in to group_out.
std::optional<v1::ConversionFactorDefinition> GetConversionFactor(const StateReader& state,
                                                                  std::string_view org,
                                                                  std::string_view group_in,
                                                                  std::string_view group_out);
const v1::ConversionFactorDefinition* GetConversionFactor(WorkingState& state, std::string_view org,
                                                          std::string_view group_in,
                                                          std::string_view group_out);
// True when `cb` holds an accreditation for `characteristic` valid at time_ms.
bool IsAccredited(const StateReader& state, std::string_view cb, std::string_view characteristic,
                  std::int64_t time_ms);
bool IsAccredited(WorkingState& state, std::string_view cb, std::string_view characteristic,
                  std::int64_t time_ms);

// Versioned reference data: each definition is stored under its next version number and as the
// latest; old versions stay queryable (T4).
std::uint64_t PutVersioned(WorkingState& state, const std::string& latest_key,
                           const std::string& value);
std::optional<std::string> GetVersion(const StateReader& state, const std::string& latest_key,
                                      std::uint64_t version);

// State keys, in one place (docs/formats.md lists them).
namespace keys {
std::string Chain();
std::string Organization(std::string_view org);
std::string MemberSince(std::string_view org);
std::string KeyHolder(const crypto::PublicKey& key);
std::string ValidatorPrefix();
std::string Validator(std::string_view public_key_hex);
std::string Site(std::string_view org, std::string_view site_id);
std::string Characteristic(std::string_view id);
std::string ProductGroup(std::string_view id);
std::string ConversionFactor(std::string_view org, std::string_view in, std::string_view out);
std::string Accreditation(std::string_view cb, std::string_view characteristic);
std::string Proposal(std::string_view record_id_hex);
std::string IncludedRecord(const RecordId& id);
std::string IncludedRecord(std::string_view record_id_hex);
}  // namespace keys

}  // namespace mbl::chaincode
