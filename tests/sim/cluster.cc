#include "tests/sim/cluster.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <queue>
#include <sstream>
#include <variant>
#include <vector>

#include "base/check.h"
#include "consensus/codec.h"
#include "consensus/core.h"
#include "crypto/sha256.h"
#include "tests/sim/checker.h"
#include "tests/sim/event_queue.h"
#include "tests/sim/sim_host.h"

namespace mbl::sim {
namespace {

using consensus::ConsensusCore;
using consensus::Output;

constexpr std::int64_t kRoundTimeoutBaseMs = 1'000;
constexpr std::int64_t kPersistDelayMaxMs = 5;
constexpr std::uint64_t kEventsMax = 20'000'000;

struct Instance {
  ValidatorIndex validator = 0;
  int twin = 0;  // 0, or 1 for the second instance of the twin validator
  bool honest = true;
  bool up = false;
  std::uint64_t incarnation = 0;
  std::uint64_t timer_generation = 0;
  Disk disk;
  std::unique_ptr<consensus::KeyPairSigner> signer;
  std::unique_ptr<SimHost> host;
  std::unique_ptr<ConsensusCore> core;
  std::map<std::uint64_t, consensus::PersistSafetyData> pending_persists;
};

struct Deliver {
  std::size_t instance;
  ValidatorIndex from;
  std::string bytes;
};
struct TimerFire {
  std::size_t instance;
  std::uint64_t incarnation;
  std::uint64_t generation;
  Round round;
};
struct PersistAck {
  std::size_t instance;
  std::uint64_t incarnation;
  std::uint64_t sequence;
};
struct CrashNode {
  std::size_t instance;
};
struct RestartNode {
  std::size_t instance;
};
using EventBody = std::variant<Deliver, TimerFire, PersistAck, CrashNode, RestartNode>;

crypto::KeyPair SimKey(std::uint64_t seed, ValidatorIndex index) {
  const auto digest = crypto::Sha256Hasher()
                          .Update("mbl-sim-key")
                          .UpdateU64BigEndian(seed)
                          .UpdateU32BigEndian(index)
                          .Final();
  return crypto::KeyPair::FromSeed(digest);
}

SimOptions CoreOnly(SimOptions options) {
  options.core_only = true;
  return options;
}

class Cluster {
 public:
  explicit Cluster(const SimOptions& options);
  SimResult Run();

 private:
  void Schedule(std::int64_t delay_ms, EventBody body);
  void Dispatch(EventBody& body);
  void StartInstance(std::size_t index);
  void CrashInstance(std::size_t index);
  void Apply(std::size_t index, Output output);
  void Broadcast(const Instance& from, const consensus::Message& message);
  void ForkAttack(const Instance& twin, const consensus::ProposalMsg& honest_proposal);
  void Send(const Instance& from, ValidatorIndex to, const consensus::Message& message);
  bool LinkOpen(const Instance& from, const Instance& to) const;
  void MaybeHeal();
  bool LivenessReached() const;
  Round MaxHonestRound() const;
  void Trace(std::uint64_t value) {
    result_.trace_digest = result_.trace_digest * 1099511628211ULL ^ value;
  }
  void Fail(const std::string& message);

