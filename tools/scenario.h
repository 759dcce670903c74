// Scenario files (docs/scenarios.md): a sequence of signed records and reads with expected
// outcomes, run against a node. Pure helpers are exposed for tests.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"

namespace mbl::tools {

// Replaces ${name} in every string of `value` (keys untouched). A string that is exactly
// "${name}" takes the variable's JSON value. Unknown variables are an error naming them.
Result<nlohmann::json> Substitute(const nlohmann::json& value,
                                  const std::map<std::string, nlohmann::json>& variables);

// True when every member of `expected` is in `actual` with a matching value (objects
// recursively; each expected array element matches some actual element; scalars equal).
bool JsonContains(const nlohmann::json& actual, const nlohmann::json& expected);

// Follows a dotted path ("result.details.version"; array indexes as numbers) in `value`.
Result<nlohmann::json> JsonPath(const nlohmann::json& value, const std::string& path);

}  // namespace mbl::tools
