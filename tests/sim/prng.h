// The simulator's only source of randomness: xoshiro256** seeded through splitmix64, so one
// 64-bit seed replays a whole cluster run bit for bit on any platform.
#pragma once

#include <cstdint>

namespace mbl::sim {

class Prng {
 public:
  explicit Prng(std::uint64_t seed) {
    for (auto& word : state_) word = SplitMix64(seed);
  }

  std::uint64_t Next() {
    const std::uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = RotateLeft(state_[3], 45);
    return result;
  }

  // Uniform in [low, high] (inclusive); the modulo bias is irrelevant for fault injection.
  std::int64_t Uniform(std::int64_t low, std::int64_t high) {
    const auto span = static_cast<std::uint64_t>(high - low) + 1;
    return low + static_cast<std::int64_t>(Next() % span);
  }
  // True with probability `per_million` / 1e6 (integers keep runs identical across platforms).
  bool Chance(std::uint32_t per_million) { return Next() % 1'000'000 < per_million; }

 private:
  static std::uint64_t SplitMix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  static std::uint64_t RotateLeft(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t state_[4];
};

}  // namespace mbl::sim
