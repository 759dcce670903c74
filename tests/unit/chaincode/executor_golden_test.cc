// Golden regression test of ExecuteBlock: the same records on the same state must keep giving the
// same results (accepted or not, rule, message, details), the same write sets and the same roots.
// Consensus votes on these roots, so a faster executor that changes one byte would fork a ledger
// that mixes node versions. Every figure below was recorded from the executor as it was before
// the per-block working set (JSON round trips through overlays, one record at a time); keys,
// times and nonces are fixed, so the records themselves are byte-identical on every run.
//
// Re-recorded once, deliberately, when validator-set changes began to start epochs (decision
// 0011): a trace diff against the code before showed that only the results of the T1 validator
// changes (their new "epoch" and "validator_set_after" details) and the writes and roots after
// them changed; every other result stayed byte for byte the same.
// Re-recorded again when a T13 result whose author disclosed its quantities began to certify its
// signer (decision 0012): record counts and outcomes are unchanged, only the exits' stored values
// and results, and the roots after them.
//
// To see where a change diverges, run with MBL_GOLDEN_TRACE=DIR: each test writes every result
// and every block's write set to DIR/<test>.txt, to diff against a trace of the old code.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "chaincode/executor.h"
#include "chaincode/record_json.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {
namespace {

constexpr std::int64_t kGenesisMs = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::uint64_t kTonne = 1'000'000;

struct OrgSpec {
  const char* id;
  v1::OrganizationKind kind;
  std::uint32_t fiscal_month;  // 0: the default, 1 January
  std::uint32_t fiscal_day;
};

// The organizations of 'mbl net create' (which the scenario files assume), with fiscal years
// that start on different days so that period statements differ between them.
constexpr OrgSpec kOrgs[] = {{"consortium", v1::REQUIREMENTS_SETTER, 0, 0},
                             {"cb", v1::CERTIFICATION_BODY, 1, 1},
                             {"smelter", v1::VALUE_CHAIN, 4, 1},
                             {"wiremaker", v1::VALUE_CHAIN, 0, 0},
                             {"brand", v1::VALUE_CHAIN, 7, 15}};
constexpr std::pair<const char*, v1::Role> kRoles[] = {{"top", v1::TOP_MANAGEMENT},
                                                       {"ops", v1::OPERATION_RESPONSIBLE},
                                                       {"eval", v1::EVALUATION_RESPONSIBLE}};

// Deterministic keys: Ed25519 signatures and every id derived from a payload are then fixed.
crypto::KeyPair KeyFor(const std::string& actor) {
  crypto::Hash256 seed = crypto::Sha256("mbl golden test key " + actor);
  return crypto::KeyPair::FromSeed(seed);
}

std::string Hex(const crypto::Hash256& hash) { return crypto::ToHex(hash); }

// State values are JSON text or Protobuf bytes: the latter are traced in hex.
std::string Printable(const std::string& value) {
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return "hex:" + crypto::ToHex(value);
  }
  return value;
}

// A ledger in memory with fixed keys that folds every block's roots into one digest.
class GoldenLedger {
 public:
  explicit GoldenLedger(const std::string& trace_name) {
    MBL_CHECK(crypto::InitializeCrypto().ok());
    if (const char* dir = std::getenv("MBL_GOLDEN_TRACE")) {
      trace_.open(std::string(dir) + "/" + trace_name + ".txt");
    }
    v1::Record record;
    record.set_version(1);
    record.set_author_org("consortium");
    v1::Genesis* genesis = record.mutable_genesis();
    genesis->set_chain_name("golden");
    genesis->set_genesis_time_ms(kGenesisMs);
    for (const OrgSpec& spec : kOrgs) {
      v1::Organization* organization = genesis->add_organizations();
      organization->set_id(spec.id);
      organization->set_name(std::string(spec.id) + " AB");
      organization->set_kind(spec.kind);
      organization->set_fiscal_year_start_month(spec.fiscal_month);
      organization->set_fiscal_year_start_day(spec.fiscal_day);
      for (const auto& [role_name, role] : kRoles) {
        std::string actor = std::string(spec.id) + "." + role_name;
        v1::Person* person = organization->add_people();
        person->set_name(actor);
        person->set_public_key(crypto::ToHex(Key(actor).public_key));
        person->add_roles(role);
      }
    }
    for (const char* org : {"smelter", "cb"}) {
      v1::Validator* validator = genesis->add_validators();
      validator->set_organization(org);
      validator->set_public_key(crypto::ToHex(Key(std::string(org) + ".node").public_key));
      validator->set_address(std::string(org) + ":7800");
    }
    SignedRecord signed_genesis = SignRecord(SerializeDeterministic(record), Key("consortium.top"));
    RecordId id = ComputeRecordId(signed_genesis.payload);
    chain_id_.assign(reinterpret_cast<const char*>(id.data()), id.size());
    BlockExecution block = Commit({signed_genesis}, kGenesisMs);
    MBL_CHECK_MSG(block.results[0].accepted, block.results[0].rejection.message);
  }

  const crypto::KeyPair& Key(const std::string& actor) {
    auto it = keys_.find(actor);
    if (it == keys_.end()) it = keys_.emplace(actor, KeyFor(actor)).first;
    return it->second;
  }

