// Validation and state updates shared by genesis and membership changes (T1).
#pragma once

#include "chaincode/handler.h"
#include "chaincode/proto/governance.pb.h"

namespace mbl::chaincode {

HandlerResult CheckOrganization(const v1::Organization& organization);
// Adds the organization and its people's keys; a key may belong to one person only.
HandlerResult AddOrganization(WorkingState& state, const v1::Organization& organization);
HandlerResult AddPerson(WorkingState& state, const std::string& org, const v1::Person& person);
// Adds the validator under the lowercase spelling of its key; a key may belong to one validator.
HandlerResult AddValidator(WorkingState& state, const v1::Validator& validator);
// The lowercase hex of a validator key spelled in either case, or why it is not a key.
Result<std::string> ValidatorKeyHex(const std::string& hex);

}  // namespace mbl::chaincode
