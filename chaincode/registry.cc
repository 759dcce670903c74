#include "chaincode/registry.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cinttypes>
#include <cstdio>

#include "chaincode/stored_json.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {
namespace {

template <typename Message>
std::optional<Message> GetMessage(const StateReader& state, const std::string& key) {
  std::optional<std::string> bytes = state.Get(key);
  if (!bytes) return std::nullopt;
  Message message;
  // State is written only by this chaincode; unreadable state is corruption, not bad input.
  MBL_CHECK_MSG(message.ParseFromString(*bytes), "corrupt state entry " + key);
  return message;
}

// The block's decoded copy of the message under `key` (see WorkingState::FindMessage).
template <typename Message>
const Message* FindMessage(WorkingState& state, std::string_view key) {
  return static_cast<const Message*>(state.FindMessage(key, Message::default_instance()));
}

bool AccreditationValidAt(const v1::CbAccreditation& accreditation, std::int64_t time_ms) {
  if (time_ms < accreditation.valid_from_ms()) return false;
  return accreditation.valid_until_ms() == 0 || time_ms < accreditation.valid_until_ms();
}

std::string VersionSuffix(std::uint64_t version) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%016" PRIx64, version);
  return buffer;
}

}  // namespace

std::string SerializeDeterministic(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    MBL_CHECK(message.SerializeToCodedStream(&coded));
  }
  return out;
}

std::string RoleName(v1::Role role) {
  switch (role) {
    case v1::TOP_MANAGEMENT:
      return "top_management";
    case v1::OPERATION_RESPONSIBLE:
      return "operation_responsible";
    case v1::EVALUATION_RESPONSIBLE:
      return "evaluation_responsible";
    default:
      return "unspecified";
  }
}

std::string KindName(v1::OrganizationKind kind) {
  switch (kind) {
    case v1::VALUE_CHAIN:
      return "value_chain";
    case v1::CERTIFICATION_BODY:
      return "certification_body";
    case v1::REQUIREMENTS_SETTER:
      return "requirements_setter";
    default:
      return "unspecified";
  }
}

namespace keys {
namespace {
// A key from its parts in one allocation: reference data is looked up several times per record.
template <typename... Parts>
std::string Join(const Parts&... parts) {
  std::string key;
  key.reserve((std::string_view(parts).size() + ...));
  (key.append(parts), ...);
  return key;
}
}  // namespace

std::string Chain() { return "g/chain"; }
std::string Organization(std::string_view org) { return Join("g/org/", org); }
std::string MemberSince(std::string_view org) { return Join("g/member-since/", org); }
std::string KeyHolder(const crypto::PublicKey& key) { return "g/key/" + crypto::ToHex(key); }
std::string ValidatorPrefix() { return "g/validator/"; }
std::string Validator(std::string_view public_key_hex) {
  return Join("g/validator/", public_key_hex);
}
std::string Site(std::string_view org, std::string_view site_id) {
  return Join("g/site/", org, "/", site_id);
}
std::string Characteristic(std::string_view id) { return Join("g/char/", id); }
std::string ProductGroup(std::string_view id) { return Join("g/group/", id); }
std::string ConversionFactor(std::string_view org, std::string_view in, std::string_view out) {
  return Join("g/factor/", org, "/", in, "/", out);
}
std::string Accreditation(std::string_view cb, std::string_view characteristic) {
  return Join("g/accreditation/", cb, "/", characteristic);
}
std::string Proposal(std::string_view record_id_hex) { return Join("g/proposal/", record_id_hex); }
std::string IncludedRecord(const RecordId& id) { return IncludedRecord(crypto::ToHex(id)); }
std::string IncludedRecord(std::string_view record_id_hex) { return Join("r/", record_id_hex); }
}  // namespace keys

ChainInfo DecodeChain(std::string_view bytes) {
  const std::string key = keys::Chain();
  const StoredEntry fields(key, bytes);
  ChainInfo chain;
  chain.chain_id = fields.Hex("chain_id");
  chain.chain_name = fields.String("chain_name");
  chain.membership_quorum = fields.Uint32("membership_quorum");
  chain.genesis_time_ms = fields.Int("genesis_time_ms");
  return chain;
}

std::optional<ChainInfo> GetChain(const StateReader& state) {
  std::optional<std::string> bytes = state.Get(keys::Chain());
  if (!bytes) return std::nullopt;
  return DecodeChain(*bytes);
}

const ChainInfo* GetChain(WorkingState& state) { return state.Chain(); }

void PutChain(WorkingState& state, const ChainInfo& chain) {
  nlohmann::json json = {{"chain_id", crypto::ToHex(chain.chain_id)},
                         {"chain_name", chain.chain_name},
                         {"membership_quorum", chain.membership_quorum},
                         {"genesis_time_ms", chain.genesis_time_ms}};
  state.Put(keys::Chain(), json.dump());
}

