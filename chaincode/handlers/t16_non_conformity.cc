// T16 non-conformity and corrective action (G4.4), by an evaluation responsible of the
// organization itself or of a certification body. A later record closes it.
#include "chaincode/credits/credit_checks.h"
#include "chaincode/registry.h"
#include "chaincode/state_entries.h"

namespace mbl::chaincode {

HandlerResult ApplyNonConformity(ApplyContext& context, const v1::NonConformity& non_conformity) {
  const std::string& author = context.record.author_org();
  if (auto bad = RequireRole(context.state, author, context.signer, v1::EVALUATION_RESPONSIBLE))
    return bad;
  const std::string& org = non_conformity.org();
  if (!GetOrganization(context.state, org))
    return Reject("T16", "organization '" + org + "' is not a member");
  bool by_cb = GetOrganization(context.state, author)->kind() == v1::CERTIFICATION_BODY;
  if (author != org && !by_cb) {
    return Reject("R3", "a non-conformity of '" + org + "' is recorded by '" + org +
                            "' itself or by a certification body");
  }
  if (auto bad = RequireText("description", non_conformity.description())) return bad;
  if (!non_conformity.closes_non_conformity_id().empty()) {
    const std::string key = keys::NonConformity(org, non_conformity.closes_non_conformity_id());
    auto stored = context.state.Get(key);
    if (!stored)
      return Reject("T16", "no non-conformity " + non_conformity.closes_non_conformity_id() +
                               " of '" + org + "'");
    NonConformityEntry open = DecodeNonConformity(key, *stored);
    if (open.state == NonConformityState::kClosed) {
      return Reject("T16", "that non-conformity is already closed");
    }
    open.state = NonConformityState::kClosed;
    open.closed_by = RecordIdHex(context);
    open.corrective_action = non_conformity.corrective_action();
    context.state.Put(key, EncodeNonConformity(open));
    context.details = {{"closed", non_conformity.closes_non_conformity_id()}};
    return std::nullopt;
  }
  const NonConformityEntry stored{.recorded_by = author,
                                  .description = non_conformity.description(),
                                  .corrective_action = non_conformity.corrective_action(),
                                  .period_start_ms = non_conformity.period_start_ms(),
                                  .period_end_ms = non_conformity.period_end_ms(),
                                  .related_record_id = non_conformity.related_record_id(),
                                  .recorded_ms = context.block.time_ms,
                                  .state = NonConformityState::kOpen,
                                  .closed_by = {}};
  context.state.Put(keys::NonConformity(org, RecordIdHex(context)), EncodeNonConformity(stored));
  context.details = {{"non_conformity_id", RecordIdHex(context)},
                     {"state", std::string(NonConformityStateName(stored.state))}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
