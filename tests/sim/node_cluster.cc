#include "tests/sim/node_cluster.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <sstream>
#include <variant>
#include <vector>

#include "base/check.h"
#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "node/ledger.h"
#include "node/log.h"
#include "tests/sim/event_queue.h"
#include "tests/sim/node_checker.h"
#include "tests/sim/sim_client.h"
#include "tests/sim/sim_disk.h"
#include "tests/support/ledger_fixture.h"

// GCC 12 reports the events' std::variant moves as "may be used uninitialized" (a known false
// positive of its variant inlining; every member has an initializer).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace mbl::sim {
namespace {

constexpr std::int64_t kRoundTimeoutBaseMs = 500;
constexpr std::int64_t kClientTickMs = 100;
constexpr std::int64_t kResubmitAfterMs = 4'000;
constexpr std::int64_t kCrashFallbackMs = 300;  // an armed crash strikes anyway after this
constexpr std::uint32_t kCrashSyncsMax = 4;     // an armed crash strikes at one of these syncs
constexpr std::int64_t kLivenessMs = 120'000;   // after the heal, for the probe on every node
constexpr std::uint64_t kEventsMax = 3'000'000;
constexpr std::size_t kStepsPerEventMax = 100'000;
// Node clocks start an hour after the genesis time (2026-01-01), records are valid for 12 h.
constexpr std::int64_t kClockStartMs = test_support::kGenesisTimeMs + 3'600'000;

using chaincode::RecordId;

crypto::KeyPair CopyKey(const crypto::KeyPair& key) {
  return crypto::KeyPair::FromSeed(key.secret_key.seed());
}

class NodeCluster;

// One node's validator links: frames go through the cluster, which delays, loses, duplicates,
// corrupts or delivers them. Peers are numbered by the epoch's validator set, as on real links.
class SimNetwork final : public node::PeerNetwork {
 public:
  SimNetwork(NodeCluster& cluster, std::size_t node, const node::NetworkSetup& setup,
             node::FrameHandler handler);
  ~SimNetwork() override;
  void Send(std::uint32_t to, std::string frame) override;
  void Broadcast(const std::string& frame) override;
  std::vector<PeerLink> Links() const override;
  // A frame from the node holding `from`; dropped when `from` is no validator of this network's
  // epoch, as the link handshake would refuse it.
  void Receive(const crypto::PublicKey& from, std::string frame);

 private:
  NodeCluster& cluster_;
  const std::size_t node_;
  std::vector<crypto::PublicKey> keys_;
  node::FrameHandler handler_;
};

struct SimNode {
  crypto::KeyPair key;
  std::optional<ValidatorIndex> plan_index;  // its validator in the fault plan (genesis set)
  int twin = 0;                              // the second instance of the twin validator: 1
  bool honest = true;
  std::unique_ptr<SimDisk> disk;
  std::unique_ptr<node::Ledger> ledger;  // null while down
  SimNetwork* network = nullptr;         // the current epoch's, owned by the ledger's replica
  std::uint64_t incarnation = 0;
  std::optional<std::int64_t> wake_ms;  // the scheduled wake, in cluster time
  std::int64_t clock_offset_ms = 0;
  std::int64_t timer_rate_per_mille = 1000;
  std::int64_t restart_ms = 0;
  bool armed = false;  // a crash is armed on its disk
};

struct Deliver {
  std::size_t node = 0;
  std::uint64_t incarnation = 0;
  std::size_t from_node = 0;  // the receiver knows it by its key
  std::string frame;
};
struct Wake {
  std::size_t node = 0;
  std::uint64_t incarnation = 0;
  std::int64_t at_ms = 0;
};
struct ClientTick {};
struct Crash {
  std::size_t node = 0;
  std::int64_t restart_ms = 0;
};
struct CrashFallback {
  std::size_t node = 0;
  std::uint64_t incarnation = 0;
};
struct Restart {
  std::size_t node = 0;
};
using EventBody = std::variant<Deliver, Wake, ClientTick, Crash, CrashFallback, Restart>;

class NodeCluster {
 public:
  explicit NodeCluster(const SimOptions& options);
  ~NodeCluster();
  NodeSimResult Run();

