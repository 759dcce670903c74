#include "chaincode/credits/flows.h"

#include <charconv>
#include <set>

#include "chaincode/credits/validity.h"
#include "chaincode/registry.h"
#include "chaincode/stored_json.h"

namespace mbl::chaincode {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr const char* kInflows[] = {kFlowIssued, kFlowReceived, kFlowRejectedBack,
                                    kFlowProcessedOut};
constexpr const char* kOutflows[] = {kFlowProcessedIn, kFlowShipped, kFlowCancelled, kFlowRetired,
                                     kFlowExpired};

std::string FlowKey(const std::string& org, const std::string& characteristic, std::int64_t year) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, year).ptr;  // == std::to_string
  std::string key;
  key.reserve(9 + org.size() + characteristic.size() + (end - digits));
  key.append("c/flow/")
      .append(org)
      .append("/")
      .append(characteristic)
      .append("/")
      .append(digits, end);
  return key;
}

// State is a const StateReader (copies) or the block's WorkingState (decoded once per block).
template <typename State>
std::pair<unsigned, unsigned> FiscalStart(State& state, const std::string& org) {
  auto organization = GetOrganization(state, org);
  if (!organization || organization->fiscal_year_start_month() == 0) return {1, 1};
  return {organization->fiscal_year_start_month(), organization->fiscal_year_start_day()};
}

template <typename State>
std::int64_t FiscalYearIn(State& state, const std::string& org, std::int64_t time_ms) {
  std::int64_t days = time_ms / kDayMs - (time_ms % kDayMs < 0 ? 1 : 0);
  CivilDate date = CivilFromDays(days);
  auto [month, day] = FiscalStart(state, org);
  bool before_start = date.month < month || (date.month == month && date.day < day);
  return before_start ? date.year - 1 : date.year;
}

FlowCounters Flows(const StateReader& state, const std::string& org,
                   const std::string& characteristic, std::int64_t year) {
  const std::string key = FlowKey(org, characteristic, year);
  std::optional<std::string> stored = state.Get(key);
  return stored ? DecodeFlows(key, *stored) : FlowCounters{};
}

}  // namespace

std::pair<std::int64_t, std::int64_t> FiscalYearBounds(const StateReader& state,
                                                       const std::string& org, std::int64_t year) {
  auto [month, day] = FiscalStart(state, org);
  return {DaysFromCivil({year, month, day}) * kDayMs,
          DaysFromCivil({year + 1, month, day}) * kDayMs};
}

std::int64_t FiscalYearOf(const StateReader& state, const std::string& org, std::int64_t time_ms) {
  return FiscalYearIn(state, org, time_ms);
}

std::int64_t FiscalYearOf(WorkingState& state, const std::string& org, std::int64_t time_ms) {
  return FiscalYearIn(state, org, time_ms);
}

void BookFlow(WorkingState& state, const std::string& org, const std::string& characteristic,
              std::int64_t time_ms, const char* flow, std::uint64_t grams) {
  if (grams == 0) return;
  std::int64_t year = FiscalYearOf(state, org, time_ms);
  state.AddFlow(FlowKey(org, characteristic, year), FlowIndex(flow), grams);
}

nlohmann::json PeriodStatement(const StateReader& state, const std::string& org,
                               const std::string& characteristic, std::int64_t year) {
  // The opening balance is the closing of the latest earlier year with flows (years without
  // any flow carry the balance over unchanged).
  std::uint64_t opening = 0;
  std::int64_t earlier = year - 1;
  std::int64_t first_year = year;
  state.Scan("c/flow/" + org + "/" + characteristic + "/",
             [&](std::string_view key, std::string_view) {
               std::int64_t y = ParseStoredInt(key, key.substr(key.rfind('/') + 1));
               first_year = std::min(first_year, y);
               return true;
             });
  if (earlier >= first_year)
    opening = PeriodStatement(state, org, characteristic, earlier)["closing_balance"];
  const FlowCounters flows = Flows(state, org, characteristic, year);
  auto grams_of = [&](const char* flow) { return flows.grams[FlowIndex(flow)]; };
  nlohmann::json statement = {
      {"characteristic", characteristic}, {"fiscal_year", year}, {"opening_balance", opening}};
  std::uint64_t closing = opening;
  for (const char* flow : kInflows) {
    std::uint64_t grams = grams_of(flow);
    statement[flow] = grams;
    closing += grams;
  }
  for (const char* flow : kOutflows) {
    std::uint64_t grams = grams_of(flow);
    statement[flow] = grams;
    closing -= grams;
  }
  std::uint64_t in = grams_of(kFlowProcessedIn);
  std::uint64_t out = grams_of(kFlowProcessedOut);
  statement["processing_losses"] = in - out;
  statement["closing_balance"] = closing;
  statement["carried_over"] = closing;  // valid credits carry over; expired ones were written off
  auto [start, end] = FiscalYearBounds(state, org, year);
  statement["period_start_ms"] = start;
  statement["period_end_ms"] = end;
  return statement;
}

std::vector<std::string> CharacteristicsWithFlows(const StateReader& state,
                                                  const std::string& org) {
  std::set<std::string> found;
  std::string prefix = "c/flow/" + org + "/";
  state.Scan(prefix, [&](std::string_view key, std::string_view) {
    std::string_view rest = key.substr(prefix.size());
    found.insert(std::string(rest.substr(0, rest.find('/'))));
    return true;
  });
  return {found.begin(), found.end()};
}

}  // namespace mbl::chaincode
