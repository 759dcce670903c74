// The fields no record may hold (FORMAT), found in one walk over the signed bytes of a record:
//   - fields this ledger does not know (a number its types do not define, or a known number in
//     another wire type, which the Protobuf parser also keeps aside as unknown): their bytes are
//     signed and stored as they are, so a field one node version ignores and a newer one reads
//     would make the two execute the same record differently (R16), and what the API shows of a
//     record would not be all it carries;
//   - text (DOMAIN §6): every proto `string` of every record type, at any depth, in repeated
//     fields and oneofs alike (the envelope's author_org and ids included), must hold only what
//     chaincode/text_rules.h allows and at most limits::kRecordTextBytesMax bytes.
//
// The walk is guided by the record types' descriptors (a table per type, built once) and reads
// the bytes, not the parsed message: reading every field through Protobuf reflection cost more
// than the rest of the check. It also names the field of a payload the parser refused because a
// string is not UTF-8, which the parser does not say. chaincode/unknown_fields.h finds unknown
// fields through reflection, independently: the fuzz target checks that no record it finds one
// in is accepted.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mbl::chaincode {

struct FieldProblem {
  enum class Kind { kUnknownField, kText };
  Kind kind = Kind::kText;
  std::string path;     // e.g. "genesis.organizations[1].people[0].name", "shipment.field 8"
  std::string problem;  // for text: "holds U+202E (a bidirectional control character) at ..."
};

// The first refused field, in the order of the bytes, of the mbl.v1.Record encoded in `payload`;
// nullopt when there is none, or when `payload` is not well-formed Protobuf (the parser says so).
std::optional<FieldProblem> FindFieldProblem(std::string_view payload);

}  // namespace mbl::chaincode
