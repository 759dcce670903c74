// Every record type T1..T17 as the chaincode reads it: the payload (a serialized mbl.v1.Record,
// the bytes a client signs) executed in a block against a ledger with credits, shipments and an
// open certificate request (fuzz_ledger.h). Input: a selector byte choosing the signer (% 15: one
// of the 15 keys of the ledger's people, so that R3 can pass) and the ledger variant (/ 15 % 2:
// membership quorum 0 or 1 with a pending proposal), then the payload. The executor does
// not check signatures (the node does, before ordering), so none is needed here.
// Invariants: one result per record with the payload's record id; R6 (conservation) holds after
// an accepted record for every characteristic with counters; a payload that parses renders as
// JSON (what the API and `mbl get` show) and that JSON encodes back to the same record.
#include "base/limits.h"
#include "chaincode/credits/accounts.h"
#include "chaincode/executor.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/record_json.h"
#include "chaincode/registry.h"
#include "chaincode/unknown_fields.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_ledger.h"

namespace {

using namespace mbl;

void CheckJsonRoundTrip(std::string_view payload, const chaincode::RecordResult& result) {
  v1::Record record;
  if (!record.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) return;
  // JSON shows known fields only; a record with others is refused (FORMAT) and has no round trip.
  if (chaincode::FindUnknownField(record)) {
    MBL_FUZZ_CHECK(!result.accepted, "a record with an unknown field was accepted");
    return;
  }
  auto json = chaincode::RecordPayloadToJson(payload);
  MBL_FUZZ_CHECK(json.ok(), json.status().message());
  auto again = chaincode::RecordPayloadFromJson(json->dump());
  // The JSON of a payload over the size limit may fail the limit; anything else must encode.
  if (!again.ok() && payload.size() > limits::kRecordPayloadBytesMax) return;
  MBL_FUZZ_CHECK(again.ok(), again.status().message() + " for " + json->dump());
  MBL_FUZZ_CHECK(*again == chaincode::SerializeDeterministic(record),
                 "record JSON does not encode back to the same record: " + json->dump());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::AsText(data, size);
  const std::uint8_t selector = fuzz::TakeSelector(input);
  if (input.size() > limits::kRecordPayloadBytesMax) return 0;  // VerifyEnvelope refuses these
  const fuzz::FuzzLedger& ledger = fuzz::FuzzLedger::Get(selector / fuzz::kKeyCount % 2);

  chaincode::SignedRecord record;
  record.payload = std::string(input);
  record.signer = fuzz::LedgerKey(selector).public_key;
  const chaincode::BlockContext context{ledger.height() + 1, ledger.next_time_ms()};
  chaincode::BlockExecution execution =
      chaincode::ExecuteBlock({record}, ledger.state(), context, ledger.state_root());
  MBL_FUZZ_CHECK(execution.results.size() == 1, "one result per record");
  const chaincode::RecordResult& result = execution.results[0];
  MBL_FUZZ_CHECK(result.record_id == chaincode::ComputeRecordId(record.payload), "record id");
  MBL_FUZZ_CHECK(result.accepted || !result.rejection.rule.empty(), "a rejection names its rule");
  (void)chaincode::EncodeRecordResult(result);

  if (result.accepted) {
    chaincode::OverlayState after(ledger.state());
    after.Merge(execution.writes);
    std::vector<std::string> characteristics;
    after.Scan("c/conservation/", [&](std::string_view key, std::string_view) {
      characteristics.emplace_back(key.substr(std::string_view("c/conservation/").size()));
      return true;
    });
    for (const auto& characteristic : characteristics) {
      Status conserved = chaincode::CheckConservation(after, characteristic);
      MBL_FUZZ_CHECK(conserved.ok(), conserved.message());
    }
  }
  CheckJsonRoundTrip(record.payload, result);
  return 0;
}
