#include "chaincode/unknown_fields.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

namespace mbl::chaincode {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Where a message of one type can hold sub-messages: its message-typed fields outside oneofs,
// and its oneofs with a message-typed member (one call tells which member is set). Worked out
// once per type: listing every set field of every record cost more than the rest of the walk.
struct MessageFields {
  std::vector<const FieldDescriptor*> fields;
  std::vector<const google::protobuf::OneofDescriptor*> oneofs;
};

const MessageFields& MessageFieldsOf(const google::protobuf::Descriptor* type) {
  thread_local std::unordered_map<const google::protobuf::Descriptor*, MessageFields> known;
  auto [it, inserted] = known.try_emplace(type);
  if (!inserted) return it->second;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const auto* oneof = field->real_containing_oneof();
    if (oneof == nullptr) {
      it->second.fields.push_back(field);
    } else if (std::find(it->second.oneofs.begin(), it->second.oneofs.end(), oneof) ==
               it->second.oneofs.end()) {
      it->second.oneofs.push_back(oneof);
    }
  }
  return it->second;
}

// Records nest a few levels deep (record -> body -> entries); the parser's own recursion limit
// (100) bounds this walk too. The path to the field is only built once one is found (`path`
// collects its parts innermost first), so a record without unknown fields allocates nothing.
bool Find(const Message& message, std::vector<std::string>& path);

bool FindInField(const Message& message, const FieldDescriptor* field,
                 std::vector<std::string>& path) {
  const Reflection* reflection = message.GetReflection();
  if (field->is_repeated()) {
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      if (Find(reflection->GetRepeatedMessage(message, field, i), path)) {
        path.push_back(field->name() + "[" + std::to_string(i) + "].");
        return true;
      }
    }
    return false;
  }
  if (!reflection->HasField(message, field)) return false;
  if (!Find(reflection->GetMessage(message, field), path)) return false;
  path.push_back(field->name() + ".");
  return true;
}

bool Find(const Message& message, std::vector<std::string>& path) {
  const Reflection* reflection = message.GetReflection();
  const auto& unknown = reflection->GetUnknownFields(message);
  if (!unknown.empty()) {
    path.push_back("field " + std::to_string(unknown.field(0).number()));
    return true;
  }
  const MessageFields& where = MessageFieldsOf(message.GetDescriptor());
  for (const auto* oneof : where.oneofs) {
    const FieldDescriptor* set = reflection->GetOneofFieldDescriptor(message, oneof);
    if (set != nullptr && set->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        FindInField(message, set, path)) {
      return true;
    }
  }
  for (const FieldDescriptor* field : where.fields) {
    if (FindInField(message, field, path)) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> FindUnknownField(const Message& message) {
  std::vector<std::string> path;
  if (!Find(message, path)) return std::nullopt;
  std::string found;
  for (auto part = path.rbegin(); part != path.rend(); ++part) found += *part;
  return found;
}

}  // namespace mbl::chaincode
