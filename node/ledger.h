// The ledger core of one node: admission, mempool, ordering, execution and storage behind the
// LedgerService seam (its reads in node/ledger_reads.cc). Owns its threads; Stop() (or
// destruction) makes the last block durable.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "node/bft_orderer.h"
#include "node/committer.h"
#include "node/exit_proof.h"
#include "node/ledger_service.h"
#include "node/mempool.h"
#include "node/orderer.h"
#include "node/store.h"

namespace mbl::node {

struct LedgerOptions {
  std::filesystem::path data_dir;
  chaincode::SignedRecord genesis;
  std::size_t mempool_records_max = 0;
  std::size_t mempool_bytes_max = 0;
  SingleNodeOrdererOptions ordering;
  ClockFn clock;  // UTC ms; the system clock when empty
  // More than one validator: BFT ordering over the links this factory makes (the validator
  // transport in mbl-node, an in-process network in tests). Required when N > 1.
  NetworkFactory make_network;
  consensus::TimeoutPolicy timeouts;
  std::int64_t clock_allowance_ms = 0;  // 0: limits::kBlockClockAllowanceMs
  // For the whole-node simulator (tests/sim/), empty in the node: RocksDB's filesystem, the
  // monotonic clock of the round timer, and BFT ordering driven by the caller through
  // bft_replica() instead of by a thread of its own.
  StoreOptions store;
  std::function<std::int64_t()> monotonic_clock;
  bool ordering_driven_by_caller = false;
  bool inject_vote_before_persist_bug = false;  // node/bft_replica.h; the simulator's test
};

// Admission's answer to a dry run's rejection: refused, with the status its kind maps to, when the
// record can never become valid; ok for a rule violation, which is judged when it is ordered.
Status AdmissionRefusal(const chaincode::Rejection& rejection);

class Ledger final : public LedgerService {
 public:
  // Opens the store, refuses to start when its integrity check fails, commits the genesis block
  // on an empty store (or checks that block 0 holds this genesis), and starts ordering with
  // `node_key` as the single validator, which must be in the ledger's validator set.
  static Result<std::unique_ptr<Ledger>> Open(LedgerOptions options, crypto::KeyPair node_key);
  ~Ledger() override;
  void Stop();

  std::vector<SubmitOutcome> Submit(std::vector<chaincode::SignedRecord> records) override;
  void WhenCommitted(std::vector<chaincode::RecordId> ids, std::chrono::milliseconds timeout,
                     std::function<void()> done) override;
  // The reads (node/ledger_reads.cc).
  Result<RecordView> GetRecord(const chaincode::RecordId& id, const Reader& reader) override;
  Result<RecordOutcome> GetRecordOutcome(const chaincode::RecordId& id) override;
  Result<BlockView> GetBlock(std::uint64_t height, const Reader& reader) override;
  HealthReport Health() override;
  NodeActivity Metrics() override;
  ValidatorSetView Validators() override;
  Result<Reader> IdentifyReader(const crypto::PublicKey& key) override;
  Result<nlohmann::json> Query(std::string_view name,
                               const std::map<std::string, std::string>& params,
                               const Reader& reader) override;
  Result<ExitAnswer> ExitLookup(std::string_view code,
                                std::optional<std::uint64_t> known_height) override;

  const Store& store() const { return *store_; }
  // BFT ordering counters; nullopt with a single validator.
  std::optional<BftStatus> bft_status() const {
    if (!bft_) return std::nullopt;
    return bft_->status();
  }
  // With options.ordering_driven_by_caller and N > 1: the replica the caller drives.
  BftReplica* bft_replica() { return bft_ ? bft_->replica() : nullptr; }

 private:
  struct Waiter {
    std::set<chaincode::RecordId> remaining;
    std::function<void()> done;
    std::chrono::steady_clock::time_point deadline;
    bool fired = false;
  };

  Ledger(LedgerOptions options, crypto::KeyPair node_key);
  Status CommitGenesisOrCheck();
  Status StartOrdering();
  Status StartBftOrdering(const crypto::Hash256& chain_id);
  void OnPeerRecords(std::uint32_t from, std::string_view frame_body);
  // Every committed block, N = 1 and BFT alike (node/committer.h).
  void OnCommitted(const std::vector<chaincode::RecordId>& ids);
  Status OrderingHealth() const;
  Status SingleNodeCommitError() const;
  Status CommitBatch(const OrderedBatch& batch);
  Status CommitBlock(std::vector<chaincode::SignedRecord> records, std::int64_t time_ms,
                     bool genesis);
  // Admission's checks that need no execution: not pending, signature, not committed.
  Status Screen(const chaincode::SignedRecord& record, const chaincode::RecordId& id) const;
  // Admission's dry run of `records`, each on its own against the committed state.
  std::vector<chaincode::RecordResult> DryRun(const std::vector<chaincode::SignedRecord>& records,
                                              std::int64_t now_ms) const;
  // Admits a screened record given its dry run: refused, or into the mempool (and into
  // `admitted`, to be forwarded to the peers, when there are peers).
  Status AdmitTried(chaincode::SignedRecord record, const chaincode::RecordId& id,
                    const chaincode::RecordResult& dry_run,
                    std::vector<chaincode::SignedRecord>& admitted);
  void NotifyCommitted(const std::vector<chaincode::RecordId>& ids);
  // The exit proofs' validator-set history (node/exit_proof.h), kept per epoch.
  Status ValidatorSetHistory(std::string& json, std::vector<std::uint64_t>& bases);
  void ReapExpiredWaiters();
  std::int64_t Now() const { return options_.clock(); }

  LedgerOptions options_;
  crypto::KeyPair node_key_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Mempool> mempool_;
  std::unique_ptr<Committer> committer_;         // the one commit path
  std::unique_ptr<SingleNodeOrderer> orderer_;   // N = 1
  std::unique_ptr<BftOrderer> bft_;              // N > 1
  std::atomic<BftOrderer*> bft_ready_{nullptr};  // set once bft_ runs: frames go to it
  std::atomic<std::int64_t> last_commit_ms_{0};
  ExitProofCache exit_proof_cache_;  // committed blocks as exit proofs need them
  nlohmann::json genesis_json_;      // the genesis envelope every exit proof carries
  struct ValidatorSets {
    std::uint64_t epoch = 0;
    std::string json;
    std::vector<std::uint64_t> bases;
  };
  std::mutex validator_sets_mutex_;
  std::optional<ValidatorSets> validator_sets_;
  std::string chain_id_hex_;
  // N = 1: why the last commit failed (the orderer retries it), ok after a commit.
  mutable std::mutex commit_error_mutex_;
  Status commit_error_;

  std::mutex waiters_mutex_;
  std::condition_variable waiters_changed_;
  std::multimap<chaincode::RecordId, std::shared_ptr<Waiter>> waiters_by_id_;
  std::vector<std::shared_ptr<Waiter>> waiters_;
  bool stopping_ = false;
  std::thread reaper_;
};

}  // namespace mbl::node
