// The one place that says which characters ledger text may hold (DOMAIN §6): every text field of
// every record is shown to people of other organizations, so it must be valid UTF-8 (RFC 3629)
// and hold no character that changes how the text around it is shown or read:
//   - C0 controls U+0000..U+001F and DEL U+007F (newlines, escape sequences for terminals);
//   - C1 controls U+0080..U+009F;
//   - bidirectional embeddings, overrides and isolates U+202A..U+202E, U+2066..U+2069 (they
//     reorder what is shown: "Trojan Source");
//   - the invisible direction marks U+200E, U+200F and U+061C (they reorder neutral characters
//     such as '/' in "org/site" and make two equal-looking names differ);
//   - the line and paragraph separators U+2028, U+2029 (they break lines like a newline).
// Every other character, e.g. "Kopparverket Skellefteå" or "銅", is text like any other.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mbl::chaincode {

struct TextFault {
  std::size_t byte_offset = 0;  // where the offending character or byte starts
  std::string what;             // e.g. "U+202E (a bidirectional control character)"
};

// The first character `text` may not hold, or nullopt when all of it is allowed.
std::optional<TextFault> FindTextFault(std::string_view text);

}  // namespace mbl::chaincode
