// T1 membership change: proposed by the requirements setter's top management, effective once
// `membership_quorum` other organizations' top management approve it.
#include <set>

#include "chaincode/epochs.h"
#include "chaincode/handler.h"
#include "chaincode/membership_checks.h"
#include "chaincode/registry.h"
#include "chaincode/state_entries.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {
namespace {

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
      auto key = crypto::FixedFromHex<crypto::kPublicKeyBytes>(person_change.person().public_key(),
                                                               "public key to remove");
      if (!key.ok()) return Reject("FORMAT", key.status().message());
      auto holder = GetKeyHolder(state, *key);
      if (!holder || holder->organization != person_change.organization()) {
        return Reject("T1", "key " + crypto::ToHex(*key) + " is not a current key of '" +
                                person_change.organization() + "'");
      }
      DeleteKeyHolder(state, *key);
      return std::nullopt;
    }
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

HandlerResult Propose(ApplyContext& context, const v1::MembershipChange& change) {
  const std::string& author = context.record.author_org();
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
  return Propose(context, change);
}

}  // namespace mbl::chaincode
