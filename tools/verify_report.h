// What `mbl verify` says of a verified exit, in words (VerifiedText) and as JSON (VerifiedJson).
// Everything either shows comes from certified bytes: the certified result, the validator-set
// history the verifier checked, and the genesis it trusts; nothing from the bundle's own,
// uncertified fields (issue 13; tests/unit/tools/exit_vectors_test.cc alters each such field of
// every valid vector and expects the same output or a failure).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tools/exit_verify.h"

namespace mbl::tools {

// The plain-language account, lines ending in "\n". `checkpoint_file` is named in the trust line.
std::string VerifiedText(const VerifiedExit& verified, const std::string& checkpoint_file);

// The same, for programs (`mbl verify --json`, docs/cli.md).
nlohmann::json VerifiedJson(const VerifiedExit& verified);

}  // namespace mbl::tools
