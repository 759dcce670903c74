#include "node/recognized_ledgers.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/check.h"
#include "base/limits.h"
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

// Shown to consumers: printable text only (no C0/C1 controls, no bidirectional overrides).
bool IsPlainText(const std::string& text) {
  if (text.empty() || text.size() > limits::kRecognizedLedgerNameBytesMax) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) return false;
    if (byte == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xa0) {
      return false;  // U+0080..U+009F
    }
    if (byte == 0xe2 && i + 2 < text.size()) {
      const auto second = static_cast<unsigned char>(text[i + 1]);
      const auto third = static_cast<unsigned char>(text[i + 2]);
      if ((second == 0x80 && third >= 0xaa && third <= 0xae) ||  // U+202A..U+202E
          (second == 0x81 && third >= 0xa6 && third <= 0xa9)) {  // U+2066..U+2069
        return false;
      }
    }
  }
  return true;
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
  std::ifstream in(file);
  if (!in) return NotFound("cannot open recognized ledgers file " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > limits::kConfigFileBytesMax) {
    return InvalidArgument("recognized ledgers file " + file.string() + " is too large");
  }
  auto parsed = ParseRecognizedLedgers(text.str());
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
