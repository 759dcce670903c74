// The /metrics page: the node's activity in the Prometheus text exposition format 0.0.4
// (docs/operations.md, "Metrics"), made at the HTTP edge.
#pragma once

#include <string>

#include "node/ledger_service.h"

namespace mbl::node {

std::string MetricsText(const NodeActivity& activity);

}  // namespace mbl::node
