#include "chaincode/state_entries.h"

#include <array>

#include "chaincode/canonical_json.h"
#include "chaincode/stored_json.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {
namespace {

// Indexed by the enums' values.
constexpr std::array<std::string_view, 3> kRequestStateNames = {"pending", "approved", "rejected"};
constexpr std::array<std::string_view, 3> kShipmentStateNames = {"in_transit", "received",
                                                                 "rejected"};
constexpr std::array<std::string_view, 2> kNonConformityStateNames = {"OPEN", "CLOSED"};

template <typename Entry>
std::optional<Entry> GetEntry(const StateReader& state, const std::string& key,
                              Entry (*decode)(std::string_view, std::string_view)) {
  std::optional<std::string> stored = state.Get(key);
  if (!stored) return std::nullopt;
  return decode(key, *stored);
}

}  // namespace

namespace keys {
std::string CertificateRequest(std::string_view request_id) {
  return "c/request/" + std::string(request_id);
}
std::string Shipment(std::string_view shipment_id) { return ShipmentPrefix().append(shipment_id); }
std::string ShipmentPrefix() { return "c/shipment/"; }
std::string Exit(std::string_view exit_code) { return "c/exit/" + std::string(exit_code); }
std::string NonConformity(std::string_view org, std::string_view non_conformity_id) {
  return NonConformityPrefix(org).append(non_conformity_id);
}
std::string NonConformityPrefix(std::string_view org) { return "c/nc/" + std::string(org) + "/"; }
}  // namespace keys

// ---- Certificate requests ----------------------------------------------------------------------

std::string_view RequestStateName(RequestState state) {
  return kRequestStateNames[static_cast<std::size_t>(state)];
}

nlohmann::json CertificateRequestEntry::ToJson() const {
  return {{"org", org},
          {"site", site},
          {"characteristic", characteristic},
          {"product_group", product_group},
          {"claimed_grams", claimed_grams},
          {"state", std::string(RequestStateName(state))}};
}

std::string EncodeCertificateRequest(const CertificateRequestEntry& request) {
  return request.ToJson().dump();
}

CertificateRequestEntry DecodeCertificateRequest(std::string_view key, std::string_view json) {
  const StoredEntry fields(key, json);
  CertificateRequestEntry request;
  request.org = fields.String("org");
  request.site = fields.String("site");
  request.characteristic = fields.String("characteristic");
  request.product_group = fields.String("product_group");
  request.claimed_grams = fields.Uint("claimed_grams");
  request.state = static_cast<RequestState>(fields.OneOf("state", kRequestStateNames));
  return request;
}

std::optional<CertificateRequestEntry> GetCertificateRequest(const StateReader& state,
                                                             std::string_view request_id) {
  return GetEntry(state, keys::CertificateRequest(request_id), DecodeCertificateRequest);
}

void PutCertificateRequest(WorkingState& state, std::string_view request_id,
                           const CertificateRequestEntry& request) {
  state.Put(keys::CertificateRequest(request_id), EncodeCertificateRequest(request));
}

// ---- Shipments ---------------------------------------------------------------------------------

std::string_view ShipmentStateName(ShipmentState state) {
  return kShipmentStateNames[static_cast<std::size_t>(state)];
}

std::string EncodeShipment(const ShipmentEntry& shipment) {
  std::string stored;
  stored.reserve(320 + shipment.portions.size() * 320);
  // Keys in the order nlohmann sorts them (canonical_json.h).
  JsonWriter json(stored);
  json.BeginObject();
  if (shipment.returns) json.Key("cancelled_grams").Uint(shipment.returns->cancelled_grams);
  json.Key("characteristic")
      .String(shipment.characteristic)
      .Key("credit_grams")
      .Uint(shipment.credit_grams)
      .Key("from_org")
      .String(shipment.from_org)
      .Key("from_site")
      .String(shipment.from_site)
      .Key("portions")
      .BeginArray();
  for (const Portion& portion : shipment.portions) WriteLot(json, portion);
  json.EndArray()
      .Key("product_group")
      .String(shipment.product_group)
      .Key("product_mass_grams")
      .Uint(shipment.product_mass_grams);
  if (shipment.returns) {
    json.Key("returned_product_grams").Uint(shipment.returns->returned_product_grams);
  }
  json.Key("shipped_ms")
      .Int(shipment.shipped_ms)
      .Key("state")
      .String(ShipmentStateName(shipment.state))
      .Key("to_org")
      .String(shipment.to_org)
      .Key("to_site")
      .String(shipment.to_site)
      .EndObject();
  return stored;
}

ShipmentEntry DecodeShipment(std::string_view key, std::string_view json) {
  const StoredEntry fields(key, json);
  ShipmentEntry shipment;
  shipment.from_org = fields.String("from_org");
  shipment.from_site = fields.String("from_site");
  shipment.to_org = fields.String("to_org");
  shipment.to_site = fields.String("to_site");
  shipment.characteristic = fields.String("characteristic");
  shipment.product_group = fields.String("product_group");
  shipment.product_mass_grams = fields.Uint("product_mass_grams");
  shipment.credit_grams = fields.Uint("credit_grams");
  shipment.shipped_ms = fields.Int("shipped_ms");
  for (const StoredFields& portion : fields.Objects("portions")) {
    shipment.portions.push_back(ReadLot(portion));
  }
  shipment.state = static_cast<ShipmentState>(fields.OneOf("state", kShipmentStateNames));
  // The first return writes both totals.
  if (fields.Has("returned_product_grams") || fields.Has("cancelled_grams")) {
    shipment.returns =
        ShipmentReturns{fields.Uint("returned_product_grams"), fields.Uint("cancelled_grams")};
  }
  return shipment;
}

