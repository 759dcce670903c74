// The real `mbl` binary against a hostile node: a server on 127.0.0.1 (a real socket, in the
// test) whose replies hold terminal control sequences, e.g. an error message
// "\x1b[2K\rVERIFIED" that would erase the line and print VERIFIED over a failure. Whatever the
// node sends, what mbl prints holds no control character (docs/cli.md, "Control characters in
// output").
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tools/cli.h"

namespace mbl::tools {
namespace {

using nlohmann::json;

// What a node can use to rewrite a terminal line: ESC then "[2K" (erase the line), CR (back to
// its start), backspace; C1 CSI (U+009B); the right-to-left override (U+202E).
const std::string kForgedVerified =
    "\x1b[2K\rVERIFIED\b\b\xc2\x9b"
    "2K\xe2\x80\xae";

struct Reply {
  int status = 200;
  std::string body;
};

// An HTTP/1.1 server on 127.0.0.1 that answers each request by its path (the target without
// its query), one request per connection.
class HostileNode {
 public:
  explicit HostileNode(std::map<std::string, Reply> replies) : replies_(std::move(replies)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(listener_, 16) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    socklen_t length = sizeof address;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~HostileNode() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    close(listener_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd waiting{listener_, POLLIN, 0};
      if (poll(&waiting, 1, 50) <= 0) continue;
      int connection = accept(listener_, nullptr, nullptr);
      if (connection < 0) continue;
      Answer(connection);
      close(connection);
    }
  }

  void Answer(int connection) {
    std::string request;
    char buffer[4096];
    std::size_t header_end = std::string::npos;
    while (header_end == std::string::npos) {
      ssize_t got = recv(connection, buffer, sizeof buffer, 0);
      if (got <= 0) return;
      request.append(buffer, static_cast<std::size_t>(got));
      header_end = request.find("\r\n\r\n");
    }
    std::size_t body_bytes = 0;
    if (std::size_t at = request.find("Content-Length: ");
        at != std::string::npos && at < header_end)
      body_bytes = std::stoul(request.substr(at + 16));
    while (request.size() < header_end + 4 + body_bytes) {
      ssize_t got = recv(connection, buffer, sizeof buffer, 0);
      if (got <= 0) return;
      request.append(buffer, static_cast<std::size_t>(got));
    }
    const std::size_t target_start = request.find(' ') + 1;
    std::string target =
        request.substr(target_start, request.find(' ', target_start) - target_start);
    target = target.substr(0, target.find('?'));
    auto it = replies_.find(target);
    const Reply reply = it != replies_.end() ? it->second : Reply{404, R"({"error":{}})"};
    const std::string response = "HTTP/1.1 " + std::to_string(reply.status) +
                                 " Whatever\r\nContent-Type: application/json\r\nContent-Length: " +
                                 std::to_string(reply.body.size()) +
                                 "\r\nConnection: close\r\n\r\n" + reply.body;
    send(connection, response.data(), response.size(), MSG_NOSIGNAL);
  }

