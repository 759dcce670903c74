// Shared pieces of the mbl commands: exit codes, output, loading keys and records, signing.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "chaincode/envelope.h"
#include "crypto/ed25519.h"
#include "tools/args.h"
#include "tools/http_client.h"

namespace mbl::tools {

// Exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // an expectation or verification failed; rejected
inline constexpr int kExitUsage = 2;        // bad command line or input file
inline constexpr int kExitUnreachable = 3;  // the node could not be reached
inline constexpr int kExitRefused = 4;      // the node refused the request (4xx/5xx)

// Prints `status` as "error: ..." (or JSON with --json) and returns the matching exit code.
int ReportError(const Status& status, bool json);
int ExitCodeFor(const Status& status);

Result<std::string> ReadTextFile(const std::filesystem::path& path);
Result<nlohmann::json> ReadJsonFile(const std::filesystem::path& path);
Status WriteTextFile(const std::filesystem::path& path, const std::string& text);

// The chain id (hex) the node serves, from /v1/validators.
Result<std::string> FetchChainId(const std::string& node_url);

// Completes a record written as protobuf JSON (fills version, chain_id, a random nonce and a
// validity window ending `valid_for_ms` from now when absent) and signs it.
Result<chaincode::SignedRecord> SignRecordJson(nlohmann::json record, const crypto::KeyPair& key,
                                               const std::string& chain_id_hex,
                                               std::int64_t valid_for_ms = 60 * 60 * 1000);

// Turns an HTTP reply into a Status: ok for 2xx, otherwise the node's error message.
Status StatusOfReply(const HttpReply& reply);

std::int64_t NowMs();

// Command entry points.
int CommandKeygen(const Args& args);
int CommandGenesis(const Args& args);
int CommandRecord(const Args& args);
int CommandGet(const Args& args);
int CommandHealth(const Args& args);
int CommandValidators(const Args& args);
int CommandQuery(const Args& args);
int CommandExit(const Args& args);
int CommandScenario(const Args& args);
int CommandNet(const Args& args);
int CommandNode(const Args& args, const char* self_path);
int CommandVerify(const Args& args);

}  // namespace mbl::tools
