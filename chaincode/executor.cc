#include "chaincode/executor.h"

#include "base/limits.h"
#include "chaincode/handler.h"
#include "chaincode/record_fields.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"

namespace mbl::chaincode {
namespace {

void AppendLengthPrefixed(std::string& out, std::string_view bytes) {
  MBL_CHECK_LE(bytes.size(), 0xffffffffULL);
  auto length = static_cast<std::uint32_t>(bytes.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(length >> shift));
  out.append(bytes);
}

HandlerResult Dispatch(ApplyContext& context) {
  const v1::Record& record = context.record;
  switch (record.body_case()) {
    case v1::Record::kGenesis:
      return ApplyGenesis(context, record.genesis());
    case v1::Record::kMembershipChange:
      return ApplyMembershipChange(context, record.membership_change());
    case v1::Record::kSiteDefinition:
      return ApplySiteDefinition(context, record.site_definition());
    case v1::Record::kCharacteristicDefinition:
      return ApplyCharacteristicDefinition(context, record.characteristic_definition());
    case v1::Record::kProductGroupDefinition:
      return ApplyProductGroupDefinition(context, record.product_group_definition());
    case v1::Record::kConversionFactor:
      return ApplyConversionFactor(context, record.conversion_factor());
    case v1::Record::kCbAccreditation:
      return ApplyCbAccreditation(context, record.cb_accreditation());
    case v1::Record::kCertificateRequest:
      return ApplyCertificateRequest(context, record.certificate_request());
    case v1::Record::kCertification:
      return ApplyCertification(context, record.certification());
    case v1::Record::kProcessing:
      return ApplyProcessing(context, record.processing());
    case v1::Record::kShipment:
      return ApplyShipment(context, record.shipment());
    case v1::Record::kReceiptDecision:
      return ApplyReceiptDecision(context, record.receipt_decision());
    case v1::Record::kSiteTransfer:
      return ApplySiteTransfer(context, record.site_transfer());
    case v1::Record::kProductReturn:
      return ApplyProductReturn(context, record.product_return());
    case v1::Record::kSystemExit:
      return ApplySystemExit(context, record.system_exit());
    case v1::Record::kPeriodClose:
      return ApplyPeriodClose(context, record.period_close());
    case v1::Record::kAuditResult:
      return ApplyAuditResult(context, record.audit_result());
    case v1::Record::kNonConformity:
      return ApplyNonConformity(context, record.non_conformity());
    case v1::Record::kManagementReview:
      return ApplyManagementReview(context, record.management_review());
    case v1::Record::BODY_NOT_SET:
      return Reject("FORMAT", "the record has no body: set exactly one record type");
    default:
      return Reject("FORMAT", "unknown record type " + std::to_string(record.body_case()) +
                                  "; this ledger reads T1..T17");
  }
}

// A field no record may hold (record_fields.h), named by its path.
Rejection RejectField(const FieldProblem& problem) {
  if (problem.kind == FieldProblem::Kind::kUnknownField) {
    return Reject("FORMAT", "the record has a field this ledger does not know (" + problem.path +
                                "); sign records with a client of this ledger's version");
  }
  return Reject("FORMAT", problem.path + " " + problem.problem);
}

// Checks every record must pass before its type's rules: format, chain, replay window.
HandlerResult CheckCommon(const v1::Record& record, std::string_view payload, WorkingState& state,
                          const BlockContext& block) {
  if (record.version() != 1) {
    return Reject("FORMAT", "record format version " + std::to_string(record.version()) +
                                " is not supported; this ledger reads version 1");
  }
  if (record.author_org().empty()) return Reject("FORMAT", "author_org is empty");
  if (auto problem = FindFieldProblem(payload)) return RejectField(*problem);
  const ChainInfo* chain = GetChain(state);
  if (record.has_genesis()) {
    if (chain || block.height != 0) {
      return Reject(RefusalKind::kInvalid, "T1",
                    "a genesis record is only valid as the first record of block 0");
    }
    if (!record.chain_id().empty()) return Reject("FORMAT", "a genesis record has no chain_id");
    return std::nullopt;
  }
  if (!chain) {
    return Reject(RefusalKind::kInvalid, "T1",
                  "the ledger has no genesis yet: the first record is genesis");
  }
  if (record.chain_id() != chain->chain_id) {
    return Reject("R5", "the record is bound to chain " + crypto::ToHex(record.chain_id()) +
                            ", not to this ledger (" + crypto::ToHex(chain->chain_id) +
                            "): sign it again for this chain");
  }
  if (block.time_ms > record.valid_until_ms()) {
    return Reject("R5", "the record's validity window ended at " +
                            std::to_string(record.valid_until_ms()) +
                            " ms, before this block's time " + std::to_string(block.time_ms) +
                            " ms: sign a new record");
  }
  if (record.valid_until_ms() - block.time_ms > limits::kRecordValidityWindowMs) {
    return Reject("R5", "valid_until_ms is more than " +
                            std::to_string(limits::kRecordValidityWindowMs) +
                            " ms after the block time; a record may be valid for at most 24 h");
  }
  return std::nullopt;
}

// The details of most records (a shipment's, a receipt's) fit in this many bytes.
constexpr std::size_t kDetailsBytesExpected = 160;

// What ExecuteBlock keeps from one record to the next so that records do not allocate it anew.
struct Scratch {
  v1::Record record;  // parsing into a used message reuses its strings and sub-messages
  nlohmann::json details = nlohmann::json::object();
  std::string details_json;
  std::string record_id_hex;
};

// What becomes of a record's changes once its result is known.
enum class Keep : bool {
  kIfAccepted,  // a block: an accepted record's changes and every record's id stay
  kNothing,     // a dry run: the working set is left as it was before the record
};

RecordResult ApplyRecord(const SignedRecord& envelope, WorkingState& state,
                         const BlockContext& block, Scratch& scratch, Keep keep) {
  RecordResult result;
  result.record_id = ComputeRecordId(envelope.payload);
  scratch.record_id_hex = crypto::ToHex(result.record_id);
  std::string included_key = keys::IncludedRecord(scratch.record_id_hex);
  HandlerResult rejection;
  bool duplicate = false;
  v1::Record& record = scratch.record;
  // Emptied, not rebuilt: a json object allocates its map when it is made.
  if (scratch.details.is_object()) {
    scratch.details.clear();
  } else {
    scratch.details = nlohmann::json::object();
  }
  scratch.details_json.clear();
  // Handed over to the result below, so allocated anew per record: once, not grown in steps.
  scratch.details_json.reserve(kDetailsBytesExpected);
  if (state.Contains(included_key)) {
    duplicate = true;
    rejection = Reject(RefusalKind::kAlreadyExists, "R5",
                       "record " + scratch.record_id_hex +
                           " is already in the ledger; the same record takes effect once");
  } else if (!record.ParseFromString(envelope.payload)) {
    // The parser refuses a string that is not UTF-8 without naming it; the field walk names it.
    std::optional<FieldProblem> text = FindFieldProblem(envelope.payload);
    rejection = text && text->kind == FieldProblem::Kind::kText
                    ? RejectField(*text)
                    : Reject("FORMAT", "the payload is not a valid mbl.v1.Record");
  } else {
    rejection = CheckCommon(record, envelope.payload, state, block);
    if (!rejection) {
      ApplyContext context{record, result.record_id, scratch.record_id_hex, envelope.signer, block,
                           state,  scratch.details,  scratch.details_json};
      rejection = Dispatch(context);
    }
  }
  result.accepted = !rejection.has_value();
  if (result.accepted) {
    if (keep == Keep::kIfAccepted) state.Commit();
    if (scratch.details_json.empty()) {
      result.details_json = scratch.details.dump();
    } else {
      result.details_json.swap(scratch.details_json);
    }
  } else {
    state.Rollback();
    result.rejection = std::move(*rejection);
  }
  if (keep == Keep::kNothing) {
    state.Rollback();
    return result;
  }
  // Record ids are unique in the log, whether the record was accepted or rejected (R5).
  if (!duplicate) {
    state.Put(std::move(included_key), result.accepted ? "a" : "r");
    state.Commit();
  }
  return result;
}

}  // namespace

std::string EncodeRecordResult(const RecordResult& result) {
  std::string out(reinterpret_cast<const char*>(result.record_id.data()), result.record_id.size());
  out.push_back(result.accepted ? '\x01' : '\x00');
  AppendLengthPrefixed(out, result.rejection.rule);
  AppendLengthPrefixed(out, result.rejection.message);
  AppendLengthPrefixed(out, result.details_json);
  return out;
}

crypto::Hash256 ComputeStateRoot(const crypto::Hash256& parent_state_root, const WriteSet& writes) {
  crypto::Sha256Hasher write_set_hasher;
  for (const auto& [key, value] : writes) {
    write_set_hasher.UpdateLengthPrefixed(key);
    write_set_hasher.UpdateU8(value.has_value() ? 1 : 0);
    write_set_hasher.UpdateLengthPrefixed(value ? std::string_view(*value) : std::string_view());
  }
  crypto::Hash256 write_set_digest = write_set_hasher.Final();
  return crypto::Sha256Hasher()
      .Update(std::string_view("mbl.state.v1\0", 13))
      .Update(parent_state_root)
      .Update(write_set_digest)
      .Final();
}

BlockExecution ExecuteBlock(const std::vector<SignedRecord>& records, const StateReader& state,
                            const BlockContext& context, const crypto::Hash256& parent_state_root) {
  BlockExecution execution;
  WorkingState working(state);
  Scratch scratch;
  std::vector<crypto::Hash256> result_leaves;
  execution.results.reserve(records.size());
  result_leaves.reserve(records.size());
  for (const SignedRecord& record : records) {
    execution.results.push_back(ApplyRecord(record, working, context, scratch, Keep::kIfAccepted));
    result_leaves.push_back(crypto::MerkleLeafHash(EncodeRecordResult(execution.results.back())));
  }
  execution.writes = working.TakeWrites();
  execution.results_root = crypto::MerkleRoot(result_leaves);
  execution.state_root = ComputeStateRoot(parent_state_root, execution.writes);
  return execution;
}

std::vector<RecordResult> DryRunEach(const std::vector<SignedRecord>& records,
                                     const StateReader& state, const BlockContext& context) {
  // One working set for all: what it decodes from the state (chain, keys, sites, lots) is read
  // once, and each record's changes are rolled back before the next one runs.
  WorkingState working(state);
  Scratch scratch;
  std::vector<RecordResult> results;
  results.reserve(records.size());
  for (const SignedRecord& record : records) {
    results.push_back(ApplyRecord(record, working, context, scratch, Keep::kNothing));
  }
  return results;
}

}  // namespace mbl::chaincode
