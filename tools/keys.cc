// mbl keygen, mbl genesis.
#include <iostream>

#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "crypto/key_file.h"
#include "tools/cli.h"
#include "tools/genesis_checks.h"
#include "tools/terminal_text.h"

namespace mbl::tools {
namespace {

// Replaces "public_key_file" (relative to base) by "public_key" (hex) in a person or validator.
Status ResolvePublicKey(nlohmann::json& entry, const std::filesystem::path& base) {
  if (!entry.is_object()) return InvalidArgument("genesis spec: people and validators are objects");
  if (entry.contains("public_key_file")) {
    std::filesystem::path file = entry["public_key_file"].get<std::string>();
    if (file.is_relative()) file = base / file;
    auto key = crypto::ReadPublicKeyFile(file);
    if (!key.ok()) return key.status();
    entry.erase("public_key_file");
    entry["public_key"] = crypto::ToHex(*key);
  }
  if (!entry.contains("public_key")) {
    return InvalidArgument(
        "genesis spec: every person and validator needs public_key or public_key_file");
  }
  return Status::Ok();
}

}  // namespace

int CommandKeygen(const Args& args) {
  bool json = args.Has("json");
  if (Status status = args.OnlyFlags({"out", "name", "json"}); !status.ok())
    return ReportError(status, json);
  auto out = args.Require("out");
  if (!out.ok()) return ReportError(out.status(), json);
  std::string name = args.Get("name", "key");
  std::filesystem::create_directories(*out);
  crypto::KeyPair pair = crypto::KeyPair::Generate();
  std::filesystem::path secret = std::filesystem::path(*out) / (name + ".secret");
  std::filesystem::path public_file = std::filesystem::path(*out) / (name + ".public");
  if (Status status = crypto::WriteSecretKeyFile(secret, pair); !status.ok())
    return ReportError(status, json);
  if (Status status = crypto::WritePublicKeyFile(public_file, pair.public_key); !status.ok()) {
    return ReportError(status, json);
  }
  if (json) {
    std::cout << TerminalSafeJson({{"public_key", crypto::ToHex(pair.public_key)},
                                   {"secret_key_file", secret.string()},
                                   {"public_key_file", public_file.string()}})
              << "\n";
  } else {
    std::cout << "public key " << crypto::ToHex(pair.public_key) << "\n"
              << "secret key written to " << TerminalSafe(secret.string())
              << " (mode 0600; keep it private)\n"
              << "public key written to " << TerminalSafe(public_file.string()) << "\n";
  }
  return kExitOk;
}

int CommandGenesis(const Args& args) {
  bool json = args.Has("json");
  if (Status status = args.OnlyFlags({"spec", "sign-key", "out", "json"}); !status.ok())
    return ReportError(status, json);
  auto spec_path = args.Require("spec");
  auto key_path = args.Require("sign-key");
  auto out_path = args.Require("out");
  for (const auto* required : {&spec_path, &key_path, &out_path}) {
    if (!required->ok()) return ReportError(required->status(), json);
  }
  auto spec = ReadJsonFile(*spec_path);
  if (!spec.ok()) return ReportError(spec.status(), json);
  auto key = crypto::ReadSecretKeyFile(*key_path);
  if (!key.ok()) return ReportError(key.status(), json);
  std::filesystem::path base = std::filesystem::absolute(*spec_path).parent_path();
  nlohmann::json genesis = *spec;
  std::string author = genesis.value("author_org", "");
  genesis.erase("author_org");
  if (author.empty())
    return ReportError(InvalidArgument("genesis spec needs author_org (the requirements setter)"),
                       json);
  if (!genesis.contains("genesis_time_ms")) genesis["genesis_time_ms"] = std::to_string(NowMs());
  for (auto& organization : genesis["organizations"]) {
    for (auto& person : organization["people"]) {
      if (Status status = ResolvePublicKey(person, base); !status.ok())
        return ReportError(status, json);
    }
  }
  for (auto& validator : genesis["validators"]) {
    if (Status status = ResolvePublicKey(validator, base); !status.ok())
      return ReportError(status, json);
  }
  nlohmann::json record = {{"version", 1}, {"author_org", author}, {"genesis", genesis}};
  auto payload = chaincode::RecordPayloadFromJson(record.dump());
  if (!payload.ok()) return ReportError(payload.status().WithContext("genesis spec"), json);
  chaincode::SignedRecord signed_genesis = chaincode::SignRecord(std::move(*payload), *key);
  const GenesisFindings findings = CheckGenesis(signed_genesis);
  if (!json) {
    for (const std::string& warning : findings.warnings) {
      std::cerr << "warning: " << TerminalSafe(warning) << "\n";
    }
  }
  if (!findings.errors.empty()) {
    std::string message;
    for (const std::string& error : findings.errors)
      message += (message.empty() ? "" : "; ") + error;
    if (json) {
      std::cout << TerminalSafeJson({{"error",
                                      {{"code", std::string(CodeName(Code::kInvalidArgument))},
                                       {"message", message}}},
                                     {"errors", findings.errors},
                                     {"warnings", findings.warnings}})
                << "\n";
    } else {
      for (const std::string& error : findings.errors) {
        std::cerr << "error: " << TerminalSafe(error) << "\n";
      }
      std::cerr << "the genesis was not written; fix the spec " << TerminalSafe(*spec_path)
                << " and run mbl genesis again\n";
    }
    return kExitUsage;
  }
  if (Status status =
          WriteTextFile(*out_path, chaincode::EnvelopeToJson(signed_genesis).dump(2) + "\n");
      !status.ok()) {
    return ReportError(status, json);
  }
  std::string chain_id = crypto::ToHex(chaincode::ComputeRecordId(signed_genesis.payload));
  if (json) {
    std::cout << TerminalSafeJson({{"chain_id", chain_id},
                                   {"genesis_file", *out_path},
                                   {"warnings", findings.warnings}})
              << "\n";
  } else {
    std::cout << "genesis written to " << TerminalSafe(*out_path) << "\nchain id " << chain_id
              << "\n";
  }
  return kExitOk;
}

}  // namespace mbl::tools
