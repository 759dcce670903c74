// mbl verify: checks an exit record's proof bundle offline (docs/cli.md, docs/formats.md).
#include <iostream>

#include "chaincode/record_json.h"
#include "tools/cli.h"
#include "tools/exit_verify.h"
#include "tools/http_client.h"

namespace mbl::tools {
namespace {

std::string Grams(const nlohmann::json& grams) {
  if (!grams.is_number_unsigned()) return "";
  return std::to_string(grams.get<std::uint64_t>() / 1000) + " kg";
}

// The plain-language account of what was verified; nothing claims physical content.
void PrintVerified(const VerifiedExit& verified) {
  const nlohmann::json& claim = verified.claim;
  const nlohmann::json& provenance = claim.value("provenance", nlohmann::json::object());
  std::cout << "VERIFIED: exit code " << claim.value("exit_code", "") << "\n"
            << "  committed in block " << verified.height << " of chain "
            << verified.chain_id.substr(0, 16) << "..., certified by " << verified.signers << " of "
            << verified.validators << " validators\n"
            << "  characteristic: "
            << claim.value("characteristic", nlohmann::json::object()).value("name", "") << "\n"
            << "  the claim concerns: " << claim.value("concerns", "") << " ("
            << claim.value("product_description", "") << ", batch "
            << claim.value("product_batch", "") << ")\n";
  if (claim.contains("credit_grams")) {
    std::cout << "  credits retired: " << Grams(claim["credit_grams"]) << "\n";
  }
  std::cout << "  certification bodies: "
            << provenance.value("certification_bodies", nlohmann::json::array()).dump()
            << ", issuance years: "
            << provenance.value("certification_years", nlohmann::json::array()).dump() << "\n"
            << "  statement: " << claim.value("statement", "") << "\n";
}

Result<nlohmann::json> LoadBundle(const Args& args) {
  const std::string& what = args.positional()[0];
  if (args.Has("node") || !std::filesystem::exists(what)) {
    MBL_ASSIGN_OR_RETURN(HttpReply reply, HttpCall(args.Get("node", "http://127.0.0.1:7700"), "GET",
                                                   "/v1/exit/" + what, ""));
    MBL_RETURN_IF_ERROR(StatusOfReply(reply));
    if (reply.body.value("proof", nlohmann::json()).is_null()) {
      return Unavailable("the node has no proof for this code yet: " +
                         reply.body.value("proof_unavailable", std::string("unknown reason")));
    }
    return reply.body["proof"];
  }
  MBL_ASSIGN_OR_RETURN(nlohmann::json file, ReadJsonFile(what));
  // A saved answer of GET /v1/exit/CODE holds the bundle under "proof".
  if (file.is_object() && file.contains("proof")) return file["proof"];
  return file;
}

}  // namespace

int CommandVerify(const Args& args) {
  const bool json = args.Has("json");
  if (Status status = args.OnlyFlags({"node", "genesis", "checkpoint", "json"}); !status.ok())
    return ReportError(status, json);
  if (args.positional().size() != 1) {
    return ReportError(InvalidArgument("usage: mbl verify BUNDLE.json|CODE [--node URL] "
                                       "[--genesis FILE] [--checkpoint FILE]"),
                       json);
  }
  auto bundle = LoadBundle(args);
  if (!bundle.ok()) return ReportError(bundle.status(), json);
  std::optional<chaincode::SignedRecord> genesis;
  if (args.Has("genesis")) {
    auto file = ReadJsonFile(args.Get("genesis", ""));
    if (!file.ok()) return ReportError(file.status(), json);
    auto envelope = chaincode::EnvelopeFromJson(*file);
    if (!envelope.ok()) return ReportError(envelope.status().WithContext("--genesis"), json);
    genesis = std::move(*envelope);
  }
  std::optional<Checkpoint> checkpoint;
  const std::string checkpoint_file = args.Get("checkpoint", "");
  if (!checkpoint_file.empty() && std::filesystem::exists(checkpoint_file)) {
    auto file = ReadJsonFile(checkpoint_file);
    if (!file.ok()) return ReportError(file.status(), json);
    auto parsed = CheckpointFromJson(*file);
    if (!parsed.ok()) return ReportError(parsed.status().WithContext(checkpoint_file), json);
    checkpoint = *parsed;
  }
  auto verified = VerifyExitBundle(*bundle, genesis, checkpoint);
  if (!verified.ok()) {
    if (json) {
      std::cout
          << nlohmann::json{{"verified", false}, {"reason", verified.status().message()}}.dump()
          << "\n";
    } else {
      std::cout << "NOT VERIFIED: " << verified.status().message() << "\n";
    }
    return kExitFailed;
  }
  if (!checkpoint_file.empty() && verified->checkpoint) {
    if (Status status =
            WriteTextFile(checkpoint_file, CheckpointToJson(*verified->checkpoint).dump(2) + "\n");
        !status.ok()) {
      return ReportError(status, json);
    }
  }
  if (json) {
    std::cout << nlohmann::json{{"verified", true},
                                {"claim", verified->claim},
                                {"height", verified->height},
                                {"chain_id", verified->chain_id},
                                {"signers", verified->signers},
                                {"validators", verified->validators}}
                     .dump()
              << "\n";
  } else {
    PrintVerified(*verified);
  }
  return kExitOk;
}

}  // namespace mbl::tools
