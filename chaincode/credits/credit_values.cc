#include "chaincode/credits/credit_values.h"

#include <algorithm>
#include <optional>
#include <set>

#include "base/check.h"
#include "base/limits.h"
#include "chaincode/canonical_json.h"
#include "chaincode/stored_json.h"

namespace mbl::chaincode {
namespace {

// Flow names in the order nlohmann::json sorts object keys (byte order), which is the order they
// are written in; flows.h names them for the handlers.
constexpr std::array<std::string_view, FlowCounters::kFlows> kSortedFlowNames = {
    "cancelled",     "expired",  "issued",  "processed_in",
    "processed_out", "received", "retired", "returned_by_receiver",
    "shipped"};

std::optional<std::size_t> FindFlow(std::string_view flow) {
  auto it = std::find(kSortedFlowNames.begin(), kSortedFlowNames.end(), flow);
  if (it == kSortedFlowNames.end()) return std::nullopt;
  return static_cast<std::size_t>(it - kSortedFlowNames.begin());
}

template <typename T>
void MergeSorted(std::vector<T>& into, const std::vector<T>& from, std::size_t max) {
  std::set<T> merged(into.begin(), into.end());
  merged.insert(from.begin(), from.end());
  into.assign(merged.begin(), merged.end());
  if (into.size() > max) into.resize(max);
}

}  // namespace

nlohmann::json Provenance::ToJson() const {
  return {{"lineage", lineage},
          {"cbs", certification_bodies},
          {"years", certification_years},
          {"steps", value_chain_steps}};
}

Provenance Provenance::FromStored(const StoredFields& provenance) {
  Provenance p;
  p.lineage = provenance.Strings("lineage");
  p.certification_bodies = provenance.Strings("cbs");
  p.certification_years = provenance.Ints("years");
  p.value_chain_steps = provenance.Uint32("steps");
  return p;
}

void Provenance::AppendJson(std::string& out) const {
  JsonWriter json(out);
  json.BeginObject().Key("cbs").BeginArray();
  for (const std::string& cb : certification_bodies) json.String(cb);
  json.EndArray().Key("lineage").BeginArray();
  for (const std::string& id : lineage) json.String(id);
  json.EndArray().Key("steps").Uint(value_chain_steps).Key("years").BeginArray();
  for (std::int64_t year : certification_years) json.Int(year);
  json.EndArray().EndObject();
}

void Provenance::Absorb(const Provenance& other) {
  // Lineage keeps record order of first appearance; bounded so that it never grows without limit.
  for (const std::string& id : other.lineage) {
    if (lineage.size() >= limits::kLineageNodesMax) break;
    if (std::find(lineage.begin(), lineage.end(), id) == lineage.end()) lineage.push_back(id);
  }
  MergeSorted(certification_bodies, other.certification_bodies, limits::kRecordListEntriesMax);
  MergeSorted(certification_years, other.certification_years, limits::kRecordListEntriesMax);
  value_chain_steps = std::max(value_chain_steps, other.value_chain_steps);
}

SharedProvenance::SharedProvenance(Provenance value) : value_(std::move(value)) {
  value_.AppendJson(json_);
}

ProvenanceRef ShareProvenance(Provenance value) {
  return std::make_shared<const SharedProvenance>(std::move(value));
}

void WriteLot(JsonWriter& json, const Portion& lot) {
  json.BeginObject()
      .Key("grams")
      .Uint(lot.grams)
      .Key("id")
      .String(lot.id)
      .Key("issued_ms")
      .Int(lot.issued_ms)
      .Key("provenance")
      .Raw(lot.provenance->json())
      .EndObject();
}

std::string EncodeLot(const Portion& lot) {
  std::string out;
  out.reserve(96 + lot.id.size() + lot.provenance->json().size());
  JsonWriter json(out);
  WriteLot(json, lot);
  return out;
}

Portion ReadLot(const StoredFields& lot) {
  Portion portion;
  portion.id = lot.String("id");
  portion.grams = lot.Uint("grams");
  portion.issued_ms = lot.Int("issued_ms");
  portion.provenance = ShareProvenance(Provenance::FromStored(lot.Object("provenance")));
  return portion;
}

Portion DecodeLot(std::string_view key, std::string_view json) {
  return ReadLot(StoredEntry(key, json));
}

bool Conservation::Balanced() const {
  return issued == held + in_transit + retired + cancelled + expired + losses;
}

nlohmann::json Conservation::ToJson() const {
  return {{"issued", issued},   {"held", held},           {"in_transit", in_transit},
          {"retired", retired}, {"cancelled", cancelled}, {"expired", expired},
          {"losses", losses}};
}

std::string EncodeConservation(const Conservation& c) {
  std::string out;
  out.reserve(128);
  JsonWriter(out)
      .BeginObject()
      .Key("cancelled")
      .Uint(c.cancelled)
      .Key("expired")
      .Uint(c.expired)
      .Key("held")
      .Uint(c.held)
      .Key("in_transit")
      .Uint(c.in_transit)
      .Key("issued")
      .Uint(c.issued)
      .Key("losses")
      .Uint(c.losses)
      .Key("retired")
      .Uint(c.retired)
      .EndObject();
  return out;
}

Conservation DecodeConservation(std::string_view key, std::string_view text) {
  const StoredEntry counters(key, text);
  Conservation c;
  c.issued = counters.Uint("issued");
  c.held = counters.Uint("held");
  c.in_transit = counters.Uint("in_transit");
  c.retired = counters.Uint("retired");
  c.cancelled = counters.Uint("cancelled");
  c.expired = counters.Uint("expired");
  c.losses = counters.Uint("losses");
  return c;
}

std::size_t FlowIndex(std::string_view flow) {
  std::optional<std::size_t> index = FindFlow(flow);
  MBL_CHECK_MSG(index.has_value(), "unknown flow " + std::string(flow));
  return *index;
}

std::string EncodeFlows(const FlowCounters& flows) {
  std::string out;
  out.reserve(64);
  JsonWriter json(out);
  json.BeginObject();
  for (std::size_t i = 0; i < FlowCounters::kFlows; ++i) {
    if (flows.present[i]) json.Key(kSortedFlowNames[i]).Uint(flows.grams[i]);
  }
  json.EndObject();
  return out;
}

FlowCounters DecodeFlows(std::string_view key, std::string_view text) {
  const StoredEntry counters(key, text);
  FlowCounters flows;
  for (const auto& item : counters.json().items()) {
    const std::string& name = item.key();
    std::optional<std::size_t> index = FindFlow(name);
    if (!index) counters.Corrupt("'" + name + "' is not a flow");
    flows.present[*index] = true;
    flows.grams[*index] = counters.Uint(name);
  }
  return flows;
}

}  // namespace mbl::chaincode
