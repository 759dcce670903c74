#include "node/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "node/http_routes.h"
#include "node/log.h"

namespace mbl::node {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Token bucket per client address; the table itself is bounded.
class RateLimiter {
 public:
  RateLimiter(std::uint32_t per_second, std::uint32_t burst)
      : per_second_(per_second), burst_(burst) {}

  bool Allow(const std::string& client) {
    std::lock_guard lock(mutex_);
    Bucket& bucket = Refilled(client);
    if (bucket.tokens < 1.0) return false;
    bucket.tokens -= 1.0;
    return true;
  }

  // Whether the client's bucket is empty, without drawing on it.
  bool Exhausted(const std::string& client) {
    std::lock_guard lock(mutex_);
    return Refilled(client).tokens < 1.0;
  }

  // Takes `tokens` more from the client's bucket (bogus records), down to one burst below zero:
  // the client then waits up to two bursts' worth of time, never longer.
  void Charge(const std::string& client, std::size_t tokens) {
    std::lock_guard lock(mutex_);
    Bucket& bucket = Refilled(client);
    bucket.tokens = std::max(-static_cast<double>(burst_), bucket.tokens - tokens);
  }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };

  Bucket& Refilled(const std::string& client) {
    auto now = std::chrono::steady_clock::now();
    if (buckets_.size() >= limits::kHttpClientsTrackedMax && !buckets_.contains(client)) {
      buckets_.clear();
    }
    auto [it, fresh] = buckets_.try_emplace(client, Bucket{static_cast<double>(burst_), now});
    Bucket& bucket = it->second;
    if (!fresh) {
      double seconds = std::chrono::duration<double>(now - bucket.last).count();
      bucket.tokens = std::min<double>(burst_, bucket.tokens + seconds * per_second_);
      bucket.last = now;
    }
    return bucket;
  }

  const std::uint32_t per_second_;
  const std::uint32_t burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

// Open connections, in all and per client address.
class ConnectionCounter {
 public:
  enum class Admission { kAdmitted, kServerFull, kClientFull };

  ConnectionCounter(std::size_t total_max, std::size_t per_client_max)
      : total_max_(total_max), per_client_max_(per_client_max) {}

  Admission Enter(const std::string& client) {
    std::lock_guard lock(mutex_);
    if (total_ >= total_max_) return Admission::kServerFull;
    std::size_t& mine = by_client_[client];
    if (mine >= per_client_max_) {
      if (mine == 0) by_client_.erase(client);
      return Admission::kClientFull;
    }
    ++mine;
    ++total_;
    return Admission::kAdmitted;
  }

  void Leave(const std::string& client) {
    std::lock_guard lock(mutex_);
    auto it = by_client_.find(client);
    MBL_CHECK(it != by_client_.end() && it->second > 0 && total_ > 0);
    --total_;
    if (--it->second == 0) by_client_.erase(it);
  }

 private:
  const std::size_t total_max_;
  const std::size_t per_client_max_;
  std::mutex mutex_;
  std::size_t total_ = 0;
  std::map<std::string, std::size_t> by_client_;
};

// Bytes of request bodies being received or handled, all connections together.
class BodyBudget {
 public:
  explicit BodyBudget(std::size_t bytes_max) : bytes_max_(bytes_max) {}
  bool TryReserve(std::size_t bytes) {
    std::size_t used = used_.load();
    do {
      if (used + bytes > bytes_max_) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes));
    return true;
  }
  void Release(std::size_t bytes) { used_ -= bytes; }

 private:
  const std::size_t bytes_max_;
  std::atomic<std::size_t> used_{0};
};

std::string RemoteAddress(const tcp::socket& socket) {
  beast::error_code error;
  auto endpoint = socket.remote_endpoint(error);
  return error ? "unknown" : endpoint.address().to_string();
}

// An error answer before (or instead of) reading a request: the connection closes after it.
HttpResponse EarlyError(http::status status, const Status& error) {
  HttpRequest head;
  head.version(11);
  head.keep_alive(false);
  HttpResponse response = ErrorResponse(head, error);
  response.result(status);
  return response;
}

class Server;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::string client, Server& server);
  ~Session();
  void Start() { ReadRequest(); }

 private:
  void ReadRequest();
  void OnHeader(beast::error_code error);
  void OnRead(beast::error_code error);
  void OnReadError(beast::error_code error);
  void Refuse(HttpResponse response);
  void Write(HttpResponse response);
  void Close();
  void ReleaseBody();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Server& server_;
  const std::string client_;
  std::size_t body_reserved_bytes_ = 0;
};

