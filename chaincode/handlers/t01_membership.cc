// T1 membership change. An organization's top management changes its own people's keys at once
// (G4.1); everything else is proposed by the requirements setter's top management and takes
// effect once `membership_quorum` other organizations' top management approve it
// (docs/decisions/0005-membership-changes.md, 0014-own-people-keys.md).
#include <algorithm>
#include <set>

#include "chaincode/epochs.h"
#include "chaincode/handler.h"
#include "chaincode/membership_checks.h"
#include "chaincode/registry.h"
#include "chaincode/state_entries.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {
namespace {

bool IsPersonChange(const v1::MembershipChange& change) {
  return change.has_add_person() || change.has_remove_person() || change.has_rotate_person();
}

// The organization whose people a person change is about.
const std::string& PersonChangeOrganization(const v1::MembershipChange& change) {
  if (change.has_add_person()) return change.add_person().organization();
  if (change.has_remove_person()) return change.remove_person().organization();
  return change.rotate_person().organization();
}

// Takes `key` away from `org`: it must be a current key of `org`.
HandlerResult TakeKey(WorkingState& state, const std::string& org, const std::string& key_hex,
                      const char* what) {
  auto key = crypto::FixedFromHex<crypto::kPublicKeyBytes>(key_hex, what);
  if (!key.ok()) return Reject("FORMAT", key.status().message());
  const KeyHolder* holder = GetKeyHolder(state, *key);
  if (holder == nullptr || holder->organization != org) {
    return Reject("T1", "key " + crypto::ToHex(*key) + " is not a current key of '" + org + "'");
  }
  DeleteKeyHolder(state, *key);
  return std::nullopt;
}

// An organization keeps at least one top management key: without one nobody could sign its
// reviews (T17) or change its people again.
HandlerResult RequireTopManagementLeft(WorkingState& state, const std::string& org) {
  bool found = false;
  state.Scan("g/key/", [&](std::string_view key, std::string_view value) {
    KeyHolder holder = DecodeKeyHolder(key, value);
    found = holder.organization == org && std::find(holder.roles.begin(), holder.roles.end(),
                                                    v1::TOP_MANAGEMENT) != holder.roles.end();
    return !found;
  });
  if (found) return std::nullopt;
  return Reject("T1", "this change would leave '" + org +
                          "' without a top management key; add the new top management key "
                          "first, or rotate the key (rotate_person) instead of removing it");
}

// Moves a validator to a new key and/or address: one change, so one epoch.
HandlerResult ChangeValidator(ApplyContext& context, const v1::ValidatorChange& change,
                              nlohmann::json& effects) {
  WorkingState& state = context.state;
  auto key_hex = ValidatorKeyHex(change.public_key());
  if (!key_hex.ok()) return Reject("FORMAT", key_hex.status().message());
  std::optional<std::string> stored = state.Get(keys::Validator(*key_hex));
  if (!stored) return Reject("T1", "key " + *key_hex + " is not a validator");
  if (change.new_public_key().empty() && change.new_address().empty()) {
    return Reject("FORMAT", "change_validator names neither new_public_key nor new_address");
  }
  v1::Validator validator;
  MBL_CHECK_MSG(validator.ParseFromString(*stored),
                "corrupt state entry " + keys::Validator(*key_hex));
  const std::size_t before = GetValidators(state).size();
  DeleteValidator(state, *key_hex);
  if (!change.new_public_key().empty()) validator.set_public_key(change.new_public_key());
  if (!change.new_address().empty()) validator.set_address(change.new_address());
  if (auto bad = AddValidator(state, validator)) return bad;
  return StartEpoch(state, context.block, before, effects);
}

// Carries out `change`; `effects` receives what the result reports beyond "enacted".
HandlerResult Enact(ApplyContext& context, const v1::MembershipChange& change,
                    nlohmann::json& effects) {
  WorkingState& state = context.state;
  switch (change.action_case()) {
    case v1::MembershipChange::kAddOrganization:
      if (auto bad = CheckOrganization(change.add_organization())) return bad;
      if (auto bad = AddOrganization(state, change.add_organization())) return bad;
      PutMemberSince(state, change.add_organization().id(), context.block.time_ms);
      return std::nullopt;
    case v1::MembershipChange::kRemoveOrganization: {
      const std::string& org = change.remove_organization();
      if (!GetOrganization(state, org)) {
        return Reject("T1", "organization '" + org + "' is not a member");
      }
      state.Delete(keys::Organization(org));
      state.Delete(keys::MemberSince(org));
      // Its people's keys stop being member keys.
      std::vector<std::string> doomed;
      state.Scan("g/key/", [&](std::string_view key, std::string_view value) {
        if (DecodeKeyHolder(key, value).organization == org) doomed.emplace_back(key);
        return true;
      });
      for (std::string& key : doomed) state.Delete(std::move(key));
      return std::nullopt;
    }
    case v1::MembershipChange::kAddPerson: {
      const auto& person_change = change.add_person();
      if (!GetOrganization(state, person_change.organization())) {
        return Reject("T1", "organization '" + person_change.organization() + "' is not a member");
      }
      return AddPerson(state, person_change.organization(), person_change.person());
    }
    case v1::MembershipChange::kRemovePerson: {
      const auto& person_change = change.remove_person();
      const std::string& org = person_change.organization();
      if (auto bad =
              TakeKey(state, org, person_change.person().public_key(), "public key to remove")) {
        return bad;
      }
      return RequireTopManagementLeft(state, org);
    }
    case v1::MembershipChange::kRotatePerson: {
      const auto& rotation = change.rotate_person();
      const std::string& org = rotation.organization();
      if (!GetOrganization(state, org)) {
        return Reject("T1", "organization '" + org + "' is not a member");
      }
      if (auto bad = TakeKey(state, org, rotation.old_public_key(), "old_public_key")) return bad;
      if (auto bad = AddPerson(state, org, rotation.person())) return bad;
      effects["retired_key"] = rotation.old_public_key();
      return RequireTopManagementLeft(state, org);
    }
    case v1::MembershipChange::kChangeValidator:
      return ChangeValidator(context, change.change_validator(), effects);
    case v1::MembershipChange::kAddValidator: {
      const std::size_t before = GetValidators(state).size();
      if (auto bad = AddValidator(state, change.add_validator())) return bad;
      return StartEpoch(state, context.block, before, effects);
    }
    case v1::MembershipChange::kRemoveValidator: {
      auto key_hex = ValidatorKeyHex(change.remove_validator());
      if (!key_hex.ok()) return Reject("FORMAT", key_hex.status().message());
      if (!state.Get(keys::Validator(*key_hex))) {
        return Reject("T1", "key " + *key_hex + " is not a validator");
      }
      const std::size_t before = GetValidators(state).size();
      if (before == 1) return Reject("T1", "the last validator cannot be removed");
      DeleteValidator(state, *key_hex);
      return StartEpoch(state, context.block, before, effects);
    }
    default:
      return Reject("FORMAT", "membership change names no action");
  }
}

// G4.1: an organization's top management manages its own people's keys, with no proposal.
HandlerResult EnactOwnPeopleChange(ApplyContext& context, const v1::MembershipChange& change) {
  const std::string& author = context.record.author_org();
  if (auto bad = RequireRole(context.state, author, context.signer, v1::TOP_MANAGEMENT)) {
    return bad;
  }
  nlohmann::json effects = nlohmann::json::object();
  if (auto bad = Enact(context, change, effects)) return bad;
  context.details = {{"enacted", true}, {"by", "own_top_management"}};
  context.details.update(effects);
  return std::nullopt;
}

HandlerResult Propose(ApplyContext& context, const v1::MembershipChange& change) {
  const std::string& author = context.record.author_org();
  if (IsPersonChange(change)) {
    if (auto kind = GetOrganization(context.state, author);
        kind && kind->kind() != v1::REQUIREMENTS_SETTER) {
      return Reject("R3", "'" + author + "' cannot change the people of '" +
                              PersonChangeOrganization(change) +
                              "': an organization's top management changes only its own "
                              "people's keys (author_org must be '" +
                              PersonChangeOrganization(change) + "')");
    }
  }
  if (auto bad = RequireKind(context.state, author, v1::REQUIREMENTS_SETTER)) return bad;
  if (auto bad = RequireRole(context.state, author, context.signer, v1::TOP_MANAGEMENT)) {
    return bad;
  }
  std::uint32_t quorum = GetChain(context.state)->membership_quorum;
  if (quorum == 0) {
    nlohmann::json effects = nlohmann::json::object();
    if (auto bad = Enact(context, change, effects)) return bad;
    context.details = {{"enacted", true}};
    context.details.update(effects);
    return std::nullopt;
  }
  context.state.Put(
      keys::Proposal(crypto::ToHex(context.record_id)),
      EncodeProposal(
          {.change = SerializeDeterministic(change), .proposer = author, .approvals = {}}));
  context.details = {{"enacted", false}, {"approvals_needed", quorum}};
  return std::nullopt;
}

HandlerResult Approve(ApplyContext& context, const std::string& proposal_id) {
  const std::string& author = context.record.author_org();
  if (auto bad = RequireRole(context.state, author, context.signer, v1::TOP_MANAGEMENT)) {
    return bad;
  }
  const std::string key = keys::Proposal(proposal_id);
  std::optional<std::string> stored = context.state.Get(key);
  if (!stored) {
    return Reject("T1", "no pending membership proposal " + proposal_id);
  }
  ProposalEntry proposal = DecodeProposal(key, *stored);
  if (proposal.proposer == author) {
    return Reject("T1", "the proposing organization cannot approve its own proposal");
  }
  std::set<std::string>& approvals = proposal.approvals;
  if (!approvals.insert(author).second) {
    return Reject("T1", "'" + author + "' has already approved proposal " + proposal_id);
  }
  std::uint32_t quorum = GetChain(context.state)->membership_quorum;
  if (approvals.size() < quorum) {
    context.state.Put(key, EncodeProposal(proposal));
    context.details = {{"enacted", false}, {"approvals", approvals.size()}};
    return std::nullopt;
  }
  v1::MembershipChange change;
  MBL_CHECK_MSG(change.ParseFromString(proposal.change), "corrupt state entry " + key);
  nlohmann::json effects = nlohmann::json::object();
  if (auto bad = Enact(context, change, effects)) return bad;
  context.state.Delete(key);
  context.details = {{"enacted", true}, {"approvals", approvals.size()}};
  context.details.update(effects);
  return std::nullopt;
}

}  // namespace

HandlerResult ApplyMembershipChange(ApplyContext& context, const v1::MembershipChange& change) {
  if (change.action_case() == v1::MembershipChange::kApprove) {
    auto proposal_id = crypto::FixedFromHex<32>(change.approve(), "approve");
    if (!proposal_id.ok()) {
      return Reject("FORMAT", proposal_id.status().message() +
                                  "; approve names the record id of a pending proposal");
    }
    return Approve(context, crypto::ToHex(*proposal_id));  // ids are stored in lowercase
  }
  if (IsPersonChange(change) && PersonChangeOrganization(change) == context.record.author_org()) {
    return EnactOwnPeopleChange(context, change);
  }
  return Propose(context, change);
}

}  // namespace mbl::chaincode
