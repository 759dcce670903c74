// Exit lookups with proof against a running node (issue 5): C keep-alive clients, each sending
// GET /v1/exit/CODE one after another for S seconds; requests per second and latency percentiles.
//   bench_exit_lookup --node URL --code MBL-XXXX-XXXX-XXXX [--clients 64] [--seconds 20]
//   bench_exit_lookup --node URL --exits N --keys NET_DIR [--clients 64] [--seconds 20]
// With --exits, it first retires N exits of 10 kg Cu RE MIX by the brand (keys of `mbl net
// create`, after scenarios/worked-example.json and tests/vectors/recycled-to-brand.json) in one
// batch, so that they share as few blocks as the orderer packs, and then looks up all of their
// codes in turn: every proof then needs audit paths in blocks of many records.
// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp uses std::exchange without it
// clang-format on
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "chaincode/record_json.h"
#include "crypto/key_file.h"
#include "tools/cli.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

struct Target {
  std::string host;
  std::string port;
};

Target ParseUrl(const std::string& url) {
  std::string rest = url.substr(url.find("//") + 2);
  std::size_t colon = rest.find(':');
  return {rest.substr(0, colon), rest.substr(colon + 1)};
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench_exit_lookup: %s\n", message.c_str());
  std::exit(1);
}

// Retires `count` exits in one batch; returns their codes once every one has its proof.
std::vector<std::string> SetUpExits(const std::string& node, const std::string& keys, int count) {
  using namespace mbl;
  if (!crypto::InitializeCrypto().ok()) Die("libsodium");
  auto key = crypto::ReadSecretKeyFile(std::filesystem::path(keys) / "brand/keys/ops.secret");
  if (!key.ok()) Die(key.status().ToString());
  auto chain = tools::FetchChainId(node);
  if (!chain.ok()) Die(chain.status().ToString());
  nlohmann::json records = nlohmann::json::array();
  for (int i = 0; i < count; ++i) {
    nlohmann::json exit = {{"author_org", "brand"},
                           {"system_exit",
                            {{"site_id", "assembly"},
                             {"characteristic", "cu-re-mix"},
                             {"product_group", "cu-cathode"},
                             {"credit_grams", "10000"},
                             {"scope", "PRODUCT"},
                             {"product_description", "recycled copper cable"},
                             {"product_batch", "bench " + std::to_string(i)}}}};
    auto signed_record = tools::SignRecordJson(exit, *key, *chain);
    if (!signed_record.ok()) Die(signed_record.status().ToString());
    records.push_back(chaincode::EnvelopeToJson(*signed_record));
  }
  auto reply = tools::HttpCall(node, "POST", "/v1/records?wait=commit",
                               nlohmann::json{{"records", records}}.dump());
  if (!reply.ok() || reply->status != 200) Die("submitting the exits failed");
  std::vector<std::string> codes;
  std::map<std::uint64_t, int> per_block;
  for (const auto& result : reply->body["results"]) {
    if (result.value("status", "") != "accepted") Die("an exit was not accepted: " + result.dump());
    codes.push_back(result["result"]["details"]["exit_code"]);
    ++per_block[result["height"].get<std::uint64_t>()];
  }
  std::printf("%d exits committed in %zu blocks:", count, per_block.size());
  for (const auto& [height, records_in_block] : per_block) {
    std::printf(" block %llu: %d records", static_cast<unsigned long long>(height),
                records_in_block);
  }
  std::printf("\n");
  // A block is provably committed once a later block certifies it: add records until then.
  for (int filler = 0; filler < 50; ++filler) {
    auto last = tools::HttpCall(node, "GET", "/v1/exit/" + codes.back());
    if (last.ok() && !last->body.value("proof", nlohmann::json()).is_null()) return codes;
    nlohmann::json site = {
        {"author_org", "brand"},
        {"site_definition",
         {{"site_id", "bench-" + std::to_string(filler)}, {"area_type", "site"}}}};
    auto signed_site = tools::SignRecordJson(site, *key, *chain);
    if (!signed_site.ok()) Die(signed_site.status().ToString());
    auto filled = tools::HttpCall(node, "POST", "/v1/records?wait=commit",
                                  chaincode::EnvelopeToJson(*signed_site).dump());
    if (!filled.ok()) Die(filled.status().ToString());
  }
  Die("the exits' blocks have no commit proof");
}

}  // namespace

int main(int argc, char** argv) {
  std::string node = "http://127.0.0.1:7700", code, keys;
  int clients = 64, exits = 0;
  double seconds = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--node") == 0) node = argv[i + 1];
    if (std::strcmp(argv[i], "--code") == 0) code = argv[i + 1];
    if (std::strcmp(argv[i], "--clients") == 0) clients = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::stod(argv[i + 1]);
    if (std::strcmp(argv[i], "--exits") == 0) exits = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--keys") == 0) keys = argv[i + 1];
  }
  std::vector<std::string> codes;
  if (exits > 0 && !keys.empty()) {
    codes = SetUpExits(node, keys, exits);
  } else if (!code.empty()) {
    codes = {code};
  } else {
    std::fprintf(stderr,
                 "usage: bench_exit_lookup --node URL (--code CODE | --exits N --keys NET_DIR) "
                 "[--clients C] [--seconds S]\n");
    return 2;
  }
  const Target target = ParseUrl(node);
  std::atomic<std::uint64_t> ok{0}, errors{0};
  std::atomic<std::size_t> bytes{0};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> mine;
      asio::io_context io;
      beast::tcp_stream stream(io);
      asio::ip::tcp::resolver resolver(io);
      bool connected = false;
      for (std::size_t n = c; Clock::now() < end; n += clients) {
        try {
          if (!connected) {
            stream.connect(resolver.resolve(target.host, target.port));
            connected = true;
          }
          http::request<http::empty_body> request(http::verb::get,
                                                  "/v1/exit/" + codes[n % codes.size()], 11);
          request.set(http::field::host, target.host);
          request.keep_alive(true);
          const auto start = Clock::now();
          http::write(stream, request);
          beast::flat_buffer buffer;
          http::response<http::string_body> response;
          http::read(stream, buffer, response);
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
          if (response.result() == http::status::ok &&
              response.body().find("\"proof\":{") != std::string::npos) {
            ++ok;
            bytes += response.body().size();
          } else {
            ++errors;
          }
          if (!response.keep_alive()) {
            stream.close();
            connected = false;
          }
        } catch (const std::exception&) {
          ++errors;
          stream.close();
          connected = false;
        }
      }
      std::lock_guard lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& thread : threads) thread.join();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto percentile = [&](double p) {
    return latencies_ms.empty()
               ? 0.0
               : latencies_ms[std::min(latencies_ms.size() - 1,
                                       static_cast<std::size_t>(p * latencies_ms.size()))];
  };
  std::printf(
      "exit lookups with proof: %zu codes, %d keep-alive clients, %.0f s: %.0f requests/s (%llu "
      "ok, %llu errors, %.1f KiB per answer); latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      codes.size(), clients, seconds, ok / seconds, static_cast<unsigned long long>(ok.load()),
      static_cast<unsigned long long>(errors.load()),
      ok == 0 ? 0.0 : static_cast<double>(bytes) / ok / 1024, percentile(0.5), percentile(0.99),
      percentile(1.0));
  return errors == 0 ? 0 : 1;
}
