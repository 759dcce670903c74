// Crash-test fault points (issue 6, docs/reliability.md): with MBL_FAULT_CRASH_PERCENT=P in its
// environment (0..100), the node kills itself with SIGKILL at each fault point with probability
// P %, so that the soak test crashes it inside the commit path, between and around synced
// writes. Unset (always, in production), a fault point costs one branch.
#pragma once

#include <string_view>

namespace mbl::node {

void FaultPoint(std::string_view name);

}  // namespace mbl::node