  // ---- For SimNetwork.
  void Attach(std::size_t node, SimNetwork* network) { nodes_[node].network = network; }
  void Detach(std::size_t node, SimNetwork* network) {
    if (nodes_[node].network == network) nodes_[node].network = nullptr;
  }
  void Transmit(std::size_t from, const crypto::PublicKey& to, const std::string& frame);
  bool Connected(std::size_t from, const crypto::PublicKey& to) const;
  const crypto::PublicKey& KeyOf(std::size_t node) const { return nodes_[node].key.public_key; }

 private:
  void AddNode(crypto::KeyPair key, std::optional<ValidatorIndex> plan_index, int twin,
               bool honest);
  void Schedule(std::int64_t delay_ms, EventBody body);
  void Dispatch(EventBody& body);
  void StartNode(std::size_t index);
  void StepNode(std::size_t index);
  void ScheduleWake(std::size_t index);
  void TearDown(std::size_t index);
  bool LinkOpen(std::size_t from, std::size_t to) const;
  void ClientTurn();
  void Submit(const chaincode::SignedRecord& record, std::optional<std::size_t> avoid = {});
  void OnCommitted(std::size_t node, std::uint64_t incarnation, const RecordId& id);
  std::optional<std::size_t> PickNode(std::optional<std::size_t> avoid);
  bool Settled(const chaincode::SignedRecord& record) const;
  void MaybeHeal();
  std::vector<crypto::PublicKey> LatestValidators() const;
  bool InLatestEpoch(const SimNode& node) const;
  bool LivenessReached() const;
  std::uint64_t MaxHonestRound() const;
  void CheckAtEnd();
  void Trace(std::uint64_t value) {
    result_.trace_digest = result_.trace_digest * 1099511628211ULL ^ value;
  }
  void Fail(const std::string& message);

  const SimOptions options_;
  const FaultPlan plan_;
  Prng prng_;         // the network's and the disks' faults
  Prng client_prng_;  // the organizations' choices
  std::unique_ptr<test_support::LedgerFixture> fixture_;
  ValidatorChange change_ = ValidatorChange::kNone;
  ClientScript script_;
  std::vector<SimNode> nodes_;
  std::optional<NodeChecker> checker_;
  EventQueue<EventBody> queue_;
  std::int64_t now_ms_ = 0;
  bool healed_ = false;
  bool tearing_down_ = false;

  // The client: the step of the script it is on, and what it knows has settled.
  std::size_t step_ = 0;
  bool step_submitted_ = false;
  std::int64_t step_since_ms_ = 0;
  std::set<RecordId> settled_;
  bool probe_submitted_ = false;
  std::int64_t probe_since_ms_ = 0;
  std::size_t acknowledged_before_probe_ = 0;

