// Maps HTTP requests to LedgerService calls: routing, JSON bodies, signed reads and the error
// shape {"error": {"code", "message"}} (DESIGN D6). No sockets here.
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <string>

#include "node/http_server.h"
#include "node/ledger_service.h"

namespace mbl::node {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// HTTP status for a Status code (docs/api.md, "Errors").
boost::beast::http::status HttpStatusFor(Code code);
HttpResponse ErrorResponse(const HttpRequest& request, const Status& status);
HttpResponse JsonResponse(const HttpRequest& request, boost::beast::http::status status,
                          const nlohmann::json& body);
// A body that is JSON text already.
HttpResponse JsonTextResponse(const HttpRequest& request, boost::beast::http::status status,
                              std::string body);

// Told, before the answer, how many records of a submission were refused as bogus (malformed,
// bad signature, unknown signer, no role): the server charges the client's rate limit for them.
using RefusedRecordsFn = std::function<void(std::size_t refused)>;

// Handles one request; calls `respond` exactly once, possibly later from another thread (a
// submission that waits for its commit).
void HandleRequest(const HttpRequest& request, LedgerService& service, const HttpOptions& options,
                   std::function<void(HttpResponse)> respond, RefusedRecordsFn on_refused = {});

}  // namespace mbl::node