  // Fills what a client fills (version, chain, author, nonce, validity from the last block's
  // time) and signs with `actor`'s key ("org.role").
  SignedRecord Sign(v1::Record record, const std::string& actor,
                    std::int64_t valid_for_ms = 3'600'000) {
    if (record.version() == 0) record.set_version(1);
    if (record.author_org().empty()) record.set_author_org(actor.substr(0, actor.find('.')));
    if (record.chain_id().empty()) record.set_chain_id(chain_id_);
    if (record.nonce() == 0) record.set_nonce(++nonce_);
    if (record.valid_until_ms() == 0) record.set_valid_until_ms(time_ms_ + valid_for_ms);
    return SignRecord(SerializeDeterministic(record), Key(actor));
  }

  // Signs the record as it is: for records that must stay malformed.
  SignedRecord SignAsIs(const v1::Record& record, const std::string& actor) {
    return SignRecord(SerializeDeterministic(record), Key(actor));
  }

  BlockExecution Commit(const std::vector<SignedRecord>& records, std::int64_t time_ms = 0) {
    std::int64_t block_time = time_ms != 0 ? time_ms : time_ms_ + 1000;
    BlockContext context{blocks_ == 0 ? 0 : height_ + 1, block_time};
    BlockExecution block = ExecuteBlock(records, state_, context, state_root_);
    MBL_CHECK_EQ(block.results.size(), records.size());
    state_.Apply(block.writes);
    state_root_ = block.state_root;
    height_ = context.height;
    time_ms_ = block_time;
    ++blocks_;
    digest_ = crypto::Sha256Hasher()
                  .Update(digest_)
                  .Update(block.results_root)
                  .Update(block.state_root)
                  .Final();
    for (const RecordResult& result : block.results) {
      ++records_;
      if (result.accepted) ++accepted_;
    }
    Trace(context, block);
    return block;
  }

  const MemoryState& state() const { return state_; }
  std::int64_t time_ms() const { return time_ms_; }
  const std::string& chain_id() const { return chain_id_; }

  // What the golden values pin: the number of records and accepted ones, the digest of every
  // block's results root and state root in order, and the last state root.
  std::string Summary() const {
    return std::to_string(records_) + " records, " + std::to_string(accepted_) +
           " accepted, digest " + Hex(digest_) + ", state root " + Hex(state_root_);
  }

 private:
  void Trace(const BlockContext& context, const BlockExecution& block) {
    if (!trace_.is_open()) return;
    trace_ << "block " << context.height << " at " << context.time_ms << "\n";
    for (const RecordResult& result : block.results) {
      trace_ << "  " << Hex(result.record_id) << (result.accepted ? " accepted " : " rejected ")
             << result.rejection.rule << " | " << result.rejection.message << " | "
             << result.details_json << "\n";
    }
    for (const auto& [key, value] : block.writes) {
      trace_ << "  write " << key << " = " << (value ? Printable(*value) : "<deleted>") << "\n";
    }
    trace_ << "  results root " << Hex(block.results_root) << " state root "
           << Hex(block.state_root) << "\n";
  }

  std::map<std::string, crypto::KeyPair> keys_;
  MemoryState state_;
  crypto::Hash256 state_root_{};
  crypto::Hash256 digest_{};
  std::string chain_id_;
  std::int64_t time_ms_ = kGenesisMs;
  std::uint64_t height_ = 0;
  std::uint64_t blocks_ = 0;
  std::uint64_t nonce_ = 0;
  std::size_t records_ = 0;
  std::size_t accepted_ = 0;
  std::ofstream trace_;
};

// ---------------------------------------------------------------------------------------------
// The scenario files (worked example and one per rule), records only, as golden_scenarios.json
// keeps them: a copy, so that editing a scenario does not move these roots.

nlohmann::json Substitute(const nlohmann::json& value,
                          const std::map<std::string, std::string>& variables) {
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    for (std::size_t start = text.find("${"); start != std::string::npos; start = text.find("${")) {
      std::size_t end = text.find('}', start);
      MBL_CHECK(end != std::string::npos);
      std::string name = text.substr(start + 2, end - start - 2);
      auto it = variables.find(name);
      MBL_CHECK_MSG(it != variables.end(), "scenario variable " + name + " is not set");
      text.replace(start, end - start + 1, it->second);
    }
    return text;
  }
  nlohmann::json out = value;
  if (value.is_object() || value.is_array()) {
    for (auto& item : out.items()) item.value() = Substitute(item.value(), variables);
  }
  return out;
}

