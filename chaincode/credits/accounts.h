// Credit accounts (ISO 3.14): one per (organization, site, characteristic, product group),
// holding lots. Lots are keyed by issuance time, so a scan of an account visits them oldest
// first, the consumption order (R7 decision). Each characteristic keeps the conservation
// counters of R6. Values are canonical JSON (sorted keys).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "chaincode/handler.h"
#include "chaincode/state.h"

namespace mbl::chaincode {

struct AccountId {
  std::string org;
  std::string site;
  std::string characteristic;
  std::string product_group;
};

// Provenance travelling with credits: the records they passed through (back to the
// certification), the certifying CBs, the certification years and the organizations crossed.
struct Provenance {
  std::vector<std::string> lineage;  // record ids, oldest first
  std::vector<std::string> certification_bodies;
  std::vector<std::int64_t> certification_years;
  std::uint32_t value_chain_steps = 1;

  nlohmann::json ToJson() const;
  static Provenance FromJson(const nlohmann::json& json);
  // Union of two provenances (credits of several lots consumed together).
  void Absorb(const Provenance& other);
};

struct Lot {
  std::string id;
  std::uint64_t grams = 0;
  std::int64_t issued_ms = 0;  // issuance time in the holding organization (DOMAIN §3)
  Provenance provenance;
};

// A portion taken from a lot, keeping its issuance time and provenance.
using Portion = Lot;

// Conservation counters of one characteristic (R6), in grams.
struct Conservation {
  std::uint64_t issued = 0;
  std::uint64_t held = 0;
  std::uint64_t in_transit = 0;
  std::uint64_t retired = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t expired = 0;
  std::uint64_t losses = 0;

  bool Balanced() const;
  nlohmann::json ToJson() const;
};

Conservation GetConservation(const StateReader& state, const std::string& characteristic);
void PutConservation(OverlayState& state, const std::string& characteristic,
                     const Conservation& counters);

void AddLot(OverlayState& state, const AccountId& account, const Lot& lot);
std::vector<Lot> ListLots(const StateReader& state, const AccountId& account);

// Takes `grams` of valid credits, oldest issuance first, and lowers `counters.held` by them; the
// caller books them elsewhere (in transit, retired, ...) and stores the counters. Lots found
// expired on the way are booked as expired (held -> expired). Rejects under R7 when valid
// credits fall short only because of expiry, R4 otherwise; the caller's overlay is then discarded.
struct Taken {
  std::vector<Portion> portions;
  HandlerResult rejection;  // set when the account could not give `grams`
};
Taken TakeCredits(OverlayState& state, const AccountId& account, std::uint64_t grams,
                  std::int64_t block_time_ms, Conservation& counters);

// Sums the grams of the lots of every account whose key starts with `prefix` (for checks).
std::uint64_t SumLots(const StateReader& state, const std::string& prefix);

// R6 checked from the stored lots and transit, independently of the held counter's updates:
// held counter == sum of lots, and the identity holds.
Status CheckConservation(const StateReader& state, const std::string& characteristic);

std::string AccountPrefix(const AccountId& account);

}  // namespace mbl::chaincode
