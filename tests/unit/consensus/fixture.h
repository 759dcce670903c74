// Builders for consensus unit tests: a validator set with known keys, blocks on a fake executor,
// and votes, QCs, timeouts and TCs signed by chosen validators.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "consensus/codec.h"
#include "consensus/core.h"
#include "crypto/sha256.h"

namespace mbl::consensus::testing {

ExecutionResult FakeExecute(const Block& block, const ExecutionResult& parent);

class Fixture {
 public:
  explicit Fixture(std::size_t n);

  const ValidatorSet& validators() const { return validators_; }
  const crypto::Hash256& chain_id() const { return chain_id_; }
  const Genesis& genesis() const { return genesis_; }
  const Block& genesis_block() const { return genesis_block_; }
  const QuorumCertificate& genesis_qc() const { return genesis_qc_; }
  const crypto::KeyPair& key(ValidatorIndex v) const { return keys_[v]; }
  ConsensusConfig Config(ValidatorIndex self) const;

  // A block of `round` extending `parent` (certified by `parent_qc`), authored by the round's
  // leader unless `author` is given, executed with FakeExecute.
  Block MakeBlock(const Block& parent, const QuorumCertificate& parent_qc, Round round,
                  std::string payload = "payload", std::optional<ValidatorIndex> author = {});
  ProposalMsg Propose(const Block& block, std::optional<TimeoutCertificate> tc = {}) const;
  VoteMsg Vote(const Block& block, ValidatorIndex voter) const;
  QuorumCertificate Certify(const Block& block, const std::vector<ValidatorIndex>& signers) const;
  TimeoutMsg Timeout(Round round, const QuorumCertificate& high_qc, ValidatorIndex sender,
                     std::optional<TimeoutCertificate> tc = {}) const;
  // Each entry: a signer and the high QC it timed out with.
  TimeoutCertificate MakeTc(
      Round round, const std::vector<std::pair<ValidatorIndex, QuorumCertificate>>& timeouts) const;

 private:
  std::vector<crypto::KeyPair> keys_;
  ValidatorSet validators_;
  crypto::Hash256 chain_id_;
  Genesis genesis_;
  Block genesis_block_;
  QuorumCertificate genesis_qc_;
};

// A host for one core in unit tests: fake executor and payloads, committed blocks in memory.
class TestHost final : public Executor, public PayloadSource, public CommittedBlockReader {
 public:
  Result<ExecutionResult> Execute(const Block& block, const ExecutionResult& parent) override;
  ProposalPayload MakePayload(const Block& parent) override;
  Status ValidatePayload(const Block& block, const Block& parent) override;
  std::optional<CommittedBlock> ReadCommitted(Height height) override;

  bool lie_about_execution = false;  // Execute returns a different state root
  std::vector<CommittedBlock> committed;
  std::int64_t now_ms = 1'000;
};

// Collects actions of one type from an Output.
template <typename T>
std::vector<T> ActionsOf(const Output& out) {
  std::vector<T> found;
  for (const auto& action : out.actions) {
    if (const auto* a = std::get_if<T>(&action)) found.push_back(*a);
  }
  return found;
}

}  // namespace mbl::consensus::testing