// Runs every scenario's records in blocks of `block_size`; with one record per block, checks
// each step's expectation (accepted or not), which shows the fixture matches the scenarios'.
void RunScenarios(GoldenLedger& ledger, std::size_t block_size) {
  std::ifstream file(MBL_GOLDEN_SCENARIOS);
  ASSERT_TRUE(file.good()) << MBL_GOLDEN_SCENARIOS;
  nlohmann::json scenarios = nlohmann::json::parse(file);
  std::map<std::string, std::string> variables;
  std::map<std::string, SignedRecord> envelopes;
  for (const nlohmann::json& scenario : scenarios) {
    std::vector<SignedRecord> pending;
    std::vector<std::string> expected;
    auto flush = [&] {
      if (pending.empty()) return;
      BlockExecution block = ledger.Commit(pending);
      if (block_size == 1) {
        EXPECT_EQ(block.results[0].accepted, expected[0] == "accepted")
            << scenario["file"] << ": " << block.results[0].rejection.message;
      }
      pending.clear();
      expected.clear();
    };
    for (const nlohmann::json& step : scenario["steps"]) {
      SignedRecord record;
      if (step.contains("resubmit")) {
        record = envelopes.at(step["resubmit"].get<std::string>());
      } else {
        auto payload = RecordPayloadFromJson(Substitute(step["record"], variables).dump());
        if (!payload.ok()) continue;  // a record the client cannot encode is never sent
        v1::Record parsed;
        MBL_CHECK(parsed.ParseFromString(*payload));
        record = ledger.Sign(parsed, step["actor"].get<std::string>(),
                             step.value("valid_for_ms", std::int64_t{3'600'000}));
        if (step.contains("save_id")) {
          variables[step["save_id"].get<std::string>()] =
              crypto::ToHex(ComputeRecordId(record.payload));
        }
        if (step.contains("save_envelope")) {
          envelopes[step["save_envelope"].get<std::string>()] = record;
        }
      }
      pending.push_back(record);
      expected.push_back(step["expect"].get<std::string>());
      if (pending.size() >= block_size) flush();
    }
    flush();
  }
}

TEST(ExecutorGoldenTest, ScenariosOneRecordPerBlock) {
  GoldenLedger ledger("scenarios_one_per_block");
  RunScenarios(ledger, 1);
  EXPECT_EQ(ledger.Summary(),
            "178 records, 153 accepted, digest "
            "47ad206c0dac48d8a7069d7f1a19d47be49383310e769fab997599a5ebd9d098, "
            "state root 0855b3a27d5ae7ff8b43ad98c731c6bc39500d2ba59cfb802d156002ded4009f");
}

TEST(ExecutorGoldenTest, ScenariosManyRecordsPerBlock) {
  // Later records of a block see the earlier ones' effects (a request certified, a shipment
  // received, the same record twice in one block): the per-block paths of the executor.
  GoldenLedger ledger("scenarios_blocks_of_7");
  RunScenarios(ledger, 7);
  EXPECT_EQ(ledger.Summary(),
            "178 records, 153 accepted, digest "
            "6205160307cfbb3a922cf38d39255a992e977f141a9cfa2636a47c51685cb011, "
            "state root 3c35e0bc038eea899f1f2b76c8a144ecff40290388c103a64d2033ed953cfd87");
}

TEST(ExecutorGoldenTest, ScenariosAllInOneBlockEach) {
  GoldenLedger ledger("scenarios_one_block_each");
  RunScenarios(ledger, 1000);
  EXPECT_EQ(ledger.Summary(),
            "178 records, 153 accepted, digest "
            "685998bb73dc5661ac176d3c4f93a18d14495158491e0942228edfda357ce065, "
            "state root a5b73d850e5ef27104d62ffd979885f0f9e65f08f149eab14117843e72396ef8");
}

// ---------------------------------------------------------------------------------------------
// Randomized records of every type, valid and not, in blocks of 1..12 records with bursts of up
// to 120, at times that sometimes jump months ahead (expiry, fiscal year ends).

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t Pick(std::uint64_t n) { return Next() % n; }
  bool OneIn(std::uint64_t n) { return Pick(n) == 0; }

 private:
  std::uint64_t state_;
};

constexpr const char* kValueChain[] = {"smelter", "wiremaker", "brand"};
constexpr const char* kAllOrgs[] = {"consortium", "cb", "smelter", "wiremaker", "brand"};
constexpr const char* kCharacteristics[] = {"cu-8.0-mix", "cu-re-mix"};
constexpr const char* kGroups[] = {"cathode", "wire", "computer"};

class RandomRun {
 public:
  RandomRun(GoldenLedger& ledger, std::uint64_t seed) : ledger_(ledger), random_(seed) {}

