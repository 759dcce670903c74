// Exit lookups with proof against a running node (issue 5): C keep-alive clients, each sending
// GET /v1/exit/CODE one after another for S seconds; requests per second and latency percentiles.
//   bench_exit_lookup --node http://127.0.0.1:7700 --code MBL-XXXX-XXXX-XXXX [--clients 64]
//                     [--seconds 20]
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
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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

}  // namespace

int main(int argc, char** argv) {
  std::string node = "http://127.0.0.1:7700", code;
  int clients = 64;
  double seconds = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--node") == 0) node = argv[i + 1];
    if (std::strcmp(argv[i], "--code") == 0) code = argv[i + 1];
    if (std::strcmp(argv[i], "--clients") == 0) clients = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::stod(argv[i + 1]);
  }
  if (code.empty()) {
    std::fprintf(stderr, "usage: bench_exit_lookup --node URL --code CODE [--clients C]\n");
    return 2;
  }
  const Target target = ParseUrl(node);
  std::atomic<std::uint64_t> ok{0}, errors{0};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      std::vector<double> mine;
      asio::io_context io;
      beast::tcp_stream stream(io);
      asio::ip::tcp::resolver resolver(io);
      bool connected = false;
      while (Clock::now() < end) {
        try {
          if (!connected) {
            stream.connect(resolver.resolve(target.host, target.port));
            connected = true;
          }
          http::request<http::empty_body> request(http::verb::get, "/v1/exit/" + code, 11);
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
      "exit lookups with proof: %d keep-alive clients, %.0f s: %.0f requests/s (%llu ok, %llu "
      "errors); latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      clients, seconds, ok / seconds, static_cast<unsigned long long>(ok.load()),
      static_cast<unsigned long long>(errors.load()), percentile(0.5), percentile(0.99),
      percentile(1.0));
  return errors == 0 ? 0 : 1;
}