std::optional<v1::Organization> GetOrganization(const StateReader& state, std::string_view org) {
  return GetMessage<v1::Organization>(state, keys::Organization(org));
}

const v1::Organization* GetOrganization(WorkingState& state, std::string_view org) {
  return FindMessage<v1::Organization>(state, keys::Organization(org));
}

void PutOrganization(WorkingState& state, const v1::Organization& organization) {
  state.Put(keys::Organization(organization.id()), SerializeDeterministic(organization));
}

std::int64_t MemberSinceMs(WorkingState& state, std::string_view org) {
  const std::string key = keys::MemberSince(org);
  if (std::optional<std::string> stored = state.Get(key)) return ParseStoredInt(key, *stored);
  return GetChain(state)->genesis_time_ms;  // named in genesis: a member from the start
}

void PutMemberSince(WorkingState& state, std::string_view org, std::int64_t time_ms) {
  state.Put(keys::MemberSince(org), std::to_string(time_ms));
}

KeyHolder DecodeKeyHolder(std::string_view key, std::string_view bytes) {
  const StoredEntry fields(key, bytes);
  KeyHolder holder{fields.String("org"), fields.String("person"), {}};
  for (std::uint64_t role : fields.Uints("roles")) {
    holder.roles.push_back(static_cast<v1::Role>(role));
  }
  return holder;
}

std::optional<KeyHolder> GetKeyHolder(const StateReader& state, const crypto::PublicKey& key) {
  const std::string holder_key = keys::KeyHolder(key);
  std::optional<std::string> bytes = state.Get(holder_key);
  if (!bytes) return std::nullopt;
  return DecodeKeyHolder(holder_key, *bytes);
}

const KeyHolder* GetKeyHolder(WorkingState& state, const crypto::PublicKey& key) {
  return state.FindKeyHolder(key);
}

void PutKeyHolder(WorkingState& state, const crypto::PublicKey& key, const KeyHolder& holder) {
  nlohmann::json roles = nlohmann::json::array();
  for (v1::Role role : holder.roles) roles.push_back(static_cast<int>(role));
  nlohmann::json json = {{"org", holder.organization}, {"person", holder.person}, {"roles", roles}};
  state.Put(keys::KeyHolder(key), json.dump());
}

void DeleteKeyHolder(WorkingState& state, const crypto::PublicKey& key) {
  state.Delete(keys::KeyHolder(key));
}

namespace {

HandlerResult CheckRole(const KeyHolder* holder, std::string_view org,
                        const crypto::PublicKey& signer, v1::Role role) {
  if (holder && holder->organization == org) {
    for (v1::Role held : holder->roles) {
      if (held == role) return std::nullopt;
    }
  }
  std::string who = "signer key " + crypto::ToHex(signer);
  if (!holder) {
    return Reject(RefusalKind::kUnauthenticated, "R3",
                  who + " is not a current member key of the ledger");
  }
  if (holder->organization != org) {
    return Reject("R3", who + " belongs to organization '" + holder->organization + "', not to '" +
                            std::string(org) + "' named by the record");
  }
  return Reject("R3", who + " (" + holder->person + " of '" + std::string(org) +
                          "') does not hold the role " + RoleName(role) +
                          " this record type requires");
}

HandlerResult CheckKind(const v1::Organization* organization, std::string_view org,
                        v1::OrganizationKind kind) {
  if (!organization) {
    return Reject("R3", "organization '" + std::string(org) + "' is not a member of the ledger");
  }
  if (organization->kind() != kind) {
    return Reject("R3", "organization '" + std::string(org) + "' is a " +
                            KindName(organization->kind()) + "; this record needs a " +
                            KindName(kind));
  }
  return std::nullopt;
}

}  // namespace

HandlerResult RequireRole(const StateReader& state, std::string_view org,
                          const crypto::PublicKey& signer, v1::Role role) {
  std::optional<KeyHolder> holder = GetKeyHolder(state, signer);
  return CheckRole(holder ? &*holder : nullptr, org, signer, role);
}

HandlerResult RequireRole(WorkingState& state, std::string_view org,
                          const crypto::PublicKey& signer, v1::Role role) {
  return CheckRole(GetKeyHolder(state, signer), org, signer, role);
}

HandlerResult RequireKind(const StateReader& state, std::string_view org,
                          v1::OrganizationKind kind) {
  std::optional<v1::Organization> organization = GetOrganization(state, org);
  return CheckKind(organization ? &*organization : nullptr, org, kind);
}