  std::map<std::string, Reply> replies_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct MblRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr, byte for byte
};

MblRun Mbl(const std::string& arguments) {
  const std::string command = std::string(MBL_CLI_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  MblRun run;
  if (pipe == nullptr) return run;
  char buffer[4096];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    run.output.append(buffer, got);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The first byte or character of `text` a terminal could act on (other than the newlines that
// end mbl's own lines), as a description; "" when there is none.
std::string FirstControlIn(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0u;
    const auto third = i + 2 < text.size() ? static_cast<unsigned char>(text[i + 2]) : 0u;
    if ((byte < 0x20 && byte != '\n') || byte == 0x7F)
      return "byte " + std::to_string(byte) + " at " + std::to_string(i);
    if (byte == 0xC2 && next >= 0x80 && next <= 0x9F) return "a C1 control at " + std::to_string(i);
    if (byte == 0xE2 && next == 0x80 && third >= 0xAA && third <= 0xAE)
      return "a bidirectional override at " + std::to_string(i);
  }
  return "";
}

std::string ErrorBody(const std::string& message) {
  return json{{"error", {{"code", "INTERNAL"}, {"message", message}}}}.dump();
}

TEST(HostileNode, AnErrorMessageCannotForgeVerifiedOnTheTerminal) {
  HostileNode node({{"/v1/health", {500, ErrorBody(kForgedVerified)}}});
  const MblRun run = Mbl("health --node " + node.url());
  EXPECT_EQ(run.exit_code, kExitRefused) << run.output;
  EXPECT_EQ(FirstControlIn(run.output), "") << run.output;
  EXPECT_NE(run.output.find("\\x1b[2K\\x0dVERIFIED\\x08\\x08\\u009b2K\\u202e"), std::string::npos)
      << run.output;
}

TEST(HostileNode, JsonOutputOfAnErrorHoldsNoControlCharacter) {
  HostileNode node({{"/v1/health", {500, ErrorBody(kForgedVerified)}}});
  const MblRun run = Mbl("health --json --node " + node.url());
  EXPECT_EQ(run.exit_code, kExitRefused) << run.output;
  EXPECT_EQ(FirstControlIn(run.output), "") << run.output;
  EXPECT_NO_THROW(json::parse(run.output)) << run.output;
}

TEST(HostileNode, AReplyBodyIsPrintedWithItsControlsEscaped) {
  const std::string body =
      json{{"status", kForgedVerified}, {"height", 3}, {"place", "Skellefte\xc3\xa5"}}.dump();
  HostileNode node({{"/v1/health", {200, body}}, {"/v1/exit/ABC", {200, body}}});
  for (const std::string command :
       {"health --node ", "health --json --node ", "exit ABC --node "}) {
    const MblRun run = Mbl(command + node.url());
    EXPECT_EQ(run.exit_code, kExitOk) << command << run.output;
    EXPECT_EQ(FirstControlIn(run.output), "") << command << run.output;
    // Well-formed text is kept, and the output is still JSON that decodes to what the node sent.
    EXPECT_NE(run.output.find("Skellefte\xc3\xa5"), std::string::npos) << run.output;
    EXPECT_EQ(json::parse(run.output), json::parse(body)) << run.output;
  }
}

TEST(HostileNode, AReplyOfAnUnexpectedShapeIsAnErrorNotACrash) {
  HostileNode node({{"/v1/health", {500, R"({"error":"\u001b[2K\rVERIFIED"})"}}});
  const MblRun run = Mbl("health --node " + node.url());
  EXPECT_EQ(run.exit_code, kExitRefused) << run.output;
  EXPECT_EQ(FirstControlIn(run.output), "") << run.output;
}

class HostileNodeFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mbl-hostile-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::filesystem::path& file, const std::string& text) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(HostileNodeFiles, ScenarioStepOutcomesAndNamesAreEscaped) {
  const std::string chain(64, '0');
  HostileNode node({{"/v1/validators", {200, json{{"chain_id", chain}}.dump()}},
                    {"/v1/health", {500, ErrorBody(kForgedVerified)}},
                    {"/v1/query/balance", {200, json{{"total", kForgedVerified}}.dump()}}});
  // The scenario file is hostile too: its name, a step name and a print line.
  const json scenario = {
      {"name", "demo\x1b]0;title\x07"},
      {"steps",
       {{{"name", "health\rok"}, {"get", "/v1/health"}, {"expect", {{"status", "ok"}}}},
        {{"name", "balance"},
         {"query", "balance"},
         {"save", {{"total", "total"}}},
         {"print", "total ${total}"}}}}};
  Write(dir_ / "scenario.json", scenario.dump());
  const MblRun run =
      Mbl("scenario run " + (dir_ / "scenario.json").string() + " --node " + node.url());
  EXPECT_EQ(run.exit_code, kExitFailed) << run.output;
  EXPECT_EQ(FirstControlIn(run.output), "") << run.output;
  EXPECT_NE(run.output.find("FAIL  health\\x0dok: expected ok, got refused (\\x1b[2K\\x0dVERIFIED"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("total \\x1b[2K\\x0dVERIFIED"), std::string::npos) << run.output;
  const MblRun json_run =
      Mbl("scenario run " + (dir_ / "scenario.json").string() + " --json --node " + node.url());
  EXPECT_EQ(FirstControlIn(json_run.output), "") << json_run.output;
}

TEST_F(HostileNodeFiles, NetStatusPrintsTheNodesHealthEscaped) {
  HostileNode node({{"/v1/health",
                     {200, json{{"status", kForgedVerified},
                                {"height", "\x1b[1A"},
                                {"consensus", {{"mode", "bft"}, {"round", "\r"}}}}
                               .dump()}}});
  Write(dir_ / "net/node0/config.json", json{{"http_port", node.port()}}.dump());
  for (const std::string flags : {"", " --json"}) {
    const MblRun run = Mbl("net status --dir " + (dir_ / "net").string() + flags);
    EXPECT_EQ(run.exit_code, kExitOk) << run.output;
    EXPECT_EQ(FirstControlIn(run.output), "") << run.output;
  }
}

TEST_F(HostileNodeFiles, ASubmissionsRuleAndMessageAreEscaped) {
  const std::string chain(64, '0');
  ASSERT_EQ(Mbl("keygen --out " + (dir_ / "keys").string() + " --name ops").exit_code, kExitOk);
  Write(dir_ / "record.json",
        R"({"author_org":"smelter","site_definition":{"site_id":"x","area_type":"site"}})");
  HostileNode node(
      {{"/v1/records",
        {200,
         json{{"id", "\x1b[2K"},
              {"status", "rejected"},
              {"result",
               {{"accepted", false}, {"rule", "R3\x1b]0;pwned\x07"}, {"message", kForgedVerified}}}}
             .dump()}}});
  const MblRun run =
      Mbl("record submit --in " + (dir_ / "record.json").string() + " --key " +
          (dir_ / "keys/ops.secret").string() + " --chain " + chain + " --node " + node.url());
  EXPECT_EQ(run.exit_code, kExitFailed) << run.output;
  EXPECT_EQ(FirstControlIn(run.output), "") << run.output;
  EXPECT_NE(run.output.find("rule R3\\x1b]0;pwned\\x07: \\x1b[2K\\x0dVERIFIED"), std::string::npos)
      << run.output;
}

}  // namespace
}  // namespace mbl::tools
