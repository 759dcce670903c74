// Records as people write them: the Protobuf JSON mapping of mbl.v1.Record (field names as in
// chaincode/proto/*.proto, enums by name, 64-bit integers as strings or numbers).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/status.h"
#include "chaincode/envelope.h"

namespace mbl::chaincode {

// JSON text -> serialized payload. Unknown fields are an error naming the field.
Result<std::string> RecordPayloadFromJson(std::string_view json);
// Serialized payload -> JSON object (for display and the API).
Result<nlohmann::json> RecordPayloadToJson(std::string_view payload);

// Envelopes as they cross text boundaries (API bodies, genesis files, scenario output):
// {"payload": base64 of the exact payload bytes, "signer": hex key, "signature": hex}.
nlohmann::json EnvelopeToJson(const SignedRecord& record);
// Errors name the field; never throws.
Result<SignedRecord> EnvelopeFromJson(const nlohmann::json& json);

}  // namespace mbl::chaincode
