// Scenario files (docs/scenarios.md, tools/scenario.h) up to the point where `mbl scenario run`
// talks to a node: the file's shape, its variables, and for each step what the runner computes
// from the file alone: ${variable} substitution in record, get, params, expect and print
// (Substitute), the record completed, encoded and signed as the runner does (SignRecordJson),
// expectations matched against an answer (JsonContains) and `save` paths looked up in it
// (JsonPath). The answer here is the step itself, so that paths and expectations can match.
#include <map>
#include <nlohmann/json.hpp>

#include "base/limits.h"
#include "crypto/encoding.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_ledger.h"
#include "tools/cli.h"
#include "tools/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mbl;
  nlohmann::json scenario = nlohmann::json::parse(fuzz::AsText(data, size), nullptr, false);
  // The runner's own checks of the file (tools/scenario.cc CommandScenario).
  if (scenario.is_discarded() || !scenario.is_object() || !scenario["steps"].is_array()) return 0;
  if (scenario["steps"].size() > limits::kScenarioStepsMax) return 0;
  std::map<std::string, nlohmann::json> variables{{"now_ms", "1767225600000"}};
  const nlohmann::json declared = scenario.value("variables", nlohmann::json::object());
  if (declared.is_object()) {
    for (const auto& [name, value] : declared.items()) variables[name] = value;
  }
  const fuzz::FuzzLedger& ledger = fuzz::FuzzLedger::Get();
  const std::string chain_id_hex = crypto::ToHex(ledger.chain_id());
  const crypto::KeyPair& key = fuzz::LedgerKey(0);

  for (const auto& step : scenario["steps"]) {
    if (!step.is_object()) continue;
    for (const char* field : {"record", "get", "params", "expect", "print"}) {
      if (!step.contains(field)) continue;
      auto substituted = tools::Substitute(step[field], variables);
      if (!substituted.ok()) continue;
      if (std::string_view(field) == "record") {
        auto signed_record = tools::SignRecordJson(*substituted, key, chain_id_hex);
        if (signed_record.ok()) {
          MBL_FUZZ_CHECK(signed_record->payload.empty() ||
                             signed_record->payload.size() > limits::kRecordPayloadBytesMax ||
                             chaincode::VerifyEnvelope(*signed_record).ok(),
                         "a record the runner signs verifies");
        }
      }
      if (std::string_view(field) == "expect" && substituted->is_object() &&
          substituted->contains("body")) {
        (void)tools::JsonContains(step, (*substituted)["body"]);
      }
    }
    if (step.contains("save") && step["save"].is_object()) {
      for (const auto& [variable, path] : step["save"].items()) {
        if (!path.is_string()) continue;
        auto value = tools::JsonPath(step, path.get<std::string>());
        if (value.ok()) variables[variable] = *value;
      }
    }
  }
  return 0;
}
