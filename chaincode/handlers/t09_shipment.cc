// T9 shipment: credits leave the sender attached to a physical shipment (R8) and are in transit
// until the receiver decides (T10).
#include "chaincode/canonical_json.h"
#include "chaincode/credits/accounts.h"
#include "chaincode/credits/credit_checks.h"
#include "chaincode/credits/flows.h"
#include "chaincode/registry.h"

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
  // Written with JsonWriter, not a json tree: this is the ledger's most frequent record, and the
  // bytes must stay those of nlohmann's dump (keys in sorted order).
  const std::string id = RecordIdHex(context);
  std::string stored;
  stored.reserve(320 + taken.portions.size() * 320);
  JsonWriter json(stored);
  json.BeginObject()
      .Key("characteristic")
      .String(shipment.characteristic())
      .Key("credit_grams")
      .Uint(shipment.credit_grams())
      .Key("from_org")
      .String(org)
      .Key("from_site")
      .String(shipment.from_site_id())
      .Key("portions")
      .BeginArray();
  for (const Portion& portion : taken.portions) WriteLot(json, portion);
  json.EndArray()
      .Key("product_group")
      .String(shipment.product_group())
      .Key("product_mass_grams")
      .Uint(shipment.product_mass_grams())
      .Key("shipped_ms")
      .Int(context.block.time_ms)
      .Key("state")
      .String("in_transit")
      .Key("to_org")
      .String(shipment.to_org())
      .Key("to_site")
      .String(shipment.to_site_id())
      .EndObject();
  context.state.Put("c/shipment/" + id, std::move(stored));
  JsonWriter(context.details_json)
      .BeginObject()
      .Key("credit_grams")
      .Uint(shipment.credit_grams())
      .Key("shipment_id")
      .String(id)
      .Key("state")
      .String("in_transit")
      .EndObject();
  return std::nullopt;
}

}  // namespace mbl::chaincode
