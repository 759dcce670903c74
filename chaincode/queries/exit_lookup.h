// Q4: the public view of an exit record, looked up by its code. Anonymised provenance only
// (DOMAIN §6): characteristic, certifying CBs, certification years, number of value-chain steps;
// no company names, and quantities only when the company opted in.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "base/status.h"
#include "chaincode/state.h"

namespace mbl::chaincode {

Result<nlohmann::json> LookupExit(const StateReader& state, std::string_view code);

}  // namespace mbl::chaincode
