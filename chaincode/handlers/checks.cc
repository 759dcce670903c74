#include "base/limits.h"
#include "chaincode/handler.h"

namespace mbl::chaincode {

HandlerResult RequireText(std::string_view field, const std::string& value) {
  if (value.empty()) return Reject("FORMAT", std::string(field) + " is required");
  return std::nullopt;
}

HandlerResult CheckHexHash(std::string_view field, const std::string& value, bool required) {
  if (value.empty() && !required) return std::nullopt;
  bool hex = value.size() == 64;
  for (char c : value) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!hex) {
    return Reject("FORMAT",
                  std::string(field) + " must be a SHA-256 hash in 64 lowercase hex characters");
  }
  return std::nullopt;
}

HandlerResult CheckListSize(std::string_view field, int size) {
  if (static_cast<std::size_t>(size) > limits::kRecordListEntriesMax) {
    return Reject("FORMAT", std::string(field) + " has " + std::to_string(size) +
                                " entries; the limit is " +
                                std::to_string(limits::kRecordListEntriesMax));
  }
  return std::nullopt;
}

}  // namespace mbl::chaincode