std::optional<ShipmentEntry> GetShipment(const StateReader& state, std::string_view shipment_id) {
  return GetEntry(state, keys::Shipment(shipment_id), DecodeShipment);
}

void PutShipment(WorkingState& state, std::string_view shipment_id, const ShipmentEntry& shipment) {
  state.Put(keys::Shipment(shipment_id), EncodeShipment(shipment));
}

// ---- Exits -------------------------------------------------------------------------------------

nlohmann::json ExitEntry::ToJson() const {
  nlohmann::json json = {{"exit_code", exit_code},
                         {"record_id", record_id},
                         {"org", org},
                         {"characteristic", characteristic},
                         {"characteristic_name", characteristic_name},
                         {"characteristic_category", characteristic_category},
                         {"scope", scope},
                         {"product_description", product_description},
                         {"product_batch", product_batch},
                         {"product_units", product_units},
                         {"credit_grams", credit_grams},
                         {"disclose_quantities", disclose_quantities},
                         {"retired_ms", retired_ms},
                         {"statement", statement},
                         {"provenance", provenance.ToJson()}};
  if (signer) json["signer"] = *signer;
  return json;
}

std::string EncodeExit(const ExitEntry& exit) { return exit.ToJson().dump(); }

ExitEntry DecodeExit(std::string_view key, std::string_view json) {
  const StoredEntry fields(key, json);
  ExitEntry exit;
  exit.exit_code = fields.String("exit_code");
  exit.record_id = fields.String("record_id");
  exit.org = fields.String("org");
  exit.characteristic = fields.String("characteristic");
  exit.characteristic_name = fields.String("characteristic_name");
  exit.characteristic_category = fields.String("characteristic_category");
  exit.scope = fields.String("scope");
  exit.product_description = fields.String("product_description");
  exit.product_batch = fields.String("product_batch");
  exit.product_units = fields.Uint("product_units");
  exit.credit_grams = fields.Uint("credit_grams");
  exit.disclose_quantities = fields.Bool("disclose_quantities");
  if (fields.Has("signer")) exit.signer = fields.String("signer");
  exit.retired_ms = fields.Int("retired_ms");
  exit.statement = fields.String("statement");
  exit.provenance = Provenance::FromStored(fields.Object("provenance"));
  return exit;
}

std::optional<ExitEntry> GetExit(const StateReader& state, std::string_view exit_code) {
  return GetEntry(state, keys::Exit(exit_code), DecodeExit);
}

// ---- Non-conformities --------------------------------------------------------------------------

std::string_view NonConformityStateName(NonConformityState state) {
  return kNonConformityStateNames[static_cast<std::size_t>(state)];
}

nlohmann::json NonConformityEntry::ToJson() const {
  nlohmann::json json = {{"recorded_by", recorded_by},
                         {"description", description},
                         {"corrective_action", corrective_action},
                         {"period_start_ms", period_start_ms},
                         {"period_end_ms", period_end_ms},
                         {"related_record_id", related_record_id},
                         {"recorded_ms", recorded_ms},
                         {"state", std::string(NonConformityStateName(state))}};
  if (state == NonConformityState::kClosed) json["closed_by"] = closed_by;
  return json;
}

std::string EncodeNonConformity(const NonConformityEntry& non_conformity) {
  return non_conformity.ToJson().dump();
}

NonConformityEntry DecodeNonConformity(std::string_view key, std::string_view json) {
  const StoredEntry fields(key, json);
  NonConformityEntry non_conformity;
  non_conformity.recorded_by = fields.String("recorded_by");
  non_conformity.description = fields.String("description");
  non_conformity.corrective_action = fields.String("corrective_action");
  non_conformity.period_start_ms = fields.Int("period_start_ms");
  non_conformity.period_end_ms = fields.Int("period_end_ms");
  non_conformity.related_record_id = fields.String("related_record_id");
  non_conformity.recorded_ms = fields.Int("recorded_ms");
  non_conformity.state =
      static_cast<NonConformityState>(fields.OneOf("state", kNonConformityStateNames));
  if (non_conformity.state == NonConformityState::kClosed) {
    non_conformity.closed_by = fields.String("closed_by");
  }
  return non_conformity;
}

// ---- Membership proposals ----------------------------------------------------------------------

std::string EncodeProposal(const ProposalEntry& proposal) {
  const nlohmann::json json = {{"change", crypto::ToHex(proposal.change)},
                               {"proposer", proposal.proposer},
                               {"approvals", proposal.approvals}};
  return json.dump();
}

ProposalEntry DecodeProposal(std::string_view key, std::string_view json) {
  const StoredEntry fields(key, json);
  ProposalEntry proposal;
  proposal.change = fields.Hex("change");
  proposal.proposer = fields.String("proposer");
  for (std::string& org : fields.Strings("approvals")) proposal.approvals.insert(std::move(org));
  return proposal;
}

}  // namespace mbl::chaincode
