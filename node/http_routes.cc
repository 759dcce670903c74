#include "node/http_routes.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "formats/read_signature.h"
#include "node/ledger_views.h"
#include "node/metrics_text.h"
#include "node/verify_page.h"

namespace mbl::node {
namespace http = boost::beast::http;

namespace {

struct Target {
  std::string path;
  std::map<std::string, std::string> query;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return InvalidArgument("bad percent-encoding in the URL");
      int high = HexDigit(text[i + 1]);
      int low = HexDigit(text[i + 2]);
      if (high < 0 || low < 0) return InvalidArgument("bad percent-encoding in the URL");
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

Result<Target> ParseTarget(std::string_view target) {
  Target parsed;
  std::size_t question = target.find('?');
  parsed.path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) return parsed;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    std::size_t equals = pair.find('=');
    MBL_ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, equals)));
    std::string value;
    if (equals != std::string_view::npos) {
      MBL_ASSIGN_OR_RETURN(value, PercentDecode(pair.substr(equals + 1)));
    }
    if (!key.empty()) parsed.query[key] = value;
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return parsed;
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<Reader> AuthenticateRead(const HttpRequest& request, LedgerService& service,
                                const HttpOptions& options) {
  auto header = [&](std::string_view name) {
    auto it = request.find(boost::beast::string_view(name.data(), name.size()));
    return it == request.end() ? std::string_view()
                               : std::string_view(it->value().data(), it->value().size());
  };
  MBL_ASSIGN_OR_RETURN(
      crypto::PublicKey key,
      formats::VerifyReadSignature(
          std::string_view(request.method_string().data(), request.method_string().size()),
          std::string_view(request.target().data(), request.target().size()),
          header(formats::kReadKeyHeader), header(formats::kReadTimeHeader),
          header(formats::kReadSignatureHeader), NowMs(), options.signed_read_window_ms));
  auto reader = service.IdentifyReader(key);
  if (!reader.ok()) return Unauthenticated(reader.status().message());
  return reader;
}

Result<chaincode::RecordId> ParseRecordId(std::string_view hex) {
  auto id = crypto::FixedFromHex<32>(hex, "record id");
  if (!id.ok()) return id.status();
  return *id;
}

struct Submission {
  std::vector<SubmittedRecord> records;       // one per record in the body
  std::vector<chaincode::RecordId> admitted;  // ids admitted to the mempool
};

void SubmitRecords(const std::vector<nlohmann::json>& envelopes, LedgerService& service,
                   Submission& submission) {
  std::vector<chaincode::SignedRecord> records;
  std::vector<std::size_t> submitted_positions;  // of the records sent to the service
  submission.records.resize(envelopes.size());
  for (std::size_t i = 0; i < envelopes.size(); ++i) {
    auto record = chaincode::EnvelopeFromJson(envelopes[i]);
    if (!record.ok()) {
      submission.records[i].status = record.status();
      continue;
    }
    submitted_positions.push_back(i);
    records.push_back(std::move(*record));
  }
  std::vector<SubmitOutcome> outcomes = service.Submit(std::move(records));
  for (std::size_t j = 0; j < outcomes.size(); ++j) {
    SubmittedRecord& submitted = submission.records[submitted_positions[j]];
    submitted.id = outcomes[j].id;
    submitted.status = std::move(outcomes[j].status);
    if (submitted.status.ok()) submission.admitted.push_back(outcomes[j].id);
  }
}

// After a wait: where each admitted record stands.
void FillCommitted(Submission& submission, LedgerService& service) {
  for (SubmittedRecord& submitted : submission.records) {
    if (!submitted.status.ok()) continue;
    auto outcome = service.GetRecordOutcome(*submitted.id);
    if (outcome.ok()) submitted.committed = std::move(outcome->committed);
  }
}

// Refusals that say the record is bogus, not that the ledger is busy or already holds it.
bool IsBogus(const SubmittedRecord& submitted) {
  const Code code = submitted.status.code();
  return code == Code::kInvalidArgument || code == Code::kUnauthenticated ||
         code == Code::kPermissionDenied;
}

nlohmann::json BatchJson(const Submission& submission) {
  nlohmann::json results = nlohmann::json::array();
  for (const SubmittedRecord& submitted : submission.records) {
    results.push_back(SubmittedRecordJson(submitted));
  }
  return {{"results", std::move(results)}};
}

