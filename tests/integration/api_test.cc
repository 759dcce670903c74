// The HTTP API over real sockets against the real ledger (RocksDB in a temp dir): every kind of
// bad request gets its 4xx and stores nothing; limits hold.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <utility>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "node/http_read_signature.h"
#include "node/http_server.h"
#include "node/ledger.h"
#include "tests/unit/node/node_test_util.h"
#include "tools/http_client.h"

namespace mbl::node {
namespace {

using testing::SiteRecord;
using testing::TempDir;
using tools::HttpCall;

class ApiTest : public ::testing::Test {
 protected:
  void StartNode(HttpOptions http = {}) {
    auto ledger = testing::OpenTestLedger(fixture_, dir_.path() / "data");
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ledger_ = std::move(*ledger);
    http.address = "127.0.0.1";
    http.port = 0;
    auto server = HttpServer::Start(http, *ledger_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    if (ledger_) ledger_->Stop();
    if (server_) server_->Stop();
  }

  tools::HttpReply Post(const std::string& body, const std::string& target = "/v1/records") {
    auto reply = HttpCall(url_, "POST", target, body);
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? *reply : tools::HttpReply{};
  }
  std::string Envelope(const chaincode::SignedRecord& record) {
    return chaincode::EnvelopeToJson(record).dump();
  }
  void ExpectNothingStored() {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(ledger_->store().tip().height, 0u);
    EXPECT_EQ(ledger_->Health()["mempool_records"], 0);
  }
  void ExpectError(const tools::HttpReply& reply, int status, const std::string& code) {
    EXPECT_EQ(reply.status, status) << reply.raw;
    ASSERT_TRUE(reply.body.is_object()) << reply.raw;
    EXPECT_EQ(reply.body["error"]["code"], code) << reply.raw;
    EXPECT_FALSE(reply.body["error"]["message"].get<std::string>().empty());
  }

  TempDir dir_;
  test_support::LedgerFixture fixture_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<HttpServer> server_;
  std::string url_;
};

TEST_F(ApiTest, SubmitOneAndWaitForItsCommit) {
  StartNode();
  auto reply = Post(Envelope(SiteRecord(fixture_, "plant")), "/v1/records?wait=commit");
  EXPECT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["status"], "accepted");
  EXPECT_EQ(reply.body["height"], 1);
}

TEST_F(ApiTest, BatchGivesOneResultPerRecordAndRefusesOnlyTheBadOnes) {
  StartNode();
  auto good = SiteRecord(fixture_, "plant");
  auto bad = SiteRecord(fixture_, "mill");
  bad.signature[3] ^= 1;
  nlohmann::json body = {
      {"records",
       {chaincode::EnvelopeToJson(good), chaincode::EnvelopeToJson(bad), {{"payload", "!!"}}}}};
  auto reply = Post(body.dump(), "/v1/records?wait=commit&timeout_ms=10000");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  ASSERT_EQ(reply.body["results"].size(), 3u);
  EXPECT_EQ(reply.body["results"][0]["status"], "accepted");
  EXPECT_EQ(reply.body["results"][1]["status"], "refused");
  EXPECT_EQ(reply.body["results"][1]["error"]["code"], "unauthenticated");
  EXPECT_EQ(reply.body["results"][2]["status"], "refused");
}

TEST_F(ApiTest, OversizedBodyIs413AndStoresNothing) {
  HttpOptions http;
  http.body_bytes_max = 4096;
  StartNode(http);
  ExpectError(Post(std::string(8192, ' ')), 413, "invalid_argument");
  ExpectNothingStored();
}

TEST_F(ApiTest, MalformedJsonAndMissingFieldsAre400AndStoreNothing) {
  StartNode();
  ExpectError(Post("{not json"), 400, "invalid_argument");
  ExpectError(Post(R"({"payload": "AAAA"})"), 400, "invalid_argument");
  ExpectError(Post(R"({"payload": "%%%", "signer": "00", "signature": "00"})"), 400,
              "invalid_argument");
  ExpectNothingStored();
}

TEST_F(ApiTest, BadSignatureIs401AndStoresNothing) {
  StartNode();
  auto record = SiteRecord(fixture_, "plant");
  record.signature[0] ^= 0x80;
  ExpectError(Post(Envelope(record)), 401, "unauthenticated");
  ExpectNothingStored();
}

TEST_F(ApiTest, UnknownSignerIs401AndStoresNothing) {
  StartNode();
  auto record =
      chaincode::SignRecord(SiteRecord(fixture_, "plant").payload, crypto::KeyPair::Generate());
  auto reply = Post(Envelope(record));
  ExpectError(reply, 401, "unauthenticated");
  EXPECT_NE(reply.raw.find("not a current member key"), std::string::npos);
  ExpectNothingStored();
}

TEST_F(ApiTest, SignerWithoutTheRoleIs403AndStoresNothing) {
  StartNode();
  auto reply = Post(Envelope(SiteRecord(fixture_, "plant", v1::EVALUATION_RESPONSIBLE)));
  ExpectError(reply, 403, "permission_denied");
  EXPECT_NE(reply.raw.find("R3"), std::string::npos);
  ExpectNothingStored();
}

TEST_F(ApiTest, DuplicateIs409AndTakesEffectOnce) {
  StartNode();
  auto record = SiteRecord(fixture_, "plant");
  EXPECT_EQ(Post(Envelope(record), "/v1/records?wait=commit").status, 200);
  ExpectError(Post(Envelope(record)), 409, "already_exists");
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(ledger_->store().tip().height, 1u);
}

TEST_F(ApiTest, ReplayedRecordOutsideItsWindowIs400AndStoresNothing) {
  StartNode();
  ExpectError(Post(Envelope(SiteRecord(fixture_, "old", v1::OPERATION_RESPONSIBLE, -5000))), 400,
              "invalid_argument");
  ExpectError(
      Post(Envelope(SiteRecord(fixture_, "far", v1::OPERATION_RESPONSIBLE, 2LL * 86'400'000))), 400,
      "invalid_argument");
  ExpectNothingStored();
}

TEST_F(ApiTest, SignedReadsNeedAMemberKeyAFreshTimeAndAGoodSignature) {
  StartNode();
  const auto& member = fixture_.Key("brand", v1::OPERATION_RESPONSIBLE);
  ExpectError(*HttpCall(url_, "GET", "/v1/blocks/0"), 401, "unauthenticated");
  auto stranger = crypto::KeyPair::Generate();
  ExpectError(*HttpCall(url_, "GET", "/v1/blocks/0", "", &stranger), 401, "unauthenticated");
  auto good = HttpCall(url_, "GET", "/v1/blocks/0", "", &member);
  EXPECT_EQ(good->status, 200) << good->raw;
  EXPECT_EQ(good->body["header"]["height"], 0);

  // A signature for another target, and a stale time, are refused.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  auto send = [&](const std::string& target, std::int64_t time_ms,
                  const std::string& signed_target) {
    auto signature = SignRead("GET", signed_target, time_ms, member);
    std::string request = "GET " + target +
                          " HTTP/1.1\r\nHost: x\r\nX-Mbl-Key: " + crypto::ToHex(signature.key) +
                          "\r\nX-Mbl-Time: " + std::to_string(time_ms) +
                          "\r\nX-Mbl-Signature: " + crypto::ToHex(signature.signature) + "\r\n\r\n";
    boost::asio::write(socket, boost::asio::buffer(request));
    boost::asio::streambuf buffer;
    boost::asio::read_until(socket, buffer, "\r\n\r\n");
    std::string head(boost::asio::buffers_begin(buffer.data()),
                     boost::asio::buffers_end(buffer.data()));
    std::size_t length = std::stoul(head.substr(head.find("Content-Length: ") + 16));
    std::size_t header_end = head.find("\r\n\r\n") + 4;
    if (buffer.size() < header_end + length) {
      boost::asio::read(socket, buffer,
                        boost::asio::transfer_exactly(header_end + length - buffer.size()));
    }
    std::string all(boost::asio::buffers_begin(buffer.data()),
                    boost::asio::buffers_end(buffer.data()));
    return all.substr(9, 3);
  };
  std::int64_t now = testing::WallNowMs();
  EXPECT_EQ(send("/v1/blocks/0", now, "/v1/blocks/0"), "200");
  EXPECT_EQ(send("/v1/blocks/0", now, "/v1/blocks/1"), "401");
  EXPECT_EQ(send("/v1/blocks/0", now - limits::kSignedReadWindowMs - 60'000, "/v1/blocks/0"),
            "401");
}

TEST_F(ApiTest, PublicRoutesUnknownRoutesAndWrongMethods) {
  StartNode();
  EXPECT_EQ(HttpCall(url_, "GET", "/v1/health")->body["status"], "ok");
  EXPECT_EQ(HttpCall(url_, "GET", "/v1/validators")->body["validators"].size(), 1u);
  ExpectError(*HttpCall(url_, "GET", "/v1/exit/MBL-0000-0000-0000"), 404, "not_found");
  ExpectError(*HttpCall(url_, "GET", "/v1/exit/MBL-0000"), 400, "invalid_argument");
  for (const char* height : {"x", "-1", "", "1e3", "99999999999999999999"}) {
    ExpectError(
        *HttpCall(url_, "GET", std::string("/v1/exit/MBL-0000-0000-0000?known_height=") + height),
        400, "invalid_argument");
  }
  const auto& member = fixture_.Key("brand", v1::OPERATION_RESPONSIBLE);
  ExpectError(*HttpCall(url_, "GET", "/v1/nothing", "", &member), 404, "not_found");
  auto wrong_method = HttpCall(url_, "GET", "/v1/records");
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(HttpCall(url_, "DELETE", "/v1/health")->status, 405);
}

TEST_F(ApiTest, RateLimitAnswers429) {
  HttpOptions http;
  http.requests_per_second = 1;
  http.request_burst = 3;
  StartNode(http);
  int limited = 0;
  for (int i = 0; i < 10; ++i)
    limited += HttpCall(url_, "GET", "/v1/health")->status == 429 ? 1 : 0;
  EXPECT_GE(limited, 6);
}

TEST_F(ApiTest, ConnectionLimitRefusesExtraConnections) {
  HttpOptions http;
  http.connections_max = 2;
  StartNode(http);
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> held;
  for (int i = 0; i < 2; ++i) {
    held.emplace_back(io);
    held.back().connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto reply = HttpCall(url_, "GET", "/v1/health");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 503);
}

TEST_F(ApiTest, SlowClientIsDisconnectedAtTheRequestDeadline) {
  HttpOptions http;
  http.request_timeout_ms = 200;
  http.idle_timeout_ms = 200;
  StartNode(http);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  boost::asio::write(socket,
                     boost::asio::buffer(std::string("GET /v1/health HTTP/1.1\r\nHost: x\r\n")));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  char byte = 0;
  boost::system::error_code error;
  socket.read_some(boost::asio::buffer(&byte, 1), error);
  EXPECT_TRUE(error == boost::asio::error::eof || error == boost::asio::error::connection_reset)
      << error.message();
}

TEST_F(ApiTest, OversizedHeadersAre431) {
  HttpOptions http;
  http.header_bytes_max = 1024;
  StartNode(http);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  std::string request =
      "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n";
  boost::system::error_code error;
  boost::asio::write(socket, boost::asio::buffer(request), error);
  boost::asio::streambuf buffer;
  boost::asio::read_until(socket, buffer, "\r\n", error);
  std::string line(boost::asio::buffers_begin(buffer.data()),
                   boost::asio::buffers_end(buffer.data()));
  EXPECT_NE(line.find("431"), std::string::npos) << line;
}

TEST_F(ApiTest, PipelinedRequestsAreAnsweredInOrder) {
  StartNode();
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  std::string two =
      "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/nope HTTP/1.1\r\nHost: x\r\nConnection: "
      "close\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(two));
  boost::asio::streambuf buffer;
  boost::system::error_code error;
  boost::asio::read(socket, buffer, error);
  std::string all(boost::asio::buffers_begin(buffer.data()),
                  boost::asio::buffers_end(buffer.data()));
  std::size_t first = all.find("HTTP/1.1 200");
  std::size_t second = all.find("HTTP/1.1 404");
  ASSERT_NE(first, std::string::npos) << all;
  ASSERT_NE(second, std::string::npos) << all;
  EXPECT_LT(first, second);
}

}  // namespace
}  // namespace mbl::node