  NodeSimResult result_;
};

SimNetwork::SimNetwork(NodeCluster& cluster, std::size_t node, const node::NetworkSetup& setup,
                       node::FrameHandler handler)
    : cluster_(cluster), node_(node), handler_(std::move(handler)) {
  for (const auto& validator : setup.validators) keys_.push_back(validator.key);
  cluster_.Attach(node_, this);
}

SimNetwork::~SimNetwork() { cluster_.Detach(node_, this); }

void SimNetwork::Send(std::uint32_t to, std::string frame) {
  if (to < keys_.size() && keys_[to] != cluster_.KeyOf(node_)) {
    cluster_.Transmit(node_, keys_[to], frame);
  }
}

void SimNetwork::Broadcast(const std::string& frame) {
  for (const auto& key : keys_) {
    if (key != cluster_.KeyOf(node_)) cluster_.Transmit(node_, key, frame);
  }
}

std::vector<node::PeerNetwork::PeerLink> SimNetwork::Links() const {
  std::vector<PeerLink> links;
  for (std::uint32_t to = 0; to < keys_.size(); ++to) {
    if (keys_[to] != cluster_.KeyOf(node_)) {
      links.push_back({to, cluster_.Connected(node_, keys_[to]), 0, 0, 0});
    }
  }
  return links;
}

void SimNetwork::Receive(const crypto::PublicKey& from, std::string frame) {
  auto it = std::find(keys_.begin(), keys_.end(), from);
  if (it != keys_.end()) handler_(static_cast<std::uint32_t>(it - keys_.begin()), std::move(frame));
}

NodeCluster::NodeCluster(const SimOptions& options)
    : options_(options),
      plan_(MakeFaultPlan(options)),
      prng_(options.seed),
      client_prng_(options.seed ^ 0xC11E57ULL) {
  node::SetLogLevel(options_.verbose ? node::LogLevel::kInfo : node::LogLevel::kError);
  const std::size_t n = options_.nodes;
  fixture_ = std::make_unique<test_support::LedgerFixture>(0, n, options_.seed * 2 + 1);
  for (ValidatorIndex v = 0; v < n; ++v) {
    const bool twin = plan_.twin == v;
    AddNode(CopyKey(fixture_->validator_keys()[v]), v, 0, !twin);
    if (twin) AddNode(CopyKey(fixture_->validator_keys()[v]), v, 1, false);
  }
  crypto::PublicKey change_key{};
  if (options_.validator_change) {
    switch (client_prng_.Uniform(0, 3)) {
      case 0:
      case 1: {
        change_ = ValidatorChange::kAdd;
        const auto seed = crypto::Sha256Hasher()
                              .Update("mbl-sim-joining-validator")
                              .UpdateU64BigEndian(options_.seed)
                              .Final();
        AddNode(crypto::KeyPair::FromSeed(seed), std::nullopt, 0, true);
        change_key = nodes_.back().key.public_key;
        break;
      }
      case 2:
        change_ = ValidatorChange::kRemove;  // the twin when there is one: 3 honest remain
        change_key = fixture_->validator_keys()[plan_.twin.value_or(n - 1)].public_key;
        break;
      default:
        break;
    }
  }
  script_ = MakeClientScript(*fixture_, client_prng_, options_.credit_rounds, change_, change_key);
  std::vector<std::vector<RecordId>> exclusive;
  for (const auto& step : script_.steps) {
    if (!step.exclusive.empty()) exclusive.push_back(step.exclusive);
  }
  checker_.emplace(std::move(exclusive));
  result_.plan = plan_.Describe() + " change=" +
                 (change_ == ValidatorChange::kAdd      ? "add"
                  : change_ == ValidatorChange::kRemove ? "remove"
                                                        : "none");
}

NodeCluster::~NodeCluster() {
  tearing_down_ = true;
  for (auto& node : nodes_) node.ledger.reset();
}

void NodeCluster::AddNode(crypto::KeyPair key, std::optional<ValidatorIndex> plan_index, int twin,
                          bool honest) {
  SimNode node;
  node.key = std::move(key);
  node.plan_index = plan_index;
  node.twin = twin;
  node.honest = honest;
  node.disk = std::make_unique<SimDisk>("/sim/node-" + std::to_string(nodes_.size()));
  if (plan_index) {
    node.clock_offset_ms = plan_.clock_offset_ms[*plan_index];
    node.timer_rate_per_mille = plan_.timer_rate_per_mille[*plan_index];
  }
  nodes_.push_back(std::move(node));
}

void NodeCluster::Schedule(std::int64_t delay_ms, EventBody body) {
  queue_.At(now_ms_ + std::max<std::int64_t>(delay_ms, 0), std::move(body));
}

void NodeCluster::StartNode(std::size_t index) {
  SimNode& node = nodes_[index];
  node::LedgerOptions options;
  options.data_dir = node.disk->directory();
  options.genesis = fixture_->genesis();
  options.timeouts.base_ms = kRoundTimeoutBaseMs;
  const std::int64_t offset = node.clock_offset_ms;
  const std::int64_t rate = node.timer_rate_per_mille;
  options.clock = [this, offset] { return kClockStartMs + now_ms_ + offset; };
  options.monotonic_clock = [this, rate] { return now_ms_ * rate / 1000; };
  options.make_network =
      [this, index](const node::NetworkSetup& setup,
                    node::FrameHandler handler) -> Result<std::unique_ptr<node::PeerNetwork>> {
    return std::unique_ptr<node::PeerNetwork>(
        std::make_unique<SimNetwork>(*this, index, setup, std::move(handler)));
  };
  options.store.env = node.disk->env();
  options.ordering_driven_by_caller = true;
  options.inject_vote_before_persist_bug = options_.inject_vote_before_persist_bug;
  auto ledger = node::Ledger::Open(std::move(options), CopyKey(node.key));
  if (!ledger.ok()) {
    return Fail("node " + std::to_string(index) +
                " does not start from its disk: " + ledger.status().ToString());
  }
  node.ledger = std::move(*ledger);
  ++node.incarnation;
  node.wake_ms.reset();
  node.armed = false;
  node.ledger->bft_replica()->Start();
  StepNode(index);
}

void NodeCluster::StepNode(std::size_t index) {
  SimNode& node = nodes_[index];
  if (!node.ledger) return;
  node::BftReplica* replica = node.ledger->bft_replica();
  for (std::size_t steps = 0; steps < kStepsPerEventMax && !node.disk->crashed(); ++steps) {
    if (!replica->Step()) break;
  }
  if (node.disk->crashed()) return TearDown(index);
  checker_->AfterStep(index, node.ledger->store());
  ScheduleWake(index);
}

void NodeCluster::ScheduleWake(std::size_t index) {
  SimNode& node = nodes_[index];
  const std::optional<std::int64_t> local = node.ledger->bft_replica()->NextWakeMs();
  if (!local) return;
  const std::int64_t rate = node.timer_rate_per_mille;
  const std::int64_t at = std::max((*local * 1000 + rate - 1) / rate, now_ms_ + 1);
  if (node.wake_ms && *node.wake_ms > now_ms_ && *node.wake_ms <= at) return;  // it reschedules
  node.wake_ms = at;
  Schedule(at - now_ms_, Wake{index, node.incarnation, at});
}

void NodeCluster::TearDown(std::size_t index) {
  SimNode& node = nodes_[index];
  ++result_.crashes;
  if (node.armed) ++result_.torn_syncs;
  Trace(0xDEAD0000ULL + index);
  node.ledger.reset();  // what it did after the crash point never reaches disk or network
  node.network = nullptr;
  node.wake_ms.reset();
  Schedule(healed_ ? 1 : std::max<std::int64_t>(node.restart_ms - now_ms_, 1), Restart{index});
}

bool NodeCluster::LinkOpen(std::size_t from, std::size_t to) const {
  const SimNode& a = nodes_[from];
  const SimNode& b = nodes_[to];
  if (!a.honest && b.plan_index && !plan_.peers_of_twin[a.twin][*b.plan_index]) return false;
  if (!b.honest && a.plan_index && !plan_.peers_of_twin[b.twin][*a.plan_index]) return false;
  if (healed_ || !a.plan_index || !b.plan_index) return true;
  for (const auto& p : plan_.partitions) {
    if (now_ms_ < p.start_ms || now_ms_ >= p.end_ms) continue;
    const auto link = std::make_pair(*a.plan_index, *b.plan_index);
    if (std::find(p.blocked.begin(), p.blocked.end(), link) != p.blocked.end()) return false;
  }
  return true;
}

bool NodeCluster::Connected(std::size_t from, const crypto::PublicKey& to) const {
  for (std::size_t j = 0; j < nodes_.size(); ++j) {
    if (j != from && nodes_[j].key.public_key == to && nodes_[j].ledger && LinkOpen(from, j)) {
      return true;
    }
  }
  return false;
}

void NodeCluster::Transmit(std::size_t from, const crypto::PublicKey& to,
                           const std::string& frame) {
  const SimNode& sender = nodes_[from];
  if (!sender.ledger || sender.disk->crashed()) return;  // lost power in the middle of a step
  ++result_.frames;
  if (sender.honest) checker_->ObserveHonestFrame(frame);
  for (std::size_t j = 0; j < nodes_.size(); ++j) {
    const SimNode& target = nodes_[j];
    if (j == from || target.key.public_key != to || !target.ledger) continue;
    if (!LinkOpen(from, j)) continue;
    const bool faulty = !healed_;
    if (faulty && prng_.Chance(plan_.loss_per_million)) continue;
    const int copies = faulty && prng_.Chance(plan_.duplicate_per_million) ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      std::int64_t delay = prng_.Uniform(plan_.delay_min_ms, healed_ ? 20 : plan_.delay_max_ms);
      if (faulty && prng_.Chance(plan_.reorder_per_million)) delay *= 10;
      std::string copy = frame;
      if (faulty && !copy.empty() && prng_.Chance(plan_.corrupt_per_million)) {
        const auto at =
            static_cast<std::size_t>(prng_.Uniform(0, static_cast<std::int64_t>(copy.size()) - 1));
        copy[at] = static_cast<char>(copy[at] ^ (1 + prng_.Uniform(0, 254)));
      }
      Schedule(delay, Deliver{j, target.incarnation, from, std::move(copy)});
    }
  }
}

