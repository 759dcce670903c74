#include "tests/sim/node_checker.h"

#include <nlohmann/json.hpp>

#include "base/big_endian.h"
#include "chaincode/credits/accounts.h"
#include "consensus/codec.h"
#include "crypto/encoding.h"
#include "formats/block.h"
#include "node/bft_replica.h"
#include "tests/sim/sim_client.h"

namespace mbl::sim {

NodeChecker::NodeChecker(std::vector<std::vector<chaincode::RecordId>> exclusive_groups)
    : exclusive_groups_(std::move(exclusive_groups)) {}

void NodeChecker::Fail(std::string message) {
  if (failure_.empty()) failure_ = std::move(message);
}

void NodeChecker::AfterStep(std::size_t node, const node::Store& store) {
  const node::Tip tip = store.tip();
  if (tip.empty) return;
  NodeView& view = nodes_[node];
  if (view.checked_any && tip.height <= view.checked_height) return;
  for (std::uint64_t height = view.checked_any ? view.checked_height + 1 : 0;
       height <= tip.height && failure_.empty(); ++height) {
    CheckBlock(node, view, store, height);
  }
  view.checked_height = tip.height;
  view.checked_any = true;
  if (failure_.empty()) CheckState(node, store, tip.height);
}

void NodeChecker::CheckBlock(std::size_t node, NodeView& view, const node::Store& store,
                             std::uint64_t height) {
  const std::string where = "node " + std::to_string(node) + ", height " + std::to_string(height);
  auto block = store.GetBlock(height);
  if (!block.ok())
    return Fail(where + ": committed block unreadable: " + block.status().ToString());
  const crypto::Hash256 hash = formats::BlockHash(block->header);
  auto [known, inserted] = blocks_.try_emplace(height, hash);
  if (!inserted && known->second != hash) {
    return Fail("agreement: " + where + " holds block " + crypto::ToHex(hash) +
                ", another node holds " + crypto::ToHex(known->second));
  }
  for (std::uint32_t index = 0; index < block->records.size(); ++index) {
    auto result = store.GetResult(height, index);
    if (!result.ok()) return Fail(where + ": result unreadable: " + result.status().ToString());
    if (!result->accepted) continue;
    const chaincode::RecordId id = chaincode::ComputeRecordId(block->records[index].payload);
    if (!view.accepted.insert(id).second) {
      return Fail("R5: " + where + " accepts record " + crypto::ToHex(id) + " a second time");
    }
  }
  for (const auto& group : exclusive_groups_) {
    std::size_t accepted = 0;
    for (const auto& id : group) accepted += view.accepted.contains(id) ? 1 : 0;
    if (accepted > 1) {
      return Fail("R5: " + where + " accepts both shipments of a double spend (" +
                  crypto::ToHex(group[0]) + ")");
    }
  }
}

void NodeChecker::CheckState(std::size_t node, const node::Store& store, std::uint64_t height) {
  const std::string where = "node " + std::to_string(node) + " at height " + std::to_string(height);
  auto snapshot = store.Snapshot();
  for (const char* characteristic : kSimCharacteristics) {
    Status conserved = chaincode::CheckConservation(*snapshot, characteristic);
    if (!conserved.ok()) return Fail("R6: " + where + ": " + conserved.message());
  }
  crypto::Sha256Hasher digest;
  snapshot->Scan("", [&](std::string_view key, std::string_view value) {
    if (key.starts_with("c/lot/")) {
      const auto lot = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
      if (lot.is_discarded() || !lot.contains("grams") || !lot["grams"].is_number_unsigned() ||
          lot["grams"].get<std::uint64_t>() == 0) {
        Fail("R4: " + where + ": lot " + std::string(key) +
             " holds no credits: " + std::string(value));
      }
    }
    std::string framed;
    big_endian::PutU32(framed, static_cast<std::uint32_t>(key.size()));
    framed += key;
    big_endian::PutU32(framed, static_cast<std::uint32_t>(value.size()));
    framed += value;
    digest.Update(framed);
    return true;
  });
  const crypto::Hash256 state = digest.Final();
  auto [known, inserted] = states_.try_emplace(height, state);
  if (inserted || known->second == state) return;
  Fail("equal states: " + where + " holds another state than a node at the same height");
}

void NodeChecker::ObserveHonestFrame(std::string_view frame) {
  if (frame.empty() || static_cast<node::FrameKind>(frame[0]) != node::FrameKind::kConsensus) {
    return;
  }
  std::string_view body = frame.substr(1);
  std::uint64_t epoch = 0;
  if (!big_endian::TakeUint(body, 8, epoch)) return;
  auto message = consensus::DecodeMessage(body);
  if (!message.ok()) return;
  const auto* vote = std::get_if<consensus::VoteMsg>(&*message);
  if (vote == nullptr) return;
  const crypto::Hash256 what =
      crypto::Sha256(consensus::VoteSigningBytes(crypto::Hash256{}, vote->vote_data));
  const auto key = std::make_tuple(epoch, vote->voter, vote->vote_data.round);
  auto [known, inserted] = votes_.try_emplace(key, what);
  if (!inserted && known->second != what) {
    Fail("double vote: honest validator " + std::to_string(vote->voter) + " of epoch " +
         std::to_string(epoch) + " signed two different votes in round " +
         std::to_string(vote->vote_data.round));
  }
}

void NodeChecker::Acknowledged(std::size_t node, const chaincode::RecordId& id) {
  nodes_[node].acknowledged.insert(id);
  if (acknowledged_set_.insert(id).second) acknowledged_.push_back(id);
}

void NodeChecker::AfterRestart(std::size_t node, const node::Store& store) {
  for (const auto& id : nodes_[node].acknowledged) {
    if (!store.FindRecord(id)) {
      return Fail("lost: node " + std::to_string(node) + " acknowledged record " +
                  crypto::ToHex(id) + " as committed, and after its crash it is gone");
    }
  }
  AfterStep(node, store);
}

void NodeChecker::HoldsAcknowledged(std::size_t node, const node::Store& store,
                                    std::size_t cutoff) {
  for (std::size_t i = 0; i < cutoff && i < acknowledged_.size(); ++i) {
    if (!store.FindRecord(acknowledged_[i])) {
      return Fail("lost: record " + crypto::ToHex(acknowledged_[i]) +
                  " was acknowledged as committed but node " + std::to_string(node) +
                  " does not hold it at the end");
    }
  }
}

}  // namespace mbl::sim
