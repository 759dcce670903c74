// T4 product group (G2.3 "similar in nature"), defined by the requirements setter.
#include "chaincode/handler.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {

HandlerResult RequireRequirementsSetter(ApplyContext& context);

HandlerResult ApplyProductGroupDefinition(ApplyContext& context,
                                          const v1::ProductGroupDefinition& definition) {
  if (auto bad = RequireRequirementsSetter(context)) return bad;
  if (auto bad = RequireText("id", definition.id())) return bad;
  if (definition.id().find('/') != std::string::npos) {
    return Reject("FORMAT", "product group id may not contain '/'");
  }
  if (auto bad = RequireText("nature", definition.nature())) return bad;
  std::uint64_t version = PutVersioned(context.state, keys::ProductGroup(definition.id()),
                                       SerializeDeterministic(definition));
  context.details = {{"product_group", definition.id()}, {"version", version}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
