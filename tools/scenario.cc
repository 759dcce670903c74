#include "tools/scenario.h"

#include <charconv>
#include <iostream>
#include <memory>
#include <thread>

#include "base/limits.h"
#include "chaincode/record_json.h"
#include "crypto/encoding.h"
#include "crypto/key_file.h"
#include "tools/cli.h"
#include "tools/terminal_text.h"

namespace mbl::tools {

Result<nlohmann::json> Substitute(const nlohmann::json& value,
                                  const std::map<std::string, nlohmann::json>& variables) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, member] : value.items()) {
      MBL_ASSIGN_OR_RETURN(out[key], Substitute(member, variables));
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& element : value) {
      MBL_ASSIGN_OR_RETURN(nlohmann::json substituted, Substitute(element, variables));
      out.push_back(std::move(substituted));
    }
    return out;
  }
  if (!value.is_string()) return value;
  const std::string& text = value.get_ref<const std::string&>();
  std::string out;
  std::size_t position = 0;
  while (true) {
    std::size_t start = text.find("${", position);
    if (start == std::string::npos) break;
    std::size_t end = text.find('}', start);
    if (end == std::string::npos) return InvalidArgument("unterminated ${ in '" + text + "'");
    std::string name = text.substr(start + 2, end - start - 2);
    auto it = variables.find(name);
    if (it == variables.end()) return InvalidArgument("unknown scenario variable ${" + name + "}");
    if (start == 0 && end + 1 == text.size()) return it->second;
    out += text.substr(position, start - position);
    out += it->second.is_string() ? it->second.get<std::string>() : it->second.dump();
    position = end + 1;
  }
  out += text.substr(position);
  return nlohmann::json(out);
}

bool JsonContains(const nlohmann::json& actual, const nlohmann::json& expected) {
  if (expected.is_object()) {
    if (!actual.is_object()) return false;
    for (const auto& [key, member] : expected.items()) {
      if (!actual.contains(key) || !JsonContains(actual[key], member)) return false;
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array()) return false;
    for (const auto& element : expected) {
      bool found = false;
      for (const auto& candidate : actual) found = found || JsonContains(candidate, element);
      if (!found) return false;
    }
    return true;
  }
  return actual == expected;
}

