// T3 specified characteristic (G2.1), defined by the requirements setter.
#include "chaincode/handler.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {

HandlerResult RequireRequirementsSetter(ApplyContext& context) {
  const std::string& org = context.record.author_org();
  if (auto bad = RequireKind(context.state, org, v1::REQUIREMENTS_SETTER)) return bad;
  return RequireRole(context.state, org, context.signer, v1::TOP_MANAGEMENT);
}

HandlerResult ApplyCharacteristicDefinition(ApplyContext& context,
                                            const v1::CharacteristicDefinition& definition) {
  if (auto bad = RequireRequirementsSetter(context)) return bad;
  if (auto bad = RequireText("id", definition.id())) return bad;
  if (auto bad = RequireText("name", definition.name())) return bad;
  if (auto bad = CheckListSize("associated_risks", definition.associated_risks_size())) {
    return bad;
  }
  if (definition.category() == v1::CHARACTERISTIC_CATEGORY_UNSPECIFIED ||
      !v1::CharacteristicCategory_IsValid(definition.category())) {
    return Reject("FORMAT", "characteristic '" + definition.id() + "' needs a category");
  }
  if (definition.valid_until_ms() != 0 &&
      definition.valid_until_ms() <= definition.valid_from_ms()) {
    return Reject("FORMAT", "characteristic validity ends before it starts");
  }
  std::uint64_t version = PutVersioned(context.state, keys::Characteristic(definition.id()),
                                       SerializeDeterministic(definition));
  context.details = {{"characteristic", definition.id()}, {"version", version}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
