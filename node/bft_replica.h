// One BFT validator's ordering (DESIGN D4), deterministic and single-threaded: it drives the
// Jolteon consensus core (consensus/core.h) and carries out its actions — frames to peers, synced
// safety data, commits through the committer, the round timer — and catches up on ended epochs
// from peers' sync chunks. It owns no thread and reads no clock but the one it is given: the node
// drives it from one thread (node/bft_orderer.h), the simulator (tests/sim/) on virtual time.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
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
//   kSyncResponse EncodeSyncChunk (formats/epoch.h)
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
  // Monotonic milliseconds for the round timer and sync retries: steady_clock when empty (the
  // simulator's virtual time in tests/sim/).
  std::function<std::int64_t()> monotonic_clock;
  // Whoever started it calls Start and Step (the simulator); else a thread of the orderer's.
  bool driven_by_caller = false;
  // A known bug, for measuring the simulator (docs/testing.md): votes and timeouts leave before
  // the safety data that records them is durable. Never set outside tests/sim/.
  bool inject_vote_before_persist_bug = false;
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

// Input arrives from any thread (Deliver, PayloadReady); everything else is called by the one
// thread that drives the replica: Start once, then Step whenever there is input or NextWakeMs is
// due. Nothing happens between two calls, so a driver that owns the clock and the network
// replays a run exactly.
class BftReplica {
 public:
  // Told after input was queued (from the thread that queued it), so a waiting driver wakes.
  using InputFn = std::function<void()>;

  // Reads the epoch from `store`, recovers its safety data and voted blocks and makes the
  // network. Committed blocks go through `committer`, which writes them to `store`.
  static Result<std::unique_ptr<BftReplica>> Create(Store& store, Mempool& mempool,
                                                    Committer& committer, crypto::KeyPair key,
                                                    BftOrdererOptions options, InputFn on_input);
  ~BftReplica();

  // ---- Any thread.
  // A frame from peer `from` of the network made for `generation`: records go to
  // options.on_records at once, the rest is queued (bounded by limits::kOrderingQueueBytesMax).
  void Deliver(std::uint64_t generation, std::uint32_t from, std::string frame);
  // Records were added to the mempool: an idle leader proposes them.
  void PayloadReady();
  // Sends records a client submitted here to every validator of the epoch.
  void BroadcastRecords(const std::string& frame);
  BftStatus status() const;
  // Refuses input from now on and closes the network: no frame arrives after it. Call after the
  // driving thread stopped calling Step.
  void Close();

  // ---- The driving thread.
  // Starts the core (a validator) or asks a peer for blocks (a follower).
  void Start();
  // Handles one queued input, else whatever is due at the clock's time: the round timer, a sync
  // request, a retry of a failed storage write. False when there was nothing to do. While a
  // storage error stalls ordering, only the retry runs and input stays queued.
  bool Step();
  // The monotonic time (options.monotonic_clock) at which Step has work without new input;
  // nullopt when only input can give it work.
  std::optional<std::int64_t> NextWakeMs() const;

 private:
  struct Event {
    std::uint64_t generation = 0;  // the network it came from (indices are per network)
    std::uint32_t from = 0;
    std::string frame;  // u8 kind || body
    bool payload_ready = false;
  };

  BftReplica(Store& store, Mempool& mempool, Committer& committer, crypto::KeyPair key,
             BftOrdererOptions options, InputFn on_input);
  std::int64_t NowMs() const { return options_.monotonic_clock(); }
  // (Re)builds the epoch's host, core and, when the epoch changed, network from the store.
  Status BeginEpoch();
  void BeginNextEpochIfEnded();
  bool Behind() const;  // a follower, or syncing: it asks peers for blocks
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
  void RetryStalledWrite();
  Status PersistSafety(const consensus::PersistSafetyData& persist);
  Status CommitAll(const consensus::CommitBlocks& commit);
  // Stores one committed block; when it ends the epoch, first keeps `end_proof`.
  Status CommitOne(const consensus::CommittedBlock& block,
                   const std::function<formats::CommitProof()>& end_proof);
  void SendFrame(std::uint32_t to, FrameKind kind, std::string body);
  void SendMessage(std::uint32_t to, const consensus::Message& message);
  void BroadcastMessage(const consensus::Message& message);
  std::string SafetyKey() const;

  Store& store_;
  Mempool& mempool_;
  Committer& committer_;
  crypto::KeyPair key_;
  const BftOrdererOptions options_;
  const InputFn on_input_;
  consensus::KeyPairSigner signer_;

  // The epoch: all of it the driving thread's, except network_ (also under network_mutex_).
  EpochSetup epoch_;
  bool epoch_started_ = false;
  bool epoch_ended_ = false;  // a committed block changed the set: BeginEpoch after Drain
  std::unique_ptr<BftHost> host_;
  std::unique_ptr<consensus::ConsensusCore> core_;  // null while following
  std::vector<consensus::Block> voted_blocks_;      // persisted with the safety data
  std::deque<consensus::Action> actions_;           // the core's, carried out in order (Drain)
  std::optional<std::int64_t> sync_requested_ms_;   // none: never, or answered
  std::uint32_t sync_peer_ = 0;
  std::map<std::uint32_t, std::int64_t> noticed_ms_;
  std::optional<std::pair<consensus::Round, std::int64_t>> timer_;  // round, due (monotonic ms)
  std::optional<std::int64_t> storage_retry_ms_;  // set while a storage error stalls ordering

  mutable std::mutex network_mutex_;
  std::unique_ptr<PeerNetwork> network_;
  std::atomic<std::uint64_t> generation_{0};

  mutable std::mutex mutex_;  // the queue and status_
  std::deque<Event> events_;
  std::size_t queued_bytes_ = 0;
  bool closed_ = false;
  BftStatus status_;
};

}  // namespace mbl::node
