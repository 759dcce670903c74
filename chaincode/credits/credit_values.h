// The values of credit accounting as the chaincode works on them, and their canonical JSON in
// the state (docs/formats.md, "State"): provenance, lots, conservation counters and flows. The
// encoders write exactly the bytes nlohmann::json::dump() wrote for the same values before the
// block working set existed; the state root covers these bytes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mbl::chaincode {

class StoredFields;  // stored_json.h

// Provenance travelling with credits: the records they passed through (back to the
// certification), the certifying CBs, the certification years and the organizations crossed.
struct Provenance {
  std::vector<std::string> lineage;  // record ids, oldest first
  std::vector<std::string> certification_bodies;
  std::vector<std::int64_t> certification_years;
  std::uint32_t value_chain_steps = 1;

  nlohmann::json ToJson() const;
  // The provenance nested in a stored entry (a lot, a shipment's portion, an exit).
  static Provenance FromStored(const StoredFields& provenance);
  // Appends the same bytes as ToJson().dump().
  void AppendJson(std::string& out) const;
  // Union of two provenances (credits of several lots consumed together).
  void Absorb(const Provenance& other);
};

// A provenance shared by a lot and every portion taken from it, encoded once. Lineage grows with
// each step of the value chain; a lot drawn by a thousand shipments of one block would otherwise
// be copied and encoded a thousand times.
class SharedProvenance {
 public:
  explicit SharedProvenance(Provenance value);
  const Provenance& value() const { return value_; }
  const std::string& json() const { return json_; }  // == value().ToJson().dump()

 private:
  Provenance value_;
  std::string json_;
};
using ProvenanceRef = std::shared_ptr<const SharedProvenance>;
ProvenanceRef ShareProvenance(Provenance value);

// A lot to add to an account.
struct Lot {
  std::string id;
  std::uint64_t grams = 0;
  std::int64_t issued_ms = 0;  // issuance time in the holding organization (DOMAIN §3)
  Provenance provenance;
};

// A lot as an account holds it, or a portion taken from one (same issuance time and provenance).
struct Portion {
  std::string id;
  std::uint64_t grams = 0;
  std::int64_t issued_ms = 0;
  ProvenanceRef provenance;
};

class JsonWriter;

// {"grams":..,"id":..,"issued_ms":..,"provenance":{..}}: a lot, or a portion in a shipment.
void WriteLot(JsonWriter& json, const Portion& lot);
std::string EncodeLot(const Portion& lot);
// The lot stored under `key` (c/lot/...), and a lot nested in another entry (a shipment's
// portion). Malformed stored data aborts naming the key (stored_json.h).
Portion DecodeLot(std::string_view key, std::string_view json);
Portion ReadLot(const StoredFields& lot);

// Conservation counters of one characteristic (R6), in grams.
struct Conservation {
  std::uint64_t issued = 0;
  std::uint64_t held = 0;
  std::uint64_t in_transit = 0;
  std::uint64_t retired = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t expired = 0;
  std::uint64_t losses = 0;

  bool Balanced() const;
  nlohmann::json ToJson() const;
};

std::string EncodeConservation(const Conservation& counters);  // == ToJson().dump()
Conservation DecodeConservation(std::string_view key, std::string_view json);

// Grams booked per flow for one organization, characteristic and fiscal year (c/flow/...). A flow
// never booked is absent from the stored JSON, not zero, so presence is kept apart.
struct FlowCounters {
  static constexpr std::size_t kFlows = 9;
  std::array<std::uint64_t, kFlows> grams{};
  std::array<bool, kFlows> present{};
};

// Index of a flow name (kFlowIssued, ...) in FlowCounters; every name is known.
std::size_t FlowIndex(std::string_view flow);
std::string EncodeFlows(const FlowCounters& flows);  // keys sorted as nlohmann sorts them
FlowCounters DecodeFlows(std::string_view key, std::string_view json);

}  // namespace mbl::chaincode
