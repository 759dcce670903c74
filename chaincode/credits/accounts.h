// Credit accounts (ISO 3.14): one per (organization, site, characteristic, product group),
// holding lots. Lots are keyed by issuance time, so a scan of an account visits them oldest
// first, the consumption order (R7 decision). Each characteristic keeps the conservation
// counters of R6. Values are canonical JSON (sorted keys, credits/credit_values.h).
//
// Handlers work on the block's WorkingState; the StateReader functions read committed state
// (queries, checks, tests).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chaincode/credits/credit_values.h"
#include "chaincode/handler.h"
#include "chaincode/state.h"

namespace mbl::chaincode {

struct AccountId {
  std::string org;
  std::string site;
  std::string characteristic;
  std::string product_group;
};

Conservation GetConservation(const StateReader& state, const std::string& characteristic);
Conservation GetConservation(WorkingState& state, const std::string& characteristic);
void PutConservation(WorkingState& state, const std::string& characteristic,
                     const Conservation& counters);

void AddLot(WorkingState& state, const AccountId& account, Lot lot);
std::vector<Lot> ListLots(const StateReader& state, const AccountId& account);

// Takes `grams` of valid credits, oldest issuance first, and lowers `counters.held` by them; the
// caller books them elsewhere (in transit, retired, ...) and stores the counters. Lots found
// expired on the way are booked as expired (held -> expired). Rejects under R7 when valid
// credits fall short only because of expiry, R13 when only because credits of the account
// were retired (retired credits never move again), R4 otherwise; the caller's
// record is then rolled back.
struct Taken {
  std::vector<Portion> portions;
  HandlerResult rejection;  // set when the account could not give `grams`
};
Taken TakeCredits(WorkingState& state, const AccountId& account, std::uint64_t grams,
                  std::int64_t block_time_ms, Conservation& counters);

// Grams retired from `account` by system exits (T13), kept so that asking for them again is
// refused under R13, not R4. BookRetired adds to it.
std::uint64_t RetiredFrom(const StateReader& state, const AccountId& account);
void BookRetired(WorkingState& state, const AccountId& account, std::uint64_t grams);

// Sums the grams of the lots of every account whose key starts with `prefix` (for checks).
std::uint64_t SumLots(const StateReader& state, const std::string& prefix);

// R6 checked from the stored lots and transit, independently of the held counter's updates:
// held counter == sum of lots, and the identity holds.
Status CheckConservation(const StateReader& state, const std::string& characteristic);

// c/lot/<characteristic>/<org>/<site>/<product group>/ (room reserved for `extra` more bytes).
std::string AccountPrefix(const AccountId& account, std::size_t extra = 0);

}  // namespace mbl::chaincode
