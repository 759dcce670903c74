// Throughput of one node (N = 1): signed records submitted in batches through the HTTP API and
// committed with synced writes, beside this machine's Ed25519 verify rate measured in the same
// run, and the process's resident memory at the end.
//   bench_node_commit [--records N] [--batch B] [--clients C] [--dir DIR]
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "bench/bench_util.h"
#include "chaincode/record_json.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "node/http_server.h"
#include "node/ledger.h"
#include "tests/support/ledger_fixture.h"
#include "tools/args.h"
#include "tools/http_client.h"

namespace {

using namespace mbl;
using Clock = std::chrono::steady_clock;
using bench::Seconds;
using bench::VerifyRatePerSecond;

long ResidentKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::vector<std::string> SignBatchBodies(test_support::LedgerFixture& fixture, std::size_t first,
                                         std::size_t count, std::size_t batch) {
  std::vector<std::string> bodies;
  std::int64_t valid_until = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count() +
                             3'600'000;
  for (std::size_t start = first; start < first + count; start += batch) {
    nlohmann::json records = nlohmann::json::array();
    for (std::size_t i = start; i < std::min(first + count, start + batch); ++i) {
      v1::Record record;
      record.set_valid_until_ms(valid_until);
      record.mutable_site_definition()->set_site_id("site-" + std::to_string(i));
      record.mutable_site_definition()->set_area_type("site");
      records.push_back(
          chaincode::EnvelopeToJson(fixture.Sign(record, "smelter", v1::OPERATION_RESPONSIBLE)));
    }
    bodies.push_back(nlohmann::json{{"records", records}}.dump());
  }
  return bodies;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = tools::Args::Parse(argc, argv, 1, {});
  if (!args.ok()) return 2;
  std::size_t total = std::stoul(args->Get("records", "200000"));
  std::size_t batch = std::stoul(args->Get("batch", "1000"));
  std::size_t clients = std::stoul(args->Get("clients", "4"));
  std::filesystem::path dir = args->Get("dir", "/tmp/mbl-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);

  test_support::LedgerFixture fixture;
  node::LedgerOptions options;
  options.data_dir = dir;
  options.genesis = fixture.genesis();
  auto ledger = node::Ledger::Open(
      std::move(options), crypto::KeyPair::FromSeed(fixture.validator_key().secret_key.seed()));
  MBL_CHECK_MSG(ledger.ok(), ledger.status().ToString());
  node::HttpOptions http;
  http.requests_per_second = 1'000'000;
  http.request_burst = 1'000'000;
  auto server = node::HttpServer::Start(http, **ledger);
  MBL_CHECK(server.ok());
  std::string url = "http://127.0.0.1:" + std::to_string((*server)->port());

  double verify_rate = VerifyRatePerSecond();
  constexpr std::size_t kChunk = 50'000;  // signed ahead of each timed chunk, outside the clock
  double committed_seconds = 0;
  std::atomic<std::size_t> accepted{0};
  for (std::size_t first = 0; first < total; first += kChunk) {
    std::vector<std::string> bodies =
        SignBatchBodies(fixture, first, std::min(kChunk, total - first), batch);
    std::atomic<std::size_t> next{0};
    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (std::size_t c = 0; c < clients; ++c) {
      threads.emplace_back([&] {
        for (std::size_t i = next++; i < bodies.size(); i = next++) {
          auto reply = tools::HttpCall(url, "POST", "/v1/records?wait=commit", bodies[i]);
          MBL_CHECK_MSG(reply.ok() && reply->status == 200,
                        reply.ok() ? reply->raw : reply.status().ToString());
          for (const auto& result : reply->body["results"])
            accepted += result["status"] == "accepted" ? 1 : 0;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    committed_seconds += Seconds(Clock::now() - start);
  }
  long rss_kib = ResidentKib();
  std::printf("records committed (accepted): %zu of %zu\n", accepted.load(), total);
  std::printf("commit throughput: %.0f records/s (batches of %zu, %zu clients, synced writes)\n",
              accepted / committed_seconds, batch, clients);
  std::printf("ed25519 verify rate, same run, one thread: %.0f /s\n", verify_rate);
  std::printf("blocks: %llu\n", static_cast<unsigned long long>((*ledger)->store().tip().height));
  std::printf("process RSS at end: %.1f MiB\n", rss_kib / 1024.0);
  (*ledger)->Stop();
  (*server)->Stop();
  std::filesystem::remove_all(dir);
  return accepted == total ? 0 : 1;
}
