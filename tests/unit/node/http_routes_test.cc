// The HTTP edge without sockets (node/http_routes.h): a refusal's Status becomes JSON once
// (ErrorJson), for one record and for a batch alike, and the metrics text of an activity.
#include "node/http_routes.h"

#include <gtest/gtest.h>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "node/ledger_views.h"
#include "node/metrics_text.h"

namespace mbl::node {
namespace {

namespace http = boost::beast::http;

// Refuses every record with `refusal`; nothing is ever committed.
class RefusingLedger final : public LedgerService {
 public:
  explicit RefusingLedger(Status refusal) : refusal_(std::move(refusal)) {}

  std::vector<SubmitOutcome> Submit(std::vector<chaincode::SignedRecord> records) override {
    std::vector<SubmitOutcome> outcomes;
    for (const auto& record : records) {
      outcomes.push_back({chaincode::ComputeRecordId(record.payload), refusal_});
    }
    return outcomes;
  }
  void WhenCommitted(std::vector<chaincode::RecordId>, std::chrono::milliseconds,
                     std::function<void()> done) override {
    done();
  }
  Result<RecordView> GetRecord(const chaincode::RecordId&, const Reader&) override {
    return NotFound("nothing is stored");
  }
  Result<RecordOutcome> GetRecordOutcome(const chaincode::RecordId&) override {
    return NotFound("nothing is stored");
  }
  Result<BlockView> GetBlock(std::uint64_t, const Reader&) override {
    return NotFound("nothing is stored");
  }
  HealthReport Health() override { return {}; }
  NodeActivity Metrics() override { return {}; }
  ValidatorSetView Validators() override { return {}; }
  Result<Reader> IdentifyReader(const crypto::PublicKey&) override {
    return Unauthenticated("no member keys");
  }
  Result<nlohmann::json> Query(std::string_view, const std::map<std::string, std::string>&,
                               const Reader&) override {
    return NotFound("no queries");
  }
  Result<ExitAnswer> ExitLookup(std::string_view, std::optional<std::uint64_t>) override {
    return NotFound("no exit records");
  }