  const SimOptions options_;
  const FaultPlan plan_;
  Prng prng_;
  std::vector<crypto::KeyPair> keys_;
  std::optional<consensus::ValidatorSet> validators_;
  crypto::Hash256 chain_id_;
  consensus::Genesis genesis_;
  std::vector<Instance> instances_;
  std::optional<SafetyChecker> checker_;
  EventQueue<EventBody> queue_;
  std::int64_t now_ms_ = 0;
  bool healed_ = false;
  SimResult result_;
};

Cluster::Cluster(const SimOptions& options)
    : options_(options), plan_(MakeFaultPlan(options)), prng_(options.seed) {
  MBL_CHECK(crypto::InitializeCrypto().ok());
  const std::size_t n = options_.nodes;
  std::vector<crypto::PublicKey> public_keys;
  keys_.reserve(n);
  for (ValidatorIndex v = 0; v < n; ++v) {
    keys_.push_back(SimKey(options_.seed, v));
    public_keys.push_back(keys_.back().public_key);
  }
  validators_.emplace(std::move(consensus::ValidatorSet::Create(public_keys)).value());
  chain_id_ = crypto::Sha256("mbl-sim-chain");
  genesis_.time_ms = 0;
  genesis_.execution.state_root = crypto::Sha256("mbl-sim-genesis-state");
  std::set<ValidatorIndex> byzantine;
  for (ValidatorIndex v = 0; v < n; ++v) {
    const int copies = plan_.twin == v ? 2 : 1;
    for (int twin = 0; twin < copies; ++twin) {
      Instance instance;
      instance.validator = v;
      instance.twin = twin;
      instance.honest = plan_.twin != v;
      instances_.push_back(std::move(instance));
    }
    if (plan_.twin == v) byzantine.insert(v);
  }
  checker_.emplace(*validators_, chain_id_, consensus::MakeGenesisBlock(genesis_), byzantine);
  result_.plan = plan_.Describe();
}

void Cluster::Schedule(std::int64_t delay_ms, EventBody body) {
  queue_.At(now_ms_ + std::max<std::int64_t>(delay_ms, 0), std::move(body));
}

void Cluster::StartInstance(std::size_t index) {
  Instance& in = instances_[index];
  ++in.incarnation;
  in.up = true;
  in.pending_persists.clear();
  consensus::RecoveryState recovery;
  if (in.disk.safety_data) {
    auto decoded = consensus::DecodeSafetyData(*in.disk.safety_data);
    MBL_CHECK_MSG(decoded.ok(), decoded.status().ToString());
    recovery.safety_data = std::move(decoded).value();
  }
  if (!in.disk.committed.empty()) recovery.committed_root = in.disk.committed.back();
  for (const auto& [id, block] : in.disk.voted_blocks) {
    if (block.height > in.disk.committed.size()) recovery.voted_blocks.push_back(block);
  }
  const ValidatorIndex v = in.validator;
  const std::int64_t offset_ms = plan_.clock_offset_ms[v];
  in.signer = std::make_unique<consensus::KeyPairSigner>(keys_[v]);
  in.host = std::make_unique<SimHost>(v, in.twin, in.disk,
                                      [this, offset_ms] { return now_ms_ + offset_ms; });
  consensus::ConsensusConfig config{*validators_, v, chain_id_, genesis_,
                                    consensus::TimeoutPolicy{kRoundTimeoutBaseMs, 6}};
  in.core = std::make_unique<ConsensusCore>(
      std::move(config), consensus::ConsensusDependencies{*in.host, *in.host, *in.signer, *in.host},
      std::move(recovery));
  Apply(index, in.core->Start());
}

void Cluster::CrashInstance(std::size_t index) {
  Instance& in = instances_[index];
  if (!in.up) return;
  in.up = false;
  in.core.reset();
  in.host.reset();
  in.pending_persists.clear();  // never acknowledged: lost with the process
}

bool Cluster::LinkOpen(const Instance& from, const Instance& to) const {
  if (!from.honest && !plan_.peers_of_twin[from.twin][to.validator]) return false;
  if (!to.honest && !plan_.peers_of_twin[to.twin][from.validator]) return false;
  if (healed_) return true;
  for (const auto& p : plan_.partitions) {
    if (now_ms_ < p.start_ms || now_ms_ >= p.end_ms) continue;
    const auto link = std::make_pair(from.validator, to.validator);
    if (std::find(p.blocked.begin(), p.blocked.end(), link) != p.blocked.end()) return false;
  }
  return true;
}

void Cluster::Send(const Instance& from, ValidatorIndex to, const consensus::Message& message) {
  const std::string bytes = consensus::EncodeMessage(message);
  for (std::size_t i = 0; i < instances_.size(); ++i) {
    const Instance& target = instances_[i];
    if (target.validator != to) continue;
    ++result_.messages;
    if (!LinkOpen(from, target)) continue;
    const bool faulty = !healed_;
    if (faulty && prng_.Chance(plan_.loss_per_million)) continue;
    const int copies = faulty && prng_.Chance(plan_.duplicate_per_million) ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      std::int64_t delay = prng_.Uniform(plan_.delay_min_ms, healed_ ? 20 : plan_.delay_max_ms);
      if (faulty && prng_.Chance(plan_.reorder_per_million)) delay *= 10;
      std::string copy = bytes;
      if (faulty && prng_.Chance(plan_.corrupt_per_million)) {
        const auto at =
            static_cast<std::size_t>(prng_.Uniform(0, static_cast<std::int64_t>(copy.size()) - 1));
        copy[at] = static_cast<char>(copy[at] ^ (1 + prng_.Uniform(0, 254)));
      }
      Schedule(delay, Deliver{i, from.validator, std::move(copy)});
    }
  }
}

void Cluster::Broadcast(const Instance& from, const consensus::Message& message) {
  for (ValidatorIndex v = 0; v < options_.nodes; ++v) {
    if (v != from.validator) Send(from, v, message);
  }
}

// A Byzantine proposal of the same round extending the grandparent of the twin's high-QC block,
// justified by the same TC, plus the twin's vote for it. Safe code refuses it whenever the TC
// reports a higher QC than the fork's.
void Cluster::ForkAttack(const Instance& twin, const consensus::ProposalMsg& honest_proposal) {
  if (!honest_proposal.last_round_tc) return;
  const Block* parent = twin.core->FindBlock(honest_proposal.block.parent_id());
  if (parent == nullptr || parent->height == 0) return;
  const Block* grandparent = twin.core->FindBlock(parent->parent_id());
  if (grandparent == nullptr) return;
  Block fork;
  fork.round = honest_proposal.block.round;
  fork.height = grandparent->height + 1;
  fork.time_ms = parent->time_ms;
  fork.author = twin.validator;
  fork.qc = parent->qc;
  fork.payload = std::string(kSimPayloadPrefix) + "fork-" + std::to_string(fork.round);
  fork.execution = FakeExecute(fork, grandparent->execution);
  consensus::SealBlock(fork);
  const auto& key = keys_[twin.validator].secret_key;
  consensus::ProposalMsg attack{fork, honest_proposal.last_round_tc, {}};
  attack.signature = crypto::Sign(key, consensus::ProposalSigningBytes(chain_id_, fork.id));
  Broadcast(twin, attack);
  consensus::VoteMsg vote;
  vote.vote_data = consensus::VoteData{fork.id,          fork.round,      fork.height,
                                       fork.parent_id(), fork.qc.round(), fork.execution};
  vote.voter = twin.validator;
  vote.signature = crypto::Sign(key, consensus::VoteSigningBytes(chain_id_, vote.vote_data));
  Send(twin, validators_->LeaderOf(fork.round + 1), vote);
}

void Cluster::Apply(std::size_t index, Output output) {
  if (!output.status.ok()) {
    ++result_.messages_rejected;
    if (options_.verbose) {
      std::fprintf(stderr, "t=%lld v%u.%d: %s\n", static_cast<long long>(now_ms_),
                   instances_[index].validator, instances_[index].twin,
                   output.status.ToString().c_str());
    }
  }
  for (auto& action : output.actions) {
    Instance& in = instances_[index];
    Trace(action.index() + 16 * index);
    const auto observe = [&](const consensus::Message& m) { checker_->ObserveMessage(m); };
    std::visit(
        [&](auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, consensus::BroadcastProposal>) {
            observe(a.proposal);
            Broadcast(in, a.proposal);
            if (!in.honest && plan_.fork_attack) ForkAttack(in, a.proposal);
          } else if constexpr (std::is_same_v<T, consensus::SendVote>) {
            observe(a.vote);
            Send(in, a.to, a.vote);
          } else if constexpr (std::is_same_v<T, consensus::BroadcastTimeout>) {
            observe(a.timeout);
            Broadcast(in, a.timeout);
          } else if constexpr (std::is_same_v<T, consensus::SendSyncInfo>) {
            observe(a.sync_info);
            Send(in, a.to, a.sync_info);
          } else if constexpr (std::is_same_v<T, consensus::RequestBlocks>) {
            Send(in, a.to, a.request);
          } else if constexpr (std::is_same_v<T, consensus::SendBlocks>) {
            Send(in, a.to, a.response);
          } else if constexpr (std::is_same_v<T, consensus::PersistSafetyData>) {
            const std::uint64_t sequence = a.sequence;
            in.pending_persists.emplace(sequence, std::move(a));
            Schedule(prng_.Uniform(0, kPersistDelayMaxMs),
                     PersistAck{index, in.incarnation, sequence});
          } else if constexpr (std::is_same_v<T, consensus::CommitBlocks>) {
            if (in.honest) checker_->ObserveCommit(in.validator, in.disk, a);
            if (options_.verbose) {
              std::fprintf(stderr, "t=%lld v%u.%d: commits up to height %llu (round %llu)\n",
                           static_cast<long long>(now_ms_), in.validator, in.twin,
                           static_cast<unsigned long long>(a.blocks.back().block.height),
                           static_cast<unsigned long long>(a.blocks.back().block.round));
            }
            for (auto& committed : a.blocks) in.disk.committed.push_back(std::move(committed));
            const Height height = in.disk.committed.size();
            std::erase_if(in.disk.voted_blocks,
                          [height](const auto& entry) { return entry.second.height <= height; });
          } else if constexpr (std::is_same_v<T, consensus::ScheduleTimeout>) {
            const auto rate = plan_.timer_rate_per_mille[in.validator];
            Schedule(a.duration_ms * rate / 1000,
                     TimerFire{index, in.incarnation, ++in.timer_generation, a.round});
          }
        },
        action);
  }
}

