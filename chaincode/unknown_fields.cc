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
// (100) bounds this walk too. The path to the field is only built once one is found (`path`
// collects its parts innermost first), so a record without unknown fields allocates nothing
// here beyond the field lists.
bool Find(const Message& message, std::size_t depth, std::vector<std::string>& path) {
  const Reflection* reflection = message.GetReflection();
  const auto& unknown = reflection->GetUnknownFields(message);
  if (!unknown.empty()) {
    path.push_back("field " + std::to_string(unknown.field(0).number()));
    return true;
  }
  // One list per depth, kept from one record to the next.
  thread_local std::vector<std::vector<const FieldDescriptor*>> lists;
  if (lists.size() <= depth) lists.resize(depth + 1);
  // Indexed anew after each recursive call, which may grow (and so move) `lists`.
  reflection->ListFields(message, &lists[depth]);
  for (std::size_t f = 0; f < lists[depth].size(); ++f) {
    const FieldDescriptor* field = lists[depth][f];
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        const Message& item = reflection->GetRepeatedMessage(message, field, i);
        if (Find(item, depth + 1, path)) {
          path.push_back(field->name() + "[" + std::to_string(i) + "].");
          return true;
        }
      }
    } else if (Find(reflection->GetMessage(message, field), depth + 1, path)) {
      path.push_back(field->name() + ".");
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<std::string> FindUnknownField(const Message& message) {
  std::vector<std::string> path;
  if (!Find(message, 0, path)) return std::nullopt;
  std::string found;
  for (auto part = path.rbegin(); part != path.rend(); ++part) found += *part;
  return found;
}

}  // namespace mbl::chaincode
