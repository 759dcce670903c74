// BFT ordering (DESIGN D4): drives the Jolteon consensus core (consensus/core.h) on one thread,
// carries out its actions — frames to peers, synced safety data, commits to the store, the round
// timer — and moves submitted records to every validator so that whoever leads can propose them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "consensus/core.h"
#include "node/bft_host.h"
#include "node/committer.h"
#include "node/epoch.h"
#include "node/mempool.h"
#include "node/store.h"

namespace mbl::node {

// Validator frames: u8 kind || body.
//   kConsensus    u64 epoch || consensus::EncodeMessage bytes (the sender's epoch)
//   kRecords      EncodeRecordsPayload of records a client submitted to the sender
//   kSyncRequest  u64 epoch || u64 height: "send me the blocks after `height` of `epoch`"
//   kSyncResponse EncodeSyncChunk (node/epoch.h)
//   kEpochNotice  u64 epoch: "I am in `epoch`" (to a peer whose frames show an older one)
enum class FrameKind : std::uint8_t {
  kConsensus = 1,
  kRecords = 2,
  kSyncRequest = 3,
  kSyncResponse = 4,
  kEpochNotice = 5,
};

// Where frames go: the validator transport (node/peer_links.h) in the node, an in-process
// loopback in tests. Peers are numbered by their index in the validator set the network was made
// for. Sends never block; a frame may be lost (consensus retries).
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

struct NetworkSetup {
  crypto::Hash256 chain_id{};
  // This node's index; none when it is not a validator of the epoch (it follows: it dials the
  // validators to catch up, and listens for nobody).
  std::optional<std::uint32_t> self;
  std::vector<ValidatorEndpoint> validators;  // by index, self included
};
using FrameHandler = std::function<void(std::uint32_t from, std::string frame)>;
using NetworkFactory = std::function<Result<std::unique_ptr<PeerNetwork>>(const NetworkSetup& setup,
                                                                          FrameHandler on_frame)>;

struct BftOrdererOptions {
  crypto::Hash256 chain_id{};
  consensus::TimeoutPolicy timeouts;
  BftHostOptions host;  // validators and root are set per epoch
  NetworkFactory make_network;
  // kRecords frames from peers, on the link thread: the ledger owns admission.
  std::function<void(std::uint32_t from, std::string_view records)> on_records;
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
  std::uint64_t epoch = 0;
  bool validator = false;  // a validator of the epoch (else it follows the chain)
  bool syncing = false;    // fetching blocks of an ended epoch from peers
  std::vector<crypto::PublicKey> validators;  // the epoch's set, by index
  std::optional<std::uint32_t> self;
  std::vector<PeerNetwork::PeerLink> links;
};

class BftOrderer {
 public:
  // Reads the epoch from `store`, recovers its safety data and voted blocks, makes the network
  // and starts the ordering thread. Committed blocks go through `committer` (on the ordering
  // thread), which writes them to `store`.
  static Result<std::unique_ptr<BftOrderer>> Start(Store& store, Mempool& mempool,
                                                   Committer& committer, crypto::KeyPair key,
                                                   BftOrdererOptions options);
  ~BftOrderer();
  // Returns after the block being committed, if any, is durable, and the network is closed: no
  // frame arrives after it. Idempotent.
  void Stop();

  // Sends records a client submitted here to every validator of the epoch.
  void BroadcastRecords(const std::string& frame);
  // Records were added to the mempool: an idle leader proposes them.
  void PayloadReady();
  BftStatus status() const;

 private:
  struct Event {
    std::uint64_t generation = 0;  // the network it came from (indices are per network)
    std::uint32_t from = 0;
    std::string frame;  // u8 kind || body
    bool payload_ready = false;
  };

  BftOrderer(Store& store, Mempool& mempool, Committer& committer, crypto::KeyPair key,
             BftOrdererOptions options);
  // (Re)builds the epoch's host, core and, when the epoch changed, network from the store.
  Status BeginEpoch();
  void OnFrame(std::uint64_t generation, std::uint32_t from, std::string frame);
  void Run();
  void HandleEvent(Event event);
  void HandleConsensusFrame(std::uint32_t from, std::string_view body);
  void HandleSyncRequest(std::uint32_t from, std::string_view body);
  void HandleSyncResponse(std::uint32_t from, std::string_view body);
  void RequestSync(std::optional<std::uint32_t> from);
  void NoticeEpoch(std::uint32_t to);
  void Apply(consensus::Output output);
  void Drain();
  Status Carry(const consensus::Action& action);
  void Stall(Status status);
  Status PersistSafety(const consensus::PersistSafetyData& persist);
  Status CommitAll(const consensus::CommitBlocks& commit);
  // Stores one committed block; when it ends the epoch, first keeps `end_proof`.
  Status CommitOne(const consensus::CommittedBlock& block,
                   const std::function<CommitProof()>& end_proof);
  void SendFrame(std::uint32_t to, FrameKind kind, std::string body);
  void SendMessage(std::uint32_t to, const consensus::Message& message);
  void BroadcastMessage(const consensus::Message& message);
  std::string SafetyKey() const;

  Store& store_;
  Mempool& mempool_;
  Committer& committer_;
  crypto::KeyPair key_;
  const BftOrdererOptions options_;
  consensus::KeyPairSigner signer_;

  // The epoch: all of it the ordering thread's, except network_ (also under network_mutex_).
  EpochSetup epoch_;
  bool epoch_started_ = false;
  bool epoch_ended_ = false;  // a committed block changed the set: BeginEpoch after Drain
  std::unique_ptr<BftHost> host_;
  std::unique_ptr<consensus::ConsensusCore> core_;  // null while following
  std::vector<consensus::Block> voted_blocks_;      // persisted with the safety data
  std::deque<consensus::Action> actions_;           // the core's, carried out in order (Drain)
  std::chrono::steady_clock::time_point sync_requested_{};
  std::uint32_t sync_peer_ = 0;
  std::map<std::uint32_t, std::chrono::steady_clock::time_point> noticed_;

  mutable std::mutex network_mutex_;
  std::unique_ptr<PeerNetwork> network_;
  std::atomic<std::uint64_t> generation_{0};

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