  void Setup() {
    std::vector<SignedRecord> records;
    for (int i = 0; i < 2; ++i) {
      v1::Record record;
      auto* body = record.mutable_characteristic_definition();
      body->set_id(kCharacteristics[i]);
      body->set_name(std::string(kCharacteristics[i]) + " v1");
      body->set_category(i == 0 ? v1::GHG_REDUCED : v1::RECYCLED_CONTENT);
      records.push_back(ledger_.Sign(record, "consortium.top"));
    }
    for (const char* group : kGroups) {
      v1::Record record;
      record.mutable_product_group_definition()->set_id(group);
      record.mutable_product_group_definition()->set_nature(
          std::string(group) == "computer" ? "electronics" : "copper");
      records.push_back(ledger_.Sign(record, "consortium.top"));
    }
    v1::Record accreditation;
    accreditation.mutable_cb_accreditation()->set_certification_body("cb");
    for (const char* characteristic : kCharacteristics) {
      accreditation.mutable_cb_accreditation()->add_characteristics(characteristic);
    }
    records.push_back(ledger_.Sign(accreditation, "consortium.top"));
    for (const char* org : kValueChain) {
      records.push_back(ledger_.Sign(Site("main", ""), std::string(org) + ".ops"));
    }
    records.push_back(ledger_.Sign(Site("east", ""), "smelter.ops"));
    records.push_back(ledger_.Sign(Site("west", "smelter/main"), "smelter.ops"));
    for (const char* org : kValueChain) {
      records.push_back(ledger_.Sign(Factor("cathode", "wire", 900'000 + random_.Pick(100'001)),
                                     std::string(org) + ".ops"));
      records.push_back(
          ledger_.Sign(Factor("cathode", "cathode", 950'000), std::string(org) + ".ops"));
    }
    BlockExecution block = ledger_.Commit(records);
    for (const RecordResult& result : block.results) {
      ASSERT_TRUE(result.accepted) << result.rejection.message;
    }
  }

  void Step() {
    std::int64_t time_ms =
        ledger_.time_ms() + 1000 +
        (random_.OneIn(12) ? static_cast<std::int64_t>((20 + random_.Pick(180)) * kDayMs)
                           : static_cast<std::int64_t>(random_.Pick(60'000)));
    std::size_t count = random_.OneIn(8) ? 40 + random_.Pick(81) : 1 + random_.Pick(12);
    std::vector<SignedRecord> records;
    for (std::size_t i = 0; i < count; ++i) {
      records.push_back(random_.OneIn(30) && !records.empty()
                            ? records[random_.Pick(records.size())]  // twice in one block
                            : RandomRecord(time_ms));
    }
    BlockExecution block = ledger_.Commit(records, time_ms);
    for (std::size_t i = 0; i < records.size(); ++i) Remember(records[i], block.results[i]);
  }

 private:
  static v1::Record Site(const std::string& id, const std::string& linked) {
    v1::Record record;
    record.mutable_site_definition()->set_site_id(id);
    record.mutable_site_definition()->set_area_type("site");
    if (!linked.empty()) record.mutable_site_definition()->add_physically_linked_sites(linked);
    return record;
  }

  static v1::Record Factor(const std::string& in, const std::string& out, std::uint32_t ppm) {
    v1::Record record;
    auto* body = record.mutable_conversion_factor();
    body->set_product_group_in(in);
    body->set_product_group_out(out);
    body->set_factor_ppm(ppm);
    body->set_method_document_hash(std::string(64, 'a'));
    return record;
  }

  template <typename T, std::size_t N>
  const T& PickOf(const T (&items)[N]) {
    return items[random_.Pick(N)];
  }
  template <typename T>
  const T& PickOf(const std::vector<T>& items) {
    return items[random_.Pick(items.size())];
  }

  std::string Hash() {
    return random_.OneIn(10) ? std::string("not-a-hash")
                             : crypto::ToHex(crypto::Sha256(std::to_string(random_.Next())));
  }
  std::string Org() { return PickOf(kValueChain); }
  std::string Characteristic() {
    return random_.OneIn(25) ? std::string("cu-unknown") : std::string(PickOf(kCharacteristics));
  }
  std::uint64_t Grams() {
    switch (random_.Pick(4)) {
      case 0:
        return random_.Pick(1000);  // sometimes 0: FORMAT
      case 1:
        return 1 + random_.Pick(kTonne);
      default:
        return 1 + random_.Pick(8 * kTonne);
    }
  }

  SignedRecord Sign(v1::Record record, const std::string& actor, std::int64_t time_ms) {
    record.set_valid_until_ms(time_ms + 3'600'000);
    return ledger_.Sign(record, actor);
  }

  SignedRecord RandomRecord(std::int64_t time_ms) {
    std::string org = Org();
    v1::Record record;
    switch (random_.Pick(40)) {
      case 0:
      case 1:
      case 2: {  // T6
        auto* body = record.mutable_certificate_request();
        body->set_site_id(random_.OneIn(10) ? "east" : "main");
        body->set_characteristic(Characteristic());
        body->set_product_group(random_.OneIn(4) ? "wire" : "cathode");
        std::uint64_t claimed = 2 * kTonne + random_.Pick(20 * kTonne);
        body->set_characteristic_mass_claimed_grams(random_.OneIn(30) ? 0 : claimed);
        body->set_input_mass_grams(random_.OneIn(15) ? claimed - 1 : claimed * 2);
        body->set_run_around_scrap(random_.OneIn(5));
        body->set_input_description("ore batch " + std::to_string(random_.Pick(100)));
        if (random_.OneIn(3)) body->add_evidence_document_hashes(Hash());
        return Sign(record, random_.OneIn(20) ? "cb.ops" : org + ".ops", time_ms);
      }
      case 3:
      case 4:
      case 5: {  // T7
        if (requests_.empty()) break;
        const auto& [request, claimed] = PickOf(requests_);
        auto* body = record.mutable_certification();
        body->set_request_id(request);
        std::uint64_t decision = random_.Pick(12);
        body->set_decision(decision == 0   ? v1::Certification::REJECT
                           : decision == 1 ? v1::Certification::DECISION_UNSPECIFIED
                                           : v1::Certification::APPROVE);
        if (!random_.OneIn(4)) body->set_reason("insufficient evidence");
        std::uint64_t mass = claimed * 95 / 100;
        if (random_.OneIn(5)) mass = claimed;  // over the ceiling of a 950 000 ppm factor
        if (random_.OneIn(20)) mass = 0;
        body->set_certified_mass_grams(mass);
        body->set_certificate_reference("ref-" + std::to_string(random_.Pick(1000)));
        std::string actor =
            random_.OneIn(10) ? (random_.OneIn(2) ? org + ".eval" : "cb.ops") : "cb.eval";
        return Sign(record, actor, time_ms);
      }
      case 6:
      case 7:
      case 8:
      case 9:
      case 10:
      case 11: {  // T9
        auto* body = record.mutable_shipment();
        body->set_from_site_id(random_.OneIn(8) ? "east" : "main");
        std::string to = random_.OneIn(30) ? "nobody" : Org();
        body->set_to_org(to);
        body->set_to_site_id(random_.OneIn(30) ? "nowhere" : "main");
        body->set_characteristic(Characteristic());
        body->set_product_group(random_.OneIn(3) ? PickOf(kGroups) : "cathode");
        std::uint64_t credits = Grams();
        body->set_credit_grams(credits);
        body->set_product_mass_grams(random_.OneIn(10) ? credits / 2
                                                       : credits + random_.Pick(kTonne));
        if (random_.OneIn(4)) body->set_product_description("cathode lot");
        if (random_.OneIn(4)) body->set_delivery_document_hash(Hash());
        if (random_.OneIn(60)) body->set_product_description(std::string(1100, 'x'));
        return Sign(record, random_.OneIn(25) ? org + ".eval" : org + ".ops", time_ms);
      }
      case 12:
      case 13:
      case 14: {  // T10
        if (shipments_.empty()) break;
        const Shipped& shipment = PickOf(shipments_);
        auto* body = record.mutable_receipt_decision();
        body->set_shipment_id(random_.OneIn(40) ? std::string(64, '0') : shipment.id);
        std::uint64_t decision = random_.Pick(10);
        body->set_decision(decision < 3    ? v1::ReceiptDecision::REJECT
                           : decision == 3 ? v1::ReceiptDecision::DECISION_UNSPECIFIED
                                           : v1::ReceiptDecision::CONFIRM);
        if (!random_.OneIn(5)) body->set_reason("damaged");
        return Sign(record, (random_.OneIn(8) ? org : shipment.receiver) + ".ops", time_ms);
      }
      case 15:
      case 16: {  // T8
        auto* body = record.mutable_processing();
        body->set_site_id("main");
        body->set_characteristic(Characteristic());
        bool known = !random_.OneIn(6);
        body->set_product_group_in(known ? "cathode" : "wire");
        body->set_product_group_out(known ? (random_.OneIn(4) ? "cathode" : "wire") : "computer");
        body->set_consumed_grams(Grams());
        return Sign(record, org + ".ops", time_ms);
      }
      case 17:
      case 18: {  // T11
        auto* body = record.mutable_site_transfer();
        constexpr const char* kSites[] = {"main", "east", "west", "nowhere"};
        body->set_from_site_id(random_.OneIn(3) ? PickOf(kSites) : "main");
        body->set_to_site_id(random_.OneIn(4) ? PickOf(kSites) : "east");
        body->set_characteristic(Characteristic());
        body->set_product_group_from("cathode");
        body->set_product_group_to(PickOf(kGroups));
        body->set_credit_grams(Grams());
        return Sign(record, (random_.OneIn(5) ? org : std::string("smelter")) + ".ops", time_ms);
      }
      case 19:
      case 20: {  // T12
        if (shipments_.empty()) break;
        const Shipped& shipment = PickOf(shipments_);
        auto* body = record.mutable_product_return();
        body->set_shipment_id(shipment.id);
        body->set_returned_product_grams(
            random_.OneIn(10) ? 0 : 1 + random_.Pick(shipment.mass / 2 + 1));
        if (random_.OneIn(3)) body->set_return_document_hash(Hash());
        return Sign(record, (random_.OneIn(8) ? org : shipment.receiver) + ".ops", time_ms);
      }
      case 21:
      case 22:
      case 23: {  // T13
        auto* body = record.mutable_system_exit();
        body->set_site_id(random_.OneIn(20) ? "nowhere" : "main");
        body->set_characteristic(Characteristic());
        body->set_product_group(PickOf(kGroups));
        body->set_credit_grams(Grams());
        body->set_scope(static_cast<v1::SystemExit::Scope>(random_.Pick(4)));
        body->set_product_description("laptops");
        body->set_product_batch("batch " + std::to_string(random_.Pick(1000)));
        body->set_product_units(random_.Pick(500));
        body->set_disclose_quantities(random_.OneIn(2));
        return Sign(record, org + ".ops", time_ms);
      }
      case 24: {  // T14
        record.mutable_period_close()->set_fiscal_year(2025 + random_.Pick(4));
        return Sign(record, org + ".ops", time_ms);
      }
      case 25: {  // T15
        auto* body = record.mutable_audit_result();
        std::string author = PickOf(kAllOrgs);
        body->set_type(static_cast<v1::AuditResult::AuditType>(random_.Pick(4)));
        body->set_audited_org(random_.OneIn(15) ? std::string("nobody") : Org());
        body->add_site_ids(random_.OneIn(10) ? "nowhere" : "main");
        body->set_outcome(static_cast<v1::AuditResult::Outcome>(random_.Pick(4)));
        body->set_report_hash(Hash());
        body->set_period_start_ms(time_ms - 90 * kDayMs);
        body->set_period_end_ms(time_ms);
        body->set_conformity_assessment(random_.OneIn(2));
        return Sign(record, author + ".eval", time_ms);
      }
      case 26: {  // T16
        auto* body = record.mutable_non_conformity();
        std::string author = random_.OneIn(2) ? std::string("cb") : Org();
        body->set_org(random_.OneIn(2) ? author : Org());
        body->set_description(random_.OneIn(15) ? "" : "counter mismatch");
        body->set_corrective_action("retrain");
        if (!non_conformities_.empty() && random_.OneIn(2)) {
          const auto& [nc_org, nc_id] = PickOf(non_conformities_);
          body->set_org(nc_org);
          body->set_closes_non_conformity_id(nc_id);
        }
        return Sign(record, author + ".eval", time_ms);
      }
      case 27: {  // T17
        auto* body = record.mutable_management_review();
        body->set_year(random_.OneIn(10) ? 1999 : 2025 + random_.Pick(3));
        body->set_summary_document_hash(Hash());
        body->add_decisions("keep going");
        return Sign(record, org + ".top", time_ms);
      }
      case 28: {  // T4 factor, new version
        return Sign(Factor("cathode", random_.OneIn(3) ? "cathode" : "wire",
                           random_.OneIn(10) ? 1'000'001 : 800'000 + random_.Pick(200'001)),
                    org + ".ops", time_ms);
      }
      case 29: {  // T2 site, new version (sometimes linking east to main)
        std::string linked = random_.OneIn(3) ? org + "/main" : "";
        return Sign(Site(random_.OneIn(2) ? "east" : "main", linked), org + ".ops", time_ms);
      }
      case 30: {  // T3 / T4 reference data, new versions
        if (random_.OneIn(2)) {
          auto* body = record.mutable_characteristic_definition();
          body->set_id(PickOf(kCharacteristics));
          body->set_name("renamed " + std::to_string(random_.Pick(100)));
          body->set_category(random_.OneIn(8) ? v1::CHARACTERISTIC_CATEGORY_UNSPECIFIED
                             : body->id() == std::string("cu-re-mix") ? v1::RECYCLED_CONTENT
                                                                      : v1::GHG_REDUCED);
        } else {
          auto* body = record.mutable_product_group_definition();
          body->set_id(PickOf(kGroups));
          body->set_nature(body->id() == std::string("computer") ? "electronics" : "copper");
        }
        return Sign(record, random_.OneIn(8) ? "cb.top" : "consortium.top", time_ms);
      }
      case 31: {  // T5, sometimes with a validity that ends soon
        auto* body = record.mutable_cb_accreditation();
        body->set_certification_body(random_.OneIn(10) ? "smelter" : "cb");
        body->add_characteristics(PickOf(kCharacteristics));
        if (random_.OneIn(4)) body->add_characteristics(PickOf(kCharacteristics));
        if (random_.OneIn(4)) body->set_valid_until_ms(time_ms + 30 * kDayMs);
        return Sign(record, "consortium.top", time_ms);
      }
      case 32: {  // T1 membership: people come and go (their records then fail R3)
        auto* change = record.mutable_membership_change();
        if (!extra_people_.empty() && random_.OneIn(3)) {
          const auto& [person_org, actor] = PickOf(extra_people_);
          change->mutable_remove_person()->set_organization(person_org);
          change->mutable_remove_person()->mutable_person()->set_public_key(
              crypto::ToHex(ledger_.Key(actor).public_key));
        } else if (random_.OneIn(8)) {
          change->mutable_add_validator()->set_organization(Org());
          std::string node = "node." + std::to_string(random_.Pick(4));
          change->mutable_add_validator()->set_public_key(
              crypto::ToHex(ledger_.Key(node).public_key));
          change->mutable_add_validator()->set_address(node + ".example:7800");
        } else {
          std::string actor = org + ".extra" + std::to_string(random_.Pick(6));
          auto* person = change->mutable_add_person();
          person->set_organization(org);
          person->mutable_person()->set_name(actor);
          person->mutable_person()->set_public_key(crypto::ToHex(ledger_.Key(actor).public_key));
          person->mutable_person()->add_roles(v1::OPERATION_RESPONSIBLE);
          extra_people_.emplace_back(org, actor);
        }
        return Sign(record, random_.OneIn(10) ? "smelter.top" : "consortium.top", time_ms);
      }
      case 33: {  // records by people added above (or removed since)
        if (extra_people_.empty()) break;
        const auto& [person_org, actor] = PickOf(extra_people_);
        auto* body = record.mutable_shipment();
        body->set_from_site_id("main");
        body->set_to_org(person_org == "brand" ? "smelter" : "brand");
        body->set_to_site_id("main");
        body->set_characteristic(Characteristic());
        body->set_product_group("cathode");
        body->set_credit_grams(1 + random_.Pick(kTonne));
        body->set_product_mass_grams(2 * kTonne);
        return Sign(record, actor, time_ms);
      }
      case 34:
      case 35: {  // the same record again, from an earlier block (R5)
        if (sent_.empty()) break;
        return PickOf(sent_);
      }
      case 36: {  // malformed records
        record.set_author_org(org);
        switch (random_.Pick(7)) {
          case 0: {
            SignedRecord garbage = Sign(record, org + ".ops", time_ms);
            garbage.payload = std::string("\x0a\xff\xff\xff", 4) + std::to_string(random_.Next());
            return garbage;
          }
          case 1:  // no body
            return Sign(record, org + ".ops", time_ms);
          case 2:
            record.set_chain_id(std::string(32, 'x'));
            break;
          case 3:
            record.set_valid_until_ms(time_ms - 1);
            break;
          case 4:
            record.set_valid_until_ms(time_ms + 25 * 3'600'000LL);
            break;
          case 5:
            record.set_version(2);
            break;
          default:
            record.clear_author_org();
            break;
        }
        record.mutable_period_close()->set_fiscal_year(2025);
        if (record.version() == 0) record.set_version(1);
        if (record.chain_id().empty()) record.set_chain_id(ledger_.chain_id());
        if (record.valid_until_ms() == 0) record.set_valid_until_ms(time_ms + 3'600'000);
        record.set_nonce(random_.Next());
        return ledger_.SignAsIs(record, org + ".ops");
      }
      case 37: {  // a genesis record again
        record.mutable_genesis()->set_chain_name("again");
        record.set_author_org("consortium");
        return Sign(record, "consortium.top", time_ms);
      }
      default: {  // another organization's key, or a role the record type does not take
        auto* body = record.mutable_system_exit();
        body->set_site_id("main");
        body->set_characteristic(Characteristic());
        body->set_product_group("cathode");
        body->set_credit_grams(1);
        body->set_scope(v1::SystemExit::PRODUCT);
        record.set_author_org(org);
        std::string actor =
            random_.OneIn(2) ? std::string(PickOf(kValueChain)) + ".ops" : org + ".top";
        return Sign(record, actor, time_ms);
      }
    }
    return RandomRecord(time_ms);  // the chosen kind had nothing to refer to yet
  }

  void Remember(const SignedRecord& envelope, const RecordResult& result) {
    sent_.push_back(envelope);
    if (!result.accepted) return;
    v1::Record record;
    if (!record.ParseFromString(envelope.payload)) return;
    std::string id = crypto::ToHex(result.record_id);
    if (record.has_certificate_request()) {
      requests_.emplace_back(id, record.certificate_request().characteristic_mass_claimed_grams());
    } else if (record.has_shipment()) {
      shipments_.push_back(
          {id, record.shipment().to_org(), record.shipment().product_mass_grams()});
    } else if (record.has_non_conformity() &&
               record.non_conformity().closes_non_conformity_id().empty()) {
      non_conformities_.emplace_back(record.non_conformity().org(), id);
    }
  }

  struct Shipped {
    std::string id;
    std::string receiver;
    std::uint64_t mass = 0;
  };

  GoldenLedger& ledger_;
  SplitMix64 random_;
  std::vector<SignedRecord> sent_;
  std::vector<std::pair<std::string, std::uint64_t>> requests_;  // id, claimed grams
  std::vector<Shipped> shipments_;
  std::vector<std::pair<std::string, std::string>> non_conformities_;  // org, id
  std::vector<std::pair<std::string, std::string>> extra_people_;      // org, actor
};

std::string RunRandom(std::uint64_t seed, int blocks) {
  GoldenLedger ledger("random_" + std::to_string(seed));
  RandomRun run(ledger, seed);
  run.Setup();
  for (int i = 0; i < blocks; ++i) run.Step();
  return ledger.Summary();
}

TEST(ExecutorGoldenTest, RandomRecordsSeed1) {
  EXPECT_EQ(RunRandom(1, 150),
            "2385 records, 663 accepted, digest "
            "08f07768511ddab0324e7d2c741882dcac0a5f9e267218e47294662f804f56a7, "
            "state root 9cbe3c3ebb8c370a711aa04ef7d8651aa6c5ee3a9091cf2bd1c02c6cdf5f4d0e");
}
TEST(ExecutorGoldenTest, RandomRecordsSeed2) {
  EXPECT_EQ(RunRandom(2, 150),
            "1901 records, 477 accepted, digest "
            "6bab45157644d472615b76aac9ee317db6d1a1e5a113b3aab7e29cfd5c23edb7, "
            "state root c240254b7055f35f0f19d60ee68e9c2d58f771637bed294ddd04c49dbd0c6d9a");
}
TEST(ExecutorGoldenTest, RandomRecordsSeed3) {
  EXPECT_EQ(RunRandom(3, 150),
            "2963 records, 927 accepted, digest "
            "420f00bd9a4e088b9308d55ba57a46da9474eb68c6a6e0afeb4c101514bb269f, "
            "state root c7ed9deaf2eb0364fb4e2e971fca2c27341273636c5deb8ee3d9876d8be39e46");
}

// ---------------------------------------------------------------------------------------------
// The benchmark's shape: hundreds of shipments from one account in one block, until it runs dry
// in the middle of the block, then receipts, rejections and returns of many of them at once.

TEST(ExecutorGoldenTest, ManyShipmentsFromOneAccountInOneBlock) {
  GoldenLedger ledger("one_account");
  RandomRun(ledger, 99).Setup();
  v1::Record request;
  auto* body = request.mutable_certificate_request();
  body->set_site_id("main");
  body->set_characteristic("cu-8.0-mix");
  body->set_product_group("cathode");
  body->set_input_mass_grams(2'000'000);
  body->set_characteristic_mass_claimed_grams(1'000'000);
  SignedRecord requested = ledger.Sign(request, "smelter.ops");
  v1::Record certification;
  certification.mutable_certification()->set_request_id(
      crypto::ToHex(ComputeRecordId(requested.payload)));
  certification.mutable_certification()->set_decision(v1::Certification::APPROVE);
  certification.mutable_certification()->set_certified_mass_grams(900'000);
  ledger.Commit({requested, ledger.Sign(certification, "cb.eval")});
  // A second lot, later, so that shipments take from two lots oldest first.
  requested = ledger.Sign(request, "smelter.ops");
  certification.mutable_certification()->set_request_id(
      crypto::ToHex(ComputeRecordId(requested.payload)));
  ledger.Commit({requested, ledger.Sign(certification, "cb.eval")});

  auto shipment_record = [](const std::string& to, std::uint64_t credits) {
    v1::Record record;
    auto* shipment = record.mutable_shipment();
    shipment->set_from_site_id("main");
    shipment->set_to_org(to);
    shipment->set_to_site_id("main");
    shipment->set_characteristic("cu-8.0-mix");
    shipment->set_product_group("cathode");
    shipment->set_product_mass_grams(5000);
    shipment->set_credit_grams(credits);
    return record;
  };
  std::vector<SignedRecord> shipments;
  for (int i = 0; i < 700; ++i) {
    // 3 000..3 999 g each: the two lots (1.8 t) run dry after about 510 shipments.
    shipments.push_back(ledger.Sign(
        shipment_record(i % 2 == 0 ? "wiremaker" : "brand", 3000 + i * 7 % 1000), "smelter.ops"));
  }
  BlockExecution block = ledger.Commit(shipments);
  std::vector<std::pair<std::string, std::string>> accepted;  // shipment id, receiver
  for (std::size_t i = 0; i < block.results.size(); ++i) {
    if (block.results[i].accepted) {
      accepted.emplace_back(crypto::ToHex(block.results[i].record_id),
                            i % 2 == 0 ? "wiremaker" : "brand");
    }
  }
  EXPECT_GT(accepted.size(), 100u);
  EXPECT_LT(accepted.size(), 700u);

  std::vector<SignedRecord> decisions;
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    const auto& [id, receiver] = accepted[i];
    v1::Record record;
    auto* decision = record.mutable_receipt_decision();
    decision->set_shipment_id(id);
    decision->set_decision(i % 3 == 0 ? v1::ReceiptDecision::REJECT : v1::ReceiptDecision::CONFIRM);
    decision->set_reason("damaged");
    decisions.push_back(ledger.Sign(record, receiver + ".ops"));
    if (i % 5 == 1) {
      v1::Record back;
      back.mutable_product_return()->set_shipment_id(id);
      back.mutable_product_return()->set_returned_product_grams(1000 + i);
      decisions.push_back(ledger.Sign(back, receiver + ".ops"));
    }
  }
  ledger.Commit(decisions);

  // A year later every lot has expired: the first shipment fails (and books nothing), then a new
  // certification, after which a shipment books the expired lots on its way to the new one.
  std::int64_t later = ledger.time_ms() + 400 * kDayMs;
  std::vector<SignedRecord> last;
  auto sign_later = [&](const v1::Record& record, const std::string& actor) {
    v1::Record copy = record;
    copy.set_valid_until_ms(later + 3'600'000);
    return ledger.Sign(copy, actor);
  };
  last.push_back(sign_later(shipment_record("brand", 3000), "smelter.ops"));
  requested = sign_later(request, "smelter.ops");
  certification.mutable_certification()->set_request_id(
      crypto::ToHex(ComputeRecordId(requested.payload)));
  last.push_back(requested);
  last.push_back(sign_later(certification, "cb.eval"));
  last.push_back(sign_later(shipment_record("brand", 3000), "smelter.ops"));
  last.push_back(sign_later(shipment_record("smelter", 3000), "wiremaker.ops"));
  BlockExecution year_later = ledger.Commit(last, later);
  EXPECT_FALSE(year_later.results[0].accepted);
  EXPECT_TRUE(year_later.results[3].accepted) << year_later.results[3].rejection.message;
  EXPECT_EQ(ledger.Summary(),
            "1350 records, 1132 accepted, digest "
            "f94502eb96e8d5a80b906a83f97fbb2386cde212e1da3dd75eeccf92fc8e803a, "
            "state root 337df3b1210648f406469a0dfeae2f6a4398b7f209425505f6f7caf32b61cc5e");
}

}  // namespace
}  // namespace mbl::chaincode
