#include "tools/cli.h"

#include <sodium.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "base/limits.h"
#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "tools/terminal_text.h"

namespace mbl::tools {

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return kExitOk;
    case Code::kUnavailable:
      return kExitUnreachable;
    case Code::kInvalidArgument:
    case Code::kNotFound:
      return kExitUsage;
    default:
      return kExitRefused;
  }
}

// A message can carry text from a node or a file; it is printed only through TerminalSafe.
int ReportError(const Status& status, bool json) {
  if (json) {
    std::cout << TerminalSafeJson({{"error",
                                    {{"code", std::string(CodeName(status.code()))},
                                     {"message", status.message()}}}})
              << "\n";
  } else {
    std::cerr << "error: " << TerminalSafe(status.message()) << "\n";
  }
  return ExitCodeFor(status);
}

Result<std::string> ReadTextFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > limits::kScenarioFileBytesMax)
    return InvalidArgument(path.string() + " is too large");
  return text.str();
}

Result<nlohmann::json> ReadJsonFile(const std::filesystem::path& path) {
  MBL_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return InvalidArgument(path.string() + " is not valid JSON");
  return json;
}

// Written to a temporary file beside it, then renamed over it: a reader (or a crash) sees the old
// content or the new, never a truncated file.
Status WriteTextFile(const std::filesystem::path& path, const std::string& text) {
  std::error_code error;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  std::filesystem::path temporary = path;
  temporary += ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::filesystem::remove(temporary, error);
      return Internal("cannot write " + path.string() +
                      " (is the folder writable? is the disk full?)");
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    return Internal("cannot write " + path.string() + ": " + error.message());
  }
  return Status::Ok();
}

// The node's message is escaped here already (TerminalSafe), so that whoever prints the Status
// (ReportError, mbl verify's "NOT VERIFIED: ...") never prints a node's control characters. A
// reply of any other shape than {"error": {"code": "...", "message": "..."}} is not trusted
// either: its members are read only when they have the expected types.
Status StatusOfReply(const HttpReply& reply) {
  if (reply.status >= 200 && reply.status < 300) return Status::Ok();
  std::string message = "HTTP " + std::to_string(reply.status);
  Code code = Code::kFailedPrecondition;
  const nlohmann::json* error =
      reply.body.is_object() && reply.body.contains("error") && reply.body["error"].is_object()
          ? &reply.body["error"]
          : nullptr;
  if (error != nullptr && error->contains("message") && (*error)["message"].is_string()) {
    message = TerminalSafe((*error)["message"].get_ref<const std::string&>());
  }
  if (error != nullptr && error->contains("code") && (*error)["code"].is_string()) {
    const std::string& name = (*error)["code"].get_ref<const std::string&>();
    for (int c = 0; c <= static_cast<int>(Code::kInternal); ++c) {
      if (CodeName(static_cast<Code>(c)) == name) code = static_cast<Code>(c);
    }
  }
  // A code the node chose for its own reasons maps to "refused", not to our usage errors.
  if (code == Code::kInvalidArgument || code == Code::kNotFound) code = Code::kFailedPrecondition;
  return Status(code, message + " (HTTP " + std::to_string(reply.status) + ")");
}

Result<std::string> FetchChainId(const std::string& node_url) {
  MBL_ASSIGN_OR_RETURN(HttpReply reply, HttpCall(node_url, "GET", "/v1/validators"));
  MBL_RETURN_IF_ERROR(StatusOfReply(reply));
  if (!reply.body.is_object() || !reply.body.contains("chain_id") ||
      !reply.body["chain_id"].is_string()) {
    return Internal("the node's /v1/validators has no chain_id");
  }
  return reply.body["chain_id"].get<std::string>();
}

Result<chaincode::SignedRecord> SignRecordJson(nlohmann::json record, const crypto::KeyPair& key,
                                               const std::string& chain_id_hex,
                                               std::int64_t valid_for_ms) {
  if (!record.is_object()) return InvalidArgument("a record is a JSON object (mbl.v1.Record)");
  if (!record.contains("version")) record["version"] = 1;
  if (!record.contains("chain_id") && !chain_id_hex.empty()) {
    MBL_ASSIGN_OR_RETURN(std::string chain, crypto::FromHex(chain_id_hex));
    record["chain_id"] = crypto::ToBase64(chain);
  }
  if (!record.contains("nonce")) {
    std::uint64_t nonce = 0;
    randombytes_buf(&nonce, sizeof nonce);
    record["nonce"] = std::to_string(nonce);
  }
  if (!record.contains("valid_until_ms")) {
    record["valid_until_ms"] = std::to_string(NowMs() + valid_for_ms);
  }
  MBL_ASSIGN_OR_RETURN(std::string payload, chaincode::RecordPayloadFromJson(record.dump()));
  return chaincode::SignRecord(std::move(payload), key);
}

}  // namespace mbl::tools
