// What the node offers to its clients, independent of HTTP: the seam between the API layer
// (node/http_*) and the ledger core (storage, mempool, ordering, execution). Implementations are
// thread safe: the HTTP server calls them from its I/O threads. Answers are plain values; the
// HTTP edge makes their JSON (node/ledger_views.h) and Prometheus text (node/metrics_text.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chaincode/envelope.h"
#include "chaincode/executor.h"
#include "chaincode/registry.h"
#include "crypto/ed25519.h"
#include "formats/block.h"
#include "node/bft_orderer.h"
#include "node/store.h"

namespace mbl::node {

struct SubmitOutcome {
  chaincode::RecordId id{};
  // ok: admitted to the mempool (or already pending). Otherwise why it was refused, e.g.
  // kUnauthenticated (bad signature, unknown signer), kPermissionDenied (signer lacks any role),
  // kAlreadyExists (already committed), kInvalidArgument (malformed payload, wrong chain,
  // outside its validity window), kResourceExhausted (mempool full).
  Status status;
};

// A member key making a signed read request (DESIGN D6), as the ledger knows it now.
struct Reader {
  crypto::PublicKey key{};
  std::string organization;
  std::vector<std::string> roles;
};

// Where a committed record is in the log and what became of it.
struct CommittedResult {
  std::uint64_t height = 0;
  std::uint32_t index = 0;
  chaincode::RecordResult result;
};

// A record's outcome, without its block.
struct RecordOutcome {
  chaincode::RecordId id{};
  std::optional<CommittedResult> committed;  // nullopt while it is pending in the mempool
};

// A committed record's result as a reader may see it (DOMAIN §6): its type always, the rest of
// its result only for a reader of its content (its parties, certification bodies; every member
// for T1..T5).
struct ResultSeen {
  std::string type;      // the record type's name; "unknown" when the payload does not parse
  bool redacted = true;  // the reader may not read the record's content
  chaincode::RecordResult result;  // redacted: only the record id, accepted and the rule are set
};

// What a reader may see of a record.
struct RecordView {
  struct Committed {
    std::uint64_t height = 0;
    std::uint32_t index = 0;
    std::int64_t block_time_ms = 0;
    ResultSeen seen;
    chaincode::SignedRecord envelope;  // the signed record; empty when `seen` is redacted
  };
  chaincode::RecordId id{};
  std::optional<Committed> committed;  // nullopt while it is pending in the mempool
};

// A committed block with each record's result as the reader may see it.
struct BlockView {
  formats::BlockHeader header;
  std::string certificate;
  std::vector<ResultSeen> records;
};

// What the node is doing now: the figures of /v1/health and /metrics.
struct NodeActivity {
  Tip tip;
  Status ordering;  // ok while the node commits; else why it stopped (it retries)
  std::optional<std::int64_t> last_commit_age_ms;  // nullopt before its first commit since start
  std::size_t mempool_records = 0;
  std::optional<BftStatus> consensus;  // nullopt with a single validator
};

struct HealthReport {
  NodeActivity activity;
  std::optional<chaincode::ChainInfo> chain;  // nullopt before genesis
  std::size_t validators = 0;
  crypto::PublicKey node_key{};  // this node's key: the leader with a single validator
};

struct ValidatorSetView {
  std::optional<chaincode::ChainInfo> chain;
  std::uint64_t height = 0;  // of the last committed block
  std::vector<v1::Validator> validators;
};

// Q4's answer: the exit record's public view and the bundle that proves it.
struct ExitAnswer {
  nlohmann::json exit;        // chaincode::LookupExit's view; it has no "proof" member
  Result<std::string> proof;  // the proof bundle as JSON text, or why it cannot be built now
};

class LedgerService {
 public:
  virtual ~LedgerService() = default;

  // Admission checks for each record independently; nothing refused is stored.
  virtual std::vector<SubmitOutcome> Submit(std::vector<chaincode::SignedRecord> records) = 0;

  // Calls `done` exactly once, from any thread, when every id is committed (accepted or rejected
  // by the rules) or when `timeout` passes, whichever is first.
  virtual void WhenCommitted(std::vector<chaincode::RecordId> ids,
                             std::chrono::milliseconds timeout, std::function<void()> done) = 0;

  // NotFound when the record is neither committed nor pending.
  virtual Result<RecordView> GetRecord(const chaincode::RecordId& id, const Reader& reader) = 0;
  // The outcome only, without reading the block.
  virtual Result<RecordOutcome> GetRecordOutcome(const chaincode::RecordId& id) = 0;
  virtual Result<BlockView> GetBlock(std::uint64_t height, const Reader& reader) = 0;
  virtual HealthReport Health() = 0;
  // The figures /metrics exposes (docs/operations.md, "Metrics").
  virtual NodeActivity Metrics() = 0;
  virtual ValidatorSetView Validators() = 0;

  // NotFound/Unauthenticated when `key` is not a current member key.
  virtual Result<Reader> IdentifyReader(const crypto::PublicKey& key) = 0;
  // Authorized queries Q1..Q3, Q5, Q6 (DOMAIN §6) by name with string parameters; the answer is
  // the chaincode's (chaincode/queries/credit_queries.h, chaincode/reference_queries.h).
  virtual Result<nlohmann::json> Query(std::string_view name,
                                       const std::map<std::string, std::string>& params,
                                       const Reader& reader) = 0;
  // Public Q4: exit record by code, with its proof bundle (served at thousands a second, so the
  // bundle is built from parts serialized once); `known_height`: a block the caller's verifier
  // checked before, which the bundle then shows too (fork detection).
  virtual Result<ExitAnswer> ExitLookup(std::string_view code,
                                        std::optional<std::uint64_t> known_height) = 0;
};

}  // namespace mbl::node
