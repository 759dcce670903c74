#include "node/metrics_text.h"

#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

namespace mbl::node {
namespace {

using Samples = std::vector<std::pair<std::string, double>>;  // labels, value

// One metric family: HELP and TYPE lines, then its samples.
void Family(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            const Samples& samples) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  for (const auto& [labels, value] : samples) {
    char number[64];
    std::snprintf(number, sizeof number, "%.17g", value);
    out.append(name).append(labels).append(" ").append(number).append("\n");
  }
}

void Gauge(std::string& out, std::string_view name, std::string_view help, double value) {
  Family(out, name, "gauge", help, {{"", value}});
}

void Counter(std::string& out, std::string_view name, std::string_view help, double value) {
  Family(out, name, "counter", help, {{"", value}});
}

void ConsensusFamilies(std::string& out, const BftStatus& status) {
  Gauge(out, "mbl_consensus_round", "Current consensus round.", static_cast<double>(status.round));
  Counter(out, "mbl_consensus_blocks_committed_total", "Blocks committed by consensus since start.",
          static_cast<double>(status.blocks_committed));
  Counter(out, "mbl_consensus_rounds_total", "Round changes since start.",
          static_cast<double>(status.rounds_entered));
  Counter(out, "mbl_consensus_timeouts_total", "Local round timeouts since start.",
          static_cast<double>(status.local_timeouts));
  Counter(out, "mbl_consensus_messages_refused_total",
          "Consensus messages refused (bad signature, stale, malformed, queue full).",
          static_cast<double>(status.messages_refused));
  Counter(out, "mbl_safety_data_fsync_seconds_total",
          "Time spent writing and syncing consensus safety data.",
          status.safety_write_seconds_total);
  Counter(out, "mbl_safety_data_writes_total", "Synced safety data writes.",
          static_cast<double>(status.safety_writes));
  Counter(out, "mbl_block_commit_seconds_total", "Time spent writing and syncing committed blocks.",
          status.commit_write_seconds_total);
  Gauge(out, "mbl_consensus_epoch", "Validator-set epoch this node is in.",
        static_cast<double>(status.epoch));
}

void PeerLinkFamilies(std::string& out, const std::vector<PeerNetwork::PeerLink>& links) {
  Samples up, sent, received, dropped;
  for (const auto& link : links) {
    std::string labels = "{peer=\"" + std::to_string(link.index) + "\"}";
    up.emplace_back(labels, link.connected ? 1.0 : 0.0);
    sent.emplace_back(labels, static_cast<double>(link.frames_sent));
    received.emplace_back(labels, static_cast<double>(link.frames_received));
    dropped.emplace_back(labels, static_cast<double>(link.frames_dropped));
  }
  Family(out, "mbl_peer_link_up", "gauge", "1 when the authenticated link to the peer is up.", up);
  Family(out, "mbl_peer_frames_sent_total", "counter", "Frames sent to the peer.", sent);
  Family(out, "mbl_peer_frames_received_total", "counter", "Frames received from the peer.",
         received);
  Family(out, "mbl_peer_frames_dropped_total", "counter",
         "Frames to the peer dropped (queue full or link down).", dropped);
}

}  // namespace

std::string MetricsText(const NodeActivity& activity) {
  std::string out;
  Gauge(out, "mbl_block_height", "Height of the last committed block.",
        static_cast<double>(activity.tip.height));
  Gauge(out, "mbl_mempool_records", "Records admitted and not yet committed.",
        static_cast<double>(activity.mempool_records));
  Gauge(out, "mbl_ordering_healthy", "1 while the node commits, 0 after a commit error.",
        activity.ordering.ok() ? 1.0 : 0.0);
  Gauge(out, "mbl_last_commit_age_seconds", "Seconds since this node last committed.",
        activity.last_commit_age_ms ? static_cast<double>(*activity.last_commit_age_ms) / 1000
                                    : -1.0);
  if (!activity.consensus) return out;
  ConsensusFamilies(out, *activity.consensus);
  PeerLinkFamilies(out, activity.consensus->links);
  return out;
}

}  // namespace mbl::node
