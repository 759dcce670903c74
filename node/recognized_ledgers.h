// The ledgers the verification page served by this node recognizes (docs/verify-page.md "What
// the page trusts"): chain id -> scheme name and publisher, set by the consortium in the node's
// config (`recognized_ledgers_file`), never by a link or a label. The page shows a claim as
// verified in green only on one of these; on any other ledger it says the ledger is not one it
// recognizes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"

namespace mbl::node {

inline constexpr std::string_view kRecognizedLedgersFormat = "mbl.recognized-ledgers.v1";

// Reads and checks a recognized-ledgers file:
//   {"format": "mbl.recognized-ledgers.v1",
//    "ledgers": [{"chain_id": "<64 hex>", "scheme": "...", "publisher": "..."}, ...]}
// and returns it as compact JSON (chain ids in lower case). Errors name the file and the entry.
Result<std::string> LoadRecognizedLedgers(const std::filesystem::path& file);
Result<std::string> ParseRecognizedLedgers(std::string_view json_text);

// The verification page with `ledgers_json` (ParseRecognizedLedgers' output) as its list.
std::string VerifyPageRecognizing(std::string_view ledgers_json);

}  // namespace mbl::node
