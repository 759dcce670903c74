// mbl record sign|submit, mbl get record|block, mbl health, validators, query, exit.
#include <iostream>
#include <memory>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "crypto/key_file.h"
#include "tools/cli.h"
#include "tools/terminal_text.h"

namespace mbl::tools {
namespace {

constexpr const char* kDefaultNode = "http://127.0.0.1:7700";

// A node's reply is printed as JSON either way (indented for people), with its control
// characters escaped (TerminalSafeJson).
void PrintJsonOrText(const nlohmann::json& body, bool json) {
  std::cout << TerminalSafeJson(body, json ? -1 : 2) << "\n";
}

// Calls the node and prints the reply; the exit code follows the HTTP status.
int CallAndPrint(const Args& args, const std::string& target, const crypto::KeyPair* key) {
  bool json = args.Has("json");
  auto reply = HttpCall(args.Get("node", kDefaultNode), "GET", target, "", key);
  if (!reply.ok()) return ReportError(reply.status(), json);
  if (Status status = StatusOfReply(*reply); !status.ok()) return ReportError(status, json);
  PrintJsonOrText(reply->body, json);
  return kExitOk;
}

Result<std::unique_ptr<crypto::KeyPair>> LoadKey(const Args& args) {
  MBL_ASSIGN_OR_RETURN(std::string path, args.Require("key"));
  MBL_ASSIGN_OR_RETURN(crypto::KeyPair key, crypto::ReadSecretKeyFile(path));
  return std::make_unique<crypto::KeyPair>(std::move(key));
}

std::string UrlEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Every member is the node's text: printed through TerminalSafeMember, whatever its type.
void PrintSubmitResult(const nlohmann::json& result) {
  std::cout << TerminalSafeMember(result, "id", "-") << "  "
            << TerminalSafeMember(result, "status", "?");
  if (result.is_object() && result.contains("height"))
    std::cout << " in block " << TerminalSafeMember(result, "height", "");
  const nlohmann::json outcome =
      result.is_object() ? result.value("result", nlohmann::json()) : nullptr;
  if (outcome.is_object() && outcome.contains("accepted") && outcome["accepted"] == false) {
    std::cout << "  rule " << TerminalSafeMember(outcome, "rule", "") << ": "
              << TerminalSafeMember(outcome, "message", "");
  }
  const nlohmann::json error =
      result.is_object() ? result.value("error", nlohmann::json()) : nullptr;
  if (error.is_object()) std::cout << "  " << TerminalSafeMember(error, "message", "");
  std::cout << "\n";
}

}  // namespace

int CommandRecord(const Args& args) {
  bool json = args.Has("json");
  if (Status status =
          args.OnlyFlags({"in", "key", "node", "chain", "out", "envelope", "wait", "json"});
      !status.ok()) {
    return ReportError(status, json);
  }
  if (args.positional().size() != 1 ||
      (args.positional()[0] != "sign" && args.positional()[0] != "submit")) {
    return ReportError(InvalidArgument("usage: mbl record sign|submit ..."), json);
  }
  bool submit = args.positional()[0] == "submit";
  std::string node = args.Get("node", kDefaultNode);
  chaincode::SignedRecord record;
  if (args.Has("envelope")) {
    auto envelope_json = ReadJsonFile(args.Get("envelope"));
    if (!envelope_json.ok()) return ReportError(envelope_json.status(), json);
    auto envelope = chaincode::EnvelopeFromJson(*envelope_json);
    if (!envelope.ok()) return ReportError(envelope.status(), json);
    record = std::move(*envelope);
  } else {
    auto in = args.Require("in");
    if (!in.ok()) return ReportError(in.status(), json);
    auto record_json = ReadJsonFile(*in);
    if (!record_json.ok()) return ReportError(record_json.status(), json);
    auto key = LoadKey(args);
    if (!key.ok()) return ReportError(key.status(), json);
    std::string chain = args.Get("chain");
    if (chain.empty()) {
      auto fetched = FetchChainId(node);
      if (!fetched.ok())
        return ReportError(fetched.status().WithContext("finding the chain id (or pass --chain)"),
                           json);
      chain = *fetched;
    }
    auto signed_record = SignRecordJson(*record_json, **key, chain);
    if (!signed_record.ok()) return ReportError(signed_record.status(), json);
    record = std::move(*signed_record);
  }
  nlohmann::json envelope = chaincode::EnvelopeToJson(record);
  if (!submit) {
    if (args.Has("out")) {
      if (Status status = WriteTextFile(args.Get("out"), envelope.dump(2) + "\n"); !status.ok()) {
        return ReportError(status, json);
      }
    }
    envelope["id"] = crypto::ToHex(chaincode::ComputeRecordId(record.payload));
    PrintJsonOrText(envelope, json);
    return kExitOk;
  }
  std::string target = args.Has("wait") ? "/v1/records?wait=commit" : "/v1/records";
  auto reply = HttpCall(node, "POST", target, envelope.dump());
  if (!reply.ok()) return ReportError(reply.status(), json);
  if (Status status = StatusOfReply(*reply); !status.ok()) return ReportError(status, json);
  if (json) {
    PrintJsonOrText(reply->body, true);
  } else {
    PrintSubmitResult(reply->body);
  }
  const bool rejected = reply->body.is_object() && reply->body.contains("status") &&
                        reply->body["status"] == "rejected";
  return rejected ? kExitFailed : kExitOk;
}

int CommandGet(const Args& args) {
  bool json = args.Has("json");
  if (Status status = args.OnlyFlags({"node", "key", "json"}); !status.ok())
    return ReportError(status, json);
  if (args.positional().size() != 2 ||
      (args.positional()[0] != "record" && args.positional()[0] != "block")) {
    return ReportError(
        InvalidArgument("usage: mbl get record ID | mbl get block HEIGHT --key KEYFILE"), json);
  }
  auto key = LoadKey(args);
  if (!key.ok()) return ReportError(key.status(), json);
  std::string kind = args.positional()[0] == "record" ? "records" : "blocks";
  return CallAndPrint(args, "/v1/" + kind + "/" + UrlEncode(args.positional()[1]), key->get());
}

int CommandHealth(const Args& args) { return CallAndPrint(args, "/v1/health", nullptr); }

int CommandValidators(const Args& args) { return CallAndPrint(args, "/v1/validators", nullptr); }

int CommandQuery(const Args& args) {
  bool json = args.Has("json");
  if (Status status = args.OnlyFlags({"node", "key", "json"}); !status.ok())
    return ReportError(status, json);
  if (args.positional().empty())
    return ReportError(InvalidArgument("usage: mbl query NAME [k=v ...] --key KEYFILE"), json);
  auto key = LoadKey(args);
  if (!key.ok()) return ReportError(key.status(), json);
  std::string target = "/v1/query/" + UrlEncode(args.positional()[0]);
  for (std::size_t i = 1; i < args.positional().size(); ++i) {
    const std::string& pair = args.positional()[i];
    std::size_t equals = pair.find('=');
    if (equals == std::string::npos)
      return ReportError(InvalidArgument("query parameters are k=v, got '" + pair + "'"), json);
    target += (i == 1 ? "?" : "&") + UrlEncode(pair.substr(0, equals)) + "=" +
              UrlEncode(pair.substr(equals + 1));
  }
  return CallAndPrint(args, target, key->get());
}

int CommandExit(const Args& args) {
  bool json = args.Has("json");
  if (args.positional().size() != 1)
    return ReportError(InvalidArgument("usage: mbl exit CODE"), json);
  auto reply = HttpCall(args.Get("node", kDefaultNode), "GET",
                        "/v1/exit/" + UrlEncode(args.positional()[0]), "");
  if (!reply.ok()) return ReportError(reply.status(), json);
  if (Status status = StatusOfReply(*reply); !status.ok()) return ReportError(status, json);
  // The proof bundle is for `mbl verify`; shown only when asked for.
  if (!args.Has("proof") && reply->body.is_object() && reply->body.contains("proof")) {
    const bool available = !reply->body["proof"].is_null();
    reply->body.erase("proof");
    reply->body["proof"] =
        available ? "included; check it with: mbl verify CODE --node URL" : "not available yet";
  }
  PrintJsonOrText(reply->body, json);
  return kExitOk;
}

}  // namespace mbl::tools
