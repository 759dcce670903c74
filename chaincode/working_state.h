// The block's working set (docs/benchmarks.md, "Chaincode alone"): everything ExecuteBlock reads
// and writes while it applies one block, over the state the block starts from.
//
// Reference data (chain, key holders, organizations, sites, characteristics, ...) is decoded
// once per block and kept; conservation counters, flows and lots are kept typed and encoded once
// per touched entry when the block ends (TakeWrites), instead of a JSON round trip per record.
// Every other entry is kept as bytes, as an OverlayState would.
//
// Per-record atomicity: every change since the last Commit() is journaled, and Rollback() undoes
// them in reverse order, so a rejected record leaves the working set exactly as it found it.
//
// Determinism: iteration that reaches the output (TakeWrites, Scan, lots of an account) is over
// ordered maps by key, the same order an ordered scan of the state has.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "chaincode/credits/credit_values.h"
#include "chaincode/state.h"
#include "crypto/ed25519.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace mbl::chaincode {

struct ChainInfo;  // registry.h
struct KeyHolder;  // registry.h

class WorkingState final : public StateReader {
 public:
  explicit WorkingState(const StateReader& base);
  ~WorkingState() override;
  WorkingState(const WorkingState&) = delete;
  WorkingState& operator=(const WorkingState&) = delete;

  // ---- Bytes, as the current record sees them. Typed entries read this way are encoded on the
  // fly (only reads that are not on a hot path do so: period statements, checks).
  std::optional<std::string> Get(std::string_view key) const override;
  void Scan(std::string_view prefix,
            const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const override;
  // Get(key).has_value(), without copying a value that the working set holds.
  bool Contains(std::string_view key) const override;

  // Writes of entries outside the typed families (c/conservation/, c/flow/, c/lot/).
  void Put(std::string key, std::string value);
  void Delete(std::string key);

  void Commit();
  void Rollback();

  // The block's net writes, typed entries encoded; the working set is spent afterwards.
  WriteSet TakeWrites();

  // ---- Reference data, decoded on first use in the block; nullptr when absent. A pointer stays
  // valid until the end of the block, showing the value it was read as, even if the entry is
  // written meanwhile.
  const ChainInfo* Chain();
  const KeyHolder* FindKeyHolder(const crypto::PublicKey& key);
  // The Protobuf message stored under `key`, parsed as `prototype`'s type.
  const google::protobuf::Message* FindMessage(std::string_view key,
                                               const google::protobuf::Message& prototype);

  // ---- Conservation counters of a characteristic (zero when none are stored).
  Conservation GetConservation(std::string_view characteristic);
  void PutConservation(std::string_view characteristic, const Conservation& counters);

  // ---- Flows: adds grams to one flow of the counters stored under `key` (c/flow/...).
  void AddFlow(std::string_view key, std::size_t flow, std::uint64_t grams);

  // ---- Lots: entries c/lot/..., in key order. An account's lots are the keys under its prefix.
  struct LotSlot {
    enum class State : std::uint8_t { kBase, kWritten, kDeleted };
    State state = State::kBase;
    bool decoded = false;
    std::string base_json;  // as read from the base (kBase, before it is decoded)
    Portion lot;            // once decoded, or as written
  };
  using LotMap = std::map<std::string, LotSlot, KeyLess>;

  // A lot met while visiting an account; it may be changed or deleted.
  class LotRef {
   public:
    const Portion& lot() const { return it_->second.lot; }
    const std::string& key() const { return it_->first; }
    void SetGrams(std::uint64_t grams);
    void Delete();

   private:
    friend class WorkingState;
    LotRef(WorkingState& owner, LotMap::iterator it) : owner_(owner), it_(it) {}
    WorkingState& owner_;
    LotMap::iterator it_;
  };

  // Visits the lots whose keys start with `prefix`, in key order (oldest issuance first within
  // an account), until `visit(LotRef&)` returns false. Lots added meanwhile may be visited too.
  template <typename Visit>
  void VisitLots(std::string_view prefix, Visit&& visit) {
    LoadLots(prefix);
    for (auto it = lots_.lower_bound(prefix); it != lots_.end() && it->first.starts_with(prefix);
         ++it) {
      if (it->second.state == LotSlot::State::kDeleted) continue;
      DecodeSlot(it->first, it->second);
      LotRef lot(*this, it);
      if (!visit(lot)) return;
    }
  }
  void AddLot(std::string key, Portion lot);

 private:
  struct ConservationSlot {
    Conservation value;
    bool written = false;
  };
  struct FlowSlot {
    FlowCounters value;
    bool written = false;
  };
  using ConservationMap = std::map<std::string, ConservationSlot, KeyLess>;
  using FlowMap = std::map<std::string, FlowSlot, KeyLess>;

  // Journal entries, one kind per change.
  struct RawUndo {
    WriteSet::iterator it;
    bool existed;
    std::optional<std::string> old;
  };
  struct LotInsertUndo {
    LotMap::iterator it;
  };
  struct LotReplaceUndo {  // rare (a lot id written twice): kept out of line
    LotMap::iterator it;
    std::unique_ptr<LotSlot> old;
  };
  struct LotChangeUndo {
    LotMap::iterator it;
    LotSlot::State old_state;
    std::uint64_t old_grams;
  };
  struct ConservationUndo {
    ConservationMap::iterator it;
    ConservationSlot old;
  };
  struct FlowUndo {
    FlowMap::iterator it;
    FlowSlot old;
  };
  using Undo = std::variant<RawUndo, LotInsertUndo, LotReplaceUndo, LotChangeUndo, ConservationUndo,
                            FlowUndo>;

  void Write(std::string key, std::optional<std::string> value);
  // A write (or its undo) of reference data drops what was decoded from it.
  void ForgetDecoded(std::string_view key);
  void LoadLots(std::string_view prefix);
  bool InLoadedAccount(std::string_view key) const;
  static void DecodeSlot(std::string_view key, LotSlot& slot);
  ConservationMap::iterator ConservationSlotFor(std::string_view characteristic);
  // Entries of the typed families under `prefix` that differ from the base, encoded.
  void CollectTyped(std::string_view prefix,
                    std::vector<std::pair<std::string, std::optional<std::string>>>& out) const;

  const StateReader& base_;
  WriteSet raw_;
  std::vector<Undo> journal_;

  ConservationMap conservation_;
  FlowMap flows_;
  LotMap lots_;
  std::set<std::string, KeyLess> loaded_lot_prefixes_;

  bool chain_loaded_ = false;
  std::unique_ptr<ChainInfo> chain_;
  std::map<crypto::PublicKey, std::unique_ptr<KeyHolder>> key_holders_;
  std::map<std::string, std::unique_ptr<google::protobuf::Message>, KeyLess> messages_;
  // Decoded values written over during the block, kept so that pointers handed out stay valid.
  std::vector<std::unique_ptr<ChainInfo>> retired_chains_;
  std::vector<std::unique_ptr<KeyHolder>> retired_key_holders_;
  std::vector<std::unique_ptr<google::protobuf::Message>> retired_messages_;

  std::string scratch_key_;  // lookups build their keys here, without allocating each time
};

}  // namespace mbl::chaincode
