// BFT ordering (DESIGN D4): drives the Jolteon consensus core (consensus/core.h) on one thread,
// carries out its actions — frames to peers, synced safety data, commits to the store, the round
// timer — and moves submitted records to every validator so that whoever leads can propose them.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "consensus/core.h"
#include "node/bft_host.h"
#include "node/mempool.h"
#include "node/store.h"

namespace mbl::node {

// Validator frames: u8 kind || body. kConsensus carries consensus::EncodeMessage bytes,
// kRecords an EncodeRecordsPayload of records a client submitted to the sender.
enum class FrameKind : std::uint8_t { kConsensus = 1, kRecords = 2 };

// Where frames go: the validator transport (node/transport.h) in the node, an in-process
// loopback in tests. Sends never block; a frame may be lost (consensus retries).
class PeerNetwork {
 public:
  virtual ~PeerNetwork() = default;
  virtual void Send(std::uint32_t to, std::string frame) = 0;
  virtual void Broadcast(const std::string& frame) = 0;
  // The peers with an established link now (for /v1/health and /metrics).
  struct PeerLink {
    std::uint32_t index = 0;
    bool connected = false;
    std::uint64_t frames_sent = 0;
    std::uint64_t frames_received = 0;
    std::uint64_t frames_dropped = 0;
  };
  virtual std::vector<PeerLink> Links() const = 0;
  std::size_t ConnectedPeers() const {
    std::size_t connected = 0;
    for (const auto& link : Links()) connected += link.connected ? 1 : 0;
    return connected;
  }
};

// What a node needs to reach the other validators, read from the ledger's validator set.
struct ValidatorEndpoint {
  crypto::PublicKey key{};
  std::string address;  // host:port of its validator link listener
};
struct NetworkSetup {
  crypto::Hash256 chain_id{};
  std::uint32_t self = 0;
  std::vector<ValidatorEndpoint> validators;  // by index, self included
};
using FrameHandler = std::function<void(std::uint32_t from, std::string frame)>;
using NetworkFactory = std::function<Result<std::unique_ptr<PeerNetwork>>(const NetworkSetup& setup,
                                                                          FrameHandler on_frame)>;

struct BftOrdererOptions {
  std::vector<crypto::PublicKey> validators;  // the validator set, by index
  std::uint32_t self = 0;
  crypto::Hash256 chain_id{};
  consensus::TimeoutPolicy timeouts;
  BftHostOptions host;
};

// Counters for /v1/health and /metrics.
struct BftStatus {
  consensus::Round round = 0;
  std::uint32_t leader = 0;
  consensus::Height committed_height = 0;
  std::uint64_t blocks_committed = 0;
  std::uint64_t rounds_entered = 0;
  std::uint64_t local_timeouts = 0;
  std::uint64_t messages_refused = 0;
  std::uint64_t safety_writes = 0;
  double safety_write_seconds_total = 0;
  double commit_write_seconds_total = 0;
  Status error;  // why ordering is stalled (a storage error it retries); ok while running
  // The QC that proved the last commit (it certifies the child of the last committed block):
  // exit proofs of the newest blocks end with it (node/exit_proof.h).
  std::optional<consensus::QuorumCertificate> last_commit_qc;
};

class BftOrderer {
 public:
  // Told, on the ordering thread, the ids of the records each committed block holds.
  using CommittedFn = std::function<void(const std::vector<chaincode::RecordId>& ids)>;

  // Recovers the safety data and voted blocks from `store` and starts the ordering thread.
  static Result<std::unique_ptr<BftOrderer>> Start(Store& store, Mempool& mempool,
                                                   PeerNetwork& network, crypto::KeyPair key,
                                                   BftOrdererOptions options,
                                                   CommittedFn on_committed);
  ~BftOrderer();
  // Returns after the block being committed, if any, is durable. Idempotent.
  void Stop();

  // A frame from validator `from` (any thread; queued, never blocks long). kRecords frames are
  // returned to the caller to admit: the ledger owns admission.
  void OnConsensusFrame(std::uint32_t from, std::string body);
  // Records were added to the mempool: an idle leader proposes them.
  void PayloadReady();
  BftStatus status() const;
  const std::vector<crypto::PublicKey>& validators() const { return options_.validators; }
  std::uint32_t self() const { return options_.self; }

 private:
  struct Event {
    std::uint32_t from = 0;
    std::string body;  // consensus message bytes
    bool payload_ready = false;
  };

  BftOrderer(Store& store, Mempool& mempool, PeerNetwork& network, crypto::KeyPair key,
             BftOrdererOptions options, CommittedFn on_committed);
  void Run();
  void Apply(consensus::Output output);
  void Drain();
  Status Carry(const consensus::Action& action);
  void Stall(Status status);
  Status PersistSafety(const consensus::PersistSafetyData& persist);
  Status CommitAll(const consensus::CommitBlocks& commit);
  void SendMessage(std::uint32_t to, const consensus::Message& message);
  void BroadcastMessage(const consensus::Message& message);

  Store& store_;
  Mempool& mempool_;
  PeerNetwork& network_;
  crypto::KeyPair key_;
  const BftOrdererOptions options_;
  CommittedFn on_committed_;
  BftHost host_;
  consensus::KeyPairSigner signer_;
  std::unique_ptr<consensus::ConsensusCore> core_;
  std::vector<consensus::Block> voted_blocks_;  // persisted with the safety data
  std::deque<consensus::Action> actions_;       // the core's, carried out in order (Drain)

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Event> events_;
  std::size_t queued_bytes_ = 0;
  bool stopping_ = false;
  std::optional<std::pair<consensus::Round, std::chrono::steady_clock::time_point>> timer_;
  BftStatus status_;
  std::thread thread_;
};

}  // namespace mbl::node
