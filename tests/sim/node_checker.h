// The invariants the whole-node simulator checks after every step of every node (DESIGN D9):
//  - agreement: every node's store holds the same block at each height;
//  - equal states: two nodes at the same height hold the same state, entry for entry;
//  - R4: no lot holds zero or fewer grams; R6: per characteristic, issued = held + in transit +
//    retired + cancelled + expired + losses (chaincode::CheckConservation), on every node;
//  - R5: no record is accepted twice on a chain, and of two shipments that together spend more
//    than the smelter holds, at most one is accepted;
//  - no double vote: no honest validator signs two different votes in one round of an epoch;
//  - nothing acknowledged is lost: a record a node said was committed is still in its store after
//    any crash, and on every node at the end.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "chaincode/envelope.h"
#include "crypto/sha256.h"
#include "node/store.h"

namespace mbl::sim {

class NodeChecker {
 public:
  explicit NodeChecker(std::vector<std::vector<chaincode::RecordId>> exclusive_groups);

  // After node `node` ran: checks the blocks it committed since it was last checked, and its
  // state at its tip.
  void AfterStep(std::size_t node, const node::Store& store);
  // A frame an honest node sent (consensus frames are checked for double votes).
  void ObserveHonestFrame(std::string_view frame);
  // Node `node` said `id` is committed (a client's wait ended).
  void Acknowledged(std::size_t node, const chaincode::RecordId& id);
  // After node `node` restarted from its disk: nothing it acknowledged is missing.
  void AfterRestart(std::size_t node, const node::Store& store);
  // At the end: every record acknowledged before `cutoff` acknowledgements is on `store`.
  void HoldsAcknowledged(std::size_t node, const node::Store& store, std::size_t cutoff);

  std::size_t acknowledged() const { return acknowledged_.size(); }
  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  std::uint64_t highest_height() const { return blocks_.empty() ? 0 : blocks_.rbegin()->first; }

 private:
  struct NodeView {
    std::uint64_t checked_height = 0;  // blocks up to here were checked
    bool checked_any = false;
    std::set<chaincode::RecordId> accepted;
    std::set<chaincode::RecordId> acknowledged;
  };
  void CheckBlock(std::size_t node, NodeView& view, const node::Store& store, std::uint64_t height);
  void CheckState(std::size_t node, const node::Store& store, std::uint64_t height);
  void Fail(std::string message);

  const std::vector<std::vector<chaincode::RecordId>> exclusive_groups_;
  std::map<std::size_t, NodeView> nodes_;
  std::map<std::uint64_t, crypto::Hash256> blocks_;  // height -> block hash, first seen
  std::map<std::uint64_t, crypto::Hash256> states_;  // height -> digest of the state
  std::map<std::tuple<std::uint64_t, std::uint32_t, std::uint64_t>, crypto::Hash256> votes_;
  std::vector<chaincode::RecordId> acknowledged_;  // in order, each once
  std::set<chaincode::RecordId> acknowledged_set_;
  std::string failure_;
};

}  // namespace mbl::sim
