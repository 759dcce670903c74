#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace mbl::internal {

void CheckFailed(const char* file, int line, const char* condition, const std::string& detail) {
  std::fprintf(stderr, "FATAL invariant broken at %s:%d: %s%s%s\n", file, line, condition,
               detail.empty() ? "" : " (", detail.empty() ? "" : (detail + ")").c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace mbl::internal
