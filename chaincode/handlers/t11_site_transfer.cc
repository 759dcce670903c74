// T11 site-to-site transfer inside one organization (G2.3 conditions, R9): only between sites
// with no physical link and product groups similar in nature. Issuance times are kept.
#include <algorithm>

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

}  // namespace

HandlerResult ApplySiteTransfer(ApplyContext& context, const v1::SiteTransfer& transfer) {
  const std::string& org = context.record.author_org();
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE))
    return bad;
  if (auto bad = RequireSite(context.state, org, transfer.from_site_id())) return bad;
  if (auto bad = RequireSite(context.state, org, transfer.to_site_id())) return bad;
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
