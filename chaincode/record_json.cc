#include "chaincode/record_json.h"

#include <google/protobuf/util/json_util.h>

#include "base/limits.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"

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

nlohmann::json EnvelopeToJson(const SignedRecord& record) {
  return {{"payload", crypto::ToBase64(record.payload)},
          {"signer", crypto::ToHex(record.signer)},
          {"signature", crypto::ToHex(record.signature)}};
}

Result<SignedRecord> EnvelopeFromJson(const nlohmann::json& json) {
  if (!json.is_object()) {
    return InvalidArgument("a signed record is a JSON object with payload, signer, signature");
  }
  for (const char* field : {"payload", "signer", "signature"}) {
    if (!json.contains(field) || !json[field].is_string()) {
      return InvalidArgument(std::string("signed record field '") + field +
                             "' is missing or not a string");
    }
  }
  SignedRecord record;
  std::string payload_b64 = json["payload"].get<std::string>();
  if (payload_b64.size() > 2 * limits::kRecordPayloadBytesMax) {
    return InvalidArgument("payload is larger than the record limit of " +
                           std::to_string(limits::kRecordPayloadBytesMax) + " bytes");
  }
  auto payload = crypto::FromBase64(payload_b64);
  if (!payload.ok()) return payload.status().WithContext("field 'payload'");
  record.payload = std::move(*payload);
  auto signer = crypto::FixedFromHex<crypto::kPublicKeyBytes>(json["signer"].get<std::string>(),
                                                              "field 'signer'");
  if (!signer.ok()) return signer.status();
  record.signer = *signer;
  auto signature = crypto::FixedFromHex<crypto::kSignatureBytes>(
      json["signature"].get<std::string>(), "field 'signature'");
  if (!signature.ok()) return signature.status();
  record.signature = *signature;
  return record;
}

}  // namespace mbl::chaincode