Result<nlohmann::json> JsonPath(const nlohmann::json& value, const std::string& path) {
  const nlohmann::json* current = &value;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    std::size_t index = 0;
    const bool is_index =
        !part.empty() && std::from_chars(part.data(), part.data() + part.size(), index).ptr ==
                             part.data() + part.size();
    if (current->is_object() && current->contains(part)) {
      current = &(*current)[part];
    } else if (current->is_array() && is_index && index < current->size()) {
      current = &(*current)[index];
    } else {
      return NotFound("path '" + path + "' has no '" + part + "'");
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *current;
}

namespace {

struct Runner {
  std::vector<std::string> nodes;  // steps go to them in turn
  std::uint64_t min_height = 0;    // the highest block a committed step reported
  std::filesystem::path keys_dir;
  bool json = false;
  std::map<std::string, std::unique_ptr<crypto::KeyPair>> actors;
  std::map<std::string, nlohmann::json> variables;
  std::map<std::string, nlohmann::json> envelopes;  // saved signed records, for resubmission
  std::string printed;                              // the last step's `print` line
  std::string chain_id;
  nlohmann::json report = nlohmann::json::array();
};

Result<const crypto::KeyPair*> Actor(Runner& runner, const nlohmann::json& step) {
  std::string name = step.value("actor", "");
  auto it = runner.actors.find(name);
  if (it == runner.actors.end()) return InvalidArgument("step names unknown actor '" + name + "'");
  return it->second.get();
}

// Compares the outcome of a submission or read with the step's "expect".
std::string CheckExpectation(const nlohmann::json& expect, int http_status,
                             const nlohmann::json& body) {
  // The body is the node's: its members are read with TerminalSafeMember (any type, escaped).
  std::string status = TerminalSafeMember(body, "status");
  if (http_status >= 400 || http_status == 0) status = "refused";
  std::string want = expect.value("status", "");
  if (!want.empty() && want != status) {
    const nlohmann::json no_member;
    const nlohmann::json& error =
        body.is_object() && body.contains("error") ? body["error"] : no_member;
    const nlohmann::json& result =
        body.is_object() && body.contains("result") ? body["result"] : no_member;
    std::string why = status == "refused" ? TerminalSafeMember(error, "message") : "";
    if (status == "rejected")
      why = TerminalSafeMember(result, "rule") + ": " + TerminalSafeMember(result, "message");
    return "expected " + want + ", got " + status + (why.empty() ? "" : " (" + why + ")");
  }
  if (expect.contains("http") && expect["http"].get<int>() != http_status) {
    return "expected HTTP " + std::to_string(expect["http"].get<int>()) + ", got " +
           std::to_string(http_status);
  }
  if (expect.contains("rule")) {
    const nlohmann::json no_member;
    const nlohmann::json& result =
        body.is_object() && body.contains("result") ? body["result"] : no_member;
    std::string rule = TerminalSafeMember(result, "rule");
    if (rule != expect["rule"].get<std::string>()) {
      return "expected rule " + expect["rule"].get<std::string>() + ", got '" + rule + "'";
    }
  }
  if (expect.contains("message_contains")) {
    std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.find(expect["message_contains"].get<std::string>()) == std::string::npos) {
      return "the answer does not mention '" + expect["message_contains"].get<std::string>() + "'";
    }
  }
  if (expect.contains("body") && !JsonContains(body, expect["body"])) {
    return "the answer does not contain " + TerminalSafeJson(expect["body"]);
  }
  return "";
}

Result<nlohmann::json> RunRecordStep(Runner& runner, const nlohmann::json& step,
                                     const std::string& node, int* http_status) {
  nlohmann::json envelope;
  if (step.contains("resubmit")) {
    auto it = runner.envelopes.find(step["resubmit"].get<std::string>());
    if (it == runner.envelopes.end())
      return InvalidArgument("nothing saved as '" + step["resubmit"].get<std::string>() +
                             "' to resubmit");
    envelope = it->second;
  } else {
    MBL_ASSIGN_OR_RETURN(const crypto::KeyPair* key, Actor(runner, step));
    MBL_ASSIGN_OR_RETURN(nlohmann::json record, Substitute(step["record"], runner.variables));
    std::int64_t valid_for_ms = step.value("valid_for_ms", std::int64_t{60 * 60 * 1000});
    auto signed_record = SignRecordJson(record, *key, runner.chain_id, valid_for_ms);
    if (!signed_record.ok()) {
      // A record that cannot even be encoded (e.g. 45.5 grams) is refused before it is sent.
      *http_status = 0;
      return nlohmann::json{{"status", "refused"},
                            {"refused_by", "client"},
                            {"error", {{"message", signed_record.status().message()}}}};
    }
    envelope = chaincode::EnvelopeToJson(*signed_record);
  }
  if (step.contains("save_envelope"))
    runner.envelopes[step["save_envelope"].get<std::string>()] = envelope;
  MBL_ASSIGN_OR_RETURN(HttpReply reply,
                       HttpCall(node, "POST", "/v1/records?wait=commit", envelope.dump()));
  *http_status = reply.status;
  return reply.body;
}

Result<nlohmann::json> RunReadStep(Runner& runner, const nlohmann::json& step,
                                   const std::string& node, int* http_status) {
  std::string target;
  if (step.contains("query")) {
    target = "/v1/query/" + step["query"].get<std::string>();
    char separator = '?';
    MBL_ASSIGN_OR_RETURN(
        nlohmann::json params,
        Substitute(step.value("params", nlohmann::json::object()), runner.variables));
    for (const auto& [key, value] : params.items()) {
      target +=
          separator + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
      separator = '&';
    }
  } else {
    MBL_ASSIGN_OR_RETURN(nlohmann::json path, Substitute(step["get"], runner.variables));
    target = path.get<std::string>();
  }
  const crypto::KeyPair* key = nullptr;
  if (step.contains("actor")) {
    MBL_ASSIGN_OR_RETURN(key, Actor(runner, step));
  }
  MBL_ASSIGN_OR_RETURN(HttpReply reply, HttpCall(node, "GET", target, "", key));
  *http_status = reply.status;
  return reply.body;
}

// Steps go to different nodes; a node answers a step only once it holds every block an earlier
// step committed on another node (read-your-writes across the network).
Status WaitForHeight(const std::string& node, std::uint64_t height) {
  if (height == 0) return Status::Ok();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (true) {
    auto reply = HttpCall(node, "GET", "/v1/health", "");
    if (reply.ok() && reply->body.is_object() && reply->body.contains("height") &&
        reply->body["height"].is_number_unsigned() &&
        reply->body["height"].get<std::uint64_t>() >= height) {
      return Status::Ok();
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Unavailable(node + " did not reach block " + std::to_string(height) + " within 20 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Runs one step; returns "" when every expectation held, else what went wrong.
std::string RunStep(Runner& runner, const nlohmann::json& step, std::size_t index) {
  std::string node = step.value("node", runner.nodes[index % runner.nodes.size()]);
  if (Status status = WaitForHeight(node, runner.min_height); !status.ok()) {
    return status.message();
  }
  int http_status = 0;
  Result<nlohmann::json> body = step.contains("record") || step.contains("resubmit")
                                    ? RunRecordStep(runner, step, node, &http_status)
                                    : RunReadStep(runner, step, node, &http_status);
  if (!body.ok()) return body.status().message();
  auto expect = Substitute(step.value("expect", nlohmann::json::object()), runner.variables);
  if (!expect.ok()) return expect.status().message();
  if (body->is_object() && (*body)["height"].is_number_unsigned()) {
    runner.min_height = std::max(runner.min_height, (*body)["height"].get<std::uint64_t>());
  }
  std::string failure = CheckExpectation(*expect, http_status, *body);
  if (!failure.empty()) return failure;
  const nlohmann::json saves = step.value("save", nlohmann::json::object());
  for (const auto& [variable, path] : saves.items()) {
    auto value = JsonPath(*body, path.get<std::string>());
    if (!value.ok()) return "cannot save " + variable + ": " + value.status().message();
    runner.variables[variable] = *value;
  }
  runner.variables["last_id"] =
      body->is_object() && body->contains("id") ? (*body)["id"] : nlohmann::json("");
  if (step.contains("print") && !runner.json) {
    auto text = Substitute(step["print"], runner.variables);
    if (!text.ok()) return text.status().message();
    runner.printed = text->is_string() ? text->get<std::string>() : text->dump();
  }
  return "";
}

Status LoadActors(Runner& runner, const nlohmann::json& scenario) {
  const nlohmann::json actors = scenario.value("actors", nlohmann::json::object());
  for (const auto& [name, path] : actors.items()) {
    std::filesystem::path file = path.get<std::string>();
    if (file.is_relative()) file = runner.keys_dir / file;
    auto key = crypto::ReadSecretKeyFile(file);
    if (!key.ok()) return key.status().WithContext("actor " + name);
    runner.actors[name] = std::make_unique<crypto::KeyPair>(std::move(*key));
  }
  return Status::Ok();
}

}  // namespace

int CommandScenario(const Args& args) {
  bool json = args.Has("json");
  if (Status status = args.OnlyFlags({"node", "keys", "json"}); !status.ok())
    return ReportError(status, json);
  if (args.positional().size() != 2 || args.positional()[0] != "run") {
    return ReportError(
        InvalidArgument("usage: mbl scenario run FILE --node URL[,URL...] [--keys DIR]"), json);
  }
  std::filesystem::path file = args.positional()[1];
  auto scenario = ReadJsonFile(file);
  if (!scenario.ok()) return ReportError(scenario.status(), json);
  if (!scenario->is_object() || !(*scenario)["steps"].is_array()) {
    return ReportError(
        InvalidArgument(file.string() + ": a scenario is an object with a 'steps' array"), json);
  }
  if ((*scenario)["steps"].size() > limits::kScenarioStepsMax) {
    return ReportError(InvalidArgument(file.string() + " has too many steps"), json);
  }
  Runner runner;
  runner.json = json;
  const std::string node_list = args.Get("node", "http://127.0.0.1:7700");
  for (std::string_view rest = node_list; !rest.empty();) {
    std::size_t comma = rest.find(',');
    runner.nodes.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  if (runner.nodes.empty()) return ReportError(InvalidArgument("--node names no URL"), json);
  runner.keys_dir = args.Get("keys", std::filesystem::absolute(file).parent_path().string());
  if (Status status = LoadActors(runner, *scenario); !status.ok()) return ReportError(status, json);
  auto chain = FetchChainId(runner.nodes.front());
  if (!chain.ok()) return ReportError(chain.status(), json);
  runner.chain_id = *chain;
  runner.variables["now_ms"] = std::to_string(NowMs());
  const nlohmann::json variables = scenario->value("variables", nlohmann::json::object());
  for (const auto& [name, value] : variables.items()) {
    runner.variables[name] = value;
  }
  // Names, failures and `print` lines hold text from the scenario file and from nodes; each is
  // printed through TerminalSafe so that neither can rewrite the report on the terminal.
  if (!json)
    std::cout << "scenario " << TerminalSafeMember(*scenario, "name", file.filename().string())
              << "\n";
  int failures = 0;
  int index = 0;
  for (const auto& step : (*scenario)["steps"]) {
    ++index;
    std::string name = step.is_object() && step.contains("name") && step["name"].is_string()
                           ? step["name"].get<std::string>()
                           : "step " + std::to_string(index);
    runner.printed.clear();
    std::string failure = RunStep(runner, step, static_cast<std::size_t>(index - 1));
    failures += failure.empty() ? 0 : 1;
    runner.report.push_back({{"step", name}, {"ok", failure.empty()}, {"failure", failure}});
    if (!json) {
      std::cout << (failure.empty() ? "  ok    " : "  FAIL  ") << TerminalSafe(name);
      if (!failure.empty()) std::cout << ": " << TerminalSafe(failure);
      std::cout << "\n";
      if (!runner.printed.empty()) std::cout << "        " << TerminalSafe(runner.printed) << "\n";
    }
  }
  std::size_t total = (*scenario)["steps"].size();
  if (json) {
    std::cout << TerminalSafeJson(
                     {{"steps", runner.report}, {"passed", total - failures}, {"failed", failures}})
              << "\n";
  } else {
    std::cout << (total - failures) << " of " << total << " steps as expected\n";
  }
  return failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace mbl::tools