void HandleSubmit(const HttpRequest& request, const Target& target, LedgerService& service,
                  const HttpOptions& options, std::function<void(HttpResponse)> respond,
                  const RefusedRecordsFn& on_refused) {
  nlohmann::json body = nlohmann::json::parse(request.body(), nullptr, false);
  if (body.is_discarded()) {
    respond(ErrorResponse(request, InvalidArgument("the request body is not valid JSON")));
    return;
  }
  bool batch = body.is_object() && body.contains("records");
  std::vector<nlohmann::json> envelopes;
  if (batch) {
    if (!body["records"].is_array()) {
      respond(
          ErrorResponse(request, InvalidArgument("'records' must be an array of signed records")));
      return;
    }
    if (body["records"].size() > options.batch_records_max || body["records"].empty()) {
      respond(ErrorResponse(
          request, InvalidArgument("a batch holds 1.." + std::to_string(options.batch_records_max) +
                                   " records")));
      return;
    }
    envelopes.reserve(body["records"].size());
    for (auto& envelope : body["records"]) envelopes.push_back(std::move(envelope));
  } else {
    envelopes.push_back(std::move(body));
  }
  bool wait = target.query.contains("wait");
  if (wait && target.query.at("wait") != "commit") {
    respond(ErrorResponse(request, InvalidArgument("the only wait is wait=commit")));
    return;
  }
  std::int64_t timeout_ms = options.wait_commit_ms_max;
  if (auto it = target.query.find("timeout_ms"); it != target.query.end()) {
    auto [end, error] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), timeout_ms);
    if (error != std::errc() || end != it->second.data() + it->second.size() || timeout_ms <= 0) {
      respond(ErrorResponse(request, InvalidArgument("timeout_ms must be a positive integer")));
      return;
    }
    timeout_ms = std::min(timeout_ms, options.wait_commit_ms_max);
  }
  auto submission = std::make_shared<Submission>();
  SubmitRecords(envelopes, service, *submission);
  envelopes.clear();
  if (on_refused) {
    on_refused(static_cast<std::size_t>(
        std::count_if(submission->records.begin(), submission->records.end(), IsBogus)));
  }
  // The answer needs only the request's version and keep-alive: a waiting submission must not
  // keep its body (up to kHttpBodyBytesMax) for the length of the wait.
  HttpRequest head;
  head.version(request.version());
  head.keep_alive(request.keep_alive());
  auto finish = [request = std::move(head), batch, submission, &service, respond] {
    if (batch) {
      respond(JsonResponse(request, http::status::ok, BatchJson(*submission)));
      return;
    }
    const SubmittedRecord& only = submission->records[0];
    if (!only.status.ok()) {
      respond(ErrorResponse(request, only.status));
      return;
    }
    respond(JsonResponse(request, only.committed ? http::status::ok : http::status::accepted,
                         SubmittedRecordJson(only)));
  };
  if (!wait || submission->admitted.empty()) {
    finish();
    return;
  }
  service.WhenCommitted(submission->admitted, std::chrono::milliseconds(timeout_ms),
                        [submission, &service, finish] {
                          FillCommitted(*submission, service);
                          finish();
                        });
}

// ?known_height=H on an exit lookup: a block the caller's verifier checked before (decimal).
Result<std::optional<std::uint64_t>> KnownHeight(const Target& target) {
  auto it = target.query.find("known_height");
  if (it == target.query.end()) return std::optional<std::uint64_t>();
  std::uint64_t height = 0;
  const std::string& text = it->second;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), height);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return InvalidArgument("known_height must be a block height (a decimal number), not '" + text +
                           "'");
  }
  return std::optional<std::uint64_t>(height);
}

