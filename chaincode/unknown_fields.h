// The fields of a record the ledger refuses (FORMAT), found in one walk over the parsed record:
//   - fields this ledger does not know: their bytes are signed and stored as they are, so a field
//     one node version ignores and a newer one reads would make the two execute the same record
//     differently (R16), and what the API shows of a record would not be all it carries;
//   - text (every proto `string`, at any depth, in every record type) longer than
//     limits::kRecordTextBytesMax or holding a character chaincode/text_rules.h refuses
//     (DOMAIN §6: other organizations' text is shown to people).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace mbl::chaincode {

struct FieldProblem {
  std::string path;     // e.g. "genesis.organizations[1].people[0].name", "shipment.field 8"
  std::string problem;  // e.g. "holds U+202E (a bidirectional control character) at byte 4"
  bool unknown_field = false;
};

// The first refused field of `message` or of any message inside it; nullopt when none is.
std::optional<FieldProblem> FindFieldProblem(const google::protobuf::Message& message);

// The path of the first unknown field in `message` or in any message inside it, e.g.
// "shipment.field 8"; nullopt when every field is known.
std::optional<std::string> FindUnknownField(const google::protobuf::Message& message);

// Why `payload`, which does not parse as an mbl.v1.Record, does not: the Protobuf parser refuses
// a string field that is not UTF-8 without naming it, so this reads the payload again with every
// string field as bytes and names the field. nullopt when the payload is broken otherwise.
std::optional<FieldProblem> FindUnparsableText(std::string_view payload);

}  // namespace mbl::chaincode
