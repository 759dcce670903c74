// T5 accreditation of a certification body for characteristics (R11 relies on it).
#include "chaincode/credits/credit_checks.h"
#include "chaincode/handler.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {

HandlerResult RequireRequirementsSetter(ApplyContext& context);

HandlerResult ApplyCbAccreditation(ApplyContext& context,
                                   const v1::CbAccreditation& accreditation) {
  if (auto bad = RequireRequirementsSetter(context)) return bad;
  const std::string& cb = accreditation.certification_body();
  if (auto bad = RequireKind(context.state, cb, v1::CERTIFICATION_BODY)) {
    return Reject("T5", bad->message);
  }
  if (accreditation.characteristics_size() == 0) {
    return Reject("FORMAT", "an accreditation names at least one characteristic");
  }
  if (auto bad = CheckListSize("characteristics", accreditation.characteristics_size())) {
    return bad;
  }
  if (accreditation.valid_until_ms() != 0 &&
      accreditation.valid_until_ms() <= accreditation.valid_from_ms()) {
    return Reject("FORMAT", "accreditation validity ends before it starts");
  }
  for (const std::string& characteristic : accreditation.characteristics()) {
    if (auto bad = RequireCharacteristic(context.state, characteristic)) return bad;
    v1::CbAccreditation one = accreditation;
    one.clear_characteristics();
    one.add_characteristics(characteristic);
    context.state.Put(keys::Accreditation(cb, characteristic), SerializeDeterministic(one));
  }
  context.details = {{"certification_body", cb},
                     {"characteristics", accreditation.characteristics_size()}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
