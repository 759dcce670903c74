// T9 shipment: credits leave the sender attached to a physical shipment (R8) and are in transit
// until the receiver decides (T10).
#include "chaincode/canonical_json.h"
#include "chaincode/credits/accounts.h"
#include "chaincode/credits/credit_checks.h"
#include "chaincode/credits/flows.h"
#include "chaincode/registry.h"
#include "chaincode/state_entries.h"

namespace mbl::chaincode {

HandlerResult ApplyShipment(ApplyContext& context, const v1::Shipment& shipment) {
  const std::string& org = context.record.author_org();
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE))
    return bad;
  if (auto bad = RequireSite(context.state, org, shipment.from_site_id())) return bad;
  if (shipment.to_org() == org) {
    return Reject("R9",
                  "a shipment goes to another organization; move credits between your own sites "
                  "with a site-to-site transfer (T11)");
  }
  if (!GetOrganization(context.state, shipment.to_org())) {
    return Reject("R8", "receiver '" + shipment.to_org() + "' is not a member of the ledger");
  }
  if (auto bad = RequireSite(context.state, shipment.to_org(), shipment.to_site_id())) return bad;
  if (auto bad = RequireCharacteristic(context.state, shipment.characteristic())) return bad;
  if (auto bad = RequireProductGroup(context.state, shipment.product_group())) return bad;
  if (auto bad = RequirePositive("product_mass_grams", shipment.product_mass_grams())) return bad;
  if (auto bad = RequirePositive("credit_grams", shipment.credit_grams())) return bad;
  if (auto bad = CheckHexHash("delivery_document_hash", shipment.delivery_document_hash(), false))
    return bad;
  if (shipment.credit_grams() > shipment.product_mass_grams()) {
    return Reject("R8", "the shipment carries " + std::to_string(shipment.credit_grams()) +
                            " g of credits but only " +
                            std::to_string(shipment.product_mass_grams()) +
                            " g of product; a shipment carries at most its own mass in credits");
  }
  AccountId from{org, shipment.from_site_id(), shipment.characteristic(), shipment.product_group()};
  Conservation counters = GetConservation(context.state, shipment.characteristic());
  Taken taken =
      TakeCredits(context.state, from, shipment.credit_grams(), context.block.time_ms, counters);
  if (taken.rejection) return taken.rejection;
  counters.in_transit += shipment.credit_grams();
  PutConservation(context.state, shipment.characteristic(), counters);
  BookFlow(context.state, org, shipment.characteristic(), context.block.time_ms, kFlowShipped,
           shipment.credit_grams());
  const std::string& id = RecordIdHex(context);
  PutShipment(context.state, id,
              ShipmentEntry{.from_org = org,
                            .from_site = shipment.from_site_id(),
                            .to_org = shipment.to_org(),
                            .to_site = shipment.to_site_id(),
                            .characteristic = shipment.characteristic(),
                            .product_group = shipment.product_group(),
                            .product_mass_grams = shipment.product_mass_grams(),
                            .credit_grams = shipment.credit_grams(),
                            .shipped_ms = context.block.time_ms,
                            .portions = std::move(taken.portions),
                            .state = ShipmentState::kInTransit,
                            .returns = std::nullopt});
  JsonWriter(context.details_json)
      .BeginObject()
      .Key("credit_grams")
      .Uint(shipment.credit_grams())
      .Key("shipment_id")
      .String(id)
      .Key("state")
      .String(ShipmentStateName(ShipmentState::kInTransit))
      .EndObject();
  return std::nullopt;
}

}  // namespace mbl::chaincode
