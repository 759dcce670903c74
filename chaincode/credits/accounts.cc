#include "chaincode/credits/accounts.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>

#include "base/limits.h"
#include "chaincode/credits/flows.h"
#include "chaincode/credits/validity.h"

namespace mbl::chaincode {
namespace {

constexpr std::string_view kLotPrefix = "c/lot/";

std::string ConservationKey(const std::string& characteristic) {
  return "c/conservation/" + characteristic;
}

std::string LotKey(const AccountId& account, const Lot& lot) {
  char issued[24];
  std::snprintf(issued, sizeof issued, "%016" PRIx64, static_cast<std::uint64_t>(lot.issued_ms));
  return AccountPrefix(account) + issued + "/" + lot.id;
}

Lot LotFromJson(const nlohmann::json& json) {
  Lot lot;
  lot.id = json.at("id").get<std::string>();
  lot.grams = json.at("grams").get<std::uint64_t>();
  lot.issued_ms = json.at("issued_ms").get<std::int64_t>();
  lot.provenance = Provenance::FromJson(json.at("provenance"));
  return lot;
}

nlohmann::json LotToJson(const Lot& lot) {
  return {{"id", lot.id},
          {"grams", lot.grams},
          {"issued_ms", lot.issued_ms},
          {"provenance", lot.provenance.ToJson()}};
}

template <typename T>
void MergeSorted(std::vector<T>& into, const std::vector<T>& from, std::size_t max) {
  std::set<T> merged(into.begin(), into.end());
  merged.insert(from.begin(), from.end());
  into.assign(merged.begin(), merged.end());
  if (into.size() > max) into.resize(max);
}

}  // namespace

nlohmann::json Provenance::ToJson() const {
  return {{"lineage", lineage},
          {"cbs", certification_bodies},
          {"years", certification_years},
          {"steps", value_chain_steps}};
}

Provenance Provenance::FromJson(const nlohmann::json& json) {
  Provenance p;
  p.lineage = json.at("lineage").get<std::vector<std::string>>();
  p.certification_bodies = json.at("cbs").get<std::vector<std::string>>();
  p.certification_years = json.at("years").get<std::vector<std::int64_t>>();
  p.value_chain_steps = json.at("steps").get<std::uint32_t>();
  return p;
}

void Provenance::Absorb(const Provenance& other) {
  // Lineage keeps record order of first appearance; bounded so that it never grows without limit.
  for (const std::string& id : other.lineage) {
    if (lineage.size() >= limits::kLineageNodesMax) break;
    if (std::find(lineage.begin(), lineage.end(), id) == lineage.end()) lineage.push_back(id);
  }
  MergeSorted(certification_bodies, other.certification_bodies, limits::kRecordListEntriesMax);
  MergeSorted(certification_years, other.certification_years, limits::kRecordListEntriesMax);
  value_chain_steps = std::max(value_chain_steps, other.value_chain_steps);
}

bool Conservation::Balanced() const {
  return issued == held + in_transit + retired + cancelled + expired + losses;
}

nlohmann::json Conservation::ToJson() const {
  return {{"issued", issued},   {"held", held},           {"in_transit", in_transit},
          {"retired", retired}, {"cancelled", cancelled}, {"expired", expired},
          {"losses", losses}};
}

Conservation GetConservation(const StateReader& state, const std::string& characteristic) {
  Conservation c;
  auto stored = state.Get(ConservationKey(characteristic));
  if (!stored) return c;
  auto json = nlohmann::json::parse(*stored);
  c.issued = json.at("issued");
  c.held = json.at("held");
  c.in_transit = json.at("in_transit");
  c.retired = json.at("retired");
  c.cancelled = json.at("cancelled");
  c.expired = json.at("expired");
  c.losses = json.at("losses");
  return c;
}

void PutConservation(OverlayState& state, const std::string& characteristic,
                     const Conservation& counters) {
  // R6 is an invariant of every accepted record: a handler that breaks it is a bug.
  MBL_CHECK_MSG(counters.Balanced(),
                "R6 broken for " + characteristic + ": " + counters.ToJson().dump());
  state.Put(ConservationKey(characteristic), counters.ToJson().dump());
}

std::string AccountPrefix(const AccountId& account) {
  return std::string(kLotPrefix) + account.characteristic + "/" + account.org + "/" + account.site +
         "/" + account.product_group + "/";
}

void AddLot(OverlayState& state, const AccountId& account, const Lot& lot) {
  MBL_CHECK_GT(lot.grams, 0u);
  state.Put(LotKey(account, lot), LotToJson(lot).dump());
}

std::vector<Lot> ListLots(const StateReader& state, const AccountId& account) {
  std::vector<Lot> lots;
  state.Scan(AccountPrefix(account), [&](std::string_view, std::string_view value) {
    lots.push_back(LotFromJson(nlohmann::json::parse(value)));
    return lots.size() < limits::kQueryResultsMax;
  });
  return lots;
}

Taken TakeCredits(OverlayState& state, const AccountId& account, std::uint64_t grams,
                  std::int64_t block_time_ms, Conservation& counters) {
  Taken taken;
  std::vector<std::pair<std::string, Lot>> lots;
  state.Scan(AccountPrefix(account), [&](std::string_view key, std::string_view value) {
    lots.emplace_back(std::string(key), LotFromJson(nlohmann::json::parse(value)));
    return true;
  });
  std::uint64_t remaining = grams;
  std::uint64_t expired_found = 0;
  for (auto& [key, lot] : lots) {
    if (IsExpired(lot.issued_ms, block_time_ms)) {
      // Booked as expired when found (deterministic: depends on block time only).
      expired_found += lot.grams;
      counters.held -= lot.grams;
      counters.expired += lot.grams;
      BookFlow(state, account.org, account.characteristic, block_time_ms, kFlowExpired, lot.grams);
      state.Delete(key);
      continue;
    }
    if (remaining == 0) break;
    std::uint64_t part = std::min(remaining, lot.grams);
    Portion portion = lot;
    portion.grams = part;
    taken.portions.push_back(portion);
    remaining -= part;
    counters.held -= part;
    if (part == lot.grams) {
      state.Delete(key);
    } else {
      lot.grams -= part;
      state.Put(key, LotToJson(lot).dump());
    }
  }
  if (remaining > 0) {
    std::uint64_t available = grams - remaining;
    std::string where = "account " + account.org + "/" + account.site + " " +
                        account.characteristic + " " + account.product_group;
    std::string text = where + " holds " + std::to_string(available) + " g of valid credits; " +
                       std::to_string(grams) + " g are needed";
    taken.rejection = expired_found > 0 && available + expired_found >= grams
                          ? Reject("R7", text + " (" + std::to_string(expired_found) +
                                             " g have expired and can no longer be used)")
                          : Reject("R4", text + "; the balance may never go negative");
  }
  return taken;
}

std::uint64_t SumLots(const StateReader& state, const std::string& prefix) {
  std::uint64_t sum = 0;
  state.Scan(prefix, [&](std::string_view, std::string_view value) {
    sum += nlohmann::json::parse(value).at("grams").get<std::uint64_t>();
    return true;
  });
  return sum;
}

Status CheckConservation(const StateReader& state, const std::string& characteristic) {
  Conservation counters = GetConservation(state, characteristic);
  std::uint64_t lots = SumLots(state, std::string(kLotPrefix) + characteristic + "/");
  std::uint64_t transit = 0;
  state.Scan("c/shipment/", [&](std::string_view, std::string_view value) {
    auto json = nlohmann::json::parse(value);
    if (json.at("characteristic") == characteristic && json.at("state") == "in_transit") {
      transit += json.at("credit_grams").get<std::uint64_t>();
    }
    return true;
  });
  if (!counters.Balanced() || counters.held != lots || counters.in_transit != transit) {
    return DataLoss("R6 does not hold for " + characteristic + ": counters " +
                    counters.ToJson().dump() + ", lots " + std::to_string(lots) +
                    " g, in transit " + std::to_string(transit) + " g");
  }
  return Status::Ok();
}

}  // namespace mbl::chaincode
