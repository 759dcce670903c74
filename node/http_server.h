// The HTTP/1.1 JSON API server (Boost.Beast), versioned under /v1/ (docs/api.md). Every resource
// is bounded: connections (in all and per client address), header size and field count, body
// size and the bodies in flight together, a per-client-address request rate that bogus records
// also draw on, a deadline for a whole request to arrive (slow clients are dropped) and an idle
// timeout.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/limits.h"
#include "base/status.h"
#include "node/ledger_service.h"

namespace mbl::node {

struct HttpOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port, see HttpServer::port()
  std::size_t threads = 2;
  std::size_t connections_max = limits::kHttpConnectionsMax;
  std::size_t connections_per_client_max = limits::kHttpConnectionsPerClientMax;
  std::size_t body_bytes_max = limits::kHttpBodyBytesMax;
  std::size_t body_bytes_in_flight_max = limits::kHttpBodyBytesInFlightMax;
  std::size_t header_bytes_max = limits::kHttpHeaderBytesMax;
  std::size_t header_fields_max = limits::kHttpHeaderFieldsMax;
  std::size_t batch_records_max = limits::kHttpBatchRecordsMax;
  std::int64_t request_timeout_ms = limits::kHttpRequestTimeoutMs;
  std::int64_t idle_timeout_ms = limits::kHttpIdleTimeoutMs;
  std::int64_t wait_commit_ms_max = limits::kHttpWaitCommitMsMax;
  std::uint32_t requests_per_second = limits::kHttpRequestsPerSecondPerClient;
  std::uint32_t request_burst = limits::kHttpRequestBurstPerClient;
  std::int64_t signed_read_window_ms = limits::kSignedReadWindowMs;
  // The verification page as served at /verify (VerifyPageRecognizing); empty: the built-in page,
  // which recognizes no ledger.
  std::string verify_page;
};

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> Start(const HttpOptions& options,
                                                   LedgerService& service);
  virtual ~HttpServer() = default;
  virtual std::uint16_t port() const = 0;
  // Stops accepting, closes connections and joins the I/O threads.
  virtual void Stop() = 0;
};

}  // namespace mbl::node
