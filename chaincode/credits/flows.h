// Per-organization flows of credits per characteristic and fiscal year (G2.3, G2.5): what the
// period statement of R14 reports. Every handler that moves credits books its flow here.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "chaincode/state.h"
#include "chaincode/working_state.h"

namespace mbl::chaincode {

// Flow names of a period statement.
inline constexpr const char* kFlowIssued = "issued";
inline constexpr const char* kFlowReceived = "received";
inline constexpr const char* kFlowRejectedBack = "returned_by_receiver";
inline constexpr const char* kFlowProcessedIn = "processed_in";
inline constexpr const char* kFlowProcessedOut = "processed_out";
inline constexpr const char* kFlowShipped = "shipped";
inline constexpr const char* kFlowCancelled = "cancelled";
inline constexpr const char* kFlowRetired = "retired";
inline constexpr const char* kFlowExpired = "expired";

// The fiscal year (the calendar year in which it starts) that contains time_ms for `org`.
std::int64_t FiscalYearOf(const StateReader& state, const std::string& org, std::int64_t time_ms);
std::int64_t FiscalYearOf(WorkingState& state, const std::string& org, std::int64_t time_ms);
// [start, end) of fiscal year `year` of `org`, in UTC ms.
std::pair<std::int64_t, std::int64_t> FiscalYearBounds(const StateReader& state,
                                                       const std::string& org, std::int64_t year);

void BookFlow(WorkingState& state, const std::string& org, const std::string& characteristic,
              std::int64_t time_ms, const char* flow, std::uint64_t grams);

// Statement of one characteristic for a fiscal year: the flows, the opening balance (the
// previous year's closing) and closing = opening + inflows - outflows.
nlohmann::json PeriodStatement(const StateReader& state, const std::string& org,
                               const std::string& characteristic, std::int64_t year);

// Characteristics that ever had flows for `org`.
std::vector<std::string> CharacteristicsWithFlows(const StateReader& state, const std::string& org);

}  // namespace mbl::chaincode
