// T10 receipt: the receiver confirms (credits enter its account with a new issuance time, the
// receipt) or rejects (credits return to the sender's account as they were).
#include "chaincode/credits/accounts.h"
#include "chaincode/credits/credit_checks.h"
#include "chaincode/credits/flows.h"
#include "chaincode/registry.h"
#include "chaincode/state_entries.h"

namespace mbl::chaincode {
namespace {

void ReturnToSender(ApplyContext& context, const ShipmentEntry& shipment) {
  AccountId sender{shipment.from_org, shipment.from_site, shipment.characteristic,
                   shipment.product_group};
  for (const Portion& portion : shipment.portions) {
    // Same issuance time as before: credits that expired meanwhile come back expired (R7).
    Lot lot{portion.id + "-back-" + RecordIdHex(context).substr(0, 16), portion.grams,
            portion.issued_ms, portion.provenance->value()};
    lot.provenance.lineage.push_back(RecordIdHex(context));
    AddLot(context.state, sender, lot);
  }
}

}  // namespace

HandlerResult ApplyReceiptDecision(ApplyContext& context, const v1::ReceiptDecision& decision) {
  std::optional<ShipmentEntry> shipment = GetShipment(context.state, decision.shipment_id());
  if (!shipment) return Reject("T10", "no shipment " + decision.shipment_id());
  const std::string& org = context.record.author_org();
  if (shipment->to_org != org) {
    return Reject("R3", "only the receiver '" + shipment->to_org + "' decides on this shipment");
  }
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE))
    return bad;
  if (shipment->state != ShipmentState::kInTransit) {
    return Reject("R5", "shipment " + decision.shipment_id() + " was already " +
                            std::string(ShipmentStateName(shipment->state)));
  }
  const std::uint64_t grams = shipment->credit_grams;
  const std::string& characteristic = shipment->characteristic;
  if (decision.decision() == v1::ReceiptDecision::CONFIRM) {
    Provenance provenance;
    bool first = true;
    for (const Portion& portion : shipment->portions) {
      if (first)
        provenance = portion.provenance->value();
      else
        provenance.Absorb(portion.provenance->value());
      first = false;
    }
    provenance.lineage.push_back(decision.shipment_id());
    provenance.lineage.push_back(RecordIdHex(context));
    provenance.value_chain_steps += 1;
    AccountId receiver{org, shipment->to_site, characteristic, shipment->product_group};
    AddLot(context.state, receiver,
           Lot{RecordIdHex(context), grams, context.block.time_ms, provenance});
    shipment->state = ShipmentState::kReceived;
    BookFlow(context.state, org, characteristic, context.block.time_ms, kFlowReceived, grams);
  } else if (decision.decision() == v1::ReceiptDecision::REJECT) {
    if (auto bad = RequireText("reason", decision.reason())) return bad;
    ReturnToSender(context, *shipment);
    shipment->state = ShipmentState::kRejected;
    BookFlow(context.state, shipment->from_org, characteristic, context.block.time_ms,
             kFlowRejectedBack, grams);
  } else {
    return Reject("FORMAT", "decision must be CONFIRM or REJECT");
  }
  Conservation counters = GetConservation(context.state, characteristic);
  counters.in_transit -= grams;
  counters.held += grams;
  PutConservation(context.state, characteristic, counters);
  PutShipment(context.state, decision.shipment_id(), *shipment);
  context.details = {{"shipment_id", decision.shipment_id()},
                     {"state", std::string(ShipmentStateName(shipment->state))},
                     {"credit_grams", grams}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