std::optional<std::size_t> NodeCluster::PickNode(std::optional<std::size_t> avoid) {
  std::vector<std::size_t> up;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].honest && nodes_[i].ledger && i != avoid) up.push_back(i);
  }
  if (up.empty()) return std::nullopt;
  return up[static_cast<std::size_t>(
      client_prng_.Uniform(0, static_cast<std::int64_t>(up.size()) - 1))];
}

void NodeCluster::Submit(const chaincode::SignedRecord& record, std::optional<std::size_t> avoid) {
  const std::optional<std::size_t> picked = PickNode(avoid);
  if (!picked) return;
  const std::size_t index = *picked;
  SimNode& node = nodes_[index];
  std::vector<node::SubmitOutcome> outcomes = node.ledger->Submit({record});
  const RecordId id = outcomes[0].id;
  const Status& status = outcomes[0].status;
  if (options_.verbose) {
    std::fprintf(stderr, "t=%lld client -> node %zu: record %s: %s\n",
                 static_cast<long long>(now_ms_), index, crypto::ToHex(id).substr(0, 12).c_str(),
                 status.ToString().c_str());
  }
  if (!status.ok() && status.code() != Code::kAlreadyExists) {
    // Refused by a rule: retrying cannot change it. A full mempool or a stalled or following
    // node can: the client tries again later, elsewhere.
    if (status.code() != Code::kResourceExhausted && status.code() != Code::kUnavailable) {
      settled_.insert(id);
    }
    return;
  }
  // Admitted, or already pending or committed here: this node will say when it is committed.
  const std::uint64_t incarnation = node.incarnation;
  node.ledger->WhenCommitted({id}, std::chrono::hours(24), [this, index, incarnation, id] {
    OnCommitted(index, incarnation, id);
  });
  StepNode(index);
}

