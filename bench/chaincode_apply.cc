// Chaincode alone (no consensus, no signature checks, state in memory): shipments applied per
// second on one thread, and the lineage query of a 10-step chain with many records stored.
//   bench_chaincode_apply [--shipments N] [--background-records M]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "chaincode/credits/accounts.h"
#include "chaincode/queries/credit_queries.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "tests/support/ledger_fixture.h"

namespace {

using namespace mbl;
using namespace mbl::chaincode;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// CPU time of this thread: on a machine shared with other jobs, wall time also counts the time
// the thread waited for a core; both figures are printed.
double ThreadCpuSeconds() {
  timespec now{};
  MBL_CHECK_EQ(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now), 0);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

RecordResult Commit(test_support::LedgerFixture& ledger, const std::string& org, v1::Role role,
                    v1::Record record) {
  record.set_valid_until_ms(ledger.time_ms() + 3'600'000);
  RecordResult result = ledger.CommitOne(ledger.Sign(record, org, role));
  MBL_CHECK_MSG(result.accepted, result.rejection.message);
  return result;
}

void Setup(test_support::LedgerFixture& ledger) {
  v1::Record record;
  auto* characteristic = record.mutable_characteristic_definition();
  characteristic->set_id("cu-8.0-mix");
  characteristic->set_name("Cu 8.0 MIX");
  characteristic->set_category(v1::GHG_REDUCED);
  Commit(ledger, "rs", v1::TOP_MANAGEMENT, record);
  record.Clear();
  record.mutable_product_group_definition()->set_id("cathode");
  record.mutable_product_group_definition()->set_nature("copper");
  Commit(ledger, "rs", v1::TOP_MANAGEMENT, record);
  record.Clear();
  record.mutable_cb_accreditation()->set_certification_body("cb");
  record.mutable_cb_accreditation()->add_characteristics("cu-8.0-mix");
  Commit(ledger, "rs", v1::TOP_MANAGEMENT, record);
  for (const char* org : {"smelter", "wiremaker", "brand"}) {
    record.Clear();
    record.mutable_site_definition()->set_site_id("main");
    record.mutable_site_definition()->set_area_type("site");
    Commit(ledger, org, v1::OPERATION_RESPONSIBLE, record);
  }
}

std::string Certify(test_support::LedgerFixture& ledger, const std::string& org,
                    std::uint64_t grams) {
  v1::Record request;
  auto* body = request.mutable_certificate_request();
  body->set_site_id("main");
  body->set_characteristic("cu-8.0-mix");
  body->set_product_group("cathode");
  body->set_input_mass_grams(grams);
  body->set_characteristic_mass_claimed_grams(grams);
  std::string id = crypto::ToHex(Commit(ledger, org, v1::OPERATION_RESPONSIBLE, request).record_id);
  v1::Record certification;
  certification.mutable_certification()->set_request_id(id);
  certification.mutable_certification()->set_decision(v1::Certification::APPROVE);
  certification.mutable_certification()->set_certified_mass_grams(grams);
  return crypto::ToHex(Commit(ledger, "cb", v1::EVALUATION_RESPONSIBLE, certification).record_id);
}

v1::Record ShipmentRecord(const std::string& to, std::uint64_t grams) {
  v1::Record record;
  auto* body = record.mutable_shipment();
  body->set_from_site_id("main");
  body->set_to_org(to);
  body->set_to_site_id("main");
  body->set_characteristic("cu-8.0-mix");
  body->set_product_group("cathode");
  body->set_product_mass_grams(grams);
  body->set_credit_grams(grams);
  return record;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t shipments = 100'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--shipments") == 0) shipments = std::stoul(argv[i + 1]);
  }
  test_support::LedgerFixture ledger;
  Setup(ledger);
  Certify(ledger, "smelter", 1'000'000'000'000ULL);  // enough credits for every shipment

  // Signed outside the clock: the benchmark measures apply, not Ed25519.
  constexpr std::size_t kBlock = 1000;
  std::vector<std::vector<SignedRecord>> blocks;
  for (std::size_t i = 0; i < shipments; i += kBlock) {
    std::vector<SignedRecord> block;
    for (std::size_t j = i; j < std::min(shipments, i + kBlock); ++j) {
      v1::Record record = ShipmentRecord(j % 2 == 0 ? "wiremaker" : "brand", 1000 + j % 1000);
      record.set_valid_until_ms(ledger.time_ms() + 3'600'000);
      block.push_back(ledger.Sign(record, "smelter", v1::OPERATION_RESPONSIBLE));
    }
    blocks.push_back(std::move(block));
  }
  // Two figures: the chaincode executing blocks (ExecuteBlock: every rule, the results, the
  // write set and both roots), and that plus applying each block's writes to the in-memory state,
  // which stands where the node has RocksDB.
  auto start = Clock::now();
  double cpu_start = ThreadCpuSeconds();
  double execute_cpu_seconds = 0;
  std::size_t accepted = 0;
  for (const auto& block : blocks) {
    double before = ThreadCpuSeconds();
    chaincode::BlockExecution execution = ledger.ExecuteNext(block);
    execute_cpu_seconds += ThreadCpuSeconds() - before;
    for (const auto& result : execution.results) accepted += result.accepted ? 1 : 0;
    ledger.ApplyWrites(std::move(execution.writes));
  }
  double seconds = Seconds(Clock::now() - start);
  double cpu_seconds = ThreadCpuSeconds() - cpu_start;
  MBL_CHECK_EQ(accepted, shipments);
  std::printf(
      "chaincode apply: %zu shipments in %.2f s = %.0f shipments/s (one thread, blocks of %zu, "
      "writes applied to the state in memory; thread CPU time %.2f s = %.0f shipments/s)\n",
      shipments, seconds, shipments / seconds, kBlock, cpu_seconds, shipments / cpu_seconds);
  std::printf(
      "  of which executing the blocks (ExecuteBlock): thread CPU time %.2f s = %.0f shipments/s\n",
      execute_cpu_seconds, shipments / execute_cpu_seconds);
  std::printf("state entries after the run: %zu\n", ledger.state().size());

  // Lineage of a 10-step chain: certification, then 9 shipments and receipts back and forth.
  std::string org = "wiremaker";
  Certify(ledger, org, 10'000);
  std::string last_shipment;
  for (int step = 0; step < 9; ++step) {
    std::string to = org == "wiremaker" ? "brand" : "wiremaker";
    v1::Record record = ShipmentRecord(to, 10'000);
    last_shipment = crypto::ToHex(Commit(ledger, org, v1::OPERATION_RESPONSIBLE, record).record_id);
    v1::Record receipt;
    receipt.mutable_receipt_decision()->set_shipment_id(last_shipment);
    receipt.mutable_receipt_decision()->set_decision(v1::ReceiptDecision::CONFIRM);
    Commit(ledger, to, v1::OPERATION_RESPONSIBLE, receipt);
    org = to;
  }
  constexpr int kQueries = 1000;
  auto lineage_start = Clock::now();
  std::size_t records = 0;
  for (int i = 0; i < kQueries; ++i) {
    auto lineage = RunCreditQuery("lineage", {{"shipment", last_shipment}}, "cb", ledger.state(),
                                  ledger.time_ms());
    MBL_CHECK(lineage.ok());
    records = (*lineage)["records"].size();
  }
  double per_query_ms = Seconds(Clock::now() - lineage_start) * 1000 / kQueries;
  std::printf(
      "lineage of a 10-step chain (%zu records in it) with %zu state entries: %.3f ms per query\n",
      records, ledger.state().size(), per_query_ms);
  return 0;
}
