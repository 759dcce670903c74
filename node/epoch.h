// Validator-set epochs on the node (docs/decisions/0011-validator-set-epochs.md). Epoch n runs
// its own consensus instance: the validator set the state held after block base_n, signatures
// under formats::EpochDomain(chain id, n), and a root block at height base_n built from that
// block's header. The block that changes the set ends the epoch; its commit is proven by a
// formats::CommitProof, kept in the safety column, and served with the epoch's blocks to nodes
// that catch up. The formats and their checks are in formats/epoch.h; here is what reads the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "consensus/core.h"
#include "consensus/types.h"
#include "formats/epoch.h"
#include "node/store.h"

namespace mbl::node {

// What a node needs to reach another validator of an epoch, read from the ledger's state.
struct ValidatorEndpoint {
  crypto::PublicKey key{};
  std::string address;  // host:port of its validator link listener
};

struct EpochSetup {
  std::uint64_t number = 0;
  consensus::Genesis genesis;                 // the epoch's root block (height base_n)
  std::vector<ValidatorEndpoint> validators;  // by validator index
  crypto::Hash256 domain{};
  std::optional<std::uint32_t> self;  // this node's index when it is a validator of the epoch

  std::vector<crypto::PublicKey> keys() const;
};

// The epoch the store's committed state is in, for the node holding `node_key`.
Result<EpochSetup> ReadEpochSetup(const Store& store, const crypto::Hash256& chain_id,
                                  const crypto::PublicKey& node_key);

// The proof that epoch `epoch`'s last block committed, kept in the safety column.
Status PutEpochEnd(Store& store, std::uint64_t epoch, const formats::CommitProof& proof);
std::optional<formats::CommitProof> GetEpochEnd(const Store& store, std::uint64_t epoch);

// The blocks after `after_height` of ended epoch `epoch` (at most `bytes_max` of them, at least
// one), or an error when this store cannot serve them.
Result<formats::SyncChunk> BuildSyncChunk(const Store& store, std::uint64_t epoch,
                                          std::uint64_t after_height, std::size_t bytes_max);

// formats::VerifySyncChunk against the epoch a node is in (`setup`) and the tip of its store.
Result<std::vector<consensus::CommittedBlock>> VerifySyncChunk(const formats::SyncChunk& chunk,
                                                               const EpochSetup& setup,
                                                               const Store& store);

}  // namespace mbl::node
