#include "chaincode/record_fields.h"

#include <google/protobuf/descriptor.h>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/limits.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/text_rules.h"

namespace mbl::chaincode {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// What each field number of a message type may carry: its wire type, whether it is text or a
// message (with its own table). A number without a field is unknown.
struct TypeTable {
  struct Entry {
    const FieldDescriptor* field = nullptr;  // null: no field has this number
    std::uint32_t wire_type = 0;
    bool packable = false;  // repeated numbers: packed (2) or one by one
    bool text = false;
    const TypeTable* message = nullptr;  // set for message fields
  };
  std::vector<Entry> by_number;
};

std::uint32_t WireTypeOf(const FieldDescriptor* field) {
  switch (field->type()) {
    case FieldDescriptor::TYPE_DOUBLE:
    case FieldDescriptor::TYPE_FIXED64:
    case FieldDescriptor::TYPE_SFIXED64:
      return 1;
    case FieldDescriptor::TYPE_FLOAT:
    case FieldDescriptor::TYPE_FIXED32:
    case FieldDescriptor::TYPE_SFIXED32:
      return 5;
    case FieldDescriptor::TYPE_STRING:
    case FieldDescriptor::TYPE_BYTES:
    case FieldDescriptor::TYPE_MESSAGE:
      return 2;
    case FieldDescriptor::TYPE_GROUP:
      return 3;
    default:
      return 0;  // the varint types: integers, bool, enum
  }
}

// Tables of every type reachable from `type`, built once; `tables` keeps them (and makes
// recursive types terminate).
const TypeTable* BuildTable(
    const Descriptor* type,
    std::unordered_map<const Descriptor*, std::unique_ptr<TypeTable>>& tables) {
  auto [it, inserted] = tables.try_emplace(type);
  if (!inserted) return it->second.get();
  it->second = std::make_unique<TypeTable>();
  TypeTable* table = it->second.get();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    auto number = static_cast<std::size_t>(field->number());
    if (table->by_number.size() <= number) table->by_number.resize(number + 1);
    TypeTable::Entry& entry = table->by_number[number];
    entry.field = field;
    entry.wire_type = WireTypeOf(field);
    entry.packable = field->is_packable();
    entry.text = field->type() == FieldDescriptor::TYPE_STRING;
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      entry.message = BuildTable(field->message_type(), tables);
    }
  }
  return table;
}

const TypeTable& RecordTable() {
  static const auto* tables = [] {
    auto* built = new std::unordered_map<const Descriptor*, std::unique_ptr<TypeTable>>();
    BuildTable(v1::Record::descriptor(), *built);
    return built;
  }();
  return *tables->at(v1::Record::descriptor());
}

struct WireField {
  std::uint32_t number = 0;
  std::uint32_t wire_type = 0;
  std::string_view bytes;  // the value of a length-delimited field
};

// Reads one field from the front of `in`; false when the bytes are not well-formed Protobuf.
// Groups (wire types 3 and 4) never occur in these proto3 types: treated as not well-formed.
bool ReadField(std::string_view& in, WireField& out) {
  auto varint = [&](std::uint64_t& value) {
    if (!in.empty() && static_cast<std::uint8_t>(in.front()) < 0x80) {  // tags, short lengths
      value = static_cast<std::uint8_t>(in.front());
      in.remove_prefix(1);
      return true;
    }
    value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in.empty()) return false;
      auto byte = static_cast<std::uint8_t>(in.front());
      in.remove_prefix(1);
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  };
  std::uint64_t tag;
  if (!varint(tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff) return false;
  out.number = static_cast<std::uint32_t>(tag >> 3);
  out.wire_type = static_cast<std::uint32_t>(tag & 7);
  std::uint64_t value;
  switch (out.wire_type) {
    case 0:
      return varint(value);
    case 1:
    case 5: {
      std::size_t size = out.wire_type == 1 ? 8 : 4;
      if (in.size() < size) return false;
      in.remove_prefix(size);
      return true;
    }
    case 2:
      if (!varint(value) || value > in.size()) return false;
      out.bytes = in.substr(0, value);
      in.remove_prefix(value);
      return true;
    default:
      return false;
  }
}

// How many times field `number` occurs in `message` before the occurrence that ends at
// `end_offset`: its index when the field is repeated.
std::size_t IndexAt(std::string_view message, std::uint32_t number, std::size_t end_offset) {
  std::size_t index = 0;
  std::string_view rest = message;
  WireField field;
  while (ReadField(rest, field)) {
    if (message.size() - rest.size() >= end_offset) break;
    if (field.number == number) ++index;
  }
  return index;
}

std::string Describe(std::string_view text) {
  if (text.size() > limits::kRecordTextBytesMax) {
    return "is " + std::to_string(text.size()) + " bytes; the limit is " +
           std::to_string(limits::kRecordTextBytesMax);
  }
  std::optional<TextFault> fault = FindTextFault(text);
  if (!fault) return {};
  return "holds " + fault->what + " at byte " + std::to_string(fault->byte_offset) +
         "; ledger text is UTF-8 without control or bidirectional-control characters";
}

enum class Found { kNothing, kProblem, kMalformed };

// Records nest a few levels deep (record -> body -> entries); the parser's recursion limit (100)
// bounds the payloads that reach here. `path` collects its parts innermost first, and only once
// a problem is found, so a record without one allocates nothing.
Found Walk(const TypeTable& table, std::string_view message, std::vector<std::string>& path,
           FieldProblem& problem) {
  std::string_view rest = message;
  WireField field;
  while (!rest.empty()) {
    if (!ReadField(rest, field)) return Found::kMalformed;
    const TypeTable::Entry* entry =
        field.number < table.by_number.size() ? &table.by_number[field.number] : nullptr;
    if (entry == nullptr || entry->field == nullptr ||
        (field.wire_type != entry->wire_type && !(entry->packable && field.wire_type == 2))) {
      problem.kind = FieldProblem::Kind::kUnknownField;
      path.push_back("field " + std::to_string(field.number));
      return Found::kProblem;
    }
    Found found = Found::kNothing;
    if (entry->message != nullptr) {
      found = Walk(*entry->message, field.bytes, path, problem);
      if (found == Found::kMalformed) return found;
    } else if (entry->text) {
      problem.problem = Describe(field.bytes);
      if (!problem.problem.empty()) {
        problem.kind = FieldProblem::Kind::kText;
        found = Found::kProblem;
      }
    }
    if (found != Found::kProblem) continue;
    std::string part(entry->field->name());
    if (entry->field->is_repeated()) {
      std::size_t offset = message.size() - rest.size();
      part += "[" + std::to_string(IndexAt(message, field.number, offset)) + "]";
    }
    if (entry->message != nullptr) part += ".";
    path.push_back(std::move(part));
    return found;
  }
  return Found::kNothing;
}

}  // namespace

std::optional<FieldProblem> FindFieldProblem(std::string_view payload) {
  std::vector<std::string> path;
  FieldProblem found;
  if (Walk(RecordTable(), payload, path, found) != Found::kProblem) return std::nullopt;
  for (auto part = path.rbegin(); part != path.rend(); ++part) found.path += *part;
  return found;
}

}  // namespace mbl::chaincode
