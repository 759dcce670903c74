// Records with fields this ledger does not know are refused (FORMAT): their bytes are signed and
// stored as they are, so a field one node version ignores and a newer one reads would make the
// two execute the same record differently (R16), and what the API shows of a record would not be
// all it carries.
//
// The executor finds them in the signed bytes, with the text checks (record_fields.h); this form
// reads the parsed message through reflection, independently: the fuzz target checks that no
// record it finds an unknown field in is accepted.
#pragma once

#include <optional>
#include <string>

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace mbl::chaincode {

// The path of the first unknown field in `message` or in any message inside it, e.g.
// "shipment.field 8"; nullopt when every field is known.
std::optional<std::string> FindUnknownField(const google::protobuf::Message& message);

}  // namespace mbl::chaincode
