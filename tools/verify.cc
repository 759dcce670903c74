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

namespace mbl::tools {
namespace {

constexpr const char* kUsage =
    "usage: mbl verify BUNDLE.json|CODE [--node URL] [--genesis FILE | --chain CHAIN_ID] "
    "[--checkpoint FILE] [--json]";

// Not verified, with a reason code like the verifier's own ("[unreadable] ...").
Status NotVerified(std::string_view reason, const std::string& detail) {
  return Unauthenticated("[" + std::string(reason) + "] " + detail);
}

std::string Grams(const nlohmann::json& grams) {
  if (!grams.is_number_unsigned()) return "";
  return std::to_string(grams.get<std::uint64_t>() / 1000) + " kg";
}

// "Nordic Certification AB (cb)" from the genesis names, or the id alone.
std::string Organization(const VerifiedExit& verified, const std::string& id) {
  auto name = verified.organization_names.find(id);
  if (name == verified.organization_names.end() || name->second.empty()) return id;
  return name->second + " (" + id + ")";
}

nlohmann::json CertificationBodies(const VerifiedExit& verified) {
  nlohmann::json bodies = nlohmann::json::array();
  const nlohmann::json& provenance = verified.claim.value("provenance", nlohmann::json::object());
  for (const auto& id : provenance.value("certification_bodies", nlohmann::json::array())) {
    if (!id.is_string()) continue;
    auto name = verified.organization_names.find(id.get<std::string>());
    bodies.push_back(
        {{"id", id}, {"name", name == verified.organization_names.end() ? "" : name->second}});
  }
  return bodies;
}

// The trust line: loud when the ledger is not pinned.
std::string TrustStatement(const VerifiedExit& verified, const std::string& checkpoint_file) {
  const std::string& chain = verified.chain_id;
  switch (verified.trust) {
    case Trust::kPinned:
      return "  ledger: chain " + chain + ", pinned by you\n";
    case Trust::kKnown:
      return "  ledger: chain " + chain + ", NOT pinned: the one " + checkpoint_file +
             " trusted on first use\n";
    case Trust::kFirstUse:
      return "  WARNING: the ledger is NOT PINNED. Chain " + chain +
             " is trusted on first use from now on (kept in " + checkpoint_file +
             "). Compare it with the chain id the consortium publishes, or pin it with --chain "
             "or --genesis.\n";
    case Trust::kUnpinned:
      return "  WARNING: the ledger is NOT PINNED. The bundle was checked against the genesis it "
             "carries itself (chain " +
             chain +
             "), and anyone can build a ledger that checks out against its own genesis. Pin the "
             "consortium's ledger with --chain or --genesis, or keep a --checkpoint.\n";
  }
  return "";
}

// The plain-language account of what was verified; nothing claims physical content.
void PrintVerified(const VerifiedExit& verified, const std::string& checkpoint_file) {
  const nlohmann::json& claim = verified.claim;
  const nlohmann::json& provenance = claim.value("provenance", nlohmann::json::object());
  std::cout << "VERIFIED: exit code " << claim.value("exit_code", "") << "\n"
            << TrustStatement(verified, checkpoint_file) << "  committed in block "
            << verified.height << ", certified by " << verified.signers << " of "
            << verified.validators << " validators\n";
  if (verified.record) {
    std::cout << "  the exit record is signed by "
              << Organization(verified, verified.record->author_org) << "\n";
  } else {
    std::cout << "  the exit record itself is withheld: " << verified.record_withheld << "\n";
  }
  std::cout << "  characteristic: "
            << claim.value("characteristic", nlohmann::json::object()).value("name", "") << "\n"
            << "  the claim concerns: the " << claim.value("concerns", "") << " ("
            << claim.value("product_description", "") << ", batch "
            << claim.value("product_batch", "") << ")\n";
  if (claim.contains("credit_grams")) {
    std::cout << "  credits retired: " << Grams(claim["credit_grams"]) << "\n";
  }
  std::string bodies;
  for (const auto& body : CertificationBodies(verified)) {
    if (!bodies.empty()) bodies += ", ";
    bodies += Organization(verified, body["id"].get<std::string>());
  }
  std::cout << "  certification bodies: " << bodies << "; credits issued in "
            << provenance.value("certification_years", nlohmann::json::array()).dump() << "\n"
            << "  value-chain steps: "
            << provenance.value("value_chain_steps", nlohmann::json()).dump() << "\n"
            << "  statement: " << claim.value("statement", "") << "\n";
}

nlohmann::json VerifiedJson(const VerifiedExit& verified) {
  nlohmann::json out = {{"verified", true},
                        {"trust", TrustName(verified.trust)},
                        {"chain_id", verified.chain_id},
                        {"claim", verified.claim},
                        {"certification_bodies", CertificationBodies(verified)},
                        {"height", verified.height},
                        {"certificate_kind", verified.certificate_kind},
                        {"signers", verified.signers},
                        {"validators", verified.validators}};
  if (verified.record) {
    out["record"] = {{"author_org", verified.record->author_org},
                     {"author_name", verified.record->author_name},
                     {"signer", verified.record->signer}};
  } else {
    out["record_withheld"] = verified.record_withheld;
  }
  return out;
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

// A file when one exists by that name; otherwise an exit code, asked of --node (default
// 127.0.0.1:7700). Anything else is a file that cannot be read.
Result<nlohmann::json> LoadBundle(const Args& args, std::optional<std::uint64_t> known_height) {
  const std::string& what = args.positional()[0];
  const bool is_file = !args.Has("node") && std::filesystem::exists(what);
  if (!is_file) {
    auto code = chaincode::NormalizeExitCode(what);
    if (code.ok())
      return FetchBundle(args.Get("node", "http://127.0.0.1:7700"), *code, known_height);
    if (args.Has("node")) {
      return NotVerified("unreadable",
                         "'" + what + "' is not an exit code (" + code.status().message() + ")");
    }
  }
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
    std::cout << nlohmann::json{{"verified", false}, {"reason", status.message()}}.dump() << "\n";
  } else {
    std::cout << "NOT VERIFIED: " << status.message() << "\n";
  }
  return kExitFailed;
}

}  // namespace

int CommandVerify(const Args& args) {
  const bool json = args.Has("json");
  if (Status status = args.OnlyFlags({"node", "genesis", "chain", "checkpoint", "json"});
      !status.ok()) {
    return ReportError(status, json);
  }
  if (args.positional().size() != 1) return ReportError(InvalidArgument(kUsage), json);
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
    std::cout << VerifiedJson(*verified).dump() << "\n";
  } else {
    PrintVerified(*verified, checkpoint_file);
  }
  return kExitOk;
}

}  // namespace mbl::tools
