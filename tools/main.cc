// mbl: the command-line client of the mass balance ledger (docs/cli.md).
#include <iostream>
#include <string>
#include <string_view>

#include "crypto/ed25519.h"
#include "tools/cli.h"
#include "tools/terminal_text.h"

namespace {

constexpr const char* kUsage = R"(usage: mbl COMMAND ...   (docs/cli.md)
  keygen --out DIR [--name NAME]                     create a key pair (secret file 0600)
  genesis --spec FILE --sign-key KEY --out FILE      assemble and sign a genesis from public keys
  node start --config FILE                           run mbl-node
  net create|start|stop|status [--dir DIR]           a local network on 127.0.0.1
  record sign|submit --in RECORD.json --key KEY [--node URL] [--wait] [--out FILE]
  record submit --envelope SIGNED.json [--node URL] [--wait]
  get record ID | get block HEIGHT --key KEY [--node URL]
  query NAME [k=v ...] --key KEY [--node URL]
  health | validators [--node URL]
  exit CODE [--node URL] [--proof]                   public exit-record lookup
  verify BUNDLE.json|CODE [--node URL] [--genesis FILE] [--checkpoint FILE]
                                                     check an exit proof without trusting the node
  scenario run FILE [--node URL[,URL...]] [--keys DIR]
Every command takes --json for machine-readable output.
)";

// Runs one command; returns its exit code.
int Run(int argc, char** argv) {
  using namespace mbl::tools;
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    std::cout << kUsage;
    return argc < 2 ? kExitUsage : kExitOk;
  }
  if (!mbl::crypto::InitializeCrypto().ok())
    return ReportError(mbl::Internal("libsodium init failed"), false);
  std::string command = argv[1];
  auto args = Args::Parse(argc, argv, 2, {"json", "wait", "proof"});
  if (!args.ok()) return ReportError(args.status(), false);
  if (command == "keygen") return CommandKeygen(*args);
  if (command == "genesis") return CommandGenesis(*args);
  if (command == "record") return CommandRecord(*args);
  if (command == "get") return CommandGet(*args);
  if (command == "health") return CommandHealth(*args);
  if (command == "validators") return CommandValidators(*args);
  if (command == "query") return CommandQuery(*args);
  if (command == "exit") return CommandExit(*args);
  if (command == "scenario") return CommandScenario(*args);
  if (command == "net") return CommandNet(*args);
  if (command == "node") return CommandNode(*args, argv[0]);
  if (command == "verify") return CommandVerify(*args);
  std::cerr << "unknown command '" << TerminalSafe(command) << "'\n" << kUsage;
  return kExitUsage;
}

bool AskedForJson(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--json") return true;
  }
  return false;
}

}  // namespace

// A node's reply or a file of an unexpected shape (a string where a number belongs, ...) that a
// command did not check for ends as a clear error, never as std::terminate.
int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const nlohmann::json::exception& error) {
    return mbl::tools::ReportError(
        mbl::InvalidArgument(std::string("a reply or file has an unexpected shape: ") +
                             error.what()),
        AskedForJson(argc, argv));
  } catch (const std::exception& error) {
    return mbl::tools::ReportError(mbl::Internal(std::string("unexpected error: ") + error.what()),
                                   AskedForJson(argc, argv));
  }
}