void Cluster::Dispatch(EventBody& body) {
  if (auto* d = std::get_if<Deliver>(&body)) {
    Instance& in = instances_[d->instance];
    if (!in.up) return;
    auto message = consensus::DecodeMessage(d->bytes);
    if (!message.ok()) {
      ++result_.messages_rejected;
      return;
    }
    Apply(d->instance, in.core->OnMessage(d->from, *message));
  } else if (auto* t = std::get_if<TimerFire>(&body)) {
    Instance& in = instances_[t->instance];
    if (!in.up || in.incarnation != t->incarnation || in.timer_generation != t->generation) return;
    Apply(t->instance, in.core->OnLocalTimeout(t->round));
  } else if (auto* p = std::get_if<PersistAck>(&body)) {
    Instance& in = instances_[p->instance];
    if (!in.up || in.incarnation != p->incarnation) return;
    bool wrote = false;
    while (!in.pending_persists.empty() && in.pending_persists.begin()->first <= p->sequence) {
      auto& request = in.pending_persists.begin()->second;
      in.disk.safety_data = consensus::EncodeSafetyData(request.safety_data);
      if (request.voted_block) {
        in.disk.voted_blocks[request.voted_block->id] = *request.voted_block;
      }
      in.pending_persists.erase(in.pending_persists.begin());
      wrote = true;
    }
    if (wrote) Apply(p->instance, in.core->OnSafetyDataPersisted(p->sequence));
  } else if (auto* c = std::get_if<CrashNode>(&body)) {
    if (!healed_) CrashInstance(c->instance);
  } else if (auto* r = std::get_if<RestartNode>(&body)) {
    if (!instances_[r->instance].up) StartInstance(r->instance);
  }
}