void NodeCluster::OnCommitted(std::size_t index, std::uint64_t incarnation, const RecordId& id) {
  const SimNode& node = nodes_[index];
  if (tearing_down_ || !node.ledger || node.incarnation != incarnation || node.disk->crashed()) {
    return;  // a node stopping tells its waiters too, and a crashed one acknowledges nothing
  }
  if (!node.ledger->store().FindRecord(id)) return;
  checker_->Acknowledged(index, id);
  settled_.insert(id);
}

bool NodeCluster::Settled(const chaincode::SignedRecord& record) const {
  return settled_.contains(chaincode::ComputeRecordId(record.payload));
}

void NodeCluster::ClientTurn() {
  if (step_ < script_.steps.size()) {
    const ClientStep& step = script_.steps[step_];
    if (!step_submitted_) {
      for (const auto& record : step.records) {
        Submit(record);
        if (step.duplicate_to_two_nodes) Submit(record);
      }
      step_submitted_ = true;
      step_since_ms_ = now_ms_;
    } else if (std::all_of(step.records.begin(), step.records.end(),
                           [this](const auto& record) { return Settled(record); })) {
      ++step_;
      ++result_.client_steps;
      step_submitted_ = false;
    } else if (now_ms_ - step_since_ms_ >= kResubmitAfterMs) {
      for (const auto& record : step.records) {
        if (!Settled(record)) Submit(record);  // the same record again: it counts once (R5)
      }
      step_since_ms_ = now_ms_;
    }
  }
  if (healed_ && !Settled(script_.probe) &&
      (!probe_submitted_ || now_ms_ - probe_since_ms_ >= kResubmitAfterMs)) {
    if (!probe_submitted_) acknowledged_before_probe_ = checker_->acknowledged();
    probe_submitted_ = true;
    probe_since_ms_ = now_ms_;
    Submit(script_.probe);
  }
  Schedule(kClientTickMs, ClientTick{});
}

