// Shared by the benchmark programs: measurements every figure is quoted beside.
#pragma once

#include <chrono>
#include <string>

#include "base/check.h"
#include "crypto/ed25519.h"

namespace mbl::bench {

inline double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// Ed25519 verifications per second on one thread, measured now (docs/benchmarks.md quotes every
// throughput beside it, since signature checks bound what a node can admit).
inline double VerifyRatePerSecond() {
  crypto::KeyPair key = crypto::KeyPair::Generate();
  std::string message(200, 'm');
  crypto::Signature signature = crypto::Sign(key.secret_key, message);
  constexpr int kRounds = 20'000;
  auto start = std::chrono::steady_clock::now();
  int ok = 0;
  for (int i = 0; i < kRounds; ++i)
    ok += crypto::Verify(key.public_key, message, signature) ? 1 : 0;
  MBL_CHECK_EQ(ok, kRounds);
  return kRounds / Seconds(std::chrono::steady_clock::now() - start);
}

}  // namespace mbl::bench
