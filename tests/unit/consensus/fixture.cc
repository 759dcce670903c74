#include "tests/unit/consensus/fixture.h"

namespace mbl::consensus::testing {
namespace {

std::vector<crypto::KeyPair> MakeKeys(std::size_t n) {
  std::vector<crypto::KeyPair> keys;
  for (std::size_t i = 0; i < n; ++i) {
    const auto seed = crypto::Sha256("consensus-test-key-" + std::to_string(i));
    keys.push_back(crypto::KeyPair::FromSeed(seed));
  }
  return keys;
}

std::vector<crypto::PublicKey> PublicKeys(const std::vector<crypto::KeyPair>& keys) {
  std::vector<crypto::PublicKey> out;
  for (const auto& k : keys) out.push_back(k.public_key);
  return out;
}

}  // namespace

ExecutionResult FakeExecute(const Block& block, const ExecutionResult& parent) {
  ExecutionResult result;
  result.state_root = crypto::Sha256Hasher()
                          .Update(parent.state_root)
                          .UpdateU64BigEndian(block.height)
                          .Update(block.payload)
                          .Final();
  result.results_root = crypto::Sha256(block.payload);
  return result;
}

Fixture::Fixture(std::size_t n)
    : keys_(MakeKeys(n)),
      validators_(std::move(ValidatorSet::Create(PublicKeys(keys_))).value()),
      chain_id_(crypto::Sha256("consensus-test-chain")) {
  genesis_.time_ms = 500;
  genesis_.execution.state_root = crypto::Sha256("genesis");
  genesis_block_ = MakeGenesisBlock(genesis_);
  genesis_qc_ = MakeGenesisQc(genesis_block_);
}

ConsensusConfig Fixture::Config(ValidatorIndex self) const {
  return ConsensusConfig{validators_, self, chain_id_, genesis_, TimeoutPolicy{}};
}

Block Fixture::MakeBlock(const Block& parent, const QuorumCertificate& parent_qc, Round round,
                         std::string payload, std::optional<ValidatorIndex> author) {
  Block block;
  block.round = round;
  block.height = parent.height + 1;
  block.time_ms = parent.time_ms + 1;
  block.author = author.value_or(validators_.LeaderOf(round));
  block.qc = parent_qc;
  block.payload = std::move(payload);
  block.execution = FakeExecute(block, parent.execution);
  SealBlock(block);
  return block;
}

ProposalMsg Fixture::Propose(const Block& block, std::optional<TimeoutCertificate> tc) const {
  ProposalMsg proposal{block, std::move(tc), {}};
  proposal.signature =
      crypto::Sign(keys_[block.author].secret_key, ProposalSigningBytes(chain_id_, block.id));
  return proposal;
}

VoteMsg Fixture::Vote(const Block& block, ValidatorIndex voter) const {
  VoteMsg vote;
  vote.vote_data = VoteData{block.id,          block.round,      block.height,
                            block.parent_id(), block.qc.round(), block.execution};
  vote.voter = voter;
  vote.signature =
      crypto::Sign(keys_[voter].secret_key, VoteSigningBytes(chain_id_, vote.vote_data));
  return vote;
}

QuorumCertificate Fixture::Certify(const Block& block,
                                   const std::vector<ValidatorIndex>& signers) const {
  QuorumCertificate qc;
  for (ValidatorIndex signer : signers) {
    const VoteMsg vote = Vote(block, signer);
    qc.vote_data = vote.vote_data;
    qc.signatures.push_back({signer, vote.signature});
  }
  return qc;
}

TimeoutMsg Fixture::Timeout(Round round, const QuorumCertificate& high_qc, ValidatorIndex sender,
                            std::optional<TimeoutCertificate> tc) const {
  TimeoutMsg timeout{round, high_qc, sender, {}, std::move(tc)};
  timeout.signature = crypto::Sign(keys_[sender].secret_key,
                                   TimeoutSigningBytes(chain_id_, round, high_qc.round()));
  return timeout;
}

TimeoutCertificate Fixture::MakeTc(
    Round round, const std::vector<std::pair<ValidatorIndex, QuorumCertificate>>& timeouts) const {
  TimeoutCertificate tc;
  tc.round = round;
  for (const auto& [signer, high_qc] : timeouts) {
    const TimeoutMsg t = Timeout(round, high_qc, signer);
    tc.signatures.push_back({signer, high_qc.round(), t.signature});
    if (tc.signatures.size() == 1 || high_qc.round() > tc.high_qc.round()) tc.high_qc = high_qc;
  }
  return tc;
}

Result<ExecutionResult> TestHost::Execute(const Block& block, const ExecutionResult& parent) {
  ExecutionResult result = FakeExecute(block, parent);
  if (lie_about_execution) result.state_root[0] ^= 1;
  return result;
}

ProposalPayload TestHost::MakePayload(const Block& parent) {
  return ProposalPayload{"records-at-" + std::to_string(parent.height + 1), now_ms};
}

Status TestHost::ValidatePayload(const Block& block, const Block& parent) {
  if (block.payload == "bad") return InvalidArgument("payload does not decode");
  if (block.time_ms < parent.time_ms) return InvalidArgument("time goes backwards");
  return Status::Ok();
}

std::optional<CommittedBlock> TestHost::ReadCommitted(Height height) {
  if (height == 0 || height > committed.size()) return std::nullopt;
  return committed[height - 1];
}

}  // namespace mbl::consensus::testing