void NodeCluster::Dispatch(EventBody& body) {
  if (auto* d = std::get_if<Deliver>(&body)) {
    SimNode& node = nodes_[d->node];
    Trace(0x100000ULL + d->node);
    if (!node.ledger || node.incarnation != d->incarnation || node.network == nullptr) return;
    node.network->Receive(KeyOf(d->from_node), std::move(d->frame));
    StepNode(d->node);
  } else if (auto* w = std::get_if<Wake>(&body)) {
    SimNode& node = nodes_[w->node];
    if (!node.ledger || node.incarnation != w->incarnation || node.wake_ms != w->at_ms) return;
    Trace(0x200000ULL + w->node);
    node.wake_ms.reset();
    StepNode(w->node);
  } else if (std::holds_alternative<ClientTick>(body)) {
    ClientTurn();
  } else if (auto* c = std::get_if<Crash>(&body)) {
    SimNode& node = nodes_[c->node];
    if (healed_ || !node.ledger || node.armed) return;
    node.armed = true;
    node.restart_ms = c->restart_ms;
    node.disk->ArmCrash(static_cast<std::uint32_t>(prng_.Uniform(1, kCrashSyncsMax)));
    Schedule(kCrashFallbackMs, CrashFallback{c->node, node.incarnation});
  } else if (auto* f = std::get_if<CrashFallback>(&body)) {
    SimNode& node = nodes_[f->node];
    if (!node.ledger || node.incarnation != f->incarnation || node.disk->crashed()) return;
    if (healed_) {
      node.disk->Disarm();
      node.armed = false;
      return;
    }
    node.armed = false;  // no sync came: the power goes between two steps
    node.disk->CrashNow();
    TearDown(f->node);
  } else if (auto* r = std::get_if<Restart>(&body)) {
    SimNode& node = nodes_[r->node];
    if (node.ledger) return;
    Trace(0x300000ULL + r->node);
    node.disk->Reboot(prng_);
    StartNode(r->node);
    if (node.ledger) checker_->AfterRestart(r->node, node.ledger->store());
  }
}

std::uint64_t NodeCluster::MaxHonestRound() const {
  std::uint64_t round = 0;
  for (const auto& node : nodes_) {
    if (!node.honest || !node.ledger) continue;
    if (auto status = node.ledger->bft_status()) round = std::max(round, status->round);
  }
  return round;
}

void NodeCluster::MaybeHeal() {
  if (healed_ || (now_ms_ < plan_.fault_phase_max_ms && MaxHonestRound() < options_.rounds)) {
    return;
  }
  healed_ = true;
  result_.heal_ms = now_ms_;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    SimNode& node = nodes_[i];
    if (node.ledger && node.armed && !node.disk->crashed()) {
      node.disk->Disarm();
      node.armed = false;
    }
    if (!node.ledger) Schedule(1, Restart{i});
  }
}

// The validators of the latest epoch any node is in.
std::vector<crypto::PublicKey> NodeCluster::LatestValidators() const {
  std::uint64_t epoch = 0;
  std::vector<crypto::PublicKey> validators;
  for (const auto& node : nodes_) {
    if (!node.honest || !node.ledger) continue;
    const auto status = node.ledger->bft_status();
    if (status && (validators.empty() || status->epoch > epoch)) {
      epoch = status->epoch;
      validators = status->validators;
    }
  }
  return validators;
}

bool NodeCluster::InLatestEpoch(const SimNode& node) const {
  const auto validators = LatestValidators();
  return std::find(validators.begin(), validators.end(), node.key.public_key) != validators.end();
}

