#include "chaincode/unknown_fields.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>

#include <vector>

namespace mbl::chaincode {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Records nest a few levels deep (record -> body -> entries); the parser's own recursion limit
// (100) bounds this walk too.
std::optional<std::string> Find(const Message& message, const std::string& prefix) {
  const Reflection* reflection = message.GetReflection();
  const auto& unknown = reflection->GetUnknownFields(message);
  if (!unknown.empty()) return prefix + "field " + std::to_string(unknown.field(0).number());
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string path = prefix + field->name();
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        const Message& item = reflection->GetRepeatedMessage(message, field, i);
        if (auto found = Find(item, path + "[" + std::to_string(i) + "].")) return found;
      }
    } else if (auto found = Find(reflection->GetMessage(message, field), path + ".")) {
      return found;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> FindUnknownField(const Message& message) { return Find(message, ""); }

}  // namespace mbl::chaincode
