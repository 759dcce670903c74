// The proof bundle of an exit record (issue 5, docs/formats.md "Exit proof bundle"; its names are
// in formats/exit_proof.h): everything a consumer needs to check, without trusting the node that
// served it, that the consortium's validators committed the exit record and what its certified
// result says.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/limits.h"
#include "base/status.h"
#include "chaincode/envelope.h"
#include "consensus/types.h"
#include "formats/block.h"
#include "node/store.h"

namespace mbl::node {

// An RFC 6962 tree kept level by level: level 0 the leaf hashes, each level above the node hashes
// of pairs with an unpaired last node carried up as is, which is the tree of RFC 6962 §2.1. An
// audit path is then one lookup per level instead of rehashing the whole tree.
class MerkleLevels {
 public:
  explicit MerkleLevels(std::vector<crypto::Hash256> leaf_hashes);
  crypto::Hash256 root() const;
  std::uint64_t size() const { return levels_.front().size(); }
  // The audit path of leaf `index` (< size()), nearest sibling first.
  std::vector<crypto::Hash256> InclusionProof(std::uint64_t index) const;

 private:
  std::vector<std::vector<crypto::Hash256>> levels_;
};

// A committed block as exit proofs need it, read, hashed and serialized once: the parts of a
// bundle that never change are kept as JSON text, so that a lookup only joins them.
struct ProofBlock {
  formats::BlockHeader header;
  std::string certificate;
  MerkleLevels records;    // over the records' envelope bytes (the header's records root)
  MerkleLevels results;    // over the results' bytes (the header's results root)
  std::string block_json;  // {"certificate","header"}
  std::string qc_hex;      // hex of the QC that certifies the block (BFT blocks only)
  std::optional<consensus::VoteData> certified;  // what that QC signs (BFT blocks only)
  // Per system exit record, by index: its bundle's "result" and "record" entries.
  struct Exit {
    std::string result_json;
    std::string record_json;
  };
  std::map<std::uint32_t, Exit> exits;
  std::size_t bytes = 0;  // what the entry holds, for the cache's bound
};

// Committed blocks never change, so each is read and hashed once, not once per lookup. Bounded by
// limits::kExitProofCacheBlocksMax entries and limits::kExitProofCacheBytesMax bytes (least
// recently used first out). Thread safe.
class ExitProofCache {
 public:
  ExitProofCache(std::size_t blocks_max = limits::kExitProofCacheBlocksMax,
                 std::size_t bytes_max = limits::kExitProofCacheBytesMax);
  Result<std::shared_ptr<const ProofBlock>> Get(const Store& store, std::uint64_t height);
  std::size_t blocks() const;
  std::size_t bytes() const;

 private:
  struct Entry {
    std::shared_ptr<const ProofBlock> block;
    std::uint64_t last_use = 0;
  };
  void Insert(std::uint64_t height, std::shared_ptr<const ProofBlock> block);

  const std::size_t blocks_max_;
  const std::size_t bytes_max_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, Entry> entries_;
  std::uint64_t uses_ = 0;
  std::size_t bytes_ = 0;
};

// Reads and hashes one committed block for the cache.
Result<std::shared_ptr<const ProofBlock>> LoadProofBlock(const Store& store, std::uint64_t height);

struct ExitProofInputs {
  const Store& store;
  ExitProofCache& cache;
  const std::string& genesis_json;  // the signed genesis record, as envelope JSON text
  const std::string& chain_id;      // hex: the genesis record's id
  bool quorum = false;              // BFT (several validators) rather than one validator
  // ValidatorSetsJson of the store, and the heights at which epochs 1, 2, ... began.
  std::string validator_sets_json;
  std::vector<std::uint64_t> epoch_bases;
  // The QC that proved the last commit (it certifies a block not yet committed), when known.
  std::optional<consensus::QuorumCertificate> last_commit_qc;
  // A block the verifier verified before: shown so that it can detect a fork there.
  std::optional<std::uint64_t> known_height;
};

// The bundle's "validator_sets" (docs/formats.md): the genesis's set (hex keys in index order),
// then for each later epoch its set and what established it: the block of the T1 change, the
// change's certified result with its path, and the end proof of the epoch before (node/epoch.h).
Result<std::string> ValidatorSetsJson(const Store& store, ExitProofCache& cache,
                                      const std::vector<std::string>& genesis_validators,
                                      std::vector<std::uint64_t>& epoch_bases);

// Builds the bundle of the record `record_id` (an exit record) named by `exit_code`, as JSON
// text (docs/formats.md "Exit proof bundle"). `exit_code` is canonical (no JSON escapes needed).
Result<std::string> BuildExitProof(const ExitProofInputs& inputs,
                                   const chaincode::RecordId& record_id,
                                   const std::string& exit_code);

}  // namespace mbl::node
