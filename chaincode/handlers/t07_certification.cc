// T7 certification: an accredited CB approves a request, issuing a lot (R11), or rejects it.
#include "chaincode/credits/accounts.h"
#include "chaincode/credits/credit_checks.h"
#include "chaincode/credits/flows.h"
#include "chaincode/registry.h"
#include "chaincode/state_entries.h"

namespace mbl::chaincode {

HandlerResult ApplyCertification(ApplyContext& context, const v1::Certification& certification) {
  const std::string& cb = context.record.author_org();
  if (auto bad = RequireKind(context.state, cb, v1::CERTIFICATION_BODY)) {
    return Reject("R11", bad->message + "; only a certification body issues credits");
  }
  if (auto bad = RequireRole(context.state, cb, context.signer, v1::EVALUATION_RESPONSIBLE))
    return bad;
  std::optional<CertificateRequestEntry> request =
      GetCertificateRequest(context.state, certification.request_id());
  if (!request) return Reject("T7", "no certificate request " + certification.request_id());
  if (request->state != RequestState::kPending) {
    return Reject("R5", "certificate request " + certification.request_id() + " was already " +
                            std::string(RequestStateName(request->state)));
  }
  const std::string& characteristic = request->characteristic;
  if (!IsAccredited(context.state, cb, characteristic, context.block.time_ms)) {
    return Reject("R11", "'" + cb + "' is not accredited for '" + characteristic + "' (T5)");
  }
  if (certification.decision() == v1::Certification::REJECT) {
    if (auto bad = RequireText("reason", certification.reason())) return bad;
    request->state = RequestState::kRejected;
    PutCertificateRequest(context.state, certification.request_id(), *request);
    context.details = {{"request_id", certification.request_id()},
                       {"state", std::string(RequestStateName(request->state))}};
    return std::nullopt;
  }
  if (certification.decision() != v1::Certification::APPROVE) {
    return Reject("FORMAT", "decision must be APPROVE or REJECT");
  }
  if (auto bad = RequirePositive("certified_mass_grams", certification.certified_mass_grams()))
    return bad;
  AccountId account{request->org, request->site, characteristic, request->product_group};
  auto factor =
      GetConversionFactor(context.state, account.org, account.product_group, account.product_group);
  std::uint32_t factor_ppm = factor ? factor->factor_ppm() : 1'000'000;
  std::uint64_t ceiling = ApplyFactor(request->claimed_grams, factor_ppm);
  if (certification.certified_mass_grams() > ceiling) {
    return Reject("R11", "certified mass " + std::to_string(certification.certified_mass_grams()) +
                             " g exceeds the claimed mass x conversion factor (" +
                             std::to_string(ceiling) + " g)");
  }
  Lot lot;
  lot.id = RecordIdHex(context);
  lot.grams = certification.certified_mass_grams();
  lot.issued_ms = context.block.time_ms;
  lot.provenance.lineage = {certification.request_id(), lot.id};
  lot.provenance.certification_bodies = {cb};
  lot.provenance.certification_years = {YearOf(context.block.time_ms)};
  AddLot(context.state, account, lot);
  Conservation counters = GetConservation(context.state, characteristic);
  counters.issued += lot.grams;
  counters.held += lot.grams;
  PutConservation(context.state, characteristic, counters);
  BookFlow(context.state, account.org, characteristic, context.block.time_ms, kFlowIssued,
           lot.grams);
  request->state = RequestState::kApproved;
  PutCertificateRequest(context.state, certification.request_id(), *request);
  context.details = {
      {"request_id", certification.request_id()}, {"lot_id", lot.id}, {"issued_grams", lot.grams}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
