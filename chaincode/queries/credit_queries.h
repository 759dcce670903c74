// Queries Q1..Q3, Q5, Q6 of DOMAIN §6 as pure functions over a state, with their authorization:
//   accounts            Q1  org [site] [characteristic] [product_group]   the org, CBs
//   period-statement    Q2  org [fiscal_year]                            the org, CBs
//   shipment-document   Q3  shipment                                     sender, receiver, CBs
//   lineage             Q5  shipment | exit                              parties, CBs
//   conformity          Q6  org [fiscal_year]                            the org, CBs
// (Q4, the public exit lookup, is queries/exit_lookup.h.)
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "chaincode/state.h"

namespace mbl::chaincode {

bool IsCreditQuery(const std::string& name);

// kPermissionDenied when `reader_org` may not read it; kInvalidArgument / kNotFound for bad or
// unknown parameters. `now_ms` is the time to judge expiry and the running period by.
Result<nlohmann::json> RunCreditQuery(const std::string& name,
                                      const std::map<std::string, std::string>& params,
                                      const std::string& reader_org, const StateReader& state,
                                      std::int64_t now_ms);

}  // namespace mbl::chaincode
