#include "chaincode/credits/credit_checks.h"

#include "chaincode/credits/validity.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {

namespace {

// State is a const StateReader (committed state) or the block's WorkingState (definitions
// decoded once per block): the same checks, the same rejections.
template <typename State>
HandlerResult RequireSiteIn(State& state, const std::string& org, const std::string& site) {
  if (GetSite(state, org, site)) return std::nullopt;
  return Reject("T2", "site '" + site + "' of '" + org + "' is not defined; '" + org +
                          "' defines its system boundary first (T2)");
}

template <typename State>
HandlerResult RequireCharacteristicIn(State& state, const std::string& id) {
  if (GetCharacteristic(state, id)) return std::nullopt;
  return Reject("T3", "characteristic '" + id + "' is not defined");
}

template <typename State>
HandlerResult RequireProductGroupIn(State& state, const std::string& id) {
  if (GetProductGroup(state, id)) return std::nullopt;
  return Reject("T4", "product group '" + id + "' is not defined");
}

}  // namespace

HandlerResult RequireSite(const StateReader& state, const std::string& org,
                          const std::string& site) {
  return RequireSiteIn(state, org, site);
}
HandlerResult RequireSite(WorkingState& state, const std::string& org, const std::string& site) {
  return RequireSiteIn(state, org, site);
}
HandlerResult RequireCharacteristic(const StateReader& state, const std::string& id) {
  return RequireCharacteristicIn(state, id);
}
HandlerResult RequireCharacteristic(WorkingState& state, const std::string& id) {
  return RequireCharacteristicIn(state, id);
}
HandlerResult RequireProductGroup(const StateReader& state, const std::string& id) {
  return RequireProductGroupIn(state, id);
}
HandlerResult RequireProductGroup(WorkingState& state, const std::string& id) {
  return RequireProductGroupIn(state, id);
}

HandlerResult RequirePositive(const char* field, std::uint64_t grams) {
  if (grams == 0)
    return Reject("FORMAT", std::string(field) + " must be a positive number of grams");
  return std::nullopt;
}

__extension__ typedef unsigned __int128 Uint128;  // exact product of grams and ppm

std::uint64_t ApplyFactor(std::uint64_t grams, std::uint32_t factor_ppm) {
  MBL_CHECK_LE(factor_ppm, 1'000'000u);
  Uint128 product = static_cast<Uint128>(grams) * factor_ppm;
  return static_cast<std::uint64_t>(product / 1'000'000);
}

const std::string& RecordIdHex(const ApplyContext& context) { return context.record_id_hex; }

std::int64_t YearOf(std::int64_t time_ms) {
  std::int64_t days = time_ms / 86'400'000 - (time_ms % 86'400'000 < 0 ? 1 : 0);
  return CivilFromDays(days).year;
}

}  // namespace mbl::chaincode
