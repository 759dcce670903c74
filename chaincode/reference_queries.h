// Read-only views of the reference data (T1..T5) for members: organizations, sites,
// characteristics, product groups, conversion factors. Pure functions over a state.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "chaincode/state.h"

namespace mbl::chaincode {

// `name` is one of ReferenceQueryNames(); params are query string values.
Result<nlohmann::json> RunReferenceQuery(const std::string& name,
                                         const std::map<std::string, std::string>& params,
                                         const StateReader& state);
std::string ReferenceQueryNames();

}  // namespace mbl::chaincode