 private:
  Status refusal_;
};

struct Answer {
  HttpResponse response;
  std::size_t refused = 0;  // as told to the server's rate limit
  nlohmann::json body() const { return nlohmann::json::parse(response.body()); }
};

Answer Post(LedgerService& service, const std::string& body) {
  HttpRequest request{http::verb::post, "/v1/records", 11};
  request.body() = body;
  request.prepare_payload();
  Answer answer;
  HandleRequest(
      request, service, HttpOptions{}, [&](HttpResponse response) { answer.response = response; },
      [&](std::size_t refused) { answer.refused = refused; });
  return answer;
}

const chaincode::SignedRecord& AnyRecord() {
  static const chaincode::SignedRecord record =
      chaincode::SignRecord("any payload", crypto::KeyPair::Generate());
  return record;
}

constexpr Code kRefusalCodes[] = {
    Code::kInvalidArgument,   Code::kNotFound,        Code::kAlreadyExists,
    Code::kPermissionDenied,  Code::kUnauthenticated, Code::kFailedPrecondition,
    Code::kResourceExhausted, Code::kUnavailable,     Code::kDeadlineExceeded,
    Code::kDataLoss,          Code::kInternal};

TEST(HttpRoutes, ARefusedRecordAnswersWithTheStatusOfItsRefusalAsErrorJson) {
  for (Code code : kRefusalCodes) {
    const Status refusal(code, "refused as " + std::string(CodeName(code)));
    RefusingLedger service(refusal);
    Answer answer = Post(service, chaincode::EnvelopeToJson(AnyRecord()).dump());
    EXPECT_EQ(answer.response.result(), HttpStatusFor(code)) << CodeName(code);
    EXPECT_EQ(answer.body(), nlohmann::json({{"error", ErrorJson(refusal)}})) << CodeName(code);
    EXPECT_EQ(answer.body()["error"]["code"], std::string(CodeName(code)));
  }
}

TEST(HttpRoutes, ABatchCarriesEachRefusalAsTheSameErrorJson) {
  for (Code code : kRefusalCodes) {
    const Status refusal(code, "refused as " + std::string(CodeName(code)));
    RefusingLedger service(refusal);
    nlohmann::json batch = {{"records", {chaincode::EnvelopeToJson(AnyRecord())}}};
    Answer answer = Post(service, batch.dump());
    ASSERT_EQ(answer.response.result(), http::status::ok) << answer.response.body();
    const nlohmann::json expected = {
        {"id", crypto::ToHex(chaincode::ComputeRecordId(AnyRecord().payload))},
        {"status", "refused"},
        {"error", ErrorJson(refusal)}};
    EXPECT_EQ(answer.body()["results"], nlohmann::json::array({expected})) << CodeName(code);
  }
}

TEST(HttpRoutes, OnlyBogusRefusalsDrawOnTheClientsRateLimit) {
  for (Code code : kRefusalCodes) {
    RefusingLedger service(Status(code, "refused"));
    Answer answer = Post(service, chaincode::EnvelopeToJson(AnyRecord()).dump());
    const bool bogus = code == Code::kInvalidArgument || code == Code::kUnauthenticated ||
                       code == Code::kPermissionDenied;
    EXPECT_EQ(answer.refused, bogus ? 1u : 0u) << CodeName(code);
  }
}

TEST(HttpRoutes, AnEnvelopeThatDoesNotDecodeIsRefusedWithoutAnId) {
  RefusingLedger service(Status::Ok());
  Answer answer = Post(service, R"({"records": [{"payload": "!!"}]})");
  ASSERT_EQ(answer.response.result(), http::status::ok) << answer.response.body();
  const nlohmann::json only = answer.body()["results"][0];
  EXPECT_FALSE(only.contains("id"));
  EXPECT_EQ(only["status"], "refused");
  EXPECT_EQ(only["error"]["code"], "invalid_argument");
  EXPECT_EQ(answer.refused, 1u);
}

TEST(MetricsText, SingleValidatorShowsTheNodeFamiliesOnly) {
  NodeActivity activity;
  activity.tip.height = 3;
  activity.mempool_records = 2;
  activity.last_commit_age_ms = 1500;
  EXPECT_EQ(MetricsText(activity),
            "# HELP mbl_block_height Height of the last committed block.\n"
            "# TYPE mbl_block_height gauge\n"
            "mbl_block_height 3\n"
            "# HELP mbl_mempool_records Records admitted and not yet committed.\n"
            "# TYPE mbl_mempool_records gauge\n"
            "mbl_mempool_records 2\n"
            "# HELP mbl_ordering_healthy 1 while the node commits, 0 after a commit error.\n"
            "# TYPE mbl_ordering_healthy gauge\n"
            "mbl_ordering_healthy 1\n"
            "# HELP mbl_last_commit_age_seconds Seconds since this node last committed.\n"
            "# TYPE mbl_last_commit_age_seconds gauge\n"
            "mbl_last_commit_age_seconds 1.5\n");
}

TEST(MetricsText, BeforeTheFirstCommitAndAfterACommitError) {
  NodeActivity activity;
  activity.ordering = Internal("disk full");
  const std::string text = MetricsText(activity);
  EXPECT_NE(text.find("\nmbl_ordering_healthy 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nmbl_last_commit_age_seconds -1\n"), std::string::npos) << text;
}

TEST(MetricsText, BftAddsConsensusAndOneSamplePerPeerLink) {
  NodeActivity activity;
  activity.consensus.emplace();
  activity.consensus->round = 7;
  activity.consensus->links = {{1, true, 10, 20, 0}, {2, false, 0, 0, 5}};
  const std::string text = MetricsText(activity);
  EXPECT_NE(text.find("\nmbl_consensus_round 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nmbl_peer_link_up{peer=\"1\"} 1\nmbl_peer_link_up{peer=\"2\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nmbl_peer_frames_dropped_total{peer=\"2\"} 5\n"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace mbl::node
