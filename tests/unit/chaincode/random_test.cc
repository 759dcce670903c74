// Randomized test: random interleavings of valid and invalid records from several organizations,
// blocks at random times (months apart now and then, so credits expire). After every block R4,
// R5, R6 and R7 must hold; at the end, re-applying the same blocks from genesis into a fresh state
// must give the same state root (R16). MBL_RANDOM_SEEDS sets the number of seeds (default 200);
// a failure names its seed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "chaincode/credits/validity.h"
#include "tests/unit/chaincode/credits_fixture.h"

namespace mbl::chaincode {
namespace {

constexpr const char* kOrgs[] = {"smelter", "wiremaker", "brand"};
constexpr const char* kGroups[] = {"cathode", "wire", "computer"};

class RandomLedger {
 public:
  explicit RandomLedger(std::uint64_t seed) : random_(seed) {
    DefineValueChain(ledger_);
    v1::Record factor;
    for (const char* org : kOrgs) {
      factor.mutable_conversion_factor()->set_product_group_in("cathode");
      factor.mutable_conversion_factor()->set_product_group_out("wire");
      factor.mutable_conversion_factor()->set_factor_ppm(900'000 + Pick(100'001));
      factor.mutable_conversion_factor()->set_method_document_hash(std::string(64, 'f'));
      MBL_CHECK(ledger_.CommitOne(ledger_.Sign(factor, org, v1::OPERATION_RESPONSIBLE)).accepted);
    }
  }

