// A small blocking HTTP/1.1 client for the node's JSON API, with a deadline per request and
// signed reads (formats/read_signature.h).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "crypto/ed25519.h"

namespace mbl::tools {

struct HttpReply {
  int status = 0;
  nlohmann::json body;  // null when the body is not JSON
  std::string raw;
};

// `url` is http://host:port (no path). Fails with kUnavailable when the node cannot be reached.
Result<HttpReply> HttpCall(const std::string& url, const std::string& method,
                           const std::string& target, const std::string& body = "",
                           const crypto::KeyPair* read_key = nullptr,
                           std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace mbl::tools
