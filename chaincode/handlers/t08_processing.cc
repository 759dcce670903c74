// T8 processing: consume credits of one product group, credit another at the organization's
// registered factor (R2, rounding down); the difference is a processing loss (R6).
#include "chaincode/credits/accounts.h"
#include "chaincode/credits/credit_checks.h"
#include "chaincode/credits/flows.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {

HandlerResult ApplyProcessing(ApplyContext& context, const v1::Processing& processing) {
  const std::string& org = context.record.author_org();
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE))
    return bad;
  if (auto bad = RequireSite(context.state, org, processing.site_id())) return bad;
  if (auto bad = RequireCharacteristic(context.state, processing.characteristic())) return bad;
  if (auto bad = RequirePositive("consumed_grams", processing.consumed_grams())) return bad;
  auto factor = GetConversionFactor(context.state, org, processing.product_group_in(),
                                    processing.product_group_out());
  if (!factor) {
    return Reject("T4", "'" + org + "' has no conversion factor from '" +
                            processing.product_group_in() + "' to '" +
                            processing.product_group_out() + "'; register one first (T4)");
  }
  AccountId from{org, processing.site_id(), processing.characteristic(),
                 processing.product_group_in()};
  AccountId to{org, processing.site_id(), processing.characteristic(),
               processing.product_group_out()};
  Conservation counters = GetConservation(context.state, processing.characteristic());
  Taken taken = TakeCredits(context.state, from, processing.consumed_grams(), context.block.time_ms,
                            counters);
  if (taken.rejection) return taken.rejection;
  std::uint64_t produced = 0;
  for (std::size_t i = 0; i < taken.portions.size(); ++i) {
    const Portion& portion = taken.portions[i];
    std::uint64_t out = ApplyFactor(portion.grams, factor->factor_ppm());
    if (out == 0) continue;
    Lot lot{RecordIdHex(context) + "-" + std::to_string(i), out, portion.issued_ms,
            portion.provenance->value()};
    lot.provenance.lineage.push_back(RecordIdHex(context));
    AddLot(context.state, to, lot);  // keeps the issuance time of the consumed lot (DOMAIN §3)
    produced += out;
  }
  counters.held += produced;
  counters.losses += processing.consumed_grams() - produced;
  PutConservation(context.state, processing.characteristic(), counters);
  BookFlow(context.state, org, processing.characteristic(), context.block.time_ms, kFlowProcessedIn,
           processing.consumed_grams());
  BookFlow(context.state, org, processing.characteristic(), context.block.time_ms,
           kFlowProcessedOut, produced);
  context.details = {{"consumed_grams", processing.consumed_grams()},
                     {"produced_grams", produced},
                     {"loss_grams", processing.consumed_grams() - produced},
                     {"factor_ppm", factor->factor_ppm()}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
