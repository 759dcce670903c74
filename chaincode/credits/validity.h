// Credit validity (R2a, R7): one calendar year from the issuance time in the holding
// organization, in UTC, from block time only. Decision: an issuance on 29 February expires on
// 28 February of the next year at the same time of day.
#pragma once

#include <cstdint>

namespace mbl::chaincode {

struct CivilDate {
  std::int64_t year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
};

// Days since 1970-01-01 of a proleptic Gregorian date, and back (integer arithmetic only).
std::int64_t DaysFromCivil(const CivilDate& date);
CivilDate CivilFromDays(std::int64_t days);

// The first instant at which a lot issued at `issued_ms` is expired: a lot is valid while the
// block time is strictly before it.
std::int64_t CreditExpiryMs(std::int64_t issued_ms);

inline bool IsExpired(std::int64_t issued_ms, std::int64_t block_time_ms) {
  return block_time_ms >= CreditExpiryMs(issued_ms);
}

}  // namespace mbl::chaincode
