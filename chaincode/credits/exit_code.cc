#include "chaincode/credits/exit_code.h"

#include <cctype>

namespace mbl::chaincode {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford base32
constexpr std::size_t kCodeCharacters = 12;

std::string Group(const std::string& characters) {
  return "MBL-" + characters.substr(0, 4) + "-" + characters.substr(4, 4) + "-" +
         characters.substr(8, 4);
}

}  // namespace

std::string ExitCodeForRecord(const RecordId& id) {
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | id[i];
  std::string characters;
  for (std::size_t i = 0; i < kCodeCharacters; ++i) {
    characters.push_back(kAlphabet[(bits >> (64 - 5 * (i + 1))) & 0x1f]);
  }
  return Group(characters);
}

Result<std::string> NormalizeExitCode(std::string_view text) {
  std::string characters;
  std::string upper;
  for (char c : text)
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  std::string_view rest = upper;
  if (rest.starts_with("MBL")) rest.remove_prefix(3);
  for (char c : rest) {
    if (c == '-' || c == ' ') continue;
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (kAlphabet.find(c) == std::string_view::npos) {
      return InvalidArgument(std::string("an exit code has no character '") + c + "'");
    }
    characters.push_back(c);
  }
  if (characters.size() != kCodeCharacters) {
    return InvalidArgument("an exit code has 12 characters after MBL-, like MBL-7K3Q-9XWD-2F0B");
  }
  return Group(characters);
}

}  // namespace mbl::chaincode