void HandleRead(const HttpRequest& request, const Target& target, LedgerService& service,
                const HttpOptions& options, const std::function<void(HttpResponse)>& respond) {
  const std::string& path = target.path;
  auto reply = [&](const Result<nlohmann::json>& result) {
    respond(result.ok() ? JsonResponse(request, http::status::ok, *result)
                        : ErrorResponse(request, result.status()));
  };
  // A read's answer as JSON, made by `to_json` from the value, or the read's error.
  auto reply_with = [&](const auto& result, auto to_json) {
    if (!result.ok()) return reply(result.status());
    return reply(to_json(*result));
  };
  if (path == "/v1/health") return reply(HealthJson(service.Health()));
  if (path == "/metrics") {
    HttpResponse response(http::status::ok, request.version());
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.set(http::field::server, "mbl-node");
    response.keep_alive(request.keep_alive());
    response.body() = MetricsText(service.Metrics());
    response.prepare_payload();
    return respond(std::move(response));
  }
  if (path == "/v1/validators") return reply(ValidatorSetJson(service.Validators()));
  if (path.starts_with("/v1/exit/")) {
    // Public, and read by the verification page from any origin (also a file opened from disk).
    auto known_height = KnownHeight(target);
    auto result = known_height.ok() ? service.ExitLookup(path.substr(9), *known_height)
                                    : Result<ExitAnswer>(known_height.status());
    HttpResponse response =
        result.ok() ? JsonTextResponse(request, http::status::ok, ExitAnswerJsonText(*result))
                    : ErrorResponse(request, result.status());
    response.set(http::field::access_control_allow_origin, "*");
    return respond(std::move(response));
  }
  if (path == "/verify" || path == "/verify/") {
    HttpResponse response(http::status::ok, request.version());
    response.set(http::field::content_type, "text/html; charset=utf-8");
    response.set(http::field::server, "mbl-node");
    response.set("Content-Security-Policy",
                 "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                 "connect-src *");
    response.keep_alive(request.keep_alive());
    response.body() = options.verify_page.empty() ? std::string(kVerifyPage) : options.verify_page;
    response.prepare_payload();
    return respond(std::move(response));
  }
  auto reader = AuthenticateRead(request, service, options);
  bool known = path.starts_with("/v1/records/") || path.starts_with("/v1/blocks/") ||
               path.starts_with("/v1/query/");
  if (!known) return reply(NotFound("no route " + path + " (see docs/api.md)"));
  if (!reader.ok()) return reply(reader.status());
  if (path.starts_with("/v1/records/")) {
    auto id = ParseRecordId(path.substr(12));
    if (!id.ok()) return reply(id.status());
    return reply_with(service.GetRecord(*id, *reader), RecordViewJson);
  }
  if (path.starts_with("/v1/blocks/")) {
    std::string_view text = std::string_view(path).substr(11);
    std::uint64_t height = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), height);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
      return reply(InvalidArgument("block height must be a non-negative integer"));
    }
    return reply_with(service.GetBlock(height, *reader), BlockViewJson);
  }
  return reply(service.Query(path.substr(10), target.query, *reader));
}

}  // namespace

http::status HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return http::status::ok;
    case Code::kInvalidArgument:
      return http::status::bad_request;
    case Code::kUnauthenticated:
      return http::status::unauthorized;
    case Code::kPermissionDenied:
      return http::status::forbidden;
    case Code::kNotFound:
      return http::status::not_found;
    case Code::kAlreadyExists:
      return http::status::conflict;
    case Code::kFailedPrecondition:
      return http::status::unprocessable_entity;
    case Code::kResourceExhausted:
      return http::status::too_many_requests;
    case Code::kUnavailable:
      return http::status::service_unavailable;
    case Code::kDeadlineExceeded:
      return http::status::gateway_timeout;
    case Code::kDataLoss:
    case Code::kInternal:
      return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

HttpResponse JsonResponse(const HttpRequest& request, http::status status,
                          const nlohmann::json& body) {
  return JsonTextResponse(request, status,
                          body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

HttpResponse JsonTextResponse(const HttpRequest& request, http::status status, std::string body) {
  HttpResponse response(status, request.version());
  response.set(http::field::content_type, "application/json");
  response.set(http::field::server, "mbl-node");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

HttpResponse ErrorResponse(const HttpRequest& request, const Status& status) {
  return JsonResponse(request, HttpStatusFor(status.code()), {{"error", ErrorJson(status)}});
}

void HandleRequest(const HttpRequest& request, LedgerService& service, const HttpOptions& options,
                   std::function<void(HttpResponse)> respond, RefusedRecordsFn on_refused) {
  auto target = ParseTarget(std::string_view(request.target().data(), request.target().size()));
  if (!target.ok()) {
    respond(ErrorResponse(request, target.status()));
    return;
  }
  if (target->path == "/v1/records") {
    if (request.method() != http::verb::post) {
      HttpResponse response =
          ErrorResponse(request, Status(Code::kInvalidArgument, "use POST to submit records"));
      response.result(http::status::method_not_allowed);
      response.set(http::field::allow, "POST");
      respond(std::move(response));
      return;
    }
    HandleSubmit(request, *target, service, options, std::move(respond), on_refused);
    return;
  }
  if (request.method() != http::verb::get) {
    HttpResponse response =
        ErrorResponse(request, Status(Code::kInvalidArgument, "this resource only answers GET"));
    response.result(http::status::method_not_allowed);
    response.set(http::field::allow, "GET");
    respond(std::move(response));
    return;
  }
  HandleRead(request, *target, service, options, respond);
}

}  // namespace mbl::node
