#include "node/recognized_ledgers.h"

#include <nlohmann/json.hpp>
#include <set>

#include "base/check.h"
#include "base/limits.h"
#include "chaincode/text_rules.h"
#include "node/config.h"
#include "node/verify_page.h"

namespace mbl::node {
namespace {

// The page's built-in list, which the node replaces: exactly as written in web/verify.html.
constexpr std::string_view kPageDefaultList =
    R"(<script type="application/json" id="recognized-ledgers">{"format": "mbl.recognized-ledgers.v1", "ledgers": []}</script>)";

bool IsLowerHexKey(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Shown to consumers: ledger text (chaincode/text_rules.h), of bounded length.
bool IsPlainText(const std::string& text) {
  return !text.empty() && text.size() <= limits::kRecognizedLedgerNameBytesMax &&
         !chaincode::FindTextFault(text);
}

}  // namespace

Result<std::string> ParseRecognizedLedgers(std::string_view json_text) {
  nlohmann::json json = nlohmann::json::parse(json_text, nullptr, false);
  if (json.is_discarded() || !json.is_object() ||
      json.value("format", "") != kRecognizedLedgersFormat || !json.contains("ledgers") ||
      !json["ledgers"].is_array()) {
    return InvalidArgument("not a " + std::string(kRecognizedLedgersFormat) +
                           " file: {\"format\": ..., \"ledgers\": [{\"chain_id\", \"scheme\", "
                           "\"publisher\"}, ...]} (docs/verify-page.md)");
  }
  if (json["ledgers"].size() > limits::kRecognizedLedgersMax) {
    return InvalidArgument("lists more than " + std::to_string(limits::kRecognizedLedgersMax) +
                           " ledgers");
  }
  nlohmann::json ledgers = nlohmann::json::array();
  std::set<std::string> chains;
  for (std::size_t i = 0; i < json["ledgers"].size(); ++i) {
    const nlohmann::json& entry = json["ledgers"][i];
    const std::string which = "ledgers[" + std::to_string(i) + "]";
    for (const char* key : {"chain_id", "scheme", "publisher"}) {
      if (!entry.is_object() || !entry.contains(key) || !entry[key].is_string()) {
        return InvalidArgument(which + " has no '" + key + "' string");
      }
    }
    std::string chain = entry["chain_id"].get<std::string>();
    for (char& c : chain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!IsLowerHexKey(chain)) {
      return InvalidArgument(which +
                             ".chain_id is not a chain id (64 hex digits: the record id "
                             "of the ledger's genesis, `mbl validators` shows it)");
    }
    if (!chains.insert(chain).second) return InvalidArgument(which + " lists its chain again");
    for (const char* key : {"scheme", "publisher"}) {
      if (!IsPlainText(entry[key].get<std::string>())) {
        return InvalidArgument(which + "." + key + " must be plain text of 1 to " +
                               std::to_string(limits::kRecognizedLedgerNameBytesMax) +
                               " bytes, without control characters");
      }
    }
    ledgers.push_back(
        {{"chain_id", chain}, {"scheme", entry["scheme"]}, {"publisher", entry["publisher"]}});
  }
  nlohmann::json out = {{"format", kRecognizedLedgersFormat}, {"ledgers", ledgers}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

Result<std::string> LoadRecognizedLedgers(const std::filesystem::path& file) {
  MBL_ASSIGN_OR_RETURN(std::string text, ReadConfigFile(file, "recognized ledgers"));
  auto parsed = ParseRecognizedLedgers(text);
  if (!parsed.ok()) return parsed.status().WithContext(file.string());
  return parsed;
}

std::string VerifyPageRecognizing(std::string_view ledgers_json) {
  std::string page(kVerifyPage);
  const std::size_t at = page.find(kPageDefaultList);
  MBL_CHECK(at != std::string::npos);  // web/verify.html must keep its list block as written
  // Inside <script> only "</" could end the block early; JSON may write "<" as \u003c instead.
  std::string list;
  for (char c : ledgers_json) {
    if (c == '<') {
      list += "\\u003c";
    } else {
      list += c;
    }
  }
  const std::string block =
      R"(<script type="application/json" id="recognized-ledgers">)" + list + "</script>";
  page.replace(at, kPageDefaultList.size(), block);
  return page;
}

}  // namespace mbl::node
