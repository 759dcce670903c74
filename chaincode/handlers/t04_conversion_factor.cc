// T4 conversion / loss factor of one organization (G2.3 losses, G3.1 review), versioned.
#include "chaincode/handler.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {

HandlerResult ApplyConversionFactor(ApplyContext& context,
                                    const v1::ConversionFactorDefinition& definition) {
  const std::string& org = context.record.author_org();
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE)) {
    return bad;
  }
  for (const std::string* group :
       {&definition.product_group_in(), &definition.product_group_out()}) {
    if (!GetProductGroup(context.state, *group)) {
      return Reject("T4", "product group '" + *group + "' is not defined");
    }
  }
  if (definition.factor_ppm() == 0 || definition.factor_ppm() > 1'000'000) {
    return Reject("R2", "factor_ppm must be an integer in 1..1000000 parts per million, got " +
                            std::to_string(definition.factor_ppm()));
  }
  if (auto bad = CheckHexHash("method_document_hash", definition.method_document_hash(), true)) {
    return bad;
  }
  std::uint64_t version = PutVersioned(
      context.state,
      keys::ConversionFactor(org, definition.product_group_in(), definition.product_group_out()),
      SerializeDeterministic(definition));
  context.details = {{"factor_ppm", definition.factor_ppm()}, {"version", version}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
