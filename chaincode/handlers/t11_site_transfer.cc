// T11 site-to-site transfer inside one organization (G2.3 conditions, R9): only between sites
// with no physical link and product groups similar in nature. Issuance times are kept.
#include <algorithm>
#include <vector>

#include "chaincode/credits/accounts.h"
#include "chaincode/credits/credit_checks.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {
namespace {

bool Linked(const v1::SiteDefinition& site, const std::string& org, const std::string& other) {
  const auto& links = site.physically_linked_sites();
  return std::any_of(links.begin(), links.end(), [&](const std::string& link) {
    return link == other || link == org + "/" + other;
  });
}

// Organizations other than `org` that define a site `site_id`. Only read when a transfer names a
// site `org` does not have: one lookup per member.
std::vector<std::string> OtherOwnersOf(WorkingState& state, const std::string& org,
                                       const std::string& site_id) {
  std::vector<std::string> members;
  state.Scan(keys::Organization(""), [&](std::string_view key, std::string_view) {
    members.emplace_back(key.substr(keys::Organization("").size()));
    return true;
  });
  std::vector<std::string> owners;
  for (const std::string& member : members) {
    if (member != org && GetSite(state, member, site_id)) owners.push_back(member);
  }
  return owners;
}

Rejection NotOneOrganization(const char* field, const std::string& site_id,
                             const std::string& owner) {
  return Reject("R9", std::string(field) + " '" + site_id + "' is a site of '" + owner +
                          "': a site-to-site transfer moves credits between sites of one "
                          "organization (G2.3); credits go to another organization only with a "
                          "shipment of the product (T9)");
}

// R9: both sites are the author's own. A site of another organization, named "org/site" or by
// a site id only others define, breaks R9; defining a site (T2) would not help.
HandlerResult RequireOwnSite(WorkingState& state, const std::string& org, const char* field,
                             const std::string& site_id) {
  if (std::size_t slash = site_id.find('/'); slash != std::string::npos) {
    std::string owner = site_id.substr(0, slash);
    if (owner != org) return NotOneOrganization(field, site_id, owner);
    return Reject("FORMAT", std::string(field) + " '" + site_id +
                                "' names a site of the author's own organization: give its "
                                "site_id alone");
  }
  if (GetSite(state, org, site_id)) return std::nullopt;
  std::vector<std::string> owners = OtherOwnersOf(state, org, site_id);
  if (!owners.empty()) return NotOneOrganization(field, site_id, owners.front());
  return RequireSite(state, org, site_id);
}

}  // namespace

HandlerResult ApplySiteTransfer(ApplyContext& context, const v1::SiteTransfer& transfer) {
  const std::string& org = context.record.author_org();
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE))
    return bad;
  if (auto bad = RequireOwnSite(context.state, org, "from_site_id", transfer.from_site_id())) {
    return bad;
  }
  if (auto bad = RequireOwnSite(context.state, org, "to_site_id", transfer.to_site_id())) {
    return bad;
  }
  if (auto bad = RequireCharacteristic(context.state, transfer.characteristic())) return bad;
  if (auto bad = RequirePositive("credit_grams", transfer.credit_grams())) return bad;
  if (transfer.from_site_id() == transfer.to_site_id()) {
    return Reject("R9", "a site-to-site transfer needs two different sites");
  }
  auto from = GetSite(context.state, org, transfer.from_site_id());
  auto to = GetSite(context.state, org, transfer.to_site_id());
  if (Linked(*from, org, transfer.to_site_id()) || Linked(*to, org, transfer.from_site_id())) {
    return Reject("R9", "sites '" + transfer.from_site_id() + "' and '" + transfer.to_site_id() +
                            "' are physically linked; credits follow the physical flow between "
                            "them, not a transfer (G2.3)");
  }
  if (!SimilarInNature(context.state, transfer.product_group_from(), transfer.product_group_to())) {
    return Reject("R9", "product groups '" + transfer.product_group_from() + "' and '" +
                            transfer.product_group_to() + "' are not similar in nature (G2.3)");
  }
  AccountId source{org, transfer.from_site_id(), transfer.characteristic(),
                   transfer.product_group_from()};
  AccountId target{org, transfer.to_site_id(), transfer.characteristic(),
                   transfer.product_group_to()};
  Conservation counters = GetConservation(context.state, transfer.characteristic());
  Taken taken =
      TakeCredits(context.state, source, transfer.credit_grams(), context.block.time_ms, counters);
  if (taken.rejection) return taken.rejection;
  for (std::size_t i = 0; i < taken.portions.size(); ++i) {
    const Portion& portion = taken.portions[i];
    Lot lot{RecordIdHex(context) + "-" + std::to_string(i), portion.grams, portion.issued_ms,
            portion.provenance->value()};
    lot.provenance.lineage.push_back(RecordIdHex(context));
    AddLot(context.state, target, lot);  // issuance time unchanged inside one organization
  }
  counters.held += transfer.credit_grams();
  PutConservation(context.state, transfer.characteristic(), counters);
  context.details = {{"credit_grams", transfer.credit_grams()}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
