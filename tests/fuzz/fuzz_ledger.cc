#include "tests/fuzz/fuzz_ledger.h"

#include <array>
#include <map>

#include "base/check.h"
#include "base/limits.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "crypto/sha256.h"

namespace mbl::fuzz {
namespace {

constexpr v1::OrganizationKind kKinds[] = {v1::REQUIREMENTS_SETTER, v1::CERTIFICATION_BODY,
                                           v1::VALUE_CHAIN, v1::VALUE_CHAIN, v1::VALUE_CHAIN};
constexpr std::uint64_t kTonne = 1'000'000;  // grams

crypto::KeyPair KeyFromName(const std::string& name) {
  MBL_CHECK(crypto::InitializeCrypto().ok());
  return crypto::KeyPair::FromSeed(crypto::Sha256("mbl-fuzz-key/" + name));
}

const std::vector<crypto::KeyPair>& LedgerKeys() {
  static const std::vector<crypto::KeyPair> keys = [] {
    std::vector<crypto::KeyPair> out;
    for (std::size_t i = 0; i < kKeyCount; ++i) {
      out.push_back(KeyFromName(std::string(kOrgs[i / 3]) + "/" + std::to_string(kRoles[i % 3])));
    }
    return out;
  }();
  return keys;
}

}  // namespace

std::uint8_t Selector(const std::string& org, v1::Role role) {
  for (std::size_t o = 0; o < std::size(kOrgs); ++o) {
    for (std::size_t r = 0; r < std::size(kRoles); ++r) {
      if (org == kOrgs[o] && role == kRoles[r]) return static_cast<std::uint8_t>(o * 3 + r);
    }
  }
  MBL_CHECK_MSG(false, "no fuzz key for " + org);
  return 0;
}

const crypto::KeyPair& LedgerKey(std::uint8_t selector) {
  return LedgerKeys()[selector % kKeyCount];
}

const crypto::KeyPair& ValidatorKey(std::size_t index) {
  static const std::array<crypto::KeyPair, 4> keys = {
      KeyFromName("validator/0"), KeyFromName("validator/1"), KeyFromName("validator/2"),
      KeyFromName("validator/3")};
  return keys.at(index);
}

const FuzzLedger& FuzzLedger::Get(int variant) {
  static const FuzzLedger* ledgers[kVariants] = {new FuzzLedger(0), new FuzzLedger(1)};
  return *ledgers[variant % kVariants];
}

std::string FuzzLedger::Payload(v1::Record record, const std::string& org,
                                std::uint64_t nonce) const {
  if (record.version() == 0) record.set_version(1);
  if (record.chain_id().empty() && !record.has_genesis()) record.set_chain_id(chain_id_);
  if (record.author_org().empty()) record.set_author_org(org);
  if (record.nonce() == 0) record.set_nonce(nonce);
  if (record.valid_until_ms() == 0) {
    record.set_valid_until_ms(next_time_ms() + limits::kRecordValidityWindowMs / 2);
  }
  return chaincode::SerializeDeterministic(record);
}

chaincode::SignedRecord FuzzLedger::Sign(v1::Record record, const std::string& org, v1::Role role,
                                         std::uint64_t nonce) const {
  return chaincode::SignRecord(Payload(std::move(record), org, nonce),
                               LedgerKey(Selector(org, role)));
}

chaincode::RecordResult FuzzLedger::Commit(const chaincode::SignedRecord& record) {
  const std::int64_t block_time = first_block_ ? kGenesisTimeMs : time_ms_ + 1000;
  chaincode::BlockContext context{first_block_ ? 0 : height_ + 1, block_time};
  chaincode::BlockExecution execution =
      chaincode::ExecuteBlock({record}, state_, context, state_root_);
  state_.Apply(execution.writes);
  state_root_ = execution.state_root;
  height_ = context.height;
  time_ms_ = block_time;
  first_block_ = false;
  return execution.results.at(0);
}

std::string FuzzLedger::CommitOrDie(const std::string& org, v1::Role role,
                                    const v1::Record& record) {
  chaincode::RecordResult result = Commit(Sign(record, org, role, ++nonce_));
  MBL_CHECK_MSG(result.accepted, result.rejection.rule + ": " + result.rejection.message);
  return crypto::ToHex(result.record_id);
}

FuzzLedger::FuzzLedger(int variant) {
  v1::Record genesis_record;
  genesis_record.set_version(1);
  genesis_record.set_author_org("rs");
  v1::Genesis* genesis = genesis_record.mutable_genesis();
  genesis->set_chain_name("fuzz-chain");
  genesis->set_genesis_time_ms(kGenesisTimeMs);
  genesis->set_membership_quorum(variant == 0 ? 0 : 1);
  for (std::size_t o = 0; o < std::size(kOrgs); ++o) {
    v1::Organization* organization = genesis->add_organizations();
    organization->set_id(kOrgs[o]);
    organization->set_name(std::string(kOrgs[o]) + " Ltd");
    organization->set_kind(kKinds[o]);
    organization->set_fiscal_year_start_month(4);
    organization->set_fiscal_year_start_day(1);
    for (v1::Role role : kRoles) {
      v1::Person* person = organization->add_people();
      person->set_name(std::string(kOrgs[o]) + "-" + chaincode::RoleName(role));
      person->set_public_key(crypto::ToHex(LedgerKey(Selector(kOrgs[o], role)).public_key));
      person->add_roles(role);
    }
  }
  v1::Validator* validator = genesis->add_validators();
  validator->set_organization("smelter");
  validator->set_public_key(crypto::ToHex(ValidatorKey(0).public_key));
  validator->set_address("127.0.0.1:17800");
  genesis_record.set_nonce(1);
  genesis_ = chaincode::SignRecord(chaincode::SerializeDeterministic(genesis_record),
                                   LedgerKey(Selector("rs", v1::TOP_MANAGEMENT)));
  chaincode::RecordId id = chaincode::ComputeRecordId(genesis_.payload);
  chain_id_.assign(reinterpret_cast<const char*>(id.data()), id.size());
  chaincode::RecordResult genesis_result = Commit(genesis_);
  MBL_CHECK_MSG(genesis_result.accepted, genesis_result.rejection.message);

  // The value chain (as tests/unit/chaincode/credits_fixture.h DefineValueChain).
  for (auto [id_text, category] :
       {std::pair{"cu-8.0-mix", v1::GHG_REDUCED}, std::pair{"cu-re-mix", v1::RECYCLED_CONTENT}}) {
    v1::Record record;
    record.mutable_characteristic_definition()->set_id(id_text);
    record.mutable_characteristic_definition()->set_name(id_text);
    record.mutable_characteristic_definition()->set_category(category);
    CommitOrDie("rs", v1::TOP_MANAGEMENT, record);
  }
  for (const char* group : {"cathode", "wire", "computer"}) {
    v1::Record record;
    record.mutable_product_group_definition()->set_id(group);
    record.mutable_product_group_definition()->set_nature(
        std::string(group) == "computer" ? "electronics" : "copper");
    CommitOrDie("rs", v1::TOP_MANAGEMENT, record);
  }
  v1::Record accreditation;
  accreditation.mutable_cb_accreditation()->set_certification_body("cb");
  accreditation.mutable_cb_accreditation()->add_characteristics("cu-8.0-mix");
  accreditation.mutable_cb_accreditation()->add_characteristics("cu-re-mix");
  CommitOrDie("rs", v1::TOP_MANAGEMENT, accreditation);
  for (const char* org : {"smelter", "wiremaker", "brand"}) {
    v1::Record site;
    site.mutable_site_definition()->set_site_id("main");
    site.mutable_site_definition()->set_area_type("site");
    CommitOrDie(org, v1::OPERATION_RESPONSIBLE, site);
  }
  v1::Record factor;
  factor.mutable_conversion_factor()->set_product_group_in("cathode");
  factor.mutable_conversion_factor()->set_product_group_out("wire");
  factor.mutable_conversion_factor()->set_factor_ppm(980'000);
  factor.mutable_conversion_factor()->set_method_document_hash(std::string(64, 'b'));
  CommitOrDie("wiremaker", v1::OPERATION_RESPONSIBLE, factor);

  // Certified credits at the smelter.
  v1::Record request;
  auto* body = request.mutable_certificate_request();
  body->set_site_id("main");
  body->set_characteristic("cu-8.0-mix");
  body->set_product_group("cathode");
  body->set_input_mass_grams(40 * kTonne);
  body->set_characteristic_mass_claimed_grams(10 * kTonne);
  const std::string request_id = CommitOrDie("smelter", v1::OPERATION_RESPONSIBLE, request);
  v1::Record certification;
  certification.mutable_certification()->set_request_id(request_id);
  certification.mutable_certification()->set_decision(v1::Certification::APPROVE);
  certification.mutable_certification()->set_certified_mass_grams(10 * kTonne);
  CommitOrDie("cb", v1::EVALUATION_RESPONSIBLE, certification);
  body->set_characteristic("cu-re-mix");
  body->set_characteristic_mass_claimed_grams(5 * kTonne);
  open_request_id_ = CommitOrDie("smelter", v1::OPERATION_RESPONSIBLE, request);

  // One shipment confirmed, one in transit.
  auto shipment = [](std::uint64_t product, std::uint64_t credits) {
    v1::Record record;
    auto* s = record.mutable_shipment();
    s->set_from_site_id("main");
    s->set_to_org("wiremaker");
    s->set_to_site_id("main");
    s->set_characteristic("cu-8.0-mix");
    s->set_product_group("cathode");
    s->set_product_mass_grams(product);
    s->set_credit_grams(credits);
    return record;
  };
  confirmed_shipment_id_ =
      CommitOrDie("smelter", v1::OPERATION_RESPONSIBLE, shipment(4 * kTonne, 3 * kTonne));
  v1::Record receipt;
  receipt.mutable_receipt_decision()->set_shipment_id(confirmed_shipment_id_);
  receipt.mutable_receipt_decision()->set_decision(v1::ReceiptDecision::CONFIRM);
  CommitOrDie("wiremaker", v1::OPERATION_RESPONSIBLE, receipt);
  in_transit_shipment_id_ =
      CommitOrDie("smelter", v1::OPERATION_RESPONSIBLE, shipment(2 * kTonne, 2 * kTonne));

  if (variant == 1) {  // A proposal waiting for its approval: a second key for the brand.
    v1::Record proposal;
    auto* add_person = proposal.mutable_membership_change()->mutable_add_person();
    add_person->set_organization("brand");
    add_person->mutable_person()->set_name("brand-auditor");
    add_person->mutable_person()->set_public_key(crypto::ToHex(ValidatorKey(2).public_key));
    add_person->mutable_person()->add_roles(v1::EVALUATION_RESPONSIBLE);
    pending_proposal_id_ = CommitOrDie("rs", v1::TOP_MANAGEMENT, proposal);
  }
}

}  // namespace mbl::fuzz
