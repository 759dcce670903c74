// Checks shared by the credit-lifecycle handlers (T6..T13).
#pragma once

#include <string>

#include "chaincode/handler.h"

namespace mbl::chaincode {

// The site is defined (T2) for the organization. Handlers pass the block's WorkingState, which
// decodes each definition once per block; the StateReader forms read committed state.
HandlerResult RequireSite(const StateReader& state, const std::string& org,
                          const std::string& site);
HandlerResult RequireSite(WorkingState& state, const std::string& org, const std::string& site);
// The characteristic (T3) and product group (T4) are defined.
HandlerResult RequireCharacteristic(const StateReader& state, const std::string& id);
HandlerResult RequireCharacteristic(WorkingState& state, const std::string& id);
HandlerResult RequireProductGroup(const StateReader& state, const std::string& id);
HandlerResult RequireProductGroup(WorkingState& state, const std::string& id);
// Rejects a zero quantity naming the field (rule FORMAT).
HandlerResult RequirePositive(const char* field, std::uint64_t grams);

// grams x factor_ppm / 1 000 000, rounded down (R2): rounding never creates credits.
std::uint64_t ApplyFactor(std::uint64_t grams, std::uint32_t factor_ppm);

// The record id in lowercase hex, as ExecuteBlock computed it once for the record.
const std::string& RecordIdHex(const ApplyContext& context);
// UTC calendar year of a time, for provenance.
std::int64_t YearOf(std::int64_t time_ms);

}  // namespace mbl::chaincode
