// A deterministic in-memory ledger for the fuzz targets and their seed generator: the same keys,
// genesis, chain id and credit state on every run, so that seeds made once (make_seeds.cc) stay
// valid records for the target that replays them (record_fuzz.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chaincode/executor.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/state.h"
#include "crypto/ed25519.h"

namespace mbl::fuzz {

// The organizations and roles of the ledger; a key is chosen by a selector byte:
// kOrgs[selector % 15 / 3] with kRoles[selector % 3].
inline constexpr const char* kOrgs[] = {"rs", "cb", "smelter", "wiremaker", "brand"};
inline constexpr v1::Role kRoles[] = {v1::TOP_MANAGEMENT, v1::OPERATION_RESPONSIBLE,
                                      v1::EVALUATION_RESPONSIBLE};
inline constexpr std::size_t kKeyCount = 15;
inline constexpr std::int64_t kGenesisTimeMs = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

std::uint8_t Selector(const std::string& org, v1::Role role);
// The deterministic key of `org`/`role`, and of validator `index`.
const crypto::KeyPair& LedgerKey(std::uint8_t selector);
const crypto::KeyPair& ValidatorKey(std::size_t index);

// Genesis (five organizations, one validator), the value chain (two characteristics, three
// product groups, the CB accredited, a site "main" per value-chain organization, a factor at the
// wire maker), certified credits at the smelter, one shipment in transit to the wire maker, one
// confirmed shipment, and one certificate request not yet decided. Two variants: 0 enacts
// membership changes at once (membership quorum 0); 1 needs one approval (quorum 1) and holds a
// pending proposal.
class FuzzLedger {
 public:
  static constexpr int kVariants = 2;
  // Built once per process; never changes after construction.
  static const FuzzLedger& Get(int variant = 0);

  const chaincode::MemoryState& state() const { return state_; }
  const crypto::Hash256& state_root() const { return state_root_; }
  const std::string& chain_id() const { return chain_id_; }  // raw 32 bytes
  const chaincode::SignedRecord& genesis() const { return genesis_; }
  std::uint64_t height() const { return height_; }
  // The time of the next block, which the fuzz target executes its records in.
  std::int64_t next_time_ms() const { return time_ms_ + 1000; }

  // Record ids (hex) of records in the state, for seeds that refer to them.
  const std::string& open_request_id() const { return open_request_id_; }
  const std::string& in_transit_shipment_id() const { return in_transit_shipment_id_; }
  const std::string& confirmed_shipment_id() const { return confirmed_shipment_id_; }
  const std::string& pending_proposal_id() const { return pending_proposal_id_; }  // variant 1

  // Completes `record` (version, chain id, author, a counter nonce, validity to 12 h after the
  // next block) and serializes it deterministically.
  std::string Payload(v1::Record record, const std::string& org, std::uint64_t nonce) const;
  chaincode::SignedRecord Sign(v1::Record record, const std::string& org, v1::Role role,
                               std::uint64_t nonce) const;

 private:
  explicit FuzzLedger(int variant);
  chaincode::RecordResult Commit(const chaincode::SignedRecord& record);
  std::string CommitOrDie(const std::string& org, v1::Role role, const v1::Record& record);

  chaincode::MemoryState state_;
  crypto::Hash256 state_root_{};
  std::int64_t time_ms_ = kGenesisTimeMs;
  std::uint64_t height_ = 0;
  std::uint64_t nonce_ = 0;
  bool first_block_ = true;
  std::string chain_id_;
  chaincode::SignedRecord genesis_;
  std::string open_request_id_;
  std::string in_transit_shipment_id_;
  std::string confirmed_shipment_id_;
  std::string pending_proposal_id_;
};

}  // namespace mbl::fuzz
