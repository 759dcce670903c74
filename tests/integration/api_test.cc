// The HTTP API over real sockets against the real ledger (RocksDB in a temp dir): every kind of
// bad request gets its 4xx and stores nothing; limits hold.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <future>
#include <utility>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "formats/read_signature.h"
#include "node/http_server.h"
#include "node/ledger.h"
#include "node/ledger_views.h"
#include "tests/support/http_attack.h"
#include "tests/unit/node/node_test_util.h"
#include "tools/cli.h"
#include "tools/http_client.h"

namespace mbl::node {
namespace {

using test_support::RawConnection;
using test_support::StatusOf;
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
    EXPECT_EQ(HealthJson(ledger_->Health())["mempool_records"], 0);
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
    auto signature = formats::SignRead("GET", signed_target, time_ms, member);
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

// Raw bytes that no client library would send, over a real socket: each gets its 4xx with the
// JSON error shape and a closed connection, nothing is stored, and the next client is served.
TEST_F(ApiTest, MalformedHttpIsAnsweredWithItsErrorAndTheConnectionClosed) {
  HttpOptions http;
  http.body_bytes_max = 64 * 1024;
  StartNode(http);
  for (const auto& malformed : test_support::MalformedRequests()) {
    RawConnection connection(server_->port(), std::chrono::seconds(5));
    ASSERT_TRUE(connection.connected());
    connection.Send(malformed.bytes);
    std::string answer = connection.ReadUntilClosed();
    EXPECT_EQ(StatusOf(answer), malformed.expected_status) << malformed.name << ":\n" << answer;
    EXPECT_NE(answer.find("\"error\":{\"code\":\"invalid_argument\""), std::string::npos)
        << malformed.name << ":\n"
        << answer;
    EXPECT_TRUE(connection.closed_by_server()) << malformed.name << ": the connection stayed open";
  }
  EXPECT_EQ(HttpCall(url_, "GET", "/v1/health")->status, 200);
  ExpectNothingStored();
}

// Malformed requests draw on the sender's rate limit; an address that spent it is answered 429 as
// soon as it connects, before anything is read or parsed.
TEST_F(ApiTest, AnAddressThatSpentItsRateOnMalformedRequestsIsRefusedAtConnect) {
  HttpOptions http;
  http.requests_per_second = 1;
  http.request_burst = 3;
  StartNode(http);
  for (int i = 0; i < 3; ++i) {
    RawConnection connection(server_->port(), std::chrono::seconds(5));
    connection.Send("GET\r\n\r\n");
    EXPECT_EQ(StatusOf(connection.ReadUntilClosed()), 400);
  }
  RawConnection refused(server_->port(), std::chrono::seconds(5));
  std::string answer = refused.ReadUntilClosed();  // sends nothing
  EXPECT_EQ(StatusOf(answer), 429) << answer;
  EXPECT_NE(answer.find("too many requests from this address"), std::string::npos) << answer;
  EXPECT_TRUE(refused.closed_by_server());
}

// Many clients sending their headers a line at a time: each is dropped at the request deadline,
// and a normal client is served while they hold their connections.
TEST_F(ApiTest, ManySlowClientsAreAllDroppedAtTheDeadlineWhileOthersAreServed) {
  HttpOptions http;
  http.request_timeout_ms = 600;
  http.idle_timeout_ms = 600;
  StartNode(http);
  constexpr int kSlowClients = 60;
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < kSlowClients; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server_->port(), std::chrono::milliseconds(1)));
    ASSERT_TRUE(slow.back()->Send("POST /v1/records HTTP/1.1\r\nHost: x\r\n"));
  }
  auto started = std::chrono::steady_clock::now();
  int served = 0;
  std::size_t dropped = 0;
  for (int line = 0; line < 40 && dropped < slow.size(); ++line) {  // one line per 100 ms
    dropped = 0;
    for (auto& connection : slow) {
      if (!connection->PollClosed()) connection->Send("X-Slow-" + std::to_string(line) + ": x\r\n");
      dropped += connection->closed_by_server() ? 1 : 0;
    }
    if (line % 5 == 0) served += HttpCall(url_, "GET", "/v1/health")->status == 200 ? 1 : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(dropped, slow.size()) << "slow clients still connected after "
                                  << std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - started)
                                         .count()
                                  << " ms";
  EXPECT_GE(served, 1);
  EXPECT_EQ(HttpCall(url_, "GET", "/v1/health")->status, 200);
}

