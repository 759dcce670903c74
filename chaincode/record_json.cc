#include "chaincode/record_json.h"

#include <google/protobuf/util/json_util.h>

#include "base/limits.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {

Result<std::string> RecordPayloadFromJson(std::string_view json) {
  v1::Record record;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &record, options);
  if (!status.ok()) {
    return InvalidArgument("record JSON does not match mbl.v1.Record: " +
                           std::string(status.message()));
  }
  std::string payload = SerializeDeterministic(record);
  if (payload.size() > limits::kRecordPayloadBytesMax) {
    return InvalidArgument("record is " + std::to_string(payload.size()) +
                           " bytes once encoded; the limit is " +
                           std::to_string(limits::kRecordPayloadBytesMax));
  }
  return payload;
}

Result<nlohmann::json> RecordPayloadToJson(std::string_view payload) {
  v1::Record record;
  if (!record.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return InvalidArgument("payload is not a valid mbl.v1.Record");
  }
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  auto status = google::protobuf::util::MessageToJsonString(record, &text, options);
  if (!status.ok())
    return Internal("cannot render record as JSON: " + std::string(status.message()));
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return Internal("record JSON rendering is not valid JSON");
  return parsed;
}

}  // namespace mbl::chaincode
