#include "chaincode/credits/credit_checks.h"

#include "chaincode/credits/validity.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {

namespace {

Rejection SiteMissing(const std::string& org, const std::string& site) {
  return Reject("T2", "site '" + site + "' of '" + org +
                          "' is not defined; define its system boundary first (T2)");
}

Rejection CharacteristicMissing(const std::string& id) {
  return Reject("T3", "characteristic '" + id + "' is not defined");
}

Rejection ProductGroupMissing(const std::string& id) {
  return Reject("T4", "product group '" + id + "' is not defined");
}

}  // namespace

HandlerResult RequireSite(const StateReader& state, const std::string& org,
                          const std::string& site) {
  if (!GetSite(state, org, site)) return SiteMissing(org, site);
  return std::nullopt;
}

HandlerResult RequireSite(WorkingState& state, const std::string& org, const std::string& site) {
  if (!GetSite(state, org, site)) return SiteMissing(org, site);
  return std::nullopt;
}

HandlerResult RequireCharacteristic(const StateReader& state, const std::string& id) {
  if (!GetCharacteristic(state, id)) return CharacteristicMissing(id);
  return std::nullopt;
}

HandlerResult RequireCharacteristic(WorkingState& state, const std::string& id) {
  if (!GetCharacteristic(state, id)) return CharacteristicMissing(id);
  return std::nullopt;
}

HandlerResult RequireProductGroup(const StateReader& state, const std::string& id) {
  if (!GetProductGroup(state, id)) return ProductGroupMissing(id);
  return std::nullopt;
}

HandlerResult RequireProductGroup(WorkingState& state, const std::string& id) {
  if (!GetProductGroup(state, id)) return ProductGroupMissing(id);
  return std::nullopt;
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
