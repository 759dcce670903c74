// What the node offers to its clients, independent of HTTP: the seam between the API layer
// (node/http_*) and the ledger core (storage, mempool, ordering, execution). Implementations are
// thread safe: the HTTP server calls them from its I/O threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chaincode/envelope.h"
#include "crypto/ed25519.h"

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

class LedgerService {
 public:
  virtual ~LedgerService() = default;

  // Admission checks for each record independently; nothing refused is stored.
  virtual std::vector<SubmitOutcome> Submit(std::vector<chaincode::SignedRecord> records) = 0;

  // Calls `done` exactly once, from any thread, when every id is committed (accepted or rejected
  // by the rules) or when `timeout` passes, whichever is first.
  virtual void WhenCommitted(std::vector<chaincode::RecordId> ids,
                             std::chrono::milliseconds timeout, std::function<void()> done) = 0;

  // What `reader` may see of a record (DOMAIN §6, docs/api.md): {"id","status":"pending"} while
  // pending; committed, {"id","type","status":"accepted"|"rejected","height","index",
  // "block_time_ms","redacted","result"} and, for a reader of its content (its parties,
  // certification bodies; every member for T1..T5), also "signer","signature","record" and the
  // result's details or message.
  virtual Result<nlohmann::json> GetRecord(const chaincode::RecordId& id, const Reader& reader) = 0;
  // The outcome only: {"id","status","height","index","result"}, without reading the block.
  virtual Result<nlohmann::json> GetRecordOutcome(const chaincode::RecordId& id) = 0;
  // {"header":{...},"certificate","records":[{"id","type","status","redacted","accepted",...}]}:
  // each record's result in full for a reader of its content, else only accepted or the rule.
  virtual Result<nlohmann::json> GetBlock(std::uint64_t height, const Reader& reader) = 0;
  virtual nlohmann::json Health() = 0;
  // Prometheus text exposition format 0.0.4 (docs/operations.md, "Metrics").
  virtual std::string Metrics() = 0;
  virtual nlohmann::json Validators() = 0;

  // NotFound/Unauthenticated when `key` is not a current member key.
  virtual Result<Reader> IdentifyReader(const crypto::PublicKey& key) = 0;
  // Authorized queries Q1..Q3, Q5, Q6 (DOMAIN §6) by name with string parameters.
  virtual Result<nlohmann::json> Query(std::string_view name, const nlohmann::json& params,
                                       const Reader& reader) = 0;
  // Public Q4: exit record by code, with its proof bundle, as JSON text (served at thousands a
  // second, so built from parts serialized once); `known_height`: a block the caller's verifier
  // checked before, which the bundle then shows too (fork detection).
  virtual Result<std::string> ExitLookup(std::string_view code,
                                         std::optional<std::uint64_t> known_height) = 0;
};

}  // namespace mbl::node
