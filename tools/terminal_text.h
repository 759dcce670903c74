// Text that came from a node or a file, made safe to print on a terminal (docs/cli.md,
// "Control characters in output"). A node's error message, a query result or a scenario file can
// hold escape sequences, carriage returns, backspaces, C1 controls or bidirectional overrides that
// would rewrite what the terminal shows (e.g. "\x1b[2K\rVERIFIED" after a failed check); every
// `mbl` command prints such text only through these functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace mbl::tools {

// Returns `text` with everything a terminal could act on replaced by a visible escape:
//   - C0 controls U+0000..U+001F (newline and tab included: one printed value never starts a
//     new line) and DEL U+007F become `\xHH` (lowercase hex: "\x1b", "\x0a", "\x7f");
//   - C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F) become `\u0080`..`\u009f`;
//   - bidirectional controls U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069 become
//     `\u061c`, `\u200e`, ... `\u202e`, ... `\u2069`;
//   - every byte that is not part of a well-formed UTF-8 sequence (RFC 3629: lone continuation
//     bytes, overlong forms, UTF-16 surrogates, truncated sequences, code points above U+10FFFF,
//     bytes F5..FF) becomes `\xHH`, and decoding resumes at the next byte.
// Everything else, printable ASCII and well-formed non-ASCII text such as "Skellefteå" or "銅",
// is kept byte for byte. A backslash is kept as it is, so the result is for display, not a
// reversible encoding; the function is idempotent (TerminalSafe(TerminalSafe(x)) ==
// TerminalSafe(x)), so text escaped where it was received may safely be escaped again where it
// is printed. The result holds only printable ASCII and well-formed UTF-8 without the controls
// above.
std::string TerminalSafe(std::string_view text);

// `value` as JSON text (compact for indent < 0, else indented by `indent` spaces) that is safe
// to print: nlohmann escapes C0 controls inside strings; this also writes DEL, C1 and
// bidirectional controls as \u escapes (still valid JSON that decodes to the same strings) and
// replaces bytes that are not well-formed UTF-8 by U+FFFD instead of throwing. Well-formed
// non-ASCII text is kept as UTF-8. Never throws.
std::string TerminalSafeJson(const nlohmann::json& value, int indent = -1);

// The member `key` of `object` (typically a node's reply) as text for one line: a string through
// TerminalSafe, any other value through TerminalSafeJson, `absent` when `object` is not an
// object or has no such member. Never throws, whatever the reply's shape.
std::string TerminalSafeMember(const nlohmann::json& object, std::string_view key,
                               std::string_view absent = "");

}  // namespace mbl::tools