// Connections beyond the limit are answered 503 and closed at once, never queued; once the flood
// lets go, a new client is served.
TEST_F(ApiTest, AConnectionFloodBeyondTheLimitIsRefusedPromptlyAndANewClientIsServedAfter) {
  HttpOptions http;
  http.connections_max = 32;
  http.connections_per_client_max = 32;
  StartNode(http);
  constexpr int kFlood = 200;
  std::vector<std::unique_ptr<RawConnection>> flood;
  for (int i = 0; i < kFlood; ++i) {
    flood.push_back(std::make_unique<RawConnection>(server_->port(), std::chrono::milliseconds(1)));
    ASSERT_TRUE(flood.back()->connected()) << "connection " << i;
  }
  int refused = 0;
  int held = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::vector<bool> answered(kFlood, false);
  while (refused < kFlood - 32 && std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < kFlood; ++i) {
      if (answered[i]) continue;
      std::string answer = flood[i]->ReadSome();  // "" at once for a held connection
      if (answer.empty()) continue;
      answered[i] = true;
      ++refused;
      EXPECT_EQ(StatusOf(answer), 503) << answer;
      EXPECT_NE(answer.find("too many connections"), std::string::npos) << answer;
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int i = 0; i < kFlood; ++i) {
    if (answered[i]) {
      EXPECT_TRUE(flood[i]->PollClosed()) << "a refused connection was left open";
    } else {
      EXPECT_FALSE(flood[i]->PollClosed()) << "a held connection was closed";
      ++held;
    }
  }
  EXPECT_EQ(held, 32);
  EXPECT_EQ(refused, kFlood - 32);
  flood.clear();
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {  // sessions end as the server sees the closes
    status = HttpCall(url_, "GET", "/v1/health")->status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 200);
}

TEST_F(ApiTest, OneClientAddressCannotTakeEveryConnection) {
  HttpOptions http;
  http.connections_per_client_max = 3;
  StartNode(http);
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawConnection>(server_->port(), std::chrono::seconds(2)));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto reply = HttpCall(url_, "GET", "/v1/health");
  ASSERT_TRUE(reply.ok());
  ExpectError(*reply, 503, "unavailable");
  EXPECT_NE(reply->raw.find("too many connections from this address"), std::string::npos);
}

