// mbl verify: checks an exit record's proof bundle offline (docs/cli.md, docs/formats.md). Exits
// 0 when the bundle verifies and 1 when it does not, whatever the reason (including a file that
// cannot be read or a node that cannot be asked); 2 only for a malformed command line.
#include <iostream>

#include "chaincode/credits/exit_code.h"
#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "tools/cli.h"
#include "tools/exit_verify.h"
#include "tools/http_client.h"
#include "tools/terminal_text.h"
#include "tools/verify_report.h"

namespace mbl::tools {
namespace {

constexpr const char* kUsage =
    "usage: mbl verify BUNDLE.json|CODE [--node URL] [--code CODE] [--genesis FILE | --chain "
    "CHAIN_ID] [--checkpoint FILE] [--json]";

// Not verified, with a reason code like the verifier's own ("[unreadable] ...").
Status NotVerified(std::string_view reason, const std::string& detail) {
  return Unauthenticated("[" + std::string(reason) + "] " + detail);
}

Result<nlohmann::json> FetchBundle(const std::string& node, const std::string& code,
                                   std::optional<std::uint64_t> known_height) {
  std::string target = "/v1/exit/" + code;
  if (known_height) target += "?known_height=" + std::to_string(*known_height);
  auto reply = HttpCall(node, "GET", target, "");
  if (!reply.ok()) return NotVerified("unreachable", reply.status().message());
  if (reply->status == 404) {
    return NotVerified("unknown-code", "the node knows no exit record " + code);
  }
  if (Status status = StatusOfReply(*reply); !status.ok()) {
    return NotVerified("node-error", status.message());
  }
  if (reply->body.value("proof", nlohmann::json()).is_null()) {
    return NotVerified("no-proof",
                       "the node has no proof for this code yet: " +
                           reply->body.value("proof_unavailable", std::string("unknown reason")));
  }
  return reply->body["proof"];
}

// The positional word as an exit code to ask --node about, when it is not a file by that name.
std::optional<std::string> CodeToFetch(const Args& args) {
  const std::string& what = args.positional()[0];
  if (!args.Has("node") && std::filesystem::exists(what)) return std::nullopt;
  auto code = chaincode::NormalizeExitCode(what);
  if (!code.ok()) return std::nullopt;
  return *code;
}

// The exit code the bundle must prove: the one asked of the node, or --code for a file.
std::optional<std::string> AskedCode(const Args& args) {
  if (args.Has("code")) return args.Get("code", "");
  return CodeToFetch(args);
}

// A file when one exists by that name; otherwise an exit code, asked of --node (default
// 127.0.0.1:7700). Anything else is a file that cannot be read.
Result<nlohmann::json> LoadBundle(const Args& args, std::optional<std::uint64_t> known_height) {
  const std::string& what = args.positional()[0];
  if (auto code = CodeToFetch(args)) {
    return FetchBundle(args.Get("node", "http://127.0.0.1:7700"), *code, known_height);
  }
  if (args.Has("node")) {
    return NotVerified("unreadable", "'" + what + "' is not an exit code (" +
                                         chaincode::NormalizeExitCode(what).status().message() +
                                         ")");
  }
  const bool is_file = std::filesystem::exists(what);
  auto file = ReadJsonFile(what);
  if (!file.ok()) {
    return NotVerified("unreadable", file.status().message() +
                                         (is_file ? "" : " (and it is not an exit code either)"));
  }
  // A saved answer of GET /v1/exit/CODE holds the bundle under "proof".
  if (file->is_object() && file->contains("proof")) return (*file)["proof"];
  return *file;
}

Result<VerifyOptions> LoadOptions(const Args& args) {
  VerifyOptions options;
  options.asked_exit_code = AskedCode(args);
  if (args.Has("genesis")) {
    auto file = ReadJsonFile(args.Get("genesis", ""));
    if (!file.ok()) return NotVerified("unreadable", "--genesis: " + file.status().message());
    auto envelope = chaincode::EnvelopeFromJson(*file);
    if (!envelope.ok())
      return NotVerified("unreadable", "--genesis: " + envelope.status().message());
    options.pinned_genesis = std::move(*envelope);
  }
  if (args.Has("chain")) options.pinned_chain_id = args.Get("chain", "");
  const std::string checkpoint_file = args.Get("checkpoint", "");
  if (!checkpoint_file.empty()) {
    options.checkpoints = Checkpoints{};
    if (std::filesystem::exists(checkpoint_file)) {
      auto file = ReadJsonFile(checkpoint_file);
      if (!file.ok()) return NotVerified("unreadable", file.status().message());
      auto parsed = CheckpointsFromJson(*file);
      if (!parsed.ok())
        return NotVerified("unreadable", checkpoint_file + ": " + parsed.status().message());
      options.checkpoints = std::move(*parsed);
    }
  }
  return options;
}

int Report(const Status& status, bool json) {
  if (json) {
    std::cout << TerminalSafeJson({{"verified", false}, {"reason", status.message()}}) << "\n";
  } else {
    std::cout << "NOT VERIFIED: " << TerminalSafe(status.message()) << "\n";
  }
  return kExitFailed;
}

}  // namespace

int CommandVerify(const Args& args) {
  const bool json = args.Has("json");
  if (Status status = args.OnlyFlags({"node", "code", "genesis", "chain", "checkpoint", "json"});
      !status.ok()) {
    return ReportError(status, json);
  }
  if (args.positional().size() != 1) return ReportError(InvalidArgument(kUsage), json);
  if (args.Has("code") && !chaincode::NormalizeExitCode(args.Get("code", "")).ok()) {
    return ReportError(InvalidArgument("--code takes an exit code like MBL-7K3Q-9XWD-2F0B"), json);
  }
  if (args.Has("chain")) {
    auto chain = crypto::FixedFromHex<32>(args.Get("chain", ""), "--chain");
    if (!chain.ok())
      return ReportError(InvalidArgument("--chain takes a chain id: 64 hex digits"), json);
  }
  auto options = LoadOptions(args);
  if (!options.ok()) return Report(options.status(), json);
  auto bundle = LoadBundle(args, CheckpointHeightToAsk(*options));
  if (!bundle.ok()) return Report(bundle.status(), json);
  auto verified = VerifyExitBundle(*bundle, *options);
  if (!verified.ok()) return Report(verified.status(), json);
  const std::string checkpoint_file = args.Get("checkpoint", "");
  if (!checkpoint_file.empty() && verified->checkpoints) {
    Status status =
        WriteTextFile(checkpoint_file, CheckpointsToJson(*verified->checkpoints).dump(1) + "\n");
    if (!status.ok()) return Report(NotVerified("checkpoint", status.message()), json);
  }
  if (json) {
    std::cout << TerminalSafeJson(VerifiedJson(*verified)) << "\n";
  } else {
    std::cout << VerifiedText(*verified, checkpoint_file);
  }
  return kExitOk;
}

}  // namespace mbl::tools