  // One block of 1..8 random records; returns "" or the first broken invariant.
  std::string Step() {
    std::int64_t time_ms =
        ledger_.time_ms() + 1000 + (Pick(10) == 0 ? Pick(200) * 86'400'000LL : Pick(60'000));
    std::vector<SignedRecord> records;
    std::size_t count = 1 + Pick(8);
    for (std::size_t i = 0; i < count; ++i) records.push_back(RandomRecord(time_ms));
    if (std::string failure = CheckDryRun(records, time_ms); !failure.empty()) return failure;
    if (std::string failure = CheckDryRun(ReferenceDataBatch(time_ms), time_ms); !failure.empty())
      return "reference data: " + failure;
    BlockExecution block = ledger_.Commit(records, time_ms);
    for (std::size_t i = 0; i < records.size(); ++i) Remember(records[i], block.results[i]);
    return CheckInvariants(block);
  }

  const LedgerFixture& ledger() const { return ledger_; }
  std::size_t accepted() const { return accepted_.size(); }
  std::size_t sent() const { return sent_.size(); }
  std::size_t shipments() const { return shipments_.size(); }

 private:
  std::uint64_t Pick(std::uint64_t n) {
    return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(random_);
  }
  template <typename T>
  const T& PickOf(const std::vector<T>& items) {
    return items[Pick(items.size())];
  }

  // A batch whose records would see each other's reference data if a dry run leaked it: a new
  // site, a shipment from it, the same site again (never committed: Step only dry-runs it).
  std::vector<SignedRecord> ReferenceDataBatch(std::int64_t time_ms) {
    const std::string org = kOrgs[Pick(3)];
    const std::string site = "annex-" + std::to_string(Pick(1000));
    v1::Record definition;
    definition.mutable_site_definition()->set_site_id(site);
    definition.mutable_site_definition()->set_area_type("site");
    v1::Record shipment;
    shipment.mutable_shipment()->set_from_site_id(site);
    shipment.mutable_shipment()->set_to_org(org == "brand" ? "wiremaker" : "brand");
    shipment.mutable_shipment()->set_to_site_id("main");
    shipment.mutable_shipment()->set_characteristic(kRecycled);
    shipment.mutable_shipment()->set_product_group("cathode");
    shipment.mutable_shipment()->set_credit_grams(1);
    shipment.mutable_shipment()->set_product_mass_grams(1);
    SignedRecord defined = Sign(definition, org, v1::OPERATION_RESPONSIBLE, time_ms);
    return {defined, Sign(shipment, org, v1::OPERATION_RESPONSIBLE, time_ms), defined};
  }

  // Admission's dry run of the batch gives each record the result it would have alone in a block.
  std::string CheckDryRun(const std::vector<SignedRecord>& records, std::int64_t time_ms) {
    const BlockContext context{ledger_.height() + 1, time_ms};
    std::vector<RecordResult> dry_run = DryRunEach(records, ledger_.state(), context);
    if (dry_run.size() != records.size()) return "the dry run gave a wrong number of results";
    for (std::size_t i = 0; i < records.size(); ++i) {
      RecordResult alone =
          ExecuteBlock({records[i]}, ledger_.state(), context, ledger_.state_root()).results[0];
      if (dry_run[i].record_id != alone.record_id || dry_run[i].accepted != alone.accepted ||
          dry_run[i].rejection.rule != alone.rejection.rule ||
          dry_run[i].rejection.message != alone.rejection.message ||
          dry_run[i].details_json != alone.details_json) {
        return "dry run of record " + std::to_string(i) + " gave " +
               (dry_run[i].accepted
                    ? "accepted " + dry_run[i].details_json
                    : dry_run[i].rejection.rule + " " + dry_run[i].rejection.message) +
               ", alone in a block it gives " +
               (alone.accepted ? "accepted " + alone.details_json
                               : alone.rejection.rule + " " + alone.rejection.message);
      }
    }
    return "";
  }

  SignedRecord Sign(v1::Record record, const std::string& org, v1::Role role,
                    std::int64_t time_ms) {
    record.set_valid_until_ms(time_ms + 3'600'000);
    return ledger_.Sign(record, org, role);
  }

  SignedRecord RandomRecord(std::int64_t time_ms) {
    std::string org = kOrgs[Pick(3)];
    std::string characteristic = Pick(2) == 0 ? kCo2 : kRecycled;
    std::uint64_t grams = 1 + Pick(Pick(4) == 0 ? 20 * kTonne : 5 * kTonne);
    v1::Record record;
    switch (Pick(10)) {
      case 0: {  // certificate request (sometimes run-around scrap)
        auto* body = record.mutable_certificate_request();
        body->set_site_id("main");
        body->set_characteristic(characteristic);
        body->set_product_group(kGroups[Pick(2)]);
        grams = 5 * kTonne + Pick(15 * kTonne);
        body->set_input_mass_grams(grams * 2);
        body->set_characteristic_mass_claimed_grams(grams);
        body->set_run_around_scrap(Pick(5) == 0);
        return Sign(record, org, v1::OPERATION_RESPONSIBLE, time_ms);
      }
      case 1: {  // certification of a known request, sometimes over the claim or by a non-CB
        if (requests_.empty()) break;
        auto* body = record.mutable_certification();
        const std::string& request = PickOf(requests_);
        body->set_request_id(request);
        body->set_decision(Pick(6) == 0 ? v1::Certification::REJECT : v1::Certification::APPROVE);
        body->set_reason("insufficient evidence");
        body->set_certified_mass_grams(claimed_[request] + (Pick(5) == 0 ? 1 : 0));
        return Sign(record, Pick(8) == 0 ? org : "cb", v1::EVALUATION_RESPONSIBLE, time_ms);
      }
      case 2:
      case 3: {  // shipment, sometimes carrying more credits than mass
        std::string to = kOrgs[Pick(3)];
        auto* body = record.mutable_shipment();
        body->set_from_site_id("main");
        body->set_to_org(to);
        body->set_to_site_id("main");
        body->set_characteristic(characteristic);
        body->set_product_group(Pick(4) == 0 ? kGroups[1 + Pick(2)] : kGroups[0]);
        grams = 1 + Pick(3 * kTonne);
        body->set_credit_grams(grams);
        body->set_product_mass_grams(Pick(6) == 0 ? grams - 1 + (grams == 1)
                                                  : grams + Pick(kTonne));
        return Sign(record, org, v1::OPERATION_RESPONSIBLE, time_ms);
      }
      case 4: {  // receipt decision by the receiver (or, sometimes, by someone else)
        if (shipments_.empty()) break;
        auto* body = record.mutable_receipt_decision();
        const std::string& shipment = PickOf(shipments_);
        body->set_shipment_id(shipment);
        body->set_decision(Pick(3) == 0 ? v1::ReceiptDecision::REJECT
                                        : v1::ReceiptDecision::CONFIRM);
        body->set_reason("damaged");
        return Sign(record, Pick(5) == 0 ? org : receivers_[shipment], v1::OPERATION_RESPONSIBLE,
                    time_ms);
      }
      case 5: {  // processing cathode -> wire
        auto* body = record.mutable_processing();
        body->set_site_id("main");
        body->set_characteristic(characteristic);
        body->set_product_group_in("cathode");
        body->set_product_group_out("wire");
        body->set_consumed_grams(grams);
        return Sign(record, org, v1::OPERATION_RESPONSIBLE, time_ms);
      }
      case 6: {  // system exit
        auto* body = record.mutable_system_exit();
        body->set_site_id("main");
        body->set_characteristic(characteristic);
        body->set_product_group(kGroups[Pick(3)]);
        body->set_credit_grams(grams);
        body->set_scope(Pick(8) == 0 ? v1::SystemExit::SCOPE_UNSPECIFIED : v1::SystemExit::PRODUCT);
        return Sign(record, org, v1::OPERATION_RESPONSIBLE, time_ms);
      }
      case 7: {  // return of part of a shipment
        if (shipments_.empty()) break;
        const std::string& shipment = PickOf(shipments_);
        record.mutable_product_return()->set_shipment_id(shipment);
        record.mutable_product_return()->set_returned_product_grams(1 + Pick(kTonne));
        return Sign(record, receivers_[shipment], v1::OPERATION_RESPONSIBLE, time_ms);
      }
      case 8: {  // the same record again: takes effect once (R5)
        if (sent_.empty()) break;
        return PickOf(sent_);
      }
      default: {  // a signer without the role
        auto* body = record.mutable_shipment();
        body->set_from_site_id("main");
        body->set_to_org("brand");
        body->set_to_site_id("main");
        body->set_characteristic(characteristic);
        body->set_product_group("cathode");
        body->set_credit_grams(1);
        body->set_product_mass_grams(1);
        return Sign(record, org, v1::EVALUATION_RESPONSIBLE, time_ms);
      }
    }
    return RandomRecord(time_ms);  // the chosen kind had nothing to refer to yet
  }

  void Remember(const SignedRecord& record, const RecordResult& result) {
    sent_.push_back(record);
    if (!result.accepted) return;
    std::string id = crypto::ToHex(result.record_id);
    MBL_CHECK_MSG(accepted_.insert(id).second, "R5: record " + id + " accepted twice");
    v1::Record parsed;
    MBL_CHECK(parsed.ParseFromString(record.payload));
    if (parsed.has_certificate_request()) {
      requests_.push_back(id);
      claimed_[id] = parsed.certificate_request().characteristic_mass_claimed_grams();
    }
    if (parsed.has_shipment()) {
      shipments_.push_back(id);
      receivers_[id] = parsed.shipment().to_org();
    }
  }

  std::string CheckInvariants(const BlockExecution& block) {
    for (const char* characteristic : {kCo2, kRecycled}) {  // R6 (and R4: counters are unsigned)
      Status status = CheckConservation(ledger_.state(), characteristic);
      if (!status.ok()) return status.message();
    }
    std::string failure;  // R4: every lot positive; R7: no shipment carried credits already expired
    ledger_.state().Scan("c/lot/", [&](std::string_view key, std::string_view value) {
      if (nlohmann::json::parse(value)["grams"].get<std::uint64_t>() == 0)
        failure = "R4: empty lot " + std::string(key);
      return failure.empty();
    });
    for (const auto& [key, value] : block.writes) {
      if (!key.starts_with("c/shipment/") || !value) continue;
      auto shipment = nlohmann::json::parse(*value);
      for (const auto& portion : shipment["portions"]) {
        if (IsExpired(portion["issued_ms"], shipment["shipped_ms"]))
          failure = "R7: expired credits shipped in " + key;
      }
    }
    return failure;
  }

  std::mt19937_64 random_;
  LedgerFixture ledger_;
  std::vector<std::string> requests_;
  std::vector<std::string> shipments_;
  std::map<std::string, std::uint64_t> claimed_;
  std::map<std::string, std::string> receivers_;
  std::vector<SignedRecord> sent_;
  std::set<std::string> accepted_;
};

TEST(Randomized, R4_R5_R6_R7_HoldAfterEveryBlockAndReplayGivesTheSameStateRoot) {
  const char* configured = std::getenv("MBL_RANDOM_SEEDS");
  std::uint64_t seeds = configured != nullptr ? std::strtoull(configured, nullptr, 10) : 200;
  std::size_t sent = 0, accepted = 0, shipments = 0;
  constexpr int kBlocks = 40;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    RandomLedger ledger(seed);
    for (int block = 0; block < kBlocks; ++block) {
      std::string failure = ledger.Step();
      ASSERT_TRUE(failure.empty()) << "seed " << seed << ", block " << block << ": " << failure
                                   << " (replay: MBL_RANDOM_SEEDS=" << seed << ")";
    }
    ASSERT_EQ(test_support::ReplayFromGenesis(ledger.ledger().blocks()),
              ledger.ledger().state_root())
        << "seed " << seed << ": re-application from genesis diverged (R16)";
    sent += ledger.sent();
    accepted += ledger.accepted();
    shipments += ledger.shipments();
  }
  std::printf("%llu seeds: %zu records, %zu accepted (%zu shipments), the rest rejected\n",
              static_cast<unsigned long long>(seeds), sent, accepted, shipments);
  EXPECT_GT(shipments, seeds) << "the generator must exercise the credit flows";
}

}  // namespace
}  // namespace mbl::chaincode
