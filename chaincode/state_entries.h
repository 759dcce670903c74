// The JSON state entries of the credit records (T6..T16) and of pending membership proposals (T1),
// each a typed value with one encoder and one decoder (docs/formats.md, "State keys"). The
// encoders write exactly the bytes nlohmann::json::dump() wrote for the same values before these
// types existed (the state root covers them); the decoders parse without exceptions and abort
// with the key on an entry this chaincode could not have written (stored_json.h).
//
// The other JSON entries have theirs beside their values: lots, conservation counters and flows
// in credits/credit_values.h, the chain and key holders in registry.h, epochs in epochs.h. Audits
// (c/audit/) and closed periods (c/period/) are never read field by field: the queries pass them
// on as ParseStoredObject parsed them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "chaincode/credits/credit_values.h"
#include "chaincode/state.h"
#include "chaincode/working_state.h"

namespace mbl::chaincode {

namespace keys {
std::string CertificateRequest(std::string_view request_id);
std::string Shipment(std::string_view shipment_id);
std::string ShipmentPrefix();
std::string Exit(std::string_view exit_code);
std::string NonConformity(std::string_view org, std::string_view non_conformity_id);
std::string NonConformityPrefix(std::string_view org);
}  // namespace keys

// ---- c/request/<record id>: a certificate request (T6) and the CB's decision on it (T7).
enum class RequestState : std::uint8_t { kPending, kApproved, kRejected };
std::string_view RequestStateName(RequestState state);  // "pending", "approved", "rejected"

struct CertificateRequestEntry {
  std::string org;
  std::string site;
  std::string characteristic;
  std::string product_group;
  std::uint64_t claimed_grams = 0;
  RequestState state = RequestState::kPending;

  nlohmann::json ToJson() const;  // the stored object, as the lineage query shows it
};

std::string EncodeCertificateRequest(const CertificateRequestEntry& request);
CertificateRequestEntry DecodeCertificateRequest(std::string_view key, std::string_view json);
std::optional<CertificateRequestEntry> GetCertificateRequest(const StateReader& state,
                                                             std::string_view request_id);
void PutCertificateRequest(WorkingState& state, std::string_view request_id,
                           const CertificateRequestEntry& request);

// ---- c/shipment/<record id>: credits in transit with a shipment (T9), then received or
// rejected (T10), and the products returned from it (T12).
enum class ShipmentState : std::uint8_t { kInTransit, kReceived, kRejected };
std::string_view ShipmentStateName(ShipmentState state);  // "in_transit", "received", "rejected"

// Totals over every return of products from a received shipment.
struct ShipmentReturns {
  std::uint64_t returned_product_grams = 0;
  std::uint64_t cancelled_grams = 0;
};

struct ShipmentEntry {
  std::string from_org;
  std::string from_site;
  std::string to_org;
  std::string to_site;
  std::string characteristic;
  std::string product_group;
  std::uint64_t product_mass_grams = 0;
  std::uint64_t credit_grams = 0;
  std::int64_t shipped_ms = 0;
  std::vector<Portion> portions;  // what was taken from the sender's lots, oldest issuance first
  ShipmentState state = ShipmentState::kInTransit;
  std::optional<ShipmentReturns> returns;  // from the first return on
};

// Written with JsonWriter, not a json tree: shipments are the ledger's most frequent record.
std::string EncodeShipment(const ShipmentEntry& shipment);
ShipmentEntry DecodeShipment(std::string_view key, std::string_view json);
std::optional<ShipmentEntry> GetShipment(const StateReader& state, std::string_view shipment_id);
void PutShipment(WorkingState& state, std::string_view shipment_id, const ShipmentEntry& shipment);

// ---- c/exit/<exit code>: a system exit (T13), whose public view Q4 shows
// (queries/exit_lookup.h).
struct ExitEntry {
  std::string exit_code;
  std::string record_id;  // hex
  std::string org;
  std::string characteristic;
  std::string characteristic_name;
  std::string characteristic_category;  // the mbl.v1.CharacteristicCategory name
  std::string scope;                    // "product", "part or component" or "packaging"
  std::string product_description;
  std::string product_batch;
  std::uint64_t product_units = 0;
  std::uint64_t credit_grams = 0;
  bool disclose_quantities = false;
  // The record's signer in hex; exits stored before decision 0012 have none.
  std::optional<std::string> signer;
  std::int64_t retired_ms = 0;
  std::string statement;  // the statement of R13
  Provenance provenance;

  nlohmann::json ToJson() const;
};

std::string EncodeExit(const ExitEntry& exit);
ExitEntry DecodeExit(std::string_view key, std::string_view json);
std::optional<ExitEntry> GetExit(const StateReader& state, std::string_view exit_code);

// ---- c/nc/<org>/<record id>: a non-conformity (T16), open until a later record closes it.
enum class NonConformityState : std::uint8_t { kOpen, kClosed };
std::string_view NonConformityStateName(NonConformityState state);  // "OPEN", "CLOSED"

struct NonConformityEntry {
  std::string recorded_by;
  std::string description;
  std::string corrective_action;
  std::int64_t period_start_ms = 0;
  std::int64_t period_end_ms = 0;
  std::string related_record_id;
  std::int64_t recorded_ms = 0;
  NonConformityState state = NonConformityState::kOpen;
  std::string closed_by;  // the record id that closed it; stored only once closed

  nlohmann::json ToJson() const;  // the stored object, as the conformity query shows it
};

std::string EncodeNonConformity(const NonConformityEntry& non_conformity);
NonConformityEntry DecodeNonConformity(std::string_view key, std::string_view json);

// ---- g/proposal/<record id>: a membership change waiting for approvals (T1).
struct ProposalEntry {
  std::string change;  // the mbl.v1.MembershipChange, serialized deterministically
  std::string proposer;
  std::set<std::string> approvals;  // organizations that approved it so far
};

std::string EncodeProposal(const ProposalEntry& proposal);
ProposalEntry DecodeProposal(std::string_view key, std::string_view json);

}  // namespace mbl::chaincode
