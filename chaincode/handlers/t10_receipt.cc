// T10 receipt: the receiver confirms (credits enter its account with a new issuance time, the
// receipt) or rejects (credits return to the sender's account as they were).
#include "chaincode/credits/accounts.h"
#include "chaincode/credits/credit_checks.h"
#include "chaincode/credits/flows.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {
namespace {

void ReturnToSender(ApplyContext& context, const nlohmann::json& shipment) {
  AccountId sender{shipment["from_org"], shipment["from_site"], shipment["characteristic"],
                   shipment["product_group"]};
  for (const auto& portion : shipment["portions"]) {
    // Same issuance time as before: credits that expired meanwhile come back expired (R7).
    Lot lot{portion["id"].get<std::string>() + "-back-" + RecordIdHex(context).substr(0, 16),
            portion["grams"], portion["issued_ms"], Provenance::FromJson(portion["provenance"])};
    lot.provenance.lineage.push_back(RecordIdHex(context));
    AddLot(context.state, sender, lot);
  }
}

}  // namespace

HandlerResult ApplyReceiptDecision(ApplyContext& context, const v1::ReceiptDecision& decision) {
  const std::string key = "c/shipment/" + decision.shipment_id();
  auto stored = context.state.Get(key);
  if (!stored) return Reject("T10", "no shipment " + decision.shipment_id());
  nlohmann::json shipment = nlohmann::json::parse(*stored);
  const std::string& org = context.record.author_org();
  if (shipment["to_org"] != org) {
    return Reject("R3", "only the receiver '" + shipment["to_org"].get<std::string>() +
                            "' decides on this shipment");
  }
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE))
    return bad;
  if (shipment["state"] != "in_transit") {
    return Reject("R5", "shipment " + decision.shipment_id() + " was already " +
                            shipment["state"].get<std::string>());
  }
  std::uint64_t grams = shipment["credit_grams"];
  const std::string characteristic = shipment["characteristic"];
  if (decision.decision() == v1::ReceiptDecision::CONFIRM) {
    Provenance provenance;
    bool first = true;
    for (const auto& portion : shipment["portions"]) {
      Provenance part = Provenance::FromJson(portion["provenance"]);
      if (first)
        provenance = part;
      else
        provenance.Absorb(part);
      first = false;
    }
    provenance.lineage.push_back(decision.shipment_id());
    provenance.lineage.push_back(RecordIdHex(context));
    provenance.value_chain_steps += 1;
    AccountId receiver{org, shipment["to_site"], characteristic, shipment["product_group"]};
    AddLot(context.state, receiver,
           Lot{RecordIdHex(context), grams, context.block.time_ms, provenance});
    shipment["state"] = "received";
    BookFlow(context.state, org, characteristic, context.block.time_ms, kFlowReceived, grams);
  } else if (decision.decision() == v1::ReceiptDecision::REJECT) {
    if (auto bad = RequireText("reason", decision.reason())) return bad;
    ReturnToSender(context, shipment);
    shipment["state"] = "rejected";
    BookFlow(context.state, shipment["from_org"], characteristic, context.block.time_ms,
             kFlowRejectedBack, grams);
  } else {
    return Reject("FORMAT", "decision must be CONFIRM or REJECT");
  }
  Conservation counters = GetConservation(context.state, characteristic);
  counters.in_transit -= grams;
  counters.held += grams;
  PutConservation(context.state, characteristic, counters);
  context.state.Put(key, shipment.dump());
  context.details = {{"shipment_id", decision.shipment_id()},
                     {"state", shipment["state"]},
                     {"credit_grams", grams}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