HandlerResult RequireKind(WorkingState& state, std::string_view org, v1::OrganizationKind kind) {
  return CheckKind(GetOrganization(state, org), org, kind);
}

std::vector<v1::Validator> GetValidators(const StateReader& state) {
  std::vector<v1::Validator> validators;
  state.Scan(keys::ValidatorPrefix(), [&](std::string_view, std::string_view value) {
    v1::Validator validator;
    MBL_CHECK(validator.ParseFromArray(value.data(), static_cast<int>(value.size())));
    validators.push_back(std::move(validator));
    return true;
  });
  return validators;
}

void PutValidator(WorkingState& state, const v1::Validator& validator) {
  state.Put(keys::Validator(validator.public_key()), SerializeDeterministic(validator));
}

void DeleteValidator(WorkingState& state, std::string_view public_key_hex) {
  state.Delete(keys::Validator(public_key_hex));
}

std::optional<v1::SiteDefinition> GetSite(const StateReader& state, std::string_view org,
                                          std::string_view site_id) {
  return GetMessage<v1::SiteDefinition>(state, keys::Site(org, site_id));
}

const v1::SiteDefinition* GetSite(WorkingState& state, std::string_view org,
                                  std::string_view site_id) {
  return FindMessage<v1::SiteDefinition>(state, keys::Site(org, site_id));
}

std::optional<v1::CharacteristicDefinition> GetCharacteristic(const StateReader& state,
                                                              std::string_view id) {
  return GetMessage<v1::CharacteristicDefinition>(state, keys::Characteristic(id));
}

const v1::CharacteristicDefinition* GetCharacteristic(WorkingState& state, std::string_view id) {
  return FindMessage<v1::CharacteristicDefinition>(state, keys::Characteristic(id));
}

std::optional<v1::ProductGroupDefinition> GetProductGroup(const StateReader& state,
                                                          std::string_view id) {
  return GetMessage<v1::ProductGroupDefinition>(state, keys::ProductGroup(id));
}

const v1::ProductGroupDefinition* GetProductGroup(WorkingState& state, std::string_view id) {
  return FindMessage<v1::ProductGroupDefinition>(state, keys::ProductGroup(id));
}

bool SimilarInNature(const StateReader& state, std::string_view group_a, std::string_view group_b) {
  auto a = GetProductGroup(state, group_a);
  auto b = GetProductGroup(state, group_b);
  return a && b && !a->nature().empty() && a->nature() == b->nature();
}

bool SimilarInNature(WorkingState& state, std::string_view group_a, std::string_view group_b) {
  const auto* a = GetProductGroup(state, group_a);
  const auto* b = GetProductGroup(state, group_b);
  return a && b && !a->nature().empty() && a->nature() == b->nature();
}

std::optional<v1::ConversionFactorDefinition> GetConversionFactor(const StateReader& state,
                                                                  std::string_view org,
                                                                  std::string_view group_in,
                                                                  std::string_view group_out) {
  return GetMessage<v1::ConversionFactorDefinition>(
      state, keys::ConversionFactor(org, group_in, group_out));
}

const v1::ConversionFactorDefinition* GetConversionFactor(WorkingState& state, std::string_view org,
                                                          std::string_view group_in,
                                                          std::string_view group_out) {
  return FindMessage<v1::ConversionFactorDefinition>(
      state, keys::ConversionFactor(org, group_in, group_out));
}

bool IsAccredited(const StateReader& state, std::string_view cb, std::string_view characteristic,
                  std::int64_t time_ms) {
  auto accreditation =
      GetMessage<v1::CbAccreditation>(state, keys::Accreditation(cb, characteristic));
  return accreditation && AccreditationValidAt(*accreditation, time_ms);
}

bool IsAccredited(WorkingState& state, std::string_view cb, std::string_view characteristic,
                  std::int64_t time_ms) {
  const auto* accreditation =
      FindMessage<v1::CbAccreditation>(state, keys::Accreditation(cb, characteristic));
  return accreditation && AccreditationValidAt(*accreditation, time_ms);
}

std::uint64_t PutVersioned(WorkingState& state, const std::string& latest_key,
                           const std::string& value) {
  const std::string count_key = latest_key + "#count";
  std::uint64_t version = 1;
  if (std::optional<std::string> count = state.Get(count_key)) {
    version = ParseStoredUint(count_key, *count) + 1;
  }
  state.Put(count_key, std::to_string(version));
  state.Put(latest_key + "#v" + VersionSuffix(version), value);
  state.Put(latest_key, value);
  return version;
}

std::optional<std::string> GetVersion(const StateReader& state, const std::string& latest_key,
                                      std::uint64_t version) {
  return state.Get(latest_key + "#v" + VersionSuffix(version));
}

}  // namespace mbl::chaincode
