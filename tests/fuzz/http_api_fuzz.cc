// The HTTP API's request handling without sockets (node/http_routes.h HandleRequest): the request
// target and its query, the signed-read headers, and the JSON bodies of submissions (one signed
// record or {"records": [...]}), against a fake ledger that admits what verifies. Input: the
// request line "METHOD TARGET", header lines "Name: value", an empty line, then the body.
// Invariants: the handler answers exactly once, and every JSON answer is valid JSON.
#include <boost/beast/http.hpp>
#include <cctype>
#include <nlohmann/json.hpp>

#include "base/limits.h"
#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "node/http_routes.h"
#include "node/ledger_service.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_ledger.h"

namespace {

using namespace mbl;
namespace http = boost::beast::http;

// Admits a record when its envelope verifies and its payload parses; knows one reader (the
// fuzz ledger's smelter operator) and answers reads with small fixed values.
class FakeLedger final : public node::LedgerService {
 public:
  std::vector<node::SubmitOutcome> Submit(std::vector<chaincode::SignedRecord> records) override {
    std::vector<node::SubmitOutcome> outcomes;
    for (const auto& record : records) {
      node::SubmitOutcome outcome{chaincode::ComputeRecordId(record.payload),
                                  chaincode::VerifyEnvelope(record)};
      if (outcome.status.ok()) {
        auto json = chaincode::RecordPayloadToJson(record.payload);
        if (!json.ok()) outcome.status = json.status();
      }
      outcomes.push_back(std::move(outcome));
    }
    return outcomes;
  }
  void WhenCommitted(std::vector<chaincode::RecordId>, std::chrono::milliseconds,
                     std::function<void()> done) override {
    done();
  }
  Result<node::RecordView> GetRecord(const chaincode::RecordId& id, const node::Reader&) override {
    return node::RecordView{id, std::nullopt};
  }
  Result<node::RecordOutcome> GetRecordOutcome(const chaincode::RecordId& id) override {
    chaincode::RecordResult result;
    result.record_id = id;
    result.accepted = true;
    result.details_json = "{}";
    return node::RecordOutcome{id, node::CommittedResult{1, 0, std::move(result)}};
  }
  Result<node::BlockView> GetBlock(std::uint64_t height, const node::Reader&) override {
    if (height > 1) return NotFound("no block " + std::to_string(height));
    node::BlockView block;
    block.header.height = height;
    return block;
  }
  node::HealthReport Health() override {
    node::HealthReport health;
    health.activity.tip.height = 1;
    return health;
  }
  node::NodeActivity Metrics() override { return Health().activity; }
  node::ValidatorSetView Validators() override { return {}; }
  Result<node::Reader> IdentifyReader(const crypto::PublicKey& key) override {
    const auto& known = fuzz::LedgerKey(fuzz::Selector("smelter", v1::OPERATION_RESPONSIBLE));
    if (key != known.public_key) return NotFound("not a member key");
    return node::Reader{key, "smelter", {"operation_responsible"}};
  }
  Result<nlohmann::json> Query(std::string_view name,
                               const std::map<std::string, std::string>& params,
                               const node::Reader&) override {
    return nlohmann::json{{"query", std::string(name)}, {"params", params}};
  }
  Result<node::ExitAnswer> ExitLookup(std::string_view code,
                                      std::optional<std::uint64_t>) override {
    return NotFound("no exit record " + std::string(code));
  }
};

bool ValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

bool ValidHeaderValue(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

boost::beast::string_view Beast(std::string_view text) { return {text.data(), text.size()}; }

// Splits off the text before the next '\n' (all of it when there is none).
std::string_view TakeLine(std::string_view& input) {
  std::size_t newline = input.find('\n');
  std::string_view line = input.substr(0, newline);
  input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::AsText(data, size);
  if (input.size() > limits::kHttpBodyBytesMax) return 0;  // the server refuses larger bodies
  node::HttpRequest request;
  request.version(11);
  std::string_view request_line = TakeLine(input);
  std::size_t space = request_line.find(' ');
  std::string_view method = request_line.substr(0, space);
  std::string_view target =
      space == std::string_view::npos ? std::string_view() : request_line.substr(space + 1);
  http::verb verb = http::string_to_verb(Beast(method));
  if (verb == http::verb::unknown) return 0;  // Beast's parser refuses unknown methods
  request.method(verb);
  request.target(Beast(target));
  while (!input.empty()) {
    std::string_view line = TakeLine(input);
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (!ValidHeaderName(name) || !ValidHeaderValue(value)) continue;
    request.set(Beast(name), Beast(value));
  }
  request.body() = std::string(input);
  request.prepare_payload();

  static FakeLedger* service = new FakeLedger();
  node::HttpOptions options;
  options.batch_records_max = 16;  // a smaller batch limit, so that inputs reach it
  int answers = 0;
  node::HandleRequest(request, *service, options, [&](node::HttpResponse response) {
    ++answers;
    auto type = response[http::field::content_type];
    if (type == "application/json") {
      MBL_FUZZ_CHECK(nlohmann::json::accept(response.body()), response.body());
    }
  });
  MBL_FUZZ_CHECK(answers == 1, "the handler must answer exactly once");
  return 0;
}
