#include "chaincode/queries/readers.h"

#include "chaincode/registry.h"
#include "chaincode/state_entries.h"

namespace mbl::chaincode {
namespace {

// The sender and the receiver of a shipment the state holds (none when it holds no such one).
std::set<std::string> ShipmentParties(const StateReader& state, const std::string& shipment_id) {
  std::optional<ShipmentEntry> shipment = GetShipment(state, shipment_id);
  if (!shipment) return {};
  return {shipment->from_org, shipment->to_org};
}

std::optional<std::string> RequesterOf(const StateReader& state, const std::string& request_id) {
  std::optional<CertificateRequestEntry> request = GetCertificateRequest(state, request_id);
  if (!request) return std::nullopt;
  return request->org;
}

// Records of the governance and reference data (T1..T5), which the reference queries show to
// every member: membership, sites, characteristics, product groups, factors, accreditations.
bool IsConsortiumWide(v1::Record::BodyCase body) {
  switch (body) {
    case v1::Record::kGenesis:
    case v1::Record::kMembershipChange:
    case v1::Record::kSiteDefinition:
    case v1::Record::kCharacteristicDefinition:
    case v1::Record::kProductGroupDefinition:
    case v1::Record::kConversionFactor:
    case v1::Record::kCbAccreditation:
      return true;
    default:
      return false;
  }
}

// The counterparties a credit record names or the state knows for it (T6..T17).
void AddCounterparties(const v1::Record& record, const StateReader& state, RecordReaders& readers) {
  auto add = [&](const std::set<std::string>& orgs) {
    readers.parties.insert(orgs.begin(), orgs.end());
  };
  switch (record.body_case()) {
    case v1::Record::kCertification:  // T7: the requester whose credits it issues
      if (auto requester = RequesterOf(state, record.certification().request_id())) {
        readers.parties.insert(*requester);
      }
      break;
    case v1::Record::kShipment:  // T9: the receiver
      readers.parties.insert(record.shipment().to_org());
      break;
    case v1::Record::kReceiptDecision:  // T10: the shipment's sender
      add(ShipmentParties(state, record.receipt_decision().shipment_id()));
      break;
    case v1::Record::kProductReturn:  // T12: the original shipper
      add(ShipmentParties(state, record.product_return().shipment_id()));
      break;
    case v1::Record::kAuditResult:  // T15: the audited organization
      readers.parties.insert(record.audit_result().audited_org());
      break;
    case v1::Record::kNonConformity: {  // T16: the organization and its trading partners
      const v1::NonConformity& non_conformity = record.non_conformity();
      readers.parties.insert(non_conformity.org());
      readers.trading_partners_of = TradingPeriod{
          non_conformity.org(), non_conformity.period_start_ms(), non_conformity.period_end_ms()};
      break;
    }
    default:  // T6, T8, T11, T13, T14, T17 concern the author alone
      break;
  }
}

// `reader_org` shipped to or received from `period.org` at a time inside the period.
bool TradedWith(const StateReader& state, const std::string& reader_org,
                const TradingPeriod& period) {
  const std::string reader_quoted = "\"" + reader_org + "\"";
  const std::string org_quoted = "\"" + period.org + "\"";
  bool traded = false;
  state.Scan(keys::ShipmentPrefix(), [&](std::string_view key, std::string_view value) {
    // Most shipments name neither: skip them without parsing.
    if (value.find(reader_quoted) == std::string_view::npos ||
        value.find(org_quoted) == std::string_view::npos) {
      return true;
    }
    const ShipmentEntry shipment = DecodeShipment(key, value);
    const std::string& from = shipment.from_org;
    const std::string& to = shipment.to_org;
    const std::int64_t shipped_ms = shipment.shipped_ms;
    bool between =
        (from == period.org && to == reader_org) || (to == period.org && from == reader_org);
    bool in_period =
        shipped_ms >= period.start_ms && (period.end_ms == 0 || shipped_ms <= period.end_ms);
    traded = between && in_period;
    return !traded;
  });
  return traded;
}

}  // namespace

bool ReadsEveryOrganization(const StateReader& state, const std::string& reader_org) {
  auto organization = GetOrganization(state, reader_org);
  return organization && organization->kind() == v1::CERTIFICATION_BODY;
}

Status AuthorizeOrganizationData(const StateReader& state, const std::string& reader_org,
                                 const std::string& org, std::string_view what) {
  if (reader_org == org || ReadsEveryOrganization(state, reader_org)) return Status::Ok();
  return PermissionDenied("'" + reader_org + "' may not read " + std::string(what) + " of '" + org +
                          "' (only the organization and certification bodies may)");
}

Status AuthorizeParties(const StateReader& state, const std::string& reader_org,
                        const std::set<std::string>& parties, std::string_view what) {
  if (parties.contains(reader_org) || ReadsEveryOrganization(state, reader_org)) {
    return Status::Ok();
  }
  std::string names;
  for (const std::string& party : parties) names += (names.empty() ? "'" : ", '") + party + "'";
  return PermissionDenied("'" + reader_org + "' may not read " + std::string(what) +
                          " (only its parties " + names + " and certification bodies may)");
}

RecordReaders ReadersOfUnparsedRecord(const crypto::PublicKey& signer, const StateReader& state) {
  RecordReaders readers;
  if (auto holder = GetKeyHolder(state, signer)) readers.parties.insert(holder->organization);
  return readers;
}

RecordReaders ReadersOfRecord(const v1::Record& record, const crypto::PublicKey& signer,
                              const StateReader& state) {
  RecordReaders readers = ReadersOfUnparsedRecord(signer, state);
  readers.every_member = IsConsortiumWide(record.body_case());
  if (!record.author_org().empty()) readers.parties.insert(record.author_org());
  AddCounterparties(record, state, readers);
  readers.parties.erase("");
  return readers;
}

bool MayReadRecord(const StateReader& state, const std::string& reader_org,
                   const RecordReaders& readers) {
  if (readers.every_member || readers.parties.contains(reader_org) ||
      ReadsEveryOrganization(state, reader_org)) {
    return true;
  }
  return readers.trading_partners_of && TradedWith(state, reader_org, *readers.trading_partners_of);
}

std::string RecordTypeName(const v1::Record& record) {
  const auto* field = v1::Record::descriptor()->FindFieldByNumber(record.body_case());
  return field ? field->name() : "unknown";
}

}  // namespace mbl::chaincode
