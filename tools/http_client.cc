#include "tools/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "crypto/encoding.h"
#include "formats/read_signature.h"

namespace mbl::tools {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct Endpoint {
  std::string host;
  std::string port;
};

Result<Endpoint> ParseUrl(const std::string& url) {
  std::string rest = url;
  if (rest.starts_with("http://")) rest = rest.substr(7);
  if (rest.ends_with("/")) rest.pop_back();
  std::size_t colon = rest.rfind(':');
  if (rest.empty() || colon == std::string::npos || rest.find('/') != std::string::npos) {
    return InvalidArgument("node URL '" + url + "' must look like http://127.0.0.1:7700");
  }
  return Endpoint{rest.substr(0, colon), rest.substr(colon + 1)};
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<HttpReply> HttpCall(const std::string& url, const std::string& method,
                           const std::string& target, const std::string& body,
                           const crypto::KeyPair* read_key, std::chrono::milliseconds timeout) {
  MBL_ASSIGN_OR_RETURN(Endpoint endpoint, ParseUrl(url));
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(endpoint.host, endpoint.port));
    http::request<http::string_body> request(http::string_to_verb(method), target, 11);
    request.set(http::field::host, endpoint.host);
    request.set(http::field::user_agent, "mbl-cli");
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = body;
    }
    if (read_key != nullptr) {
      std::int64_t time_ms = NowMs();
      auto signature = formats::SignRead(method, target, time_ms, *read_key);
      request.set(std::string(formats::kReadKeyHeader), crypto::ToHex(signature.key));
      request.set(std::string(formats::kReadTimeHeader), std::to_string(time_ms));
      request.set(std::string(formats::kReadSignatureHeader), crypto::ToHex(signature.signature));
    }
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    http::read(stream, buffer, parser);
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    HttpReply reply;
    reply.status = parser.get().result_int();
    reply.raw = parser.get().body();
    reply.body = nlohmann::json::parse(reply.raw, nullptr, false);
    if (reply.body.is_discarded()) reply.body = nullptr;
    return reply;
  } catch (const std::exception& error) {
    return Unavailable("cannot reach the node at " + url + ": " + error.what());
  }
}

}  // namespace mbl::tools
