// Broken invariants crash loudly, in every build type (DESIGN D7, TigerStyle). These are never
// used for bad input: bad input is a Status.
#pragma once

#include <sstream>
#include <string>

namespace mbl::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition,
                              const std::string& detail);

template <typename A, typename B>
std::string DescribeOperands(const A& a, const B& b) {
  std::ostringstream out;
  out << "left = " << a << ", right = " << b;
  return out.str();
}
}  // namespace mbl::internal

#define MBL_CHECK(condition)                                                            \
  do {                                                                                  \
    if (!(condition)) ::mbl::internal::CheckFailed(__FILE__, __LINE__, #condition, ""); \
  } while (false)

#define MBL_CHECK_MSG(condition, detail)                                                      \
  do {                                                                                        \
    if (!(condition)) ::mbl::internal::CheckFailed(__FILE__, __LINE__, #condition, (detail)); \
  } while (false)

#define MBL_CHECK_OP_(a, b, op)                                                        \
  do {                                                                                 \
    const auto& mbl_a_ = (a);                                                          \
    const auto& mbl_b_ = (b);                                                          \
    if (!(mbl_a_ op mbl_b_))                                                           \
      ::mbl::internal::CheckFailed(__FILE__, __LINE__, #a " " #op " " #b,              \
                                   ::mbl::internal::DescribeOperands(mbl_a_, mbl_b_)); \
  } while (false)

#define MBL_CHECK_EQ(a, b) MBL_CHECK_OP_(a, b, ==)
#define MBL_CHECK_NE(a, b) MBL_CHECK_OP_(a, b, !=)
#define MBL_CHECK_LT(a, b) MBL_CHECK_OP_(a, b, <)
#define MBL_CHECK_LE(a, b) MBL_CHECK_OP_(a, b, <=)
#define MBL_CHECK_GT(a, b) MBL_CHECK_OP_(a, b, >)
#define MBL_CHECK_GE(a, b) MBL_CHECK_OP_(a, b, >=)
