#include "base/status.h"

#include <gtest/gtest.h>

namespace mbl {
namespace {

Result<int> ParsePositive(int value) {
  if (value <= 0) return InvalidArgument("value must be positive");
  return value;
}

Status UseParsed(int value, int* out) {
  MBL_ASSIGN_OR_RETURN(*out, ParsePositive(value));
  return Status::Ok();
}

TEST(Status, OkByDefaultAndCarriesCodeAndMessage) {
  EXPECT_TRUE(Status().ok());
  Status s = NotFound("record abc");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: record abc");
  EXPECT_EQ(s.WithContext("lookup").message(), "lookup: record abc");
}

TEST(Result, HoldsValueOrStatusAndPropagates) {
  int out = 0;
  EXPECT_TRUE(UseParsed(7, &out).ok());
  EXPECT_EQ(out, 7);
  Status failed = UseParsed(-1, &out);
  EXPECT_EQ(failed.code(), Code::kInvalidArgument);
  EXPECT_EQ(out, 7);
}

TEST(CheckDeathTest, BrokenInvariantAbortsWithBothOperands) {
  EXPECT_DEATH(MBL_CHECK_EQ(1 + 1, 3), "left = 2, right = 3");
  EXPECT_DEATH((void)ParsePositive(-1).value(), "value must be positive");
}

}  // namespace
}  // namespace mbl
