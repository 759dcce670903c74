// T12 return of products (G2.3, R12): cancels the credits attributed to the returned quantity,
// pro rata of the shipment and rounded up so that no credit survives a return, taken from the
// returning organization's account. The original shipper never regains them.
#include "chaincode/credits/accounts.h"
#include "chaincode/credits/credit_checks.h"
#include "chaincode/credits/flows.h"
#include "chaincode/registry.h"
#include "chaincode/state_entries.h"

namespace mbl::chaincode {
namespace {

__extension__ typedef unsigned __int128 Uint128;

std::uint64_t ProRataRoundedUp(std::uint64_t credits, std::uint64_t part, std::uint64_t whole) {
  Uint128 product = static_cast<Uint128>(credits) * part;
  return static_cast<std::uint64_t>((product + whole - 1) / whole);
}

}  // namespace

HandlerResult ApplyProductReturn(ApplyContext& context, const v1::ProductReturn& product_return) {
  std::optional<ShipmentEntry> shipment = GetShipment(context.state, product_return.shipment_id());
  if (!shipment) return Reject("T12", "no shipment " + product_return.shipment_id());
  const std::string& org = context.record.author_org();
  if (shipment->to_org != org) {
    return Reject("R3", "only the receiver of shipment " + product_return.shipment_id() +
                            " returns its products");
  }
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE))
    return bad;
  if (shipment->state != ShipmentState::kReceived) {
    return Reject("R12",
                  "shipment " + product_return.shipment_id() + " is " +
                      std::string(ShipmentStateName(shipment->state)) +
                      "; only received products can be returned (reject the receipt instead)");
  }
  if (auto bad = RequirePositive("returned_product_grams", product_return.returned_product_grams()))
    return bad;
  if (auto bad = CheckHexHash("return_document_hash", product_return.return_document_hash(), false))
    return bad;
  const std::uint64_t product = shipment->product_mass_grams;
  const std::uint64_t credits = shipment->credit_grams;
  const ShipmentReturns before = shipment->returns.value_or(ShipmentReturns{});
  std::uint64_t returned = before.returned_product_grams + product_return.returned_product_grams();
  if (returned > product) {
    return Reject("R12", "returns would total " + std::to_string(returned) + " g, more than the " +
                             std::to_string(product) + " g shipped");
  }
  std::uint64_t cancel = ProRataRoundedUp(credits, returned, product) - before.cancelled_grams;
  const std::string& characteristic = shipment->characteristic;
  AccountId account{org, shipment->to_site, characteristic, shipment->product_group};
  Conservation counters = GetConservation(context.state, characteristic);
  if (cancel > 0) {
    Taken taken = TakeCredits(context.state, account, cancel, context.block.time_ms, counters);
    if (taken.rejection) {
      return Reject("R12", "the return must cancel " + std::to_string(cancel) +
                               " g of credits but " + taken.rejection->message +
                               "; record a non-conformity (T16) for the credits already used");
    }
  }
  counters.cancelled += cancel;
  PutConservation(context.state, characteristic, counters);
  BookFlow(context.state, org, characteristic, context.block.time_ms, kFlowCancelled, cancel);
  shipment->returns = ShipmentReturns{returned, before.cancelled_grams + cancel};
  PutShipment(context.state, product_return.shipment_id(), *shipment);
  context.details = {{"cancelled_grams", cancel},
                     {"returned_product_grams", product_return.returned_product_grams()}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
