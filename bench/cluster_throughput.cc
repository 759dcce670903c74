// Four validators on this machine over loopback (DESIGN D9): real ledgers (RocksDB in temporary
// directories, synced writes), real BFT consensus, real authenticated encrypted links over TCP on
// 127.0.0.1, signed shipment records submitted to the four nodes in turn (the HTTP layer is left
// out). Reports committed records per second, the commit latency of each submitted batch, and
// this machine's Ed25519 verify rate measured in the same run.
//   bench_cluster [--seconds S] [--rate R] [--batch B] [--port P]
//   --rate 0 (default): as fast as the cluster commits (the submitter keeps <= 20 000 pending)
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "bench/bench_util.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "node/ledger.h"
#include "node/ledger_views.h"
#include "node/log.h"
#include "node/peer_links.h"
#include "tests/support/ledger_fixture.h"

namespace {

using namespace mbl;
using Clock = std::chrono::steady_clock;
using bench::Seconds;
using bench::VerifyRatePerSecond;
constexpr int kNodes = 4;

std::int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Cluster {
  test_support::LedgerFixture fixture{0, kNodes};
  std::vector<std::filesystem::path> dirs;
  std::vector<std::unique_ptr<node::Ledger>> ledgers;

  explicit Cluster(int base_port) {
    // The fixture names 127.0.0.1:17800+i; a different base needs another genesis, so the
    // benchmark uses the fixture's ports (free them if something else holds them).
    (void)base_port;
    for (int i = 0; i < kNodes; ++i) {
      dirs.push_back(std::filesystem::temp_directory_path() /
                     ("mbl-bench-cluster-" + std::to_string(getpid()) + "-" + std::to_string(i)));
      std::filesystem::remove_all(dirs.back());
      node::LedgerOptions options;
      options.data_dir = dirs.back();
      options.genesis = fixture.genesis();
      const crypto::KeyPair& key = fixture.validator_keys()[i];
      options.make_network = node::MakePeerLinksFactory(key, "");
      auto ledger =
          node::Ledger::Open(std::move(options), crypto::KeyPair::FromSeed(key.secret_key.seed()));
      MBL_CHECK_MSG(ledger.ok(), ledger.status().ToString());
      ledgers.push_back(std::move(*ledger));
    }
  }
  ~Cluster() {
    for (auto& ledger : ledgers) ledger.reset();
    for (const auto& dir : dirs) std::filesystem::remove_all(dir);
  }

  // Submits one record to node 0 and waits for its commit; returns its id.
  std::string Commit(v1::Record record, const std::string& org, v1::Role role) {
    record.set_valid_until_ms(WallNowMs() + 3'600'000);
    chaincode::SignedRecord signed_record = fixture.Sign(record, org, role);
    auto outcome = ledgers[0]->Submit({signed_record});
    MBL_CHECK_MSG(outcome[0].status.ok(), outcome[0].status.ToString());
    std::mutex mutex;
    std::condition_variable done;
    bool fired = false;
    ledgers[0]->WhenCommitted({outcome[0].id}, std::chrono::seconds(30), [&] {
      std::lock_guard lock(mutex);
      fired = true;
      done.notify_all();
    });
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return fired; });
    auto result = ledgers[0]->GetRecordOutcome(outcome[0].id);
    MBL_CHECK_MSG(
        result.ok() && result->committed && result->committed->result.accepted,
        result.ok() ? node::RecordOutcomeJson(*result).dump() : result.status().ToString());
    return crypto::ToHex(outcome[0].id);
  }
};

// Characteristic, product group, accreditation, sites, and a large certification at the smelter.
void SetUpValueChain(Cluster& cluster) {
  v1::Record record;
  auto* characteristic = record.mutable_characteristic_definition();
  characteristic->set_id("cu-8.0-mix");
  characteristic->set_name("Cu 8.0 MIX");
  characteristic->set_category(v1::GHG_REDUCED);
  cluster.Commit(record, "rs", v1::TOP_MANAGEMENT);
  record.Clear();
  record.mutable_product_group_definition()->set_id("cathode");
  record.mutable_product_group_definition()->set_nature("copper");
  cluster.Commit(record, "rs", v1::TOP_MANAGEMENT);
  record.Clear();
  record.mutable_cb_accreditation()->set_certification_body("cb");
  record.mutable_cb_accreditation()->add_characteristics("cu-8.0-mix");
  cluster.Commit(record, "rs", v1::TOP_MANAGEMENT);
  for (const char* org : {"smelter", "wiremaker", "brand"}) {
    record.Clear();
    record.mutable_site_definition()->set_site_id("main");
    record.mutable_site_definition()->set_area_type("site");
    cluster.Commit(record, org, v1::OPERATION_RESPONSIBLE);
  }
  constexpr std::uint64_t kGrams = 1'000'000'000'000ULL;
  record.Clear();
  auto* request = record.mutable_certificate_request();
  request->set_site_id("main");
  request->set_characteristic("cu-8.0-mix");
  request->set_product_group("cathode");
  request->set_input_mass_grams(kGrams);
  request->set_characteristic_mass_claimed_grams(kGrams);
  std::string request_id = cluster.Commit(record, "smelter", v1::OPERATION_RESPONSIBLE);
  record.Clear();
  record.mutable_certification()->set_request_id(request_id);
  record.mutable_certification()->set_decision(v1::Certification::APPROVE);
  record.mutable_certification()->set_certified_mass_grams(kGrams);
  cluster.Commit(record, "cb", v1::EVALUATION_RESPONSIBLE);
}