// Every honest validator of the latest epoch holds the record submitted after the heal, and the
// organizations' script is through. (A node removed from the validators follows only ended
// epochs, and a validator of the new epoch refuses its links, so it is not waited for.)
bool NodeCluster::LivenessReached() const {
  if (!Settled(script_.probe) || step_ < script_.steps.size()) return false;
  const RecordId probe = chaincode::ComputeRecordId(script_.probe.payload);
  for (const auto& node : nodes_) {
    if (!node.honest || !InLatestEpoch(node)) continue;
    if (!node.ledger || !node.ledger->store().FindRecord(probe)) return false;
  }
  return true;
}

void NodeCluster::CheckAtEnd() {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const SimNode& node = nodes_[i];
    if (!node.honest || !node.ledger) continue;
    if (InLatestEpoch(node)) {
      checker_->HoldsAcknowledged(i, node.ledger->store(), acknowledged_before_probe_);
    }
    const auto status = node.ledger->bft_status();
    if (status) result_.epochs = std::max<std::uint64_t>(result_.epochs, status->epoch);
  }
}

void NodeCluster::Fail(const std::string& message) {
  if (!result_.ok) return;
  result_.ok = false;
  std::ostringstream out;
  out << message << " [t=" << now_ms_ << "ms, " << result_.plan
      << "]\n  replay: " << options_.ReplayCommand();
  result_.failure = out.str();
}

NodeSimResult NodeCluster::Run() {
  for (std::size_t i = 0; i < nodes_.size() && result_.ok; ++i) StartNode(i);
  for (const auto& crash : plan_.crashes) {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].plan_index != crash.node || !nodes_[i].honest) continue;
      queue_.At(crash.crash_ms, Crash{i, crash.restart_ms});
    }
  }
  Schedule(kClientTickMs, ClientTick{});
  while (result_.ok && !queue_.empty()) {
    auto event = queue_.Pop();
    now_ms_ = event.time_ms;
    Trace(static_cast<std::uint64_t>(now_ms_));
    Dispatch(event.body);
    if (checker_->failed()) Fail(checker_->failure());
    MaybeHeal();
    if (++result_.events > kEventsMax) Fail("event limit reached (a message storm?)");
    if (!healed_ || !result_.ok) continue;
    if (LivenessReached()) break;
    if (now_ms_ > result_.heal_ms + kLivenessMs) {
      std::string heights;
      for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const auto& node = nodes_[i];
        heights += " node " + std::to_string(i) + (node.honest ? "" : " (twin)") + ": " +
                   (node.ledger ? "height " + std::to_string(node.ledger->store().tip().height) +
                                      (InLatestEpoch(node) ? ", validator" : ", follower")
                                : std::string("down")) +
                   ";";
      }
      Fail("liveness: " + std::to_string(kLivenessMs / 1000) +
           " s after the heal, a record submitted then is not committed on every validator, " +
           "or the organizations' script is stuck (step " + std::to_string(step_) + " of " +
           std::to_string(script_.steps.size()) + ";" + heights + ")");
    }
  }
  if (result_.ok) CheckAtEnd();
  if (checker_->failed()) Fail(checker_->failure());
  result_.virtual_ms = now_ms_;
  result_.height = checker_->highest_height();
  result_.acknowledged = checker_->acknowledged();
  return result_;
}

}  // namespace

std::string NodeSimResult::Summary() const {
  std::ostringstream out;
  out << (ok ? "ok" : "FAILED") << " events=" << events << " frames=" << frames
      << " virtual=" << virtual_ms << "ms heal@" << heal_ms << "ms height=" << height
      << " acknowledged=" << acknowledged << " steps=" << client_steps << " epochs=" << epochs
      << " crashes=" << crashes << " (in a sync: " << torn_syncs << ") trace=" << std::hex
      << trace_digest << std::dec << " (" << plan << ")";
  return out.str();
}

NodeSimResult RunNodeSimulation(const SimOptions& options) { return NodeCluster(options).Run(); }

}  // namespace mbl::sim