Round Cluster::MaxHonestRound() const {
  Round max_round = 0;
  for (const auto& in : instances_) {
    if (in.honest && in.up) max_round = std::max(max_round, in.core->current_round());
  }
  return max_round;
}

void Cluster::MaybeHeal() {
  if (healed_ || (now_ms_ < plan_.fault_phase_max_ms && MaxHonestRound() < options_.rounds)) {
    return;
  }
  healed_ = true;
  result_.heal_ms = now_ms_;
  for (std::size_t i = 0; i < instances_.size(); ++i) {
    if (!instances_[i].up) StartInstance(i);
  }
  result_.heal_round = MaxHonestRound();
}

bool Cluster::LivenessReached() const {
  return std::all_of(instances_.begin(), instances_.end(), [this](const Instance& in) {
    return !in.honest || in.core->committed_root().block.round > result_.heal_round;
  });
}

void Cluster::Fail(const std::string& message) {
  if (!result_.ok) return;
  result_.ok = false;
  std::ostringstream out;
  out << message << " [t=" << now_ms_ << "ms, " << result_.plan
      << "]\n  replay: " << CoreOnly(options_).ReplayCommand();
  result_.failure = out.str();
}

SimResult Cluster::Run() {
  for (std::size_t i = 0; i < instances_.size(); ++i) StartInstance(i);
  for (const auto& crash : plan_.crashes) {
    for (std::size_t i = 0; i < instances_.size(); ++i) {
      if (instances_[i].validator != crash.node || !instances_[i].honest) continue;
      Schedule(crash.crash_ms, CrashNode{i});
      Schedule(crash.restart_ms, RestartNode{i});
    }
  }
  // Rounds after the heal wait at most base * 1.5^6, stretched by the slowest clock.
  const std::int64_t round_wait_max_ms = kRoundTimeoutBaseMs * 12 * 1150 / 1000;
  const Round rounds_max = LivenessRoundsMax(options_.nodes);
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
    if (MaxHonestRound() > result_.heal_round + rounds_max) {
      Fail("liveness: no commit of a post-heal block on every honest node within " +
           std::to_string(rounds_max) + " rounds of the heal (heal round " +
           std::to_string(result_.heal_round) + ")");
    } else if (now_ms_ >
               result_.heal_ms + static_cast<std::int64_t>(rounds_max + 2) * round_wait_max_ms) {
      Fail("liveness: rounds stopped advancing after the heal (heal round " +
           std::to_string(result_.heal_round) + ", max round now " +
           std::to_string(MaxHonestRound()) + ")");
    }
  }
  result_.virtual_ms = now_ms_;
  result_.equivocations = checker_->equivocations();
  result_.max_round = MaxHonestRound();
  result_.min_committed_height = UINT64_MAX;
  for (const auto& in : instances_) {
    if (in.honest) {
      result_.min_committed_height =
          std::min<std::uint64_t>(result_.min_committed_height, in.disk.committed.size());
    }
  }
  return result_;
}

}  // namespace

Round LivenessRoundsMax(std::size_t nodes) { return 3 * nodes + 10; }

std::string SimResult::Summary() const {
  std::ostringstream out;
  out << (ok ? "ok" : "FAILED") << " events=" << events << " messages=" << messages
      << " rejected=" << messages_rejected << " virtual=" << virtual_ms << "ms heal@" << heal_ms
      << "ms/round " << heal_round << " max_round=" << max_round
      << " committed>=" << min_committed_height << " equivocations=" << equivocations
      << " trace=" << std::hex << trace_digest << std::dec << " (" << plan << ")";
  return out.str();
}

SimResult RunSimulation(const SimOptions& options) { return Cluster(options).Run(); }

}  // namespace mbl::sim
