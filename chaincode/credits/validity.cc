#include "chaincode/credits/validity.h"

#include "base/check.h"

namespace mbl::chaincode {
namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

// Floor division: times before 1970 still map to the right day.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool IsLeap(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

}  // namespace

// The era-based algorithm for the proleptic Gregorian calendar: 400-year eras of 146 097 days,
// years counted from March so the leap day is the last day of the year.
std::int64_t DaysFromCivil(const CivilDate& date) {
  MBL_CHECK(date.month >= 1 && date.month <= 12);
  std::int64_t year = date.year - (date.month <= 2 ? 1 : 0);
  std::int64_t era = FloorDiv(year, 400);
  std::int64_t year_of_era = year - era * 400;
  std::int64_t month_from_march = (date.month + 9) % 12;
  std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + date.day - 1;
  std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146'097 + day_of_era - 719'468;
}

CivilDate CivilFromDays(std::int64_t days) {
  std::int64_t z = days + 719'468;
  std::int64_t era = FloorDiv(z, 146'097);
  std::int64_t day_of_era = z - era * 146'097;
  std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  std::int64_t month_from_march = (5 * day_of_year + 2) / 153;
  CivilDate date;
  date.day = static_cast<unsigned>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  date.month =
      static_cast<unsigned>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  date.year = year_of_era + era * 400 + (date.month <= 2 ? 1 : 0);
  return date;
}

std::int64_t CreditExpiryMs(std::int64_t issued_ms) {
  std::int64_t days = FloorDiv(issued_ms, kMsPerDay);
  std::int64_t time_of_day_ms = issued_ms - days * kMsPerDay;
  CivilDate date = CivilFromDays(days);
  date.year += 1;
  if (date.month == 2 && date.day == 29 && !IsLeap(date.year)) date.day = 28;
  return DaysFromCivil(date) * kMsPerDay + time_of_day_ms;
}

}  // namespace mbl::chaincode
