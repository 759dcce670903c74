#include "tests/support/http_attack.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <deque>
#include <nlohmann/json.hpp>

#include "chaincode/envelope.h"
#include "chaincode/record_json.h"
#include "tools/cli.h"
#include "tools/http_client.h"

namespace mbl::test_support {
namespace {

// Closing with a reset leaves no TIME_WAIT behind on the attacking side: a flood must not use up
// the machine's ephemeral ports, which the legitimate clients on the same machine need.
void CloseWithReset(int fd) {
  linger reset{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  close(fd);
}

bool Sleep(const std::atomic<bool>& stopping, std::chrono::milliseconds duration) {
  auto until = std::chrono::steady_clock::now() + duration;
  while (!stopping && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return !stopping;
}

}  // namespace

RawConnection::RawConnection(std::uint16_t port, std::chrono::milliseconds receive_timeout,
                             const std::string& source_address) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  if (!source_address.empty()) {
    sockaddr_in source{};
    source.sin_family = AF_INET;
    if (inet_pton(AF_INET, source_address.c_str(), &source.sin_addr) != 1 ||
        bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
      close(fd_);
      fd_ = -1;
      return;
    }
  }
  timeval timeout{static_cast<time_t>(receive_timeout.count() / 1000),
                  static_cast<suseconds_t>((receive_timeout.count() % 1000) * 1000)};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) CloseWithReset(fd_);
}

bool RawConnection::Send(std::string_view bytes) {
  while (fd_ >= 0 && !bytes.empty()) {
    ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) {
      if (sent < 0 && errno == EINTR) continue;
      if (sent < 0 && (errno == EPIPE || errno == ECONNRESET)) closed_by_server_ = true;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return fd_ >= 0;
}

std::string RawConnection::ReadSome(std::size_t bytes_max) {
  if (fd_ < 0 || closed_by_server_) return "";
  std::string data(bytes_max, '\0');
  for (;;) {
    ssize_t got = recv(fd_, data.data(), data.size(), 0);
    if (got > 0) {
      data.resize(static_cast<std::size_t>(got));
      Remember(data);
      return data;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got == 0 || errno == ECONNRESET) closed_by_server_ = true;
    return "";  // closed, or the deadline passed (EAGAIN)
  }
}

std::string RawConnection::ReadUntilClosed() {
  std::string all;
  for (;;) {
    std::string chunk = ReadSome();
    if (chunk.empty()) return all;
    all += chunk;
  }
}

bool RawConnection::PollClosed() {
  if (fd_ < 0 || closed_by_server_) return true;
  char buffer[4096];
  for (;;) {
    ssize_t got = recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got > 0) {  // an answer before the close: read past it
      Remember(std::string_view(buffer, static_cast<std::size_t>(got)));
      continue;
    }
    if (got == 0 || (got < 0 && errno == ECONNRESET)) closed_by_server_ = true;
    return closed_by_server_;
  }
}

void RawConnection::Remember(std::string_view bytes) {
  constexpr std::size_t kHeadBytes = 64;
  if (received_head_.size() < kHeadBytes) {
    received_head_.append(bytes.substr(0, kHeadBytes - received_head_.size()));
  }
}

int StatusOf(std::string_view bytes) {
  if (!bytes.starts_with("HTTP/1.1 ") || bytes.size() < 12) return 0;
  int status = 0;
  for (char c : bytes.substr(9, 3)) {
    if (c < '0' || c > '9') return 0;
    status = status * 10 + (c - '0');
  }
  return status;
}

std::vector<MalformedRequest> MalformedRequests() {
  const std::string post = "POST /v1/records HTTP/1.1\r\nHost: x\r\n";
  std::string many_fields = "GET /v1/health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) many_fields += "X-Field-" + std::to_string(i) + ": v\r\n";
  return {
      {"binary garbage (a TLS hello)",
       std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03", 10) + "\x03 garbage\r\n\r\n"},
      {"request line without a version", "GET /v1/health\r\nHost: x\r\n\r\n"},
      {"unknown HTTP version", "GET /v1/health HTTP/7.1\r\nHost: x\r\n\r\n"},
      {"control character in the method", "G\x01T /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"header line without a colon", "GET /v1/health HTTP/1.1\r\nHost x\r\n\r\n"},
      {"space before the colon", "GET /v1/health HTTP/1.1\r\nHost : x\r\n\r\n"},
      {"control character in a header value",
       std::string("GET /v1/health HTTP/1.1\r\nHost: x\x01y\r\n\r\n")},
      {"Content-Length not a number", post + "Content-Length: 12abc\r\n\r\n{}"},
      {"negative Content-Length", post + "Content-Length: -1\r\n\r\n"},
      {"two different Content-Lengths", post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"},
      {"Content-Length and chunked together",
       post + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"},
      {"chunk size not hexadecimal",
       post + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"},
      {"chunk without its line end", post + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n"},
      {"chunk above the body limit", post + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFF\r\n", 413},
      {"Content-Length above the body limit", post + "Content-Length: 999999999999\r\n\r\n", 413},
      {"too many header fields", many_fields + "\r\n", 431},
      {"header above the size limit",
       "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20'000, 'a') + "\r\n\r\n",
       431},
  };
}

std::string_view AttackName(AttackKind kind) {
  switch (kind) {
    case AttackKind::kSlowloris:
      return "slowloris";
    case AttackKind::kConnectionFlood:
      return "connection flood";
    case AttackKind::kBogusRecords:
      return "bogus-record flood";
    case AttackKind::kOversizedBodies:
      return "oversized bodies";
    case AttackKind::kMalformedHttp:
      return "malformed HTTP";
  }
  return "?";
}

Attack::Attack(AttackKind kind, AttackTarget target, int threads)
    : kind_(kind), target_(std::move(target)) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { Run(i); });
}

Attack::~Attack() { Stop(); }

void Attack::Stop() {
  stopping_ = true;
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

std::string Attack::Summary() const {
  return std::string(AttackName(kind_)) + ": " + std::to_string(counters_.connections) +
         " connections, " + std::to_string(counters_.requests) + " requests/records, " +
         std::to_string(counters_.refused_4xx) + " answered 4xx, " +
         std::to_string(counters_.refused_503) + " answered 503, " +
         std::to_string(counters_.closed_by_server) + " closed unanswered, " +
         std::to_string(counters_.accepted) + " admitted";
}

void Attack::Count(int status, bool closed) {
  if (status == 503) {
    ++counters_.refused_503;
  } else if (status >= 400 && status < 500) {
    ++counters_.refused_4xx;
  } else if (closed) {
    ++counters_.closed_by_server;
  }
}

void Attack::Run(int thread_index) {
  switch (kind_) {
    case AttackKind::kSlowloris:
      Slowloris();
      break;
    case AttackKind::kConnectionFlood:
      ConnectionFlood();
      break;
    case AttackKind::kBogusRecords:
      BogusRecords(thread_index);
      break;
    case AttackKind::kOversizedBodies:
      OversizedBodies();
      break;
    case AttackKind::kMalformedHttp:
      MalformedHttp();
      break;
  }
  timespec cpu{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
  counters_.cpu_microseconds += static_cast<std::uint64_t>(cpu.tv_sec) * 1'000'000 +
                                static_cast<std::uint64_t>(cpu.tv_nsec / 1000);
}

// Each connection sends a request line and then one header line per second, never finishing:
// the server must drop it at its request deadline. Dropped connections are opened again.
void Attack::Slowloris() {
  constexpr std::size_t kConnections = 100;
  std::vector<std::unique_ptr<RawConnection>> slow(kConnections);
  int line = 0;
  while (!stopping_) {
    for (auto& connection : slow) {
      if (connection && !connection->PollClosed()) {
        connection->Send("X-Slow-" + std::to_string(line) + ": still here\r\n");
        continue;
      }
      if (connection) Count(StatusOf(connection->received_head()), true);
      connection = std::make_unique<RawConnection>(target_.port, std::chrono::milliseconds(1));
      ++counters_.connections;
      ++counters_.requests;
      connection->Send(
          "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n");
    }
    ++line;
    Sleep(stopping_, std::chrono::seconds(1));
  }
}

// Opens connections as fast as it can and holds the last few hundred open, sending nothing.
void Attack::ConnectionFlood() {
  constexpr std::size_t kHeld = 300;
  std::deque<std::unique_ptr<RawConnection>> held;
  while (!stopping_) {
    auto connection = std::make_unique<RawConnection>(target_.port, std::chrono::milliseconds(1));
    ++counters_.connections;
    ++counters_.requests;  // the connection is the request
    if (!connection->connected()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the backlog is full
      continue;
    }
    held.push_back(std::move(connection));
    if (held.size() < kHeld) continue;
    RawConnection& oldest = *held.front();
    Count(StatusOf(oldest.received_head()), oldest.PollClosed());
    held.pop_front();
  }
}

// Batches of distinct records, each bogus in one of four ways: a member's record with a broken
// signature, a record signed by a key that is no member's, a garbage payload with a good
// signature, and a member's record whose validity window has passed.
void Attack::BogusRecords(int thread_index) {
  const std::string url = "http://127.0.0.1:" + std::to_string(target_.port);
  std::vector<crypto::KeyPair> strangers;
  for (int i = 0; i < 8; ++i) strangers.push_back(crypto::KeyPair::Generate());
  constexpr int kBatch = 100;
  std::uint64_t sequence = 0;
  while (!stopping_) {
    nlohmann::json batch = nlohmann::json::array();
    for (int i = 0; i < kBatch; ++i, ++sequence) {
      const std::string site =
          "bogus-" + std::to_string(thread_index) + "-" + std::to_string(sequence);
      nlohmann::json record = {{"author_org", target_.member_org},
                               {"site_definition", {{"site_id", site}, {"area_type", "site"}}}};
      chaincode::SignedRecord bogus;
      switch (sequence % 4) {
        case 0: {
          bogus = tools::SignRecordJson(record, *target_.member_key, target_.chain_id_hex).value();
          bogus.signature[sequence % bogus.signature.size()] ^= 0x20;
          break;
        }
        case 1:
          bogus = tools::SignRecordJson(record, strangers[sequence % strangers.size()],
                                        target_.chain_id_hex)
                      .value();
          break;
        case 2:
          bogus = chaincode::SignRecord("garbage " + site, strangers[sequence % strangers.size()]);
          break;
        default:
          bogus = tools::SignRecordJson(record, *target_.member_key, target_.chain_id_hex,
                                        /*valid_for_ms=*/-60'000)
                      .value();
          break;
      }
      batch.push_back(chaincode::EnvelopeToJson(bogus));
    }
    counters_.requests += kBatch;
    auto reply =
        tools::HttpCall(url, "POST", "/v1/records", nlohmann::json{{"records", batch}}.dump(),
                        nullptr, std::chrono::seconds(10));
    if (!reply.ok()) continue;
    if (reply->status != 200) {
      counters_.refused_4xx += kBatch;  // 429 once the rate limit is drawn down
      continue;
    }
    for (const auto& result : reply->body["results"]) {
      ++(result.value("status", "") == "refused" ? counters_.refused_4xx : counters_.accepted);
    }
  }
}

// Alternately: a Content-Length above the body limit (answered 413 from the header alone), and a
// full 8 MiB body of garbage that the server must receive, fail to parse and answer 400.
void Attack::OversizedBodies() {
  const std::string head =
      "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
  std::string garbage = "{\"records\":[" + std::string(8 * 1024 * 1024 - 64, 'x');
  std::uint64_t sequence = 0;
  while (!stopping_) {
    RawConnection connection(target_.port, std::chrono::seconds(5));
    ++counters_.connections;
    ++counters_.requests;
    if (sequence++ % 2 == 0) {
      connection.Send(head + "Content-Length: " + std::to_string(64 * 1024 * 1024) + "\r\n\r\n");
    } else {
      connection.Send(head + "Content-Length: " + std::to_string(garbage.size()) + "\r\n\r\n");
      connection.Send(garbage);
    }
    Count(StatusOf(connection.ReadSome()), connection.closed_by_server());
  }
}

void Attack::MalformedHttp() {
  const std::vector<MalformedRequest> requests = MalformedRequests();
  std::size_t next = 0;
  while (!stopping_) {
    RawConnection connection(target_.port, std::chrono::seconds(5));
    ++counters_.connections;
    ++counters_.requests;
    connection.Send(requests[next++ % requests.size()].bytes);
    Count(StatusOf(connection.ReadSome()), connection.closed_by_server());
  }
}

}  // namespace mbl::test_support
