#include "node/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <optional>
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
    auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (buckets_.size() >= kClientsTracked && !buckets_.contains(client)) buckets_.clear();
    auto [it, fresh] = buckets_.try_emplace(client, Bucket{static_cast<double>(burst_), now});
    Bucket& bucket = it->second;
    if (!fresh) {
      double seconds = std::chrono::duration<double>(now - bucket.last).count();
      bucket.tokens = std::min<double>(burst_, bucket.tokens + seconds * per_second_);
      bucket.last = now;
    }
    if (bucket.tokens < 1.0) return false;
    bucket.tokens -= 1.0;
    return true;
  }

 private:
  static constexpr std::size_t kClientsTracked = 65'536;
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  const std::uint32_t per_second_;
  const std::uint32_t burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

class Server;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server& server);
  ~Session();
  void Start() { ReadRequest(); }

 private:
  void ReadRequest();
  void OnRead(beast::error_code error);
  void Write(HttpResponse response);
  void Close();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Server& server_;
  std::string client_;
};

class Server final : public HttpServer {
 public:
  Server(const HttpOptions& options, LedgerService& service)
      : options_(options),
        service_(service),
        limiter_(options.requests_per_second, options.request_burst),
        acceptor_(io_) {}
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
    });
    io_.stop();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }

  const HttpOptions& options() const { return options_; }
  LedgerService& service() { return service_; }
  RateLimiter& limiter() { return limiter_; }
  std::atomic<std::size_t>& connections() { return connections_; }
  bool stopped() const { return stopped_; }

 private:
  void Accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code error,
                                                          tcp::socket socket) {
      if (error) {
        if (!stopped_) Accept();
        return;
      }
      if (connections_.load() >= options_.connections_max) {
        // Over the limit: say so plainly and close, so the client knows to back off.
        static const std::string kBody =
            R"({"error":{"code":"unavailable","message":"too many connections; retry shortly"}})";
        static const std::string kBusy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            "Connection: close\r\nContent-Length: " +
            std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
        beast::error_code ignored;
        asio::write(socket, asio::buffer(kBusy), ignored);
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), *this)->Start();
      }
      Accept();
    });
  }

  // Declared before io_ so that sessions destroyed with io_ can still count themselves out.
  const HttpOptions options_;
  LedgerService& service_;
  RateLimiter limiter_;
  std::atomic<std::size_t> connections_{0};
  std::atomic<bool> stopped_{false};
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

Session::Session(tcp::socket socket, Server& server) : stream_(std::move(socket)), server_(server) {
  ++server_.connections();
  beast::error_code error;
  auto endpoint = stream_.socket().remote_endpoint(error);
  client_ = error ? "unknown" : endpoint.address().to_string();
}

Session::~Session() { --server_.connections(); }

void Session::ReadRequest() {
  const HttpOptions& options = server_.options();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(options.header_bytes_max));
  parser_->body_limit(options.body_bytes_max);
  // The whole request must arrive within the deadline: a slow client cannot hold a connection.
  stream_.expires_after(std::chrono::milliseconds(
      buffer_.size() > 0 ? options.request_timeout_ms
                         : std::min(options.request_timeout_ms, options.idle_timeout_ms)));
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->OnRead(error); });
}

void Session::OnRead(beast::error_code error) {
  if (error == http::error::end_of_stream || error == beast::error::timeout ||
      error == asio::error::operation_aborted || error == asio::error::connection_reset) {
    return Close();
  }
  HttpRequest request_for_errors;
  request_for_errors.version(11);
  request_for_errors.keep_alive(false);
  if (error == http::error::body_limit) {
    HttpResponse response =
        ErrorResponse(request_for_errors,
                      InvalidArgument("request body exceeds " +
                                      std::to_string(server_.options().body_bytes_max) + " bytes"));
    response.result(http::status::payload_too_large);
    return Write(std::move(response));
  }
  if (error == http::error::header_limit) {
    HttpResponse response =
        ErrorResponse(request_for_errors, InvalidArgument("request headers too large"));
    response.result(http::status::request_header_fields_too_large);
    return Write(std::move(response));
  }
  if (error) {
    return Write(ErrorResponse(request_for_errors,
                               InvalidArgument("malformed HTTP request: " + error.message())));
  }
  HttpRequest request = parser_->release();
  if (!server_.limiter().Allow(client_)) {
    HttpResponse response =
        ErrorResponse(request, ResourceExhausted("too many requests from this address; slow down"));
    response.set(http::field::retry_after, "1");
    return Write(std::move(response));
  }
  auto self = shared_from_this();
  HandleRequest(request, server_.service(), server_.options(), [self](HttpResponse response) {
    asio::dispatch(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
      self->Write(std::move(response));
    });
  });
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
