#include "tests/support/ledger_fixture.h"

#include "base/limits.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "crypto/sha256.h"

namespace mbl::test_support {
namespace {

struct OrgSpec {
  const char* id;
  v1::OrganizationKind kind;
};

constexpr OrgSpec kOrgs[] = {{"rs", v1::REQUIREMENTS_SETTER},
                             {"cb", v1::CERTIFICATION_BODY},
                             {"smelter", v1::VALUE_CHAIN},
                             {"wiremaker", v1::VALUE_CHAIN},
                             {"brand", v1::VALUE_CHAIN}};
constexpr v1::Role kRoles[] = {v1::TOP_MANAGEMENT, v1::OPERATION_RESPONSIBLE,
                               v1::EVALUATION_RESPONSIBLE};

}  // namespace

crypto::KeyPair LedgerFixture::NewKey() {
  if (key_seed_ == 0) return crypto::KeyPair::Generate();
  return crypto::KeyPair::FromSeed(crypto::Sha256Hasher()
                                       .Update("mbl-fixture-key")
                                       .UpdateU64BigEndian(key_seed_)
                                       .UpdateU32BigEndian(keys_made_++)
                                       .Final());
}

LedgerFixture::LedgerFixture(std::uint32_t membership_quorum, std::size_t validator_count,
                             std::uint64_t key_seed)
    : key_seed_(key_seed) {
  MBL_CHECK(crypto::InitializeCrypto().ok());
  v1::Record genesis_record;
  genesis_record.set_version(1);
  genesis_record.set_author_org("rs");
  v1::Genesis* genesis = genesis_record.mutable_genesis();
  genesis->set_chain_name("test-chain");
  genesis->set_genesis_time_ms(kGenesisTimeMs);
  genesis->set_membership_quorum(membership_quorum);
  for (const OrgSpec& spec : kOrgs) {
    v1::Organization* organization = genesis->add_organizations();
    organization->set_id(spec.id);
    organization->set_name(std::string(spec.id) + " Ltd");
    organization->set_kind(spec.kind);
    organization->set_fiscal_year_start_month(4);
    organization->set_fiscal_year_start_day(1);
    for (v1::Role role : kRoles) {
      crypto::KeyPair key = NewKey();
      v1::Person* person = organization->add_people();
      person->set_name(std::string(spec.id) + "-" + chaincode::RoleName(role));
      person->set_public_key(crypto::ToHex(key.public_key));
      person->add_roles(role);
      keys_.emplace(std::pair{std::string(spec.id), static_cast<int>(role)}, std::move(key));
    }
  }
  constexpr const char* kValidatorOrgs[] = {"smelter", "wiremaker", "brand", "cb"};
  for (std::size_t i = 0; i < validator_count; ++i) {
    v1::Validator* validator = genesis->add_validators();
    validator->set_organization(kValidatorOrgs[i % 4]);
    validator_keys_.push_back(NewKey());
    validator->set_public_key(crypto::ToHex(validator_keys_.back().public_key));
    validator->set_address("127.0.0.1:" + std::to_string(17800 + i));
  }
  validator_key_ = crypto::KeyPair::FromSeed(validator_keys_.front().secret_key.seed());
  chaincode::SignedRecord signed_genesis = chaincode::SignRecord(
      chaincode::SerializeDeterministic(genesis_record), Key("rs", v1::TOP_MANAGEMENT));
  genesis_ = signed_genesis;
  chaincode::RecordId id = chaincode::ComputeRecordId(signed_genesis.payload);
  chain_id_.assign(reinterpret_cast<const char*>(id.data()), id.size());
  chaincode::BlockExecution execution = Commit({signed_genesis}, kGenesisTimeMs);
  MBL_CHECK_MSG(execution.results[0].accepted, execution.results[0].rejection.message);
}

const crypto::KeyPair& LedgerFixture::Key(const std::string& org, v1::Role role) const {
  auto it = keys_.find({org, static_cast<int>(role)});
  MBL_CHECK_MSG(it != keys_.end(), "no fixture key for " + org);
  return it->second;
}

chaincode::SignedRecord LedgerFixture::Sign(v1::Record record, const std::string& org,
                                            v1::Role role) {
  return SignWith(std::move(record), org, Key(org, role));
}

chaincode::SignedRecord LedgerFixture::SignWith(v1::Record record, const std::string& org,
                                                const crypto::KeyPair& key) {
  if (record.version() == 0) record.set_version(1);
  if (record.chain_id().empty()) record.set_chain_id(chain_id_);
  if (record.author_org().empty()) record.set_author_org(org);
  if (record.nonce() == 0) record.set_nonce(++nonce_);
  if (record.valid_until_ms() == 0) {
    record.set_valid_until_ms(time_ms_ + limits::kRecordValidityWindowMs / 2);
  }
  return chaincode::SignRecord(chaincode::SerializeDeterministic(record), key);
}

chaincode::BlockExecution LedgerFixture::ExecuteNext(
    const std::vector<chaincode::SignedRecord>& records, std::int64_t time_ms) {
  std::int64_t block_time = time_ms != 0 ? time_ms : time_ms_ + 1000;
  MBL_CHECK_GE(block_time, time_ms_);
  chaincode::BlockContext context{blocks_.empty() ? 0 : height_ + 1, block_time};
  chaincode::BlockExecution execution =
      chaincode::ExecuteBlock(records, state_, context, state_root_);
  state_root_ = execution.state_root;
  height_ = context.height;
  time_ms_ = block_time;
  blocks_.emplace_back(records, block_time);
  return execution;
}

chaincode::BlockExecution LedgerFixture::Commit(const std::vector<chaincode::SignedRecord>& records,
                                                std::int64_t time_ms) {
  chaincode::BlockExecution execution = ExecuteNext(records, time_ms);
  state_.Apply(execution.writes);
  return execution;
}

chaincode::RecordResult LedgerFixture::CommitOne(const chaincode::SignedRecord& record,
                                                 std::int64_t time_ms) {
  return Commit({record}, time_ms).results.at(0);
}

crypto::Hash256 ReplayFromGenesis(
    const std::vector<std::pair<std::vector<chaincode::SignedRecord>, std::int64_t>>& blocks) {
  chaincode::MemoryState state;
  crypto::Hash256 root{};
  std::uint64_t height = 0;
  for (const auto& [records, time_ms] : blocks) {
    chaincode::BlockExecution execution =
        chaincode::ExecuteBlock(records, state, {height++, time_ms}, root);
    state.Apply(std::move(execution.writes));
    root = execution.state_root;
  }
  return root;
}

}  // namespace mbl::test_support
