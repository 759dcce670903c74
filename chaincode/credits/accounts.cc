#include "chaincode/credits/accounts.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "base/limits.h"
#include "chaincode/credits/flows.h"
#include "chaincode/credits/validity.h"
#include "chaincode/state_entries.h"
#include "chaincode/stored_json.h"

namespace mbl::chaincode {
namespace {

constexpr std::string_view kLotPrefix = "c/lot/";

std::string ConservationKey(const std::string& characteristic) {
  return "c/conservation/" + characteristic;
}

std::string LotKey(const AccountId& account, const Lot& lot) {
  char issued[24];
  std::snprintf(issued, sizeof issued, "%016" PRIx64, static_cast<std::uint64_t>(lot.issued_ms));
  std::string key = AccountPrefix(account, 17 + lot.id.size());
  key.append(issued).append("/").append(lot.id);
  return key;
}

std::string RetiredKey(const AccountId& account) {
  std::string key = AccountPrefix(account);
  key.replace(0, kLotPrefix.size(), "c/retired/");
  key.pop_back();  // no trailing '/': nothing lies below an account's retired total
  return key;
}

}  // namespace

Conservation GetConservation(const StateReader& state, const std::string& characteristic) {
  const std::string key = ConservationKey(characteristic);
  auto stored = state.Get(key);
  return stored ? DecodeConservation(key, *stored) : Conservation{};
}

Conservation GetConservation(WorkingState& state, const std::string& characteristic) {
  return state.GetConservation(characteristic);
}

void PutConservation(WorkingState& state, const std::string& characteristic,
                     const Conservation& counters) {
  // R6 is an invariant of every accepted record: a handler that breaks it is a bug.
  MBL_CHECK_MSG(counters.Balanced(),
                "R6 broken for " + characteristic + ": " + counters.ToJson().dump());
  state.PutConservation(characteristic, counters);
}

std::string AccountPrefix(const AccountId& account, std::size_t extra) {
  std::string prefix;
  prefix.reserve(kLotPrefix.size() + account.characteristic.size() + account.org.size() +
                 account.site.size() + account.product_group.size() + 4 + extra);
  prefix.append(kLotPrefix)
      .append(account.characteristic)
      .append("/")
      .append(account.org)
      .append("/")
      .append(account.site)
      .append("/")
      .append(account.product_group)
      .append("/");
  return prefix;
}

void AddLot(WorkingState& state, const AccountId& account, Lot lot) {
  MBL_CHECK_GT(lot.grams, 0u);
  std::string key = LotKey(account, lot);
  state.AddLot(std::move(key), Portion{std::move(lot.id), lot.grams, lot.issued_ms,
                                       ShareProvenance(std::move(lot.provenance))});
}

std::vector<Lot> ListLots(const StateReader& state, const AccountId& account) {
  std::vector<Lot> lots;
  state.Scan(AccountPrefix(account), [&](std::string_view key, std::string_view value) {
    Portion lot = DecodeLot(key, value);
    lots.push_back(Lot{std::move(lot.id), lot.grams, lot.issued_ms, lot.provenance->value()});
    return lots.size() < limits::kQueryResultsMax;
  });
  return lots;
}

namespace {

// The rule an account short of credits breaks: R7 when valid credits fall short only because
// some expired, R13 when only because credits of this account were retired (they never move
// again), R4 when it never held enough. Only read when a record is rejected.
Rejection ShortfallRejection(WorkingState& state, const AccountId& account, std::uint64_t available,
                             std::uint64_t grams, std::uint64_t expired_found, std::string text) {
  if (expired_found > 0 && available + expired_found >= grams) {
    return Reject("R7", text + " (" + std::to_string(expired_found) +
                            " g have expired and can no longer be used)");
  }
  std::uint64_t retired = RetiredFrom(state, account);
  if (retired > 0 && available + retired >= grams) {
    return Reject("R13", text + "; " + std::to_string(retired) +
                             " g of it were retired in system exits (T13), and retired credits "
                             "never move again");
  }
  return Reject("R4", text + "; the balance may never go negative");
}

}  // namespace

Taken TakeCredits(WorkingState& state, const AccountId& account, std::uint64_t grams,
                  std::int64_t block_time_ms, Conservation& counters) {
  Taken taken;
  std::uint64_t remaining = grams;
  std::uint64_t expired_found = 0;
  state.VisitLots(AccountPrefix(account), [&](WorkingState::LotRef& ref) {
    const Portion& lot = ref.lot();
    if (IsExpired(lot.issued_ms, block_time_ms)) {
      // Booked as expired when found (deterministic: depends on block time only).
      expired_found += lot.grams;
      counters.held -= lot.grams;
      counters.expired += lot.grams;
      BookFlow(state, account.org, account.characteristic, block_time_ms, kFlowExpired, lot.grams);
      ref.Delete();
      return true;
    }
    if (remaining == 0) return false;
    std::uint64_t part = std::min(remaining, lot.grams);
    taken.portions.push_back(Portion{lot.id, part, lot.issued_ms, lot.provenance});
    remaining -= part;
    counters.held -= part;
    if (part == lot.grams) {
      ref.Delete();
    } else {
      ref.SetGrams(lot.grams - part);
    }
    return true;
  });
  if (remaining > 0) {
    std::uint64_t available = grams - remaining;
    std::string where = "account " + account.org + "/" + account.site + " " +
                        account.characteristic + " " + account.product_group;
    taken.rejection =
        ShortfallRejection(state, account, available, grams, expired_found,
                           where + " holds " + std::to_string(available) + " g of valid credits; " +
                               std::to_string(grams) + " g are needed");
  }
  return taken;
}

std::uint64_t RetiredFrom(const StateReader& state, const AccountId& account) {
  const std::string key = RetiredKey(account);
  std::optional<std::string> stored = state.Get(key);
  return stored ? ParseStoredUint(key, *stored) : 0;
}

void BookRetired(WorkingState& state, const AccountId& account, std::uint64_t grams) {
  state.Put(RetiredKey(account), std::to_string(RetiredFrom(state, account) + grams));
}

std::uint64_t SumLots(const StateReader& state, const std::string& prefix) {
  std::uint64_t sum = 0;
  state.Scan(prefix, [&](std::string_view key, std::string_view value) {
    sum += DecodeLot(key, value).grams;
    return true;
  });
  return sum;
}

Status CheckConservation(const StateReader& state, const std::string& characteristic) {
  Conservation counters = GetConservation(state, characteristic);
  std::uint64_t lots = SumLots(state, std::string(kLotPrefix) + characteristic + "/");
  std::uint64_t transit = 0;
  state.Scan(keys::ShipmentPrefix(), [&](std::string_view key, std::string_view value) {
    ShipmentEntry shipment = DecodeShipment(key, value);
    if (shipment.characteristic == characteristic && shipment.state == ShipmentState::kInTransit) {
      transit += shipment.credit_grams;
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
