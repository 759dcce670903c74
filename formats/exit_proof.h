// The names an exit proof bundle (docs/formats.md "Exit proof bundle") is written and read with:
// node/exit_proof.h builds bundles, tools/exit_verify.h checks them.
#pragma once

#include <string_view>

namespace mbl::formats {

inline constexpr std::string_view kExitProofFormat = "mbl.exit-proof.v3";

// The bundle's "certificate_kind": how its blocks are certified.
inline constexpr std::string_view kQuorumCertificateKind = "quorum";  // BFT: QCs of the validators
inline constexpr std::string_view kSingleValidatorCertificateKind = "single-validator";

}  // namespace mbl::formats
