// T1 genesis: members, their people's keys and roles, the validator set.
#include <set>

#include "chaincode/handler.h"
#include "chaincode/membership_checks.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {

HandlerResult ApplyGenesis(ApplyContext& context, const v1::Genesis& genesis) {
  if (auto bad = RequireText("chain_name", genesis.chain_name())) return bad;
  if (auto bad = CheckListSize("organizations", genesis.organizations_size())) return bad;
  if (auto bad = CheckListSize("validators", genesis.validators_size())) return bad;
  if (genesis.validators_size() == 0) {
    return Reject(RefusalKind::kInvalid, "T1", "genesis names no validator");
  }
  std::set<std::string> ids;
  for (const v1::Organization& organization : genesis.organizations()) {
    if (auto bad = CheckOrganization(organization)) return bad;
    if (!ids.insert(organization.id()).second) {
      return Reject("T1", "organization '" + organization.id() + "' appears twice");
    }
    if (auto bad = AddOrganization(context.state, organization)) return bad;
  }
  for (const v1::Validator& validator : genesis.validators()) {
    if (auto bad = AddValidator(context.state, validator)) return bad;
  }
  // The signer must be top management of a requirements setter named in this genesis (R3).
  if (auto bad = RequireKind(context.state, context.record.author_org(), v1::REQUIREMENTS_SETTER)) {
    return bad;
  }
  if (auto bad = RequireRole(context.state, context.record.author_org(), context.signer,
                             v1::TOP_MANAGEMENT)) {
    return bad;
  }
  std::string chain_id(reinterpret_cast<const char*>(context.record_id.data()),
                       context.record_id.size());
  PutChain(context.state, ChainInfo{chain_id, genesis.chain_name(), genesis.membership_quorum(),
                                    context.block.time_ms});
  context.details = {{"chain_id", crypto::ToHex(chain_id)},
                     {"organizations", genesis.organizations_size()},
                     {"validators", genesis.validators_size()}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
