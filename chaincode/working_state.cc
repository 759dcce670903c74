#include "chaincode/working_state.h"

#include <google/protobuf/message.h>

#include <algorithm>

#include "base/check.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {
namespace {

constexpr std::string_view kConservationPrefix = "c/conservation/";
constexpr std::string_view kFlowPrefix = "c/flow/";
constexpr std::string_view kLotPrefix = "c/lot/";
constexpr std::string_view kKeyHolderPrefix = "g/key/";

bool IsTypedKey(std::string_view key) {
  return key.starts_with(kConservationPrefix) || key.starts_with(kFlowPrefix) ||
         key.starts_with(kLotPrefix);
}

using PendingEntries = std::vector<std::pair<std::string, std::optional<std::string>>>;

}  // namespace

WorkingState::WorkingState(const StateReader& base) : base_(base) {}

WorkingState::~WorkingState() = default;

// ---- Bytes --------------------------------------------------------------------------------------

std::optional<std::string> WorkingState::Get(std::string_view key) const {
  if (IsTypedKey(key)) {
    if (key.starts_with(kLotPrefix)) {
      auto it = lots_.find(key);
      if (it != lots_.end() && it->second.state == LotSlot::State::kDeleted) return std::nullopt;
      if (it != lots_.end() && it->second.state == LotSlot::State::kWritten) {
        return EncodeLot(it->second.lot);
      }
    } else if (key.starts_with(kConservationPrefix)) {
      auto it = conservation_.find(key);
      if (it != conservation_.end() && it->second.written) {
        return EncodeConservation(it->second.value);
      }
    } else {
      auto it = flows_.find(key);
      if (it != flows_.end() && it->second.written) return EncodeFlows(it->second.value);
    }
    return base_.Get(key);
  }
  auto it = raw_.find(key);
  if (it != raw_.end()) return it->second;
  return base_.Get(key);
}

bool WorkingState::Contains(std::string_view key) const {
  if (IsTypedKey(key)) return Get(key).has_value();
  auto it = raw_.find(key);
  if (it != raw_.end()) return it->second.has_value();
  return base_.Contains(key);
}

void WorkingState::CollectTyped(std::string_view prefix, PendingEntries& out) const {
  for (auto it = conservation_.lower_bound(prefix);
       it != conservation_.end() && it->first.starts_with(prefix); ++it) {
    if (it->second.written) out.emplace_back(it->first, EncodeConservation(it->second.value));
  }
  for (auto it = flows_.lower_bound(prefix); it != flows_.end() && it->first.starts_with(prefix);
       ++it) {
    if (it->second.written) out.emplace_back(it->first, EncodeFlows(it->second.value));
  }
  for (auto it = lots_.lower_bound(prefix); it != lots_.end() && it->first.starts_with(prefix);
       ++it) {
    if (it->second.state == LotSlot::State::kWritten) {
      out.emplace_back(it->first, EncodeLot(it->second.lot));
    } else if (it->second.state == LotSlot::State::kDeleted) {
      out.emplace_back(it->first, std::nullopt);
    }
  }
}

