#include "chaincode/membership_checks.h"

#include "chaincode/registry.h"
#include "chaincode/validator_address.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {
namespace {

HandlerResult CheckIdentifier(std::string_view field, const std::string& id) {
  if (auto bad = RequireText(field, id)) return bad;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) {
      return Reject("FORMAT",
                    std::string(field) + " '" + id + "' may only use a-z, 0-9, '-', '_' and '.'");
    }
  }
  return std::nullopt;
}

Result<crypto::PublicKey> ParseKey(const std::string& hex, std::string_view what) {
  return crypto::FixedFromHex<crypto::kPublicKeyBytes>(hex, what);
}

}  // namespace

HandlerResult CheckOrganization(const v1::Organization& organization) {
  if (auto bad = CheckIdentifier("organization id", organization.id())) return bad;
  if (auto bad = CheckListSize("people", organization.people_size())) return bad;
  if (organization.kind() == v1::ORGANIZATION_KIND_UNSPECIFIED ||
      !v1::OrganizationKind_IsValid(organization.kind())) {
    return Reject("FORMAT", "organization '" + organization.id() + "' has no valid kind");
  }
  std::uint32_t month = organization.fiscal_year_start_month();
  std::uint32_t day = organization.fiscal_year_start_day();
  if (month == 0 && day == 0) return std::nullopt;  // defaults to 1 January
  if (month < 1 || month > 12 || day < 1 || day > 28) {
    return Reject("FORMAT", "organization '" + organization.id() +
                                "': fiscal year start must be month 1..12, day 1..28");
  }
  return std::nullopt;
}

HandlerResult AddPerson(WorkingState& state, const std::string& org, const v1::Person& person) {
  if (auto bad = RequireText("person name", person.name())) return bad;
  auto key = ParseKey(person.public_key(), "public key of " + person.name());
  if (!key.ok()) return Reject("FORMAT", key.status().message());
  if (person.roles_size() == 0) {
    return Reject("FORMAT", "person '" + person.name() + "' of '" + org + "' holds no role");
  }
  KeyHolder holder{org, person.name(), {}};
  for (int role : person.roles()) {
    if (role == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(role)) {
      return Reject("FORMAT", "person '" + person.name() + "' has an unknown role");
    }
    holder.roles.push_back(static_cast<v1::Role>(role));
  }
  // Keys are compared as the 32 bytes they spell, so "AB.." and "ab.." are one key.
  if (const KeyHolder* current = GetKeyHolder(state, *key)) {
    return Reject("T1", "key " + crypto::ToHex(*key) + " of '" + person.name() +
                            "' already belongs to " + current->person + " of '" +
                            current->organization +
                            "' (keys are compared whatever the case of their hex); every person "
                            "needs a key of their own");
  }
  PutKeyHolder(state, *key, holder);
  return std::nullopt;
}

HandlerResult AddOrganization(WorkingState& state, const v1::Organization& organization) {
  if (GetOrganization(state, organization.id())) {
    return Reject("T1", "organization '" + organization.id() + "' is already a member");
  }
  v1::Organization stored = organization;
  if (stored.fiscal_year_start_month() == 0) {
    stored.set_fiscal_year_start_month(1);
    stored.set_fiscal_year_start_day(1);
  }
  for (const v1::Person& person : organization.people()) {
    if (auto bad = AddPerson(state, organization.id(), person)) return bad;
  }
  stored.clear_people();  // people live under their keys; the organization lists none
  PutOrganization(state, stored);
  return std::nullopt;
}

Result<std::string> ValidatorKeyHex(const std::string& hex) {
  auto key = ParseKey(hex, "validator public key");
  if (!key.ok()) return key.status();
  return crypto::ToHex(*key);
}

HandlerResult AddValidator(WorkingState& state, const v1::Validator& validator) {
  auto key_hex = ValidatorKeyHex(validator.public_key());
  if (!key_hex.ok()) return Reject("FORMAT", key_hex.status().message());
  if (!GetOrganization(state, validator.organization())) {
    return Reject("T1",
                  "validator organization '" + validator.organization() + "' is not a member");
  }
  if (auto address = ParseValidatorAddress(validator.address()); !address.ok()) {
    return Reject("T1", address.status().message() + "; the other validators dial this address");
  }
  // Stored under, and as, its lowercase spelling: one validator per key, one vote per validator.
  if (auto existing = state.Get(keys::Validator(*key_hex))) {
    v1::Validator holder;
    MBL_CHECK(holder.ParseFromString(*existing));
    return Reject("T1", "validator key " + *key_hex + " is already the key of a validator of '" +
                            holder.organization() +
                            "' (keys are compared whatever the case of their hex); every "
                            "validator needs a key of its own");
  }
  v1::Validator stored = validator;
  stored.set_public_key(*key_hex);
  PutValidator(state, stored);
  return std::nullopt;
}

}  // namespace mbl::chaincode
