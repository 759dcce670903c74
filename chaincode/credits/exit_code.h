// Public exit codes (R13, Q4): short, case-insensitive and unambiguous when read aloud or
// printed: "MBL-" and 12 Crockford base32 characters (60 bits of the exit record's id) in groups
// of four, e.g. MBL-7K3Q-9XWD-2F0B. Fits a QR code URL.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "chaincode/envelope.h"

namespace mbl::chaincode {

std::string ExitCodeForRecord(const RecordId& id);

// Accepts any case, with or without the "MBL-" prefix and hyphens or spaces, and reads the
// easily confused letters O as 0 and I, L as 1. Returns the canonical form.
Result<std::string> NormalizeExitCode(std::string_view text);

}  // namespace mbl::chaincode
