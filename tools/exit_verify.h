// Offline verification of an exit proof bundle (issue 5, docs/formats.md "Exit proof bundle"):
// trusts only the genesis (pinned by the caller, or the bundle's own and its chain id), never the
// node that served the bundle. The browser page (docs/verify) runs the same checks.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/status.h"
#include "chaincode/envelope.h"

namespace mbl::tools {

// What a verifier remembers between lookups (--checkpoint FILE): the highest certified block it
// has seen for a chain. A node that later shows a lower tip rolled back; one that shows another
// block at that height forked.
struct Checkpoint {
  std::string chain_id;  // hex
  std::uint64_t height = 0;
  std::string block_id;  // hex consensus block id
};
nlohmann::json CheckpointToJson(const Checkpoint& checkpoint);
Result<Checkpoint> CheckpointFromJson(const nlohmann::json& json);

struct VerifiedExit {
  nlohmann::json claim;  // the certified public view of the exit (the record's result details)
  std::string chain_id;
  std::uint64_t height = 0;
  std::size_t signers = 0;  // validators whose signatures certify the block
  std::size_t validators = 0;
  std::optional<Checkpoint> checkpoint;  // to keep for the next verification
};

// Each failure is an error whose message starts with a reason code in brackets, e.g.
// "[too-few-signatures] ...", one per tampering class (docs/formats.md lists them).
Result<VerifiedExit> VerifyExitBundle(const nlohmann::json& bundle,
                                      const std::optional<chaincode::SignedRecord>& pinned_genesis,
                                      const std::optional<Checkpoint>& checkpoint);

}  // namespace mbl::tools
