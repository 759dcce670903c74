// The world as the consensus core sees it. The host (node/ in production, tests/sim/ in the
// simulator) implements these; the core calls them synchronously and never does I/O itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "consensus/types.h"
#include "crypto/ed25519.h"

namespace mbl::consensus {

// Executes blocks speculatively, on any branch of the block tree (DESIGN D4: votes certify
// execution). Must be deterministic: the same block on the same parent gives the same result on
// every validator. The host keeps the speculative states it needs, keyed by block id, and may drop
// those at or below a committed height.
class Executor {
 public:
  virtual ~Executor() = default;
  // Executes `block` on the state its parent (block.parent_id(), whose result is `parent`)
  // produced. An error means the block cannot be executed at all; the core then refuses it.
  virtual Result<ExecutionResult> Execute(const Block& block, const ExecutionResult& parent) = 0;
};

// What a leader proposes and what a voter accepts as payload.
struct ProposalPayload {
  std::string payload;       // opaque; the host's encoding of the ordered records
  std::int64_t time_ms = 0;  // the host's clock; the core raises it to the parent's time if lower
};

class PayloadSource {
 public:
  virtual ~PayloadSource() = default;
  // The payload of a new block extending `parent`. May be empty (an empty block still advances
  // the 2-chain and commits its ancestors).
  virtual ProposalPayload MakePayload(const Block& parent) = 0;
  // Checks a proposal's payload and time before the node votes (records decode, signatures,
  // time not too far ahead of the local clock). Blocks fetched with a QC skip this: a quorum
  // already accepted them.
  virtual Status ValidatePayload(const Block& block, const Block& parent) = 0;
};

// Signs with the validator's key. Only SafetyRules and the proposer path call it, and only after
// the safety rules allowed the statement.
class Signer {
 public:
  virtual ~Signer() = default;
  virtual crypto::Signature Sign(std::string_view message) = 0;
};

class KeyPairSigner final : public Signer {
 public:
  explicit KeyPairSigner(const crypto::KeyPair& key_pair) : key_pair_(key_pair) {}
  crypto::Signature Sign(std::string_view message) override {
    return crypto::Sign(key_pair_.secret_key, message);
  }

 private:
  const crypto::KeyPair& key_pair_;
};

// The host's store of committed blocks, read when serving a peer's catch-up request.
class CommittedBlockReader {
 public:
  virtual ~CommittedBlockReader() = default;
  // The committed block at `height` with its certifying QC, or nullopt when not stored.
  virtual std::optional<CommittedBlock> ReadCommitted(Height height) = 0;
};

}  // namespace mbl::consensus
