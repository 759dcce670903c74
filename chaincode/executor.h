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

// Why a record was rejected: the rule it broke (e.g. "R4") and a message a person can act on.
struct Rejection {
  std::string rule;
  std::string message;
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
