// Helpers shared by the fuzz targets: an invariant check that aborts (so that libFuzzer and the
// replay runner report the input), and a cursor over the fuzz input.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// Aborts with `what` when `condition` is false: a broken invariant is a finding like a crash.
#define MBL_FUZZ_CHECK(condition, what)                                                   \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s (%s)\n", __FILE__, __LINE__, \
                   #condition, std::string_view(what).data());                            \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)

namespace mbl::fuzz {

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits off the first byte (a selector choosing what the rest is fed to); 0 when empty.
inline std::uint8_t TakeSelector(std::string_view& input) {
  if (input.empty()) return 0;
  auto selector = static_cast<std::uint8_t>(input.front());
  input.remove_prefix(1);
  return selector;
}

}  // namespace mbl::fuzz
