// The proof bundle of an exit record (issue 5, docs/formats.md "Exit proof bundle"): everything a
// consumer needs to check, without trusting the node that served it, that the consortium's
// validators committed the exit record and what its certified result says.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "base/status.h"
#include "chaincode/envelope.h"
#include "consensus/types.h"
#include "node/store.h"

namespace mbl::node {

inline constexpr std::string_view kExitProofFormat = "mbl.exit-proof.v1";

struct ExitProofInputs {
  const Store& store;
  const chaincode::SignedRecord& genesis;
  std::vector<crypto::PublicKey> validators;  // by index, as in the ledger's validator set
  // The QC that proved the last commit (it certifies a block not yet committed), when known.
  std::optional<consensus::QuorumCertificate> last_commit_qc;
};

// Builds the bundle of the record `record_id` (an exit record) named by `exit_code`.
Result<nlohmann::json> BuildExitProof(const ExitProofInputs& inputs,
                                      const chaincode::RecordId& record_id,
                                      const std::string& exit_code);

}  // namespace mbl::node
