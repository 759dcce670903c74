// T6 certificate request: an input with a characteristic entered the requester's boundary.
#include "chaincode/credits/credit_checks.h"
#include "chaincode/registry.h"
#include "chaincode/state_entries.h"

namespace mbl::chaincode {

HandlerResult ApplyCertificateRequest(ApplyContext& context,
                                      const v1::CertificateRequest& request) {
  const std::string& org = context.record.author_org();
  if (auto bad = RequireKind(context.state, org, v1::VALUE_CHAIN)) return bad;
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE))
    return bad;
  if (auto bad = RequireSite(context.state, org, request.site_id())) return bad;
  if (auto bad = RequireCharacteristic(context.state, request.characteristic())) return bad;
  if (auto bad = RequireProductGroup(context.state, request.product_group())) return bad;
  if (auto bad = RequirePositive("input_mass_grams", request.input_mass_grams())) return bad;
  if (auto bad = RequirePositive("characteristic_mass_claimed_grams",
                                 request.characteristic_mass_claimed_grams())) {
    return bad;
  }
  if (request.characteristic_mass_claimed_grams() > request.input_mass_grams()) {
    return Reject("T6", "the characteristic mass claimed (" +
                            std::to_string(request.characteristic_mass_claimed_grams()) +
                            " g) exceeds the input mass (" +
                            std::to_string(request.input_mass_grams()) + " g)");
  }
  if (auto bad = CheckListSize("evidence_document_hashes", request.evidence_document_hashes_size()))
    return bad;
  for (const std::string& hash : request.evidence_document_hashes()) {
    if (auto bad = CheckHexHash("evidence_document_hashes", hash, true)) return bad;
  }
  auto characteristic = GetCharacteristic(context.state, request.characteristic());
  if (request.run_around_scrap() && characteristic->category() == v1::RECYCLED_CONTENT) {
    return Reject("R10",
                  "run-around scrap never yields recycled-content credits (G2.3 footnote 2); "
                  "'" +
                      request.characteristic() + "' is a recycled-content characteristic");
  }
  PutCertificateRequest(
      context.state, RecordIdHex(context),
      CertificateRequestEntry{.org = org,
                              .site = request.site_id(),
                              .characteristic = request.characteristic(),
                              .product_group = request.product_group(),
                              .claimed_grams = request.characteristic_mass_claimed_grams(),
                              .state = RequestState::kPending});
  context.details = {{"request_id", RecordIdHex(context)},
                     {"state", std::string(RequestStateName(RequestState::kPending))}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
