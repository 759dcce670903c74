// Hostile clients of a node's HTTP API on 127.0.0.1, for the API tests, the cluster test that
// checks the network keeps committing under attack, and bench_attack (docs/security.md): raw
// connections with a receive deadline, and attacks that run on their own threads until stopped.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "crypto/ed25519.h"

namespace mbl::test_support {

// A TCP connection to 127.0.0.1:port (plain POSIX sockets, so that reads keep their deadline).
class RawConnection {
 public:
  // `source_address`: another loopback address to connect from (bench_attack's probe, which must
  // not share the attacker's per-address limits); empty: the kernel's choice, 127.0.0.1.
  RawConnection(std::uint16_t port, std::chrono::milliseconds receive_timeout,
                const std::string& source_address = "");
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // False when the bytes could not all be sent (the server closed the connection).
  bool Send(std::string_view bytes);
  // What arrives until the server closes the connection or the receive deadline passes.
  std::string ReadUntilClosed();
  // Reads what arrives before the deadline, at most `bytes_max`; "" when nothing did.
  std::string ReadSome(std::size_t bytes_max = 64 * 1024);
  // True once a read saw the server close the connection (end of stream or reset).
  bool closed_by_server() const { return closed_by_server_; }
  // Without waiting: whether the server has closed the connection (queued data is read first).
  bool PollClosed();
  // The first bytes that ever arrived (enough for a status line), whichever read took them.
  const std::string& received_head() const { return received_head_; }

 private:
  void Remember(std::string_view bytes);

  int fd_ = -1;
  bool closed_by_server_ = false;
  std::string received_head_;
};

// The status code of the first response in `bytes` ("HTTP/1.1 503 ..." gives 503), or 0.
int StatusOf(std::string_view bytes);

// Requests that break HTTP/1.1 each in another way, with the status the server must answer.
struct MalformedRequest {
  std::string name;
  std::string bytes;
  int expected_status = 400;
};
std::vector<MalformedRequest> MalformedRequests();

enum class AttackKind {
  kSlowloris,        // many connections, each sending its header one line per second
  kConnectionFlood,  // connections opened as fast as possible, hundreds held open
  kBogusRecords,     // distinct records with bad signatures, non-member keys, garbage, expiry
  kOversizedBodies,  // bodies above the limit (Content-Length) and full-size garbage bodies
  kMalformedHttp,    // the requests of MalformedRequests(), each on a new connection
};
std::string_view AttackName(AttackKind kind);

struct AttackTarget {
  std::uint16_t port = 0;
  std::string chain_id_hex;
  // A member key, so that bogus records can also carry a member's (bad or stale) signature.
  const crypto::KeyPair* member_key = nullptr;
  std::string member_org;  // the organization the member key speaks for
};

// What an attack did, counted as it runs.
struct AttackCounters {
  std::atomic<std::uint64_t> cpu_microseconds{0};  // the attack threads' own CPU time
  std::atomic<std::uint64_t> connections{0};       // connections opened
  std::atomic<std::uint64_t> requests{0};          // requests (or bogus records) sent
  std::atomic<std::uint64_t> refused_4xx{0};       // answered 4xx (400, 401, 413, 429, 431, ...)
  std::atomic<std::uint64_t> refused_503{0};       // answered 503 (a limit: connections, bodies)
  std::atomic<std::uint64_t> closed_by_server{0};  // closed by the server unanswered (deadline)
  std::atomic<std::uint64_t> accepted{0};          // records admitted: must stay 0
};

// Runs one attack on `threads` threads until Stop() or destruction.
class Attack {
 public:
  Attack(AttackKind kind, AttackTarget target, int threads);
  ~Attack();
  Attack(const Attack&) = delete;
  Attack& operator=(const Attack&) = delete;
  void Stop();
  AttackKind kind() const { return kind_; }
  const AttackCounters& counters() const { return counters_; }
  std::string Summary() const;

 private:
  void Run(int thread_index);
  // Counts one answer (its status, 0 for none) or a connection the server closed unanswered.
  void Count(int status, bool closed);
  void Slowloris();
  void ConnectionFlood();
  void BogusRecords(int thread_index);
  void OversizedBodies();
  void MalformedHttp();

  const AttackKind kind_;
  const AttackTarget target_;
  std::atomic<bool> stopping_{false};
  AttackCounters counters_;
  std::vector<std::thread> threads_;
};

}  // namespace mbl::test_support
