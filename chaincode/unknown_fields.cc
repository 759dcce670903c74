#include "chaincode/unknown_fields.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/check.h"
#include "base/limits.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/text_rules.h"

namespace mbl::chaincode {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::OneofDescriptor;
using google::protobuf::Reflection;

// A text field: a proto `string`. In the copy of the record types that reads strings as bytes
// (FindUnparsableText), the field of that name in the generated types is one.
bool IsText(const FieldDescriptor* field) {
  if (field->type() == FieldDescriptor::TYPE_STRING) return true;
  if (field->file()->pool() == DescriptorPool::generated_pool()) return false;
  const FieldDescriptor* generated =
      DescriptorPool::generated_pool()->FindFieldByName(field->full_name());
  return generated != nullptr && generated->type() == FieldDescriptor::TYPE_STRING;
}

bool Walked(const FieldDescriptor* field) {
  return field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE || IsText(field);
}

// Where a message of one type can hold text or sub-messages: such fields outside oneofs, and
// its oneofs with such a member (one call tells which member is set). Worked out once per type:
// listing every set field of every record cost more than the rest of the walk.
struct WalkedFields {
  std::vector<const FieldDescriptor*> fields;
  std::vector<const OneofDescriptor*> oneofs;
};

const WalkedFields& WalkedFieldsOf(const Descriptor* type) {
  thread_local std::unordered_map<const Descriptor*, WalkedFields> known;
  auto [it, inserted] = known.try_emplace(type);
  if (!inserted) return it->second;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (!Walked(field)) continue;
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

// One walk over a message and the messages inside it; records nest a few levels deep (record ->
// body -> entries) and the parser's own recursion limit (100) bounds it. The path to the field is
// only built once a problem is found (`path_` collects its parts innermost first), so a record
// without one allocates nothing.
class FieldWalk {
 public:
  explicit FieldWalk(bool check_text) : check_text_(check_text) {}

  bool Find(const Message& message) {
    const Reflection* reflection = message.GetReflection();
    const auto& unknown = reflection->GetUnknownFields(message);
    if (!unknown.empty()) {
      path_.push_back("field " + std::to_string(unknown.field(0).number()));
      problem_ = "is a field this ledger does not know";
      unknown_field_ = true;
      return true;
    }
    const WalkedFields& where = WalkedFieldsOf(message.GetDescriptor());
    for (const OneofDescriptor* oneof : where.oneofs) {
      const FieldDescriptor* set = reflection->GetOneofFieldDescriptor(message, oneof);
      if (set != nullptr && Walked(set) && FindInField(message, set)) return true;
    }
    for (const FieldDescriptor* field : where.fields) {
      if (FindInField(message, field)) return true;
    }
    return false;
  }

  FieldProblem TakeProblem() {
    FieldProblem found;
    for (auto part = path_.rbegin(); part != path_.rend(); ++part) found.path += *part;
    found.problem = std::move(problem_);
    found.unknown_field = unknown_field_;
    return found;
  }

 private:
  bool FindInField(const Message& message, const FieldDescriptor* field) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      return check_text_ && FindInText(message, field);
    }
    const Reflection* reflection = message.GetReflection();
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        if (Find(reflection->GetRepeatedMessage(message, field, i))) {
          path_.push_back(field->name() + "[" + std::to_string(i) + "].");
          return true;
        }
      }
      return false;
    }
    if (!reflection->HasField(message, field)) return false;
    if (!Find(reflection->GetMessage(message, field))) return false;
    path_.push_back(field->name() + ".");
    return true;
  }

  bool FindInText(const Message& message, const FieldDescriptor* field) {
    const Reflection* reflection = message.GetReflection();
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        if (FaultIn(reflection->GetRepeatedStringReference(message, field, i, &scratch_))) {
          path_.push_back(field->name() + "[" + std::to_string(i) + "]");
          return true;
        }
      }
      return false;
    }
    if (!FaultIn(reflection->GetStringReference(message, field, &scratch_))) return false;
    path_.push_back(field->name());
    return true;
  }

  bool FaultIn(const std::string& text) {
    if (text.size() > limits::kRecordTextBytesMax) {
      problem_ = "is " + std::to_string(text.size()) + " bytes; the limit is " +
                 std::to_string(limits::kRecordTextBytesMax);
      return true;
    }
    std::optional<TextFault> fault = FindTextFault(text);
    if (!fault) return false;
    problem_ = "holds " + fault->what + " at byte " + std::to_string(fault->byte_offset) +
               "; ledger text is UTF-8 without control or bidirectional-control characters";
    return true;
  }

  bool check_text_;
  std::vector<std::string> path_;
  std::string problem_;
  bool unknown_field_ = false;
  std::string scratch_;  // for GetStringReference, which needs one (generated types never use it)
};

void TextAsBytes(google::protobuf::DescriptorProto& message) {
  for (auto& field : *message.mutable_field()) {
    if (field.type() == google::protobuf::FieldDescriptorProto::TYPE_STRING) {
      field.set_type(google::protobuf::FieldDescriptorProto::TYPE_BYTES);
    }
  }
  for (auto& nested : *message.mutable_nested_type()) TextAsBytes(nested);
}

void AddWithTextAsBytes(const google::protobuf::FileDescriptor* file, DescriptorPool& pool) {
  if (pool.FindFileByName(file->name()) != nullptr) return;
  for (int i = 0; i < file->dependency_count(); ++i) AddWithTextAsBytes(file->dependency(i), pool);
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  for (auto& message : *proto.mutable_message_type()) TextAsBytes(message);
  MBL_CHECK(pool.BuildFile(proto) != nullptr);
}

// mbl.v1.Record with every string read as bytes, built once per process (the types never
// change) and only when a payload fails to parse.
const Message& RecordWithTextAsBytes() {
  static const Message* prototype = [] {
    auto* pool = new DescriptorPool();
    AddWithTextAsBytes(v1::Record::descriptor()->file(), *pool);
    auto* factory = new google::protobuf::DynamicMessageFactory(pool);
    const Descriptor* type = pool->FindMessageTypeByName(v1::Record::descriptor()->full_name());
    MBL_CHECK(type != nullptr);
    return factory->GetPrototype(type);
  }();
  return *prototype;
}

}  // namespace

std::optional<FieldProblem> FindFieldProblem(const Message& message) {
  FieldWalk walk(/*check_text=*/true);
  if (!walk.Find(message)) return std::nullopt;
  return walk.TakeProblem();
}

std::optional<std::string> FindUnknownField(const Message& message) {
  FieldWalk walk(/*check_text=*/false);
  if (!walk.Find(message)) return std::nullopt;
  return walk.TakeProblem().path;
}

std::optional<FieldProblem> FindUnparsableText(std::string_view payload) {
  std::unique_ptr<Message> record(RecordWithTextAsBytes().New());
  if (!record->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return std::nullopt;
  }
  std::optional<FieldProblem> problem = FindFieldProblem(*record);
  if (!problem || problem->unknown_field) return std::nullopt;
  return problem;
}

}  // namespace mbl::chaincode