std::vector<chaincode::SignedRecord> SignShipments(test_support::LedgerFixture& fixture,
                                                   std::size_t count) {
  std::vector<chaincode::SignedRecord> records;
  records.reserve(count);
  const std::int64_t valid_until = WallNowMs() + 3'600'000;
  for (std::size_t i = 0; i < count; ++i) {
    v1::Record record;
    auto* body = record.mutable_shipment();
    body->set_from_site_id("main");
    body->set_to_org(i % 2 == 0 ? "wiremaker" : "brand");
    body->set_to_site_id("main");
    body->set_characteristic("cu-8.0-mix");
    body->set_product_group("cathode");
    body->set_product_mass_grams(1000 + i % 1000);
    body->set_credit_grams(1000 + i % 1000);
    record.set_valid_until_ms(valid_until);
    records.push_back(fixture.Sign(record, "smelter", v1::OPERATION_RESPONSIBLE));
  }
  return records;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * values.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 60;
  double rate = 0;
  std::size_t batch = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::stod(argv[i + 1]);
    if (std::strcmp(argv[i], "--rate") == 0) rate = std::stod(argv[i + 1]);
    if (std::strcmp(argv[i], "--batch") == 0) batch = std::stoul(argv[i + 1]);
  }
  node::SetLogLevel(node::LogLevel::kWarn);
  MBL_CHECK(crypto::InitializeCrypto().ok());
  const double verify_rate = VerifyRatePerSecond();
  Cluster cluster(17800);
  SetUpValueChain(cluster);

  const double expected_rate = rate > 0 ? rate : 10'000;
  const std::size_t total = static_cast<std::size_t>(expected_rate * seconds * 1.2) + batch;
  std::printf("signing %zu shipment records...\n", total);
  std::vector<chaincode::SignedRecord> records = SignShipments(cluster.fixture, total);

  std::mutex mutex;
  std::vector<double> latencies_ms;  // one per record, its batch's submit-to-commit time
  std::atomic<std::size_t> committed{0}, refused{0}, in_flight{0};
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::size_t next = 0;
  for (std::size_t round = 0; Clock::now() < end && next < records.size(); ++round) {
    if (rate > 0) {
      auto due = start + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(next / rate));
      std::this_thread::sleep_until(due);
    } else if (in_flight > 20'000) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    std::vector<chaincode::SignedRecord> slice(
        records.begin() + next, records.begin() + std::min(records.size(), next + batch));
    next += slice.size();
    node::Ledger& ledger = *cluster.ledgers[round % kNodes];
    const auto submitted = Clock::now();
    std::vector<chaincode::RecordId> ids;
    for (const auto& outcome : ledger.Submit(std::move(slice))) {
      if (outcome.status.ok()) {
        ids.push_back(outcome.id);
      } else {
        ++refused;
      }
    }
    in_flight += ids.size();
    const std::size_t count = ids.size();
    ledger.WhenCommitted(ids, std::chrono::seconds(60), [&, submitted, count] {
      const double ms = Seconds(Clock::now() - submitted) * 1000;
      std::lock_guard lock(mutex);
      latencies_ms.insert(latencies_ms.end(), count, ms);
      committed += count;
      in_flight -= count;
    });
  }
  const double submit_seconds = Seconds(Clock::now() - start);
  // Let what was submitted commit (bounded), then count only what committed in the window.
  for (int i = 0; i < 600 && in_flight > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const double total_seconds = Seconds(Clock::now() - start);
  std::lock_guard lock(mutex);
  std::printf(
      "4 validators, loopback, %s: submitted %zu shipments in %.1f s (%zu refused at admission); "
      "%zu committed in %.1f s = %.0f committed records/s\n",
      rate > 0 ? ("offered " + std::to_string(static_cast<int>(rate)) + " records/s").c_str()
               : "as fast as it commits",
      next, submit_seconds, refused.load(), committed.load(), total_seconds,
      committed / total_seconds);
  std::printf("commit latency per batch of %zu: p50 %.0f ms, p99 %.0f ms, max %.0f ms\n", batch,
              Percentile(latencies_ms, 0.50), Percentile(latencies_ms, 0.99),
              Percentile(latencies_ms, 1.0));
  std::printf("height %llu; Ed25519 verify rate in this run: %.0f/s (one core)\n",
              static_cast<unsigned long long>(cluster.ledgers[0]->store().tip().height),
              verify_rate);
  return 0;
}
