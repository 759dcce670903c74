// Executes an ordered batch of verified records against a state, purely and deterministically
// (R16): the same records, state and block time give the same results, write set and roots on
// every node. The node calls it for every block; consensus votes on its roots (DESIGN D4).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chaincode/envelope.h"
#include "chaincode/state.h"
#include "crypto/sha256.h"

namespace mbl::chaincode {

struct BlockContext {
  std::uint64_t height = 0;
  std::int64_t time_ms = 0;  // block timestamp agreed by consensus: the only clock (R2a)
};

// What a rejection means for a record that is not yet ordered: whether it can never become
// valid, and why. The node's admission maps each kind to the status of its refusal; a rule
// violation is judged again when the record is ordered, so admission lets it through.
enum class RefusalKind {
  kRuleViolation,    // breaks a rule of the current state, which later records may change
  kInvalid,          // malformed, bound to another chain, outside its window, a misplaced genesis
  kNotAuthorized,    // the signer lacks the organization, kind or role the record needs (R3)
  kUnauthenticated,  // the signer is not a current member key (R3)
  kAlreadyExists,    // the record is in the ledger already (R5)
};

// Why a record was rejected: the rule it broke (e.g. "R4") and a message a person can act on.
// `kind` is not part of the committed result (EncodeRecordResult, the store): only the dry run
// that made the rejection knows it.
struct Rejection {
  std::string rule;
  std::string message;
  RefusalKind kind = RefusalKind::kRuleViolation;
};

struct RecordResult {
  RecordId record_id{};
  bool accepted = false;
  Rejection rejection;       // set when !accepted
  std::string details_json;  // accepted: what happened (lot ids, exit code, ...), canonical JSON
};

// Canonical bytes of a result, the Merkle leaf of the block's results root (docs/formats.md).
std::string EncodeRecordResult(const RecordResult& result);

struct BlockExecution {
  std::vector<RecordResult> results;  // one per input record, same order
  WriteSet writes;                    // net effect of the accepted records
  crypto::Hash256 results_root{};     // RFC 6962 root over EncodeRecordResult of each result
  crypto::Hash256 state_root{};       // see ComputeStateRoot
};

// state_root(h) = SHA-256("mbl.state.v1\0" || state_root(h-1) || SHA-256 of the canonical
// encoding of the block's write set). The genesis block starts from 32 zero bytes.
crypto::Hash256 ComputeStateRoot(const crypto::Hash256& parent_state_root, const WriteSet& writes);

// Records must already have passed VerifyEnvelope (signature checks are the node's job so they
// can run in parallel and before ordering). A record that fails to parse or breaks a rule gets a
// rejected result and changes nothing; the others still apply.
BlockExecution ExecuteBlock(const std::vector<SignedRecord>& records, const StateReader& state,
                            const BlockContext& context, const crypto::Hash256& parent_state_root);

// Each record's result as if it were the only record of a block at `context` over `state`
// (ExecuteBlock({record}, ...).results[0]), for admission's dry run; nothing one record does is
// seen by the next. Cheaper than one ExecuteBlock per record: no roots, no write set, and the
// state's reference data is decoded once for the whole batch.
std::vector<RecordResult> DryRunEach(const std::vector<SignedRecord>& records,
                                     const StateReader& state, const BlockContext& context);

}  // namespace mbl::chaincode