void WorkingState::Scan(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  // The pending entries under the prefix, bytes and typed alike, in key order (the two sets of
  // keys are disjoint: Put refuses typed keys); then the same merge as OverlayState::Scan.
  PendingEntries pending;
  for (auto it = raw_.lower_bound(prefix); it != raw_.end() && it->first.starts_with(prefix);
       ++it) {
    pending.emplace_back(it->first, it->second);
  }
  CollectTyped(prefix, pending);
  std::sort(pending.begin(), pending.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  auto next = pending.begin();
  bool keep_going = true;
  auto emit_pending = [&] {
    if (next->second.has_value()) keep_going = visit(next->first, *next->second);
    ++next;
  };
  base_.Scan(prefix, [&](std::string_view key, std::string_view value) {
    while (keep_going && next != pending.end() && next->first < key) emit_pending();
    if (!keep_going) return false;
    if (next != pending.end() && next->first == key) {
      emit_pending();
    } else {
      keep_going = visit(key, value);
    }
    return keep_going;
  });
  while (keep_going && next != pending.end()) emit_pending();
}

void WorkingState::Put(std::string key, std::string value) {
  Write(std::move(key), std::move(value));
}

void WorkingState::Delete(std::string key) { Write(std::move(key), std::nullopt); }

void WorkingState::Write(std::string key, std::optional<std::string> value) {
  // Typed entries have typed writers; bytes written beside them would be silently overwritten
  // when the block ends.
  MBL_CHECK_MSG(!IsTypedKey(key), "typed state entry written as bytes: " + key);
  ForgetDecoded(key);
  auto [it, inserted] = raw_.try_emplace(std::move(key));
  if (inserted) {
    journal_.push_back(RawUndo{it, false, std::nullopt});
  } else {
    journal_.push_back(RawUndo{it, true, std::move(it->second)});
  }
  it->second = std::move(value);
}

// ---- Records ------------------------------------------------------------------------------------

void WorkingState::Commit() { journal_.clear(); }

void WorkingState::Rollback() {
  for (auto undo = journal_.rbegin(); undo != journal_.rend(); ++undo) {
    std::visit(
        [this](auto& entry) {
          using Entry = std::decay_t<decltype(entry)>;
          if constexpr (std::is_same_v<Entry, RawUndo>) {
            ForgetDecoded(entry.it->first);
            if (entry.existed) {
              entry.it->second = std::move(entry.old);
            } else {
              raw_.erase(entry.it);
            }
          } else if constexpr (std::is_same_v<Entry, LotInsertUndo>) {
            // Its account may have been loaded since the lot was added: what the base holds
            // under that key (if anything) then belongs in lots_ again.
            std::optional<std::string> base;
            if (InLoadedAccount(entry.it->first)) base = base_.Get(entry.it->first);
            if (base) {
              entry.it->second = LotSlot{};
              entry.it->second.base_json = std::move(*base);
            } else {
              lots_.erase(entry.it);
            }
          } else if constexpr (std::is_same_v<Entry, LotReplaceUndo>) {
            entry.it->second = std::move(*entry.old);
          } else if constexpr (std::is_same_v<Entry, LotChangeUndo>) {
            entry.it->second.state = entry.old_state;
            entry.it->second.lot.grams = entry.old_grams;
          } else {
            entry.it->second = entry.old;  // conservation or flow counters
          }
        },
        *undo);
  }
  journal_.clear();
}

WriteSet WorkingState::TakeWrites() {
  MBL_CHECK(journal_.empty());
  WriteSet writes = std::move(raw_);
  raw_.clear();
  for (auto& [key, slot] : conservation_) {
    if (slot.written) writes.insert_or_assign(key, EncodeConservation(slot.value));
  }
  for (auto& [key, slot] : flows_) {
    if (slot.written) writes.insert_or_assign(key, EncodeFlows(slot.value));
  }
  for (auto& [key, slot] : lots_) {
    if (slot.state == LotSlot::State::kWritten) {
      writes.insert_or_assign(key, EncodeLot(slot.lot));
    } else if (slot.state == LotSlot::State::kDeleted) {
      writes.insert_or_assign(key, std::nullopt);
    }
  }
  return writes;
}

// ---- Reference data -----------------------------------------------------------------------------

void WorkingState::ForgetDecoded(std::string_view key) {
  if (!key.starts_with("g/")) return;
  if (key == keys::Chain()) {
    if (chain_) retired_chains_.push_back(std::move(chain_));
    chain_loaded_ = false;
  } else if (key.starts_with(kKeyHolderPrefix)) {
    auto public_key = crypto::FixedFromHex<crypto::kPublicKeyBytes>(
        key.substr(kKeyHolderPrefix.size()), "key holder");
    auto it = public_key.ok() ? key_holders_.find(*public_key) : key_holders_.end();
    if (it != key_holders_.end()) {
      if (it->second) retired_key_holders_.push_back(std::move(it->second));
      key_holders_.erase(it);
    }
  } else if (auto it = messages_.find(key); it != messages_.end()) {
    if (it->second) retired_messages_.push_back(std::move(it->second));
    messages_.erase(it);
  }
}

const ChainInfo* WorkingState::Chain() {
  if (!chain_loaded_) {
    std::optional<std::string> bytes = Get(keys::Chain());
    if (bytes) chain_ = std::make_unique<ChainInfo>(DecodeChain(*bytes));
    chain_loaded_ = true;
  }
  return chain_.get();
}

const KeyHolder* WorkingState::FindKeyHolder(const crypto::PublicKey& key) {
  auto it = key_holders_.find(key);
  if (it == key_holders_.end()) {
    const std::string holder_key = keys::KeyHolder(key);
    std::optional<std::string> bytes = Get(holder_key);
    it = key_holders_
             .emplace(key, bytes ? std::make_unique<KeyHolder>(DecodeKeyHolder(holder_key, *bytes))
                                 : nullptr)
             .first;
  }
  return it->second.get();
}

const google::protobuf::Message* WorkingState::FindMessage(
    std::string_view key, const google::protobuf::Message& prototype) {
  auto it = messages_.find(key);
  if (it == messages_.end()) {
    std::unique_ptr<google::protobuf::Message> message;
    if (std::optional<std::string> bytes = Get(key)) {
      message.reset(prototype.New());
      // State is written only by this chaincode; unreadable state is corruption, not bad input.
      MBL_CHECK_MSG(message->ParseFromString(*bytes), "corrupt state entry " + std::string(key));
    }
    it = messages_.emplace(std::string(key), std::move(message)).first;
  }
  // One key family holds one message type; asking for another is a bug of the caller.
  MBL_CHECK(!it->second || it->second->GetDescriptor() == prototype.GetDescriptor());
  return it->second.get();
}

// ---- Conservation and flows ---------------------------------------------------------------------

WorkingState::ConservationMap::iterator WorkingState::ConservationSlotFor(
    std::string_view characteristic) {
  scratch_key_.assign(kConservationPrefix);
  scratch_key_.append(characteristic);
  auto it = conservation_.find(scratch_key_);
  if (it == conservation_.end()) {
    ConservationSlot slot;
    if (std::optional<std::string> stored = base_.Get(scratch_key_)) {
      slot.value = DecodeConservation(scratch_key_, *stored);
    }
    it = conservation_.emplace(scratch_key_, slot).first;
  }
  return it;
}

Conservation WorkingState::GetConservation(std::string_view characteristic) {
  return ConservationSlotFor(characteristic)->second.value;
}

void WorkingState::PutConservation(std::string_view characteristic, const Conservation& counters) {
  auto it = ConservationSlotFor(characteristic);
  journal_.push_back(ConservationUndo{it, it->second});
  it->second.value = counters;
  it->second.written = true;
}

void WorkingState::AddFlow(std::string_view key, std::size_t flow, std::uint64_t grams) {
  MBL_CHECK_LT(flow, FlowCounters::kFlows);
  auto it = flows_.find(key);
  if (it == flows_.end()) {
    FlowSlot slot;
    if (std::optional<std::string> stored = base_.Get(key)) slot.value = DecodeFlows(key, *stored);
    it = flows_.emplace(std::string(key), slot).first;
  }
  journal_.push_back(FlowUndo{it, it->second});
  it->second.value.grams[flow] += grams;
  it->second.value.present[flow] = true;
  it->second.written = true;
}

// ---- Lots ---------------------------------------------------------------------------------------

void WorkingState::LoadLots(std::string_view prefix) {
  if (loaded_lot_prefixes_.contains(prefix)) return;
  // Entries already in lots_ are newer than the base (or the same); keep them.
  base_.Scan(prefix, [&](std::string_view key, std::string_view value) {
    auto [it, inserted] = lots_.try_emplace(std::string(key));
    if (inserted) it->second.base_json.assign(value);
    return true;
  });
  loaded_lot_prefixes_.emplace(prefix);
}

bool WorkingState::InLoadedAccount(std::string_view key) const {
  return std::any_of(loaded_lot_prefixes_.begin(), loaded_lot_prefixes_.end(),
                     [&](const std::string& prefix) { return key.starts_with(prefix); });
}

void WorkingState::DecodeSlot(std::string_view key, LotSlot& slot) {
  if (slot.decoded) return;
  slot.lot = DecodeLot(key, slot.base_json);
  slot.decoded = true;
}

void WorkingState::LotRef::SetGrams(std::uint64_t grams) {
  owner_.journal_.push_back(LotChangeUndo{it_, it_->second.state, it_->second.lot.grams});
  it_->second.lot.grams = grams;
  it_->second.state = LotSlot::State::kWritten;
}

void WorkingState::LotRef::Delete() {
  owner_.journal_.push_back(LotChangeUndo{it_, it_->second.state, it_->second.lot.grams});
  it_->second.state = LotSlot::State::kDeleted;
}

void WorkingState::AddLot(std::string key, Portion lot) {
  MBL_CHECK(key.starts_with(kLotPrefix));
  auto [it, inserted] = lots_.try_emplace(std::move(key));
  if (inserted) {
    journal_.push_back(LotInsertUndo{it});
  } else {
    journal_.push_back(LotReplaceUndo{it, std::make_unique<LotSlot>(std::move(it->second))});
  }
  it->second.state = LotSlot::State::kWritten;
  it->second.decoded = true;
  it->second.base_json.clear();
  it->second.lot = std::move(lot);
}

}  // namespace mbl::chaincode
