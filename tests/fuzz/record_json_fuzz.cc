// Records as people write them (the Protobuf JSON mapping of mbl.v1.Record: `mbl record`,
// scenario steps): RecordPayloadFromJson. Invariant: a record it accepts renders back as JSON
// (RecordPayloadToJson) and that JSON encodes to the same payload.
#include "chaincode/record_json.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mbl;
  auto payload = chaincode::RecordPayloadFromJson(fuzz::AsText(data, size));
  if (!payload.ok()) return 0;
  auto json = chaincode::RecordPayloadToJson(*payload);
  MBL_FUZZ_CHECK(json.ok(), json.status().message());
  auto again = chaincode::RecordPayloadFromJson(json->dump());
  MBL_FUZZ_CHECK(again.ok(), again.status().message() + " for " + json->dump());
  MBL_FUZZ_CHECK(*again == *payload, "record JSON does not encode back to the same payload");
  return 0;
}