class Server final : public HttpServer {
 public:
  Server(const HttpOptions& options, LedgerService& service)
      : options_(options),
        service_(service),
        limiter_(options.requests_per_second, options.request_burst),
        connections_(options.connections_max, options.connections_per_client_max),
        refusals_(MakeRefusals(options)),
        bodies_(options.body_bytes_in_flight_max),
        acceptor_(io_),
        accept_retry_(io_) {}
  ~Server() override { Stop(); }

  Status Listen() {
    beast::error_code error;
    auto address = asio::ip::make_address(options_.address, error);
    if (error) return InvalidArgument("bad HTTP listen address '" + options_.address + "'");
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      return Unavailable("cannot listen on " + options_.address + ":" +
                         std::to_string(options_.port) + ": " + error.message());
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.threads); ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
    return Status::Ok();
  }

  std::uint16_t port() const override { return port_; }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    asio::post(io_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_.cancel();
    });
    io_.stop();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }

  const HttpOptions& options() const { return options_; }
  LedgerService& service() { return service_; }
  RateLimiter& limiter() { return limiter_; }
  ConnectionCounter& connections() { return connections_; }
  BodyBudget& bodies() { return bodies_; }
  bool stopped() const { return stopped_; }

 private:
  void Accept() {
    acceptor_.async_accept(
        asio::make_strand(io_), [this](beast::error_code error, tcp::socket socket) {
          if (error) {
            if (stopped_) return;
            // Out of file descriptors (EMFILE) or a transient failure: accepting again at once
            // would spin; the pending connections wait in the backlog meanwhile.
            Log(LogLevel::kDebug, "http_accept_failed", {{"error", error.message()}});
            accept_retry_.expires_after(std::chrono::milliseconds(limits::kHttpAcceptRetryMs));
            accept_retry_.async_wait([this](beast::error_code) {
              if (!stopped_) Accept();
            });
            return;
          }
          std::string client = RemoteAddress(socket);
          // An address that spent its rate (requests, bogus records, malformed requests, refused
          // connections) is answered at once, before any parsing: a flood of new connections
          // costs an accept and a write each.
          if (limiter_.Exhausted(client)) {
            Refuse(socket, refusals_.rate_spent);
            Accept();
            return;
          }
          switch (connections_.Enter(client)) {
            case ConnectionCounter::Admission::kAdmitted:
              std::make_shared<Session>(std::move(socket), std::move(client), *this)->Start();
              break;
            case ConnectionCounter::Admission::kServerFull:
              limiter_.Charge(client, 1);
              Refuse(socket, refusals_.server_full);
              break;
            case ConnectionCounter::Admission::kClientFull:
              limiter_.Charge(client, 1);
              Refuse(socket, refusals_.client_full);
              break;
          }
          Accept();
        });
  }

  // Over a limit: say so plainly and close, so the client knows to back off. The answer fits the
  // new socket's send buffer, so the write does not block.
  static void Refuse(tcp::socket& socket, const std::string& answer) {
    beast::error_code ignored;
    asio::write(socket, asio::buffer(answer), ignored);
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
  }

  // The answers of Refuse, serialized once: a flood of refused connections costs no formatting.
  struct Refusals {
    std::string rate_spent;
    std::string server_full;
    std::string client_full;
  };
  static std::string Serialized(http::status status, const Status& why) {
    HttpResponse response = EarlyError(status, why);
    response.set(http::field::retry_after, "1");
    std::ostringstream out;
    out << response;
    return out.str();
  }
  static Refusals MakeRefusals(const HttpOptions& options) {
    return {Serialized(http::status::too_many_requests,
                       ResourceExhausted("too many requests from this address; slow down")),
            Serialized(http::status::service_unavailable,
                       Unavailable("too many connections (" +
                                   std::to_string(options.connections_max) + "); retry shortly")),
            Serialized(http::status::service_unavailable,
                       Unavailable("too many connections from this address (" +
                                   std::to_string(options.connections_per_client_max) +
                                   "); close some or retry shortly"))};
  }

  // Declared before io_ so that sessions destroyed with io_ can still count themselves out.
  const HttpOptions options_;
  LedgerService& service_;
  RateLimiter limiter_;
  ConnectionCounter connections_;
  const Refusals refusals_;
  BodyBudget bodies_;
  std::atomic<bool> stopped_{false};
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  std::uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

Session::Session(tcp::socket socket, std::string client, Server& server)
    : stream_(std::move(socket)), server_(server), client_(std::move(client)) {}

Session::~Session() {
  ReleaseBody();
  server_.connections().Leave(client_);
}

void Session::ReleaseBody() {
  if (body_reserved_bytes_ == 0) return;
  server_.bodies().Release(body_reserved_bytes_);
  body_reserved_bytes_ = 0;
}