// Thousands of distinct bogus records, in batches and one by one: every one refused with its 4xx,
// nothing admitted, nothing stored, the mempool empty.
TEST_F(ApiTest, AFloodOfDistinctBogusRecordsIsAllRefusedAndStoresNothing) {
  HttpOptions http;
  http.requests_per_second = 1'000'000;  // this test is about admission, not the rate limit
  http.request_burst = 1'000'000;
  StartNode(http);
  const std::string chain = crypto::ToHex(fixture_.chain_id());
  const auto& member = fixture_.Key("smelter", v1::OPERATION_RESPONSIBLE);
  auto stranger = crypto::KeyPair::Generate();
  auto bogus = [&](int i) -> std::pair<chaincode::SignedRecord, std::string> {
    nlohmann::json record = {
        {"author_org", "smelter"},
        {"site_definition", {{"site_id", "bogus-" + std::to_string(i)}, {"area_type", "site"}}}};
    switch (i % 5) {
      case 0: {
        auto signed_record = tools::SignRecordJson(record, member, chain).value();
        signed_record.signature[i % 64] ^= 0x01;
        return {signed_record, "unauthenticated"};
      }
      case 1:
        return {tools::SignRecordJson(record, stranger, chain).value(), "unauthenticated"};
      case 2:  // the payload is judged before its signer
        return {chaincode::SignRecord("garbage " + std::to_string(i), stranger),
                "invalid_argument"};
      case 3:
        return {chaincode::SignRecord("garbage " + std::to_string(i), member), "invalid_argument"};
      default:
        return {tools::SignRecordJson(record, member, chain, -60'000).value(), "invalid_argument"};
    }
  };
  constexpr int kBatches = 20;
  constexpr int kBatchSize = 200;
  int refused = 0;
  for (int b = 0; b < kBatches; ++b) {
    nlohmann::json records = nlohmann::json::array();
    std::vector<std::string> expected;
    for (int i = 0; i < kBatchSize; ++i) {
      auto [record, code] = bogus(b * kBatchSize + i);
      records.push_back(chaincode::EnvelopeToJson(record));
      expected.push_back(code);
    }
    auto reply = Post(nlohmann::json{{"records", records}}.dump());
    ASSERT_EQ(reply.status, 200) << reply.raw.substr(0, 500);
    for (int i = 0; i < kBatchSize; ++i) {
      const auto& result = reply.body["results"][i];
      ASSERT_EQ(result["status"], "refused") << result.dump();
      EXPECT_EQ(result["error"]["code"], expected[i]) << result.dump();
      refused += 1;
    }
  }
  for (int i = 0; i < 100; ++i) {
    auto [record, code] = bogus(kBatches * kBatchSize + i);
    auto reply = Post(Envelope(record));
    EXPECT_GE(reply.status, 400);
    EXPECT_LT(reply.status, 500);
    EXPECT_EQ(reply.body["error"]["code"], code) << reply.raw;
    refused += 1;
  }
  EXPECT_EQ(refused, kBatches * kBatchSize + 100);
  ExpectNothingStored();
}

// A bogus record draws on its sender's rate limit like a request, so a flood of them is slowed
// to the limit's rate of signature checks; good records cost nothing extra.
TEST_F(ApiTest, BogusRecordsDrawOnTheSendersRateLimitAndGoodOnesDoNot) {
  HttpOptions http;
  http.requests_per_second = 5;
  http.request_burst = 40;
  StartNode(http);
  nlohmann::json good = nlohmann::json::array();
  for (int i = 0; i < 30; ++i) {
    good.push_back(chaincode::EnvelopeToJson(SiteRecord(fixture_, "good-" + std::to_string(i))));
  }
  ASSERT_EQ(Post(nlohmann::json{{"records", good}}.dump()).status, 200);
  EXPECT_EQ(HttpCall(url_, "GET", "/v1/health")->status, 200);  // 38 tokens left
  auto stranger = crypto::KeyPair::Generate();
  nlohmann::json bogus = nlohmann::json::array();
  for (int i = 0; i < 30; ++i) {
    bogus.push_back(chaincode::EnvelopeToJson(chaincode::SignRecord(
        SiteRecord(fixture_, "bogus-" + std::to_string(i)).payload, stranger)));
  }
  auto reply = Post(nlohmann::json{{"records", bogus}}.dump());
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body["results"][0]["status"], "refused");
  // 37 - 30 = 7 tokens: a second bogus batch takes the bucket below zero.
  ASSERT_EQ(Post(nlohmann::json{{"records", bogus}}.dump()).status, 200);
  ExpectError(*HttpCall(url_, "GET", "/v1/health"), 429, "resource_exhausted");
}

// Bodies are counted against one budget while they arrive: when it is spent the next upload is
// answered 503 from its header alone; once a body is done with, uploads go through again.
TEST_F(ApiTest, BodiesInFlightAreBoundedAcrossConnections) {
  HttpOptions http;
  http.body_bytes_max = 64 * 1024;
  http.body_bytes_in_flight_max = 128 * 1024;
  StartNode(http);
  const std::string head = "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n" +
                           std::string(100, ' ');
  RawConnection first(server_->port(), std::chrono::seconds(5));
  RawConnection second(server_->port(), std::chrono::seconds(5));
  ASSERT_TRUE(first.Send(head) && second.Send(head));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  RawConnection third(server_->port(), std::chrono::seconds(5));
  ASSERT_TRUE(third.Send(head));
  std::string refused = third.ReadUntilClosed();
  EXPECT_EQ(StatusOf(refused), 503) << refused;
  EXPECT_NE(refused.find("too many request bodies"), std::string::npos) << refused;
  first.Send(std::string(60000 - 100, ' '));  // a body of spaces: not JSON
  EXPECT_EQ(StatusOf(first.ReadSome()), 400);
  // The first body's budget returns once its connection is done with it, which follows the
  // answer by a moment (longer under a sanitizer): retry, bounded, until it has.
  int status = 0;
  for (int attempt = 0; attempt < 40 && status != 400; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    RawConnection fourth(server_->port(), std::chrono::seconds(5));
    ASSERT_TRUE(fourth.Send(head + std::string(60000 - 100, ' ')));
    status = StatusOf(fourth.ReadSome());
    if (status != 400) {
      EXPECT_EQ(status, 503);
    }
  }
  EXPECT_EQ(status, 400) << "the first body's budget never came back";
  ExpectNothingStored();
}

// Confidential reads (records, blocks, the credit queries of DOMAIN §6) without a member's
// signed request: 401, whatever the route.
TEST_F(ApiTest, ConfidentialReadsWithoutAMembersSignatureAre401) {
  StartNode();
  auto stranger = crypto::KeyPair::Generate();
  const std::string id(64, 'a');
  for (const std::string& target : std::vector<std::string>{
           "/v1/records/" + id, "/v1/blocks/0", "/v1/query/accounts?org=smelter",
           "/v1/query/period-statement?org=smelter", "/v1/query/shipment-document?shipment=" + id,
           "/v1/query/lineage?shipment=" + id, "/v1/query/conformity?org=smelter",
           "/v1/query/organizations"}) {
    ExpectError(*HttpCall(url_, "GET", target), 401, "unauthenticated");
    ExpectError(*HttpCall(url_, "GET", target, "", &stranger), 401, "unauthenticated");
  }
}

// DOMAIN §6: raw reads follow the readers of the queries. The value chain of the worked example
// in small: the consortium's reference data, a certified lot at the smelter, one shipment to the
// wire maker and one rejected shipment, each committed through the ledger.
class ReadersApiTest : public ApiTest {
 protected:
  void SetUp() override {
    StartNode();
    v1::Record characteristic;
    characteristic.mutable_characteristic_definition()->set_id("cu-8.0-mix");
    characteristic.mutable_characteristic_definition()->set_name("Cu 8.0 MIX");
    characteristic.mutable_characteristic_definition()->set_category(v1::GHG_REDUCED);
    characteristic_ = Commit(characteristic, "rs", v1::TOP_MANAGEMENT);
    v1::Record group;
    group.mutable_product_group_definition()->set_id("cathode");
    group.mutable_product_group_definition()->set_nature("copper");
    Commit(group, "rs", v1::TOP_MANAGEMENT);
    v1::Record accreditation;
    accreditation.mutable_cb_accreditation()->set_certification_body("cb");
    accreditation.mutable_cb_accreditation()->add_characteristics("cu-8.0-mix");
    Commit(accreditation, "rs", v1::TOP_MANAGEMENT);
    for (const char* org : {"smelter", "wiremaker"}) {
      v1::Record site;
      site.mutable_site_definition()->set_site_id("main");
      site.mutable_site_definition()->set_area_type("site");
      Commit(site, org, v1::OPERATION_RESPONSIBLE);
    }
    v1::Record request;
    auto* body = request.mutable_certificate_request();
    body->set_site_id("main");
    body->set_characteristic("cu-8.0-mix");
    body->set_product_group("cathode");
    body->set_input_mass_grams(40'000'000);
    body->set_characteristic_mass_claimed_grams(10'000'000);
    body->set_supplier(kSupplier);
    request_ = Commit(request, "smelter", v1::OPERATION_RESPONSIBLE);
    v1::Record approve;
    approve.mutable_certification()->set_request_id(request_);
    approve.mutable_certification()->set_decision(v1::Certification::APPROVE);
    approve.mutable_certification()->set_certified_mass_grams(10'000'000);
    Commit(approve, "cb", v1::EVALUATION_RESPONSIBLE);
    shipment_ = Commit(Shipment(6'000'000), "smelter", v1::OPERATION_RESPONSIBLE);
    too_much_ = Commit(Shipment(13'000'000), "smelter", v1::OPERATION_RESPONSIBLE);
  }

  v1::Record Shipment(std::uint64_t credit_grams) {
    v1::Record record;
    auto* body = record.mutable_shipment();
    body->set_from_site_id("main");
    body->set_to_org("wiremaker");
    body->set_to_site_id("main");
    body->set_characteristic("cu-8.0-mix");
    body->set_product_group("cathode");
    body->set_product_mass_grams(12'000'000);
    body->set_credit_grams(credit_grams);
    body->set_product_description(kProduct);
    return record;
  }

  // Submits through the ledger and waits for the commit; returns the record id.
  std::string Commit(v1::Record record, const std::string& org, v1::Role role) {
    record.set_valid_until_ms(testing::WallNowMs() + 60 * 60 * 1000);
    auto outcomes = ledger_->Submit({fixture_.Sign(record, org, role)});
    EXPECT_TRUE(outcomes[0].status.ok()) << outcomes[0].status.ToString();
    std::promise<void> done;
    ledger_->WhenCommitted({outcomes[0].id}, std::chrono::seconds(10), [&] { done.set_value(); });
    done.get_future().wait();
    return crypto::ToHex(outcomes[0].id);
  }

  tools::HttpReply Read(const std::string& target, const crypto::KeyPair& key) {
    auto reply = HttpCall(url_, "GET", target, "", &key);
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? *reply : tools::HttpReply{};
  }
  tools::HttpReply ReadAs(const std::string& target, const std::string& org, v1::Role role) {
    return Read(target, fixture_.Key(org, role));
  }

  // Content of a record for its readers: the record, its signer and signature, the details.
  void ExpectContent(const tools::HttpReply& reply, const std::string& type) {
    ASSERT_EQ(reply.status, 200) << reply.raw;
    EXPECT_EQ(reply.body["redacted"], false) << reply.raw;
    EXPECT_EQ(reply.body["type"], type);
    EXPECT_TRUE(reply.body["record"].contains(type)) << reply.raw;
    EXPECT_EQ(reply.body["signer"].get<std::string>().size(), 64u) << reply.raw;
    EXPECT_EQ(reply.body["signature"].get<std::string>().size(), 128u) << reply.raw;
  }
  // The view of everyone else: id, type, status and where it is; nothing of its content.
  void ExpectRedacted(const tools::HttpReply& reply, const std::string& type,
                      const std::string& status) {
    ASSERT_EQ(reply.status, 200) << reply.raw;
    EXPECT_EQ(reply.body["redacted"], true) << reply.raw;
    EXPECT_EQ(reply.body["type"], type);
    EXPECT_EQ(reply.body["status"], status);
    EXPECT_TRUE(reply.body.contains("height") && reply.body.contains("index")) << reply.raw;
    for (const char* hidden : {"record", "signer", "signature"}) {
      EXPECT_FALSE(reply.body.contains(hidden)) << hidden << " in " << reply.raw;
    }
    EXPECT_FALSE(reply.body["result"].contains("details")) << reply.raw;
    EXPECT_FALSE(reply.body["result"].contains("message")) << reply.raw;
    for (const char* secret : {kSupplier, kProduct, "wiremaker", "smelter"}) {
      EXPECT_EQ(reply.raw.find(secret), std::string::npos) << secret << " in " << reply.raw;
    }
  }

  static constexpr const char* kSupplier = "Kankberg mine, contract 4711";
  static constexpr const char* kProduct = "copper cathode lot 17";
  std::string characteristic_, request_, shipment_, too_much_;
};

TEST_F(ReadersApiTest, Section6_ARecordsContentGoesOnlyToItsParties) {
  const std::string shipment = "/v1/records/" + shipment_;
  ExpectContent(ReadAs(shipment, "smelter", v1::OPERATION_RESPONSIBLE), "shipment");
  ExpectContent(ReadAs(shipment, "smelter", v1::TOP_MANAGEMENT), "shipment");  // any of its people
  auto receiver = ReadAs(shipment, "wiremaker", v1::OPERATION_RESPONSIBLE);
  ExpectContent(receiver, "shipment");
  EXPECT_EQ(receiver.body["record"]["shipment"]["product_description"], kProduct);
  EXPECT_TRUE(receiver.body["result"]["details"].contains("shipment_id")) << receiver.raw;
  ExpectContent(ReadAs(shipment, "cb", v1::EVALUATION_RESPONSIBLE), "shipment");
  ExpectRedacted(ReadAs(shipment, "brand", v1::OPERATION_RESPONSIBLE), "shipment", "accepted");
  ExpectRedacted(ReadAs(shipment, "rs", v1::TOP_MANAGEMENT), "shipment", "accepted");

  // The smelter's certificate request names its supplier: the receiver does not read it.
  const std::string request = "/v1/records/" + request_;
  auto own = ReadAs(request, "smelter", v1::OPERATION_RESPONSIBLE);
  ExpectContent(own, "certificate_request");
  EXPECT_EQ(own.body["record"]["certificate_request"]["supplier"], kSupplier);
  ExpectContent(ReadAs(request, "cb", v1::OPERATION_RESPONSIBLE), "certificate_request");
  for (const char* other : {"wiremaker", "brand", "rs"}) {
    ExpectRedacted(ReadAs(request, other, v1::OPERATION_RESPONSIBLE), "certificate_request",
                   "accepted");
  }
}

TEST_F(ReadersApiTest, Section6_ARejectedRecordShowsOthersItsRuleButNotItsMessage) {
  const std::string target = "/v1/records/" + too_much_;
  auto sender = ReadAs(target, "smelter", v1::OPERATION_RESPONSIBLE);
  ExpectContent(sender, "shipment");
  EXPECT_EQ(sender.body["status"], "rejected");
  const std::string rule = sender.body["result"]["rule"];
  EXPECT_FALSE(sender.body["result"]["message"].get<std::string>().empty());
  auto other = ReadAs(target, "brand", v1::OPERATION_RESPONSIBLE);
  ExpectRedacted(other, "shipment", "rejected");
  EXPECT_EQ(other.body["result"], (nlohmann::json{{"accepted", false}, {"rule", rule}}));
}

TEST_F(ReadersApiTest, Section6_GovernanceRecordsGoToEveryMember) {
  for (const char* org : {"brand", "wiremaker", "smelter", "cb", "rs"}) {
    ExpectContent(ReadAs("/v1/records/" + characteristic_, org, v1::OPERATION_RESPONSIBLE),
                  "characteristic_definition");
  }
  auto genesis = ReadAs("/v1/blocks/0", "brand", v1::OPERATION_RESPONSIBLE);
  ASSERT_EQ(genesis.body["records"].size(), 1u) << genesis.raw;
  EXPECT_EQ(genesis.body["records"][0]["type"], "genesis");
  EXPECT_EQ(genesis.body["records"][0]["redacted"], false);
  EXPECT_EQ(genesis.body["records"][0]["accepted"], true) << genesis.raw;
}

TEST_F(ReadersApiTest, Section6_ABlockShowsForeignRecordsAsIdTypeAndStatusWithItsHeader) {
  auto located = ReadAs("/v1/records/" + shipment_, "smelter", v1::OPERATION_RESPONSIBLE);
  const std::uint64_t height = located.body["height"];
  const std::string target = "/v1/blocks/" + std::to_string(height);
  auto party = ReadAs(target, "wiremaker", v1::OPERATION_RESPONSIBLE);
  auto other = ReadAs(target, "brand", v1::OPERATION_RESPONSIBLE);
  ASSERT_EQ(party.status, 200) << party.raw;
  ASSERT_EQ(other.status, 200) << other.raw;
  EXPECT_EQ(party.body["header"], other.body["header"]) << "every member follows the chain";
  EXPECT_EQ(party.body["certificate"], other.body["certificate"]);
  const nlohmann::json* seen = nullptr;
  for (const auto& entry : other.body["records"]) {
    if (entry["id"] == shipment_) seen = &entry;
  }
  ASSERT_NE(seen, nullptr) << other.raw;
  EXPECT_EQ(*seen, (nlohmann::json{{"id", shipment_},
                                   {"type", "shipment"},
                                   {"status", "accepted"},
                                   {"accepted", true},
                                   {"redacted", true}}));
  for (const char* secret : {kProduct, "wiremaker", "smelter"}) {
    EXPECT_EQ(other.raw.find(secret), std::string::npos) << secret << " in " << other.raw;
  }
  bool detailed = false;
  for (const auto& entry : party.body["records"]) {
    if (entry["id"] == shipment_) detailed = entry["details"].contains("shipment_id");
  }
  EXPECT_TRUE(detailed) << party.raw;

  // Hashes link the blocks for a member who reads no record of them.
  auto parent = ReadAs("/v1/blocks/" + std::to_string(height - 1), "brand", v1::TOP_MANAGEMENT);
  EXPECT_EQ(other.body["header"]["parent_hash"], parent.body["header"]["hash"]);
}

TEST_F(ReadersApiTest, Section6_KeysOfNoMembersPersonReadNothing) {
  auto stranger = crypto::KeyPair::Generate();
  for (const std::string& target : {"/v1/records/" + shipment_, "/v1/records/" + characteristic_,
                                    std::string("/v1/blocks/1")}) {
    ExpectError(Read(target, stranger), 401, "unauthenticated");
    ExpectError(Read(target, fixture_.validator_key()), 401, "unauthenticated");
  }
}

}  // namespace
}  // namespace mbl::node
