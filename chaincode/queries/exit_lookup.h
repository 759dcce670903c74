// Q4: the public view of an exit record, looked up by its code. Anonymised provenance only
// (DOMAIN §6): characteristic, certifying CBs, certification years, number of value-chain steps;
// no company names, and quantities only when the company opted in.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "base/status.h"
#include "chaincode/state.h"
#include "chaincode/state_entries.h"

namespace mbl::chaincode {

Result<nlohmann::json> LookupExit(const StateReader& state, std::string_view code);

// The public view of a stored exit (the entry "c/exit/<code>"): what Q4 answers and what the
// exit record's result carries, so that the consortium's certificate over the block's results
// covers exactly what a consumer is shown (issue 5, docs/formats.md "Exit proof bundle").
nlohmann::json PublicExitView(const ExitEntry& stored_exit);

}  // namespace mbl::chaincode