void Session::ReadRequest() {
  const HttpOptions& options = server_.options();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(options.header_bytes_max));
  parser_->body_limit(options.body_bytes_max);
  // The whole request, header and body, must arrive within the deadline: a slow client cannot
  // hold a connection.
  stream_.expires_after(std::chrono::milliseconds(
      buffer_.size() > 0 ? options.request_timeout_ms
                         : std::min(options.request_timeout_ms, options.idle_timeout_ms)));
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->OnHeader(error); });
}

void Session::OnHeader(beast::error_code error) {
  if (error) return OnReadError(error);
  const HttpOptions& options = server_.options();
  const auto& header = parser_->get();
  const auto fields = static_cast<std::size_t>(std::distance(header.begin(), header.end()));
  if (fields > options.header_fields_max) {
    return Refuse(EarlyError(
        http::status::request_header_fields_too_large,
        InvalidArgument("the request has " + std::to_string(fields) + " header fields, more than " +
                        std::to_string(options.header_fields_max))));
  }
  // The body's bytes are reserved before it is read (a chunked body at the largest size).
  std::size_t body_bytes = 0;
  if (parser_->chunked()) {
    body_bytes = options.body_bytes_max;
  } else if (auto length = parser_->content_length()) {
    body_bytes = static_cast<std::size_t>(std::min<std::uint64_t>(*length, options.body_bytes_max));
  }
  if (body_bytes > 0) {
    if (!server_.bodies().TryReserve(body_bytes)) {
      HttpResponse response =
          EarlyError(http::status::service_unavailable,
                     Unavailable("the node is receiving too many request bodies at once (" +
                                 std::to_string(options.body_bytes_in_flight_max >> 20) +
                                 " MiB in all); retry shortly"));
      response.set(http::field::retry_after, "1");
      return Write(std::move(response));
    }
    body_reserved_bytes_ = body_bytes;
  }
  if (parser_->is_done()) return OnRead({});
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code read_error, std::size_t) {
                     self->OnRead(read_error);
                   });
}

void Session::OnReadError(beast::error_code error) {
  if (error == http::error::end_of_stream || error == beast::error::timeout ||
      error == asio::error::operation_aborted || error == asio::error::connection_reset ||
      error == asio::error::eof) {
    return Close();
  }
  if (error == http::error::body_limit) {
    return Refuse(
        EarlyError(http::status::payload_too_large,
                   InvalidArgument("request body exceeds " +
                                   std::to_string(server_.options().body_bytes_max) + " bytes")));
  }
  if (error == http::error::header_limit) {
    return Refuse(
        EarlyError(http::status::request_header_fields_too_large,
                   InvalidArgument("request headers exceed " +
                                   std::to_string(server_.options().header_bytes_max) + " bytes")));
  }
  Refuse(EarlyError(http::status::bad_request,
                    InvalidArgument("malformed HTTP request: " + error.message())));
}

// A request refused before it was handled costs its sender a token, as a handled one does.
void Session::Refuse(HttpResponse response) {
  server_.limiter().Charge(client_, 1);
  Write(std::move(response));
}

void Session::OnRead(beast::error_code error) {
  if (error) return OnReadError(error);
  {
    HttpRequest request = parser_->release();
    parser_.reset();
    if (!server_.limiter().Allow(client_)) {
      HttpResponse response = ErrorResponse(
          request, ResourceExhausted("too many requests from this address; slow down"));
      response.set(http::field::retry_after, "1");
      ReleaseBody();
      return Write(std::move(response));
    }
    auto self = shared_from_this();
    HandleRequest(
        request, server_.service(), server_.options(),
        [self](HttpResponse response) {
          asio::dispatch(self->stream_.get_executor(),
                         [self, response = std::move(response)]() mutable {
                           self->Write(std::move(response));
                         });
        },
        [self](std::size_t refused) { self->server_.limiter().Charge(self->client_, refused); });
  }
  ReleaseBody();  // the body is gone with the request
}

void Session::Write(HttpResponse response) {
  auto shared = std::make_shared<HttpResponse>(std::move(response));
  stream_.expires_after(std::chrono::milliseconds(server_.options().request_timeout_ms));
  http::async_write(stream_, *shared,
                    [self = shared_from_this(), shared](beast::error_code error, std::size_t) {
                      if (error || shared->need_eof() || self->server_.stopped())
                        return self->Close();
                      self->ReadRequest();
                    });
}

void Session::Close() {
  ReleaseBody();
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.close();
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpOptions& options,
                                                      LedgerService& service) {
  auto server = std::make_unique<Server>(options, service);
  MBL_RETURN_IF_ERROR(server->Listen());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace mbl::node
