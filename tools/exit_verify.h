// Offline verification of an exit proof bundle (issue 5, docs/formats.md "Exit proof bundle"):
// trusts only a genesis, never the node that served the bundle. The genesis is pinned by the
// caller (a genesis file or a chain id), or trusted on first use and then remembered in the
// checkpoints, or, with neither, taken from the bundle itself and reported as not pinned. The
// browser page (web/verify.html) runs the same checks in the same order with the same reasons.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "chaincode/envelope.h"

namespace mbl::tools {

inline constexpr std::string_view kCheckpointFormat = "mbl.verify-checkpoint.v1";

// What a verifier remembers of one chain (docs/formats.md "Verifier checkpoint"): the validator
// set it verified against and the highest committed block it has verified. A node that later
// shows nothing that high rolled back (or lags); one that shows another block there forked.
struct ChainCheckpoint {
  std::vector<std::string> validators;  // hex, in index order: the latest set verified
  std::uint64_t height = 0;
  std::string block_id;  // hex: consensus block id (quorum) or block hash (single validator)
  bool pinned = false;   // verified at least once with the chain pinned
};

struct Checkpoints {
  // The chain this verifier trusts when the caller pins none: the first one it verified.
  std::string trusted_chain;
  std::map<std::string, ChainCheckpoint> chains;  // by chain id (hex)
};
nlohmann::json CheckpointsToJson(const Checkpoints& checkpoints);
Result<Checkpoints> CheckpointsFromJson(const nlohmann::json& json);

struct VerifyOptions {
  // The exit code the user asked about (typed, read from a label, or given with --code), in any
  // spelling NormalizeExitCode reads. A bundle of any other exit fails as code-mismatch, however
  // genuine: a node must not answer one code with another's proof.
  std::optional<std::string> asked_exit_code;
  std::optional<chaincode::SignedRecord> pinned_genesis;
  std::optional<std::string> pinned_chain_id;  // hex, any case
  // What this verifier kept from earlier verifications; none: it keeps nothing.
  std::optional<Checkpoints> checkpoints;
};

// How the chain came to be trusted, from strongest to weakest.
enum class Trust {
  kPinned,    // the caller pinned it (genesis file, chain id)
  kKnown,     // trusted on first use earlier, and this is the same chain
  kFirstUse,  // nothing pinned, nothing kept: trusted from now on
  kUnpinned,  // nothing pinned and no checkpoints: the bundle's own genesis, remembered nowhere
};
std::string_view TrustName(Trust trust);

struct VerifiedRecord {     // the exit record itself, when the bundle carries it
  std::string author_org;   // from the record's payload, which the certified record id binds
  std::string author_name;  // from the genesis; empty if the organization joined later
  std::string signer;       // hex public key, equal to the one in the certified result
};

// What a verifier says of a withheld record. It is written here, not taken from the bundle: the
// bundle's own words are not certified (docs/formats.md "What the signatures cover").
inline constexpr std::string_view kRecordWithheldReason =
    "the exit's author did not disclose its quantities, which the record holds; the ledger's "
    "certified result of that record was checked";

struct VerifiedExit {
  nlohmann::json claim;  // the certified public view of the exit (the record's result details)
  std::optional<VerifiedRecord> record;
  std::string record_withheld;  // kRecordWithheldReason when the bundle does not carry the record
  std::string chain_id;
  std::string certificate_kind;  // "quorum" or "single-validator"
  std::uint64_t height = 0;
  std::size_t signers = 0;         // validators whose signatures certify the block
  std::size_t validators = 0;      // in the set that certified the block
  std::size_t validator_sets = 1;  // in the history the bundle carries (1: never changed)
  Trust trust = Trust::kUnpinned;
  std::map<std::string, std::string> organization_names;  // genesis: id -> name
  std::optional<Checkpoints> checkpoints;  // the updated checkpoints, when options had some
};

// Each failure is an error whose message starts with a reason code in brackets, e.g.
// "[too-few-signatures] ...", one per tampering class (docs/formats.md lists them).
Result<VerifiedExit> VerifyExitBundle(const nlohmann::json& bundle, const VerifyOptions& options);

// The chain whose checkpoint applies before the bundle is known (the pinned one, else the trusted
// one), and the height to ask a node to show (GET /v1/exit/CODE?known_height=H).
std::optional<std::uint64_t> CheckpointHeightToAsk(const VerifyOptions& options);

}  // namespace mbl::tools
