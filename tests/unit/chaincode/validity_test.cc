#include "chaincode/credits/validity.h"

#include <gtest/gtest.h>

namespace mbl::chaincode {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

std::int64_t Utc(std::int64_t year, unsigned month, unsigned day, std::int64_t ms_of_day = 0) {
  return DaysFromCivil({year, month, day}) * kDayMs + ms_of_day;
}

TEST(CivilDates, KnownDaysAndRoundTripOverFourCenturies) {
  EXPECT_EQ(DaysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(DaysFromCivil({2000, 3, 1}), 11'017);
  EXPECT_EQ(DaysFromCivil({1969, 12, 31}), -1);
  EXPECT_EQ(Utc(2026, 1, 1), 1'767'225'600'000);
  for (std::int64_t days = -146'097; days <= 2 * 146'097; days += 13) {
    CivilDate date = CivilFromDays(days);
    EXPECT_EQ(DaysFromCivil(date), days);
  }
}

TEST(Expiry, R7_ExpiresExactlyOneCalendarYearLater) {
  std::int64_t issued = Utc(2026, 3, 15, 13 * 3'600'000 + 5);
  std::int64_t expiry = CreditExpiryMs(issued);
  EXPECT_EQ(expiry, Utc(2027, 3, 15, 13 * 3'600'000 + 5));
  EXPECT_FALSE(IsExpired(issued, expiry - 1)) << "valid up to the last millisecond";
  EXPECT_TRUE(IsExpired(issued, expiry)) << "expired at the exact one-year boundary";
}

TEST(Expiry, R2a_IssuanceOn29FebruaryExpiresOn28FebruaryNextYear) {
  std::int64_t issued = Utc(2028, 2, 29, 8 * 3'600'000);
  EXPECT_EQ(CreditExpiryMs(issued), Utc(2029, 2, 28, 8 * 3'600'000));
  EXPECT_FALSE(IsExpired(issued, Utc(2029, 2, 28, 8 * 3'600'000) - 1));
  EXPECT_TRUE(IsExpired(issued, Utc(2029, 2, 28, 8 * 3'600'000)));
}

TEST(Expiry, R7_LeapYearInsideTheValidityDoesNotShortenIt) {
  // 1 March 2027 -> 1 March 2028 spans 29 February 2028: 366 days.
  EXPECT_EQ(CreditExpiryMs(Utc(2027, 3, 1)) - Utc(2027, 3, 1), 366 * kDayMs);
  EXPECT_EQ(CreditExpiryMs(Utc(2026, 12, 31, kDayMs - 1)), Utc(2027, 12, 31, kDayMs - 1));
}

}  // namespace
}  // namespace mbl::chaincode
