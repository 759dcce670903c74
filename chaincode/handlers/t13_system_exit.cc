// T13 system exit: credits are retired against final products for good (R13) and the record
// gets a public exit code. Nothing here claims physical content (G2.4.1).
#include "chaincode/credits/accounts.h"
#include "chaincode/credits/credit_checks.h"
#include "chaincode/credits/exit_code.h"
#include "chaincode/credits/flows.h"
#include "chaincode/queries/exit_lookup.h"
#include "chaincode/registry.h"
#include "chaincode/state_entries.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {
namespace {

const char* ScopeName(v1::SystemExit::Scope scope) {
  switch (scope) {
    case v1::SystemExit::PRODUCT:
      return "product";
    case v1::SystemExit::PART_OR_COMPONENT:
      return "part or component";
    case v1::SystemExit::PACKAGING:
      return "packaging";
    default:
      return "";
  }
}

}  // namespace

// The statement every exit record carries (R13, G3.2.2).
constexpr const char* kMassBalanceStatement =
    "The mass balance credit model was applied. The characteristic is attributed by credits "
    "and cannot be guaranteed to be physically present in the end product.";

HandlerResult ApplySystemExit(ApplyContext& context, const v1::SystemExit& exit) {
  const std::string& org = context.record.author_org();
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE))
    return bad;
  if (auto bad = RequireSite(context.state, org, exit.site_id())) return bad;
  if (auto bad = RequireCharacteristic(context.state, exit.characteristic())) return bad;
  if (auto bad = RequirePositive("credit_grams", exit.credit_grams())) return bad;
  if (std::string(ScopeName(exit.scope())).empty()) {
    return Reject("R13",
                  "scope must say whether the claim concerns the PRODUCT, a PART_OR_COMPONENT or "
                  "PACKAGING (G3.2.2)");
  }
  AccountId account{org, exit.site_id(), exit.characteristic(), exit.product_group()};
  Conservation counters = GetConservation(context.state, exit.characteristic());
  Taken taken =
      TakeCredits(context.state, account, exit.credit_grams(), context.block.time_ms, counters);
  if (taken.rejection) return taken.rejection;
  counters.retired += exit.credit_grams();
  BookRetired(context.state, account, exit.credit_grams());
  PutConservation(context.state, exit.characteristic(), counters);
  BookFlow(context.state, org, exit.characteristic(), context.block.time_ms, kFlowRetired,
           exit.credit_grams());
  Provenance provenance = taken.portions.front().provenance->value();
  for (const Portion& portion : taken.portions) provenance.Absorb(portion.provenance->value());
  provenance.lineage.push_back(RecordIdHex(context));
  auto characteristic = GetCharacteristic(context.state, exit.characteristic());
  std::string code = ExitCodeForRecord(context.record_id);
  if (context.state.Contains(keys::Exit(code))) {
    // 60 bits make this all but impossible by chance; never let one code name two exits.
    return Reject(
        "R13", "exit code " + code + " is taken; submit the exit record again with another nonce");
  }
  ExitEntry stored{
      .exit_code = code,
      .record_id = RecordIdHex(context),
      .org = org,
      .characteristic = exit.characteristic(),
      .characteristic_name = characteristic->name(),
      .characteristic_category = v1::CharacteristicCategory_Name(characteristic->category()),
      .scope = ScopeName(exit.scope()),
      .product_description = exit.product_description(),
      .product_batch = exit.product_batch(),
      .product_units = exit.product_units(),
      .credit_grams = exit.credit_grams(),
      .disclose_quantities = exit.disclose_quantities(),
      .signer = crypto::ToHex(context.signer),
      .retired_ms = context.block.time_ms,
      .statement = kMassBalanceStatement,
      .provenance = std::move(provenance)};
  context.state.Put(keys::Exit(code), EncodeExit(stored));
  // The result carries the public view, so the validators' certificate over the block's results
  // covers what a consumer is shown; the record id is the result's own.
  context.details = PublicExitView(stored);
  context.details.erase("record_id");
  return std::nullopt;
}

}  // namespace mbl::chaincode
