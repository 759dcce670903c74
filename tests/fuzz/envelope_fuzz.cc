// The signed record envelope, as bytes (storage, blocks, validator frames: DecodeEnvelope) and as
// JSON (API bodies, genesis files: EnvelopeFromJson). Input: a selector byte (even: bytes, odd:
// JSON text), then the envelope. Invariants: a decoded envelope re-encodes to the same bytes
// (docs/formats.md: one encoding), and JSON round-trips to the same record.
#include <nlohmann/json.hpp>

#include "chaincode/envelope.h"
#include "chaincode/record_json.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

bool SameRecord(const mbl::chaincode::SignedRecord& a, const mbl::chaincode::SignedRecord& b) {
  return a.payload == b.payload && a.signer == b.signer && a.signature == b.signature;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mbl;
  std::string_view input = fuzz::AsText(data, size);
  const std::uint8_t selector = fuzz::TakeSelector(input);
  if (selector % 2 == 0) {
    auto record = chaincode::DecodeEnvelope(input);
    if (!record.ok()) return 0;
    MBL_FUZZ_CHECK(chaincode::EncodeEnvelope(*record) == input, "envelope re-encoding differs");
    (void)chaincode::VerifyEnvelope(*record);
    (void)chaincode::ComputeRecordId(record->payload);
    return 0;
  }
  nlohmann::json json = nlohmann::json::parse(input, nullptr, false);
  if (json.is_discarded()) return 0;
  auto record = chaincode::EnvelopeFromJson(json);
  if (!record.ok()) return 0;
  auto again = chaincode::EnvelopeFromJson(chaincode::EnvelopeToJson(*record));
  MBL_FUZZ_CHECK(again.ok() && SameRecord(*again, *record), "envelope JSON round trip differs");
  (void)chaincode::VerifyEnvelope(*record);
  return 0;
}
