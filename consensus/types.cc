#include "consensus/types.h"

#include <algorithm>

namespace mbl::consensus {

Round TimeoutCertificate::max_high_qc_round() const {
  Round highest = 0;
  for (const auto& s : signatures) highest = std::max(highest, s.high_qc_round);
  return highest;
}

}  // namespace mbl::consensus
