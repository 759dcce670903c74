#include "chaincode/queries/credit_queries.h"

#include <set>

#include "base/limits.h"
#include "chaincode/credits/accounts.h"
#include "chaincode/credits/exit_code.h"
#include "chaincode/credits/flows.h"
#include "chaincode/credits/validity.h"
#include "chaincode/queries/readers.h"
#include "chaincode/registry.h"
#include "chaincode/state_entries.h"
#include "chaincode/stored_json.h"

namespace mbl::chaincode {
namespace {

using Params = std::map<std::string, std::string>;

constexpr const char* kGuideline =
    "Guideline of mass balance credit model for copper products, v1.0 (2026)";

Result<std::string> Required(const Params& params, const char* name) {
  auto it = params.find(name);
  if (it == params.end() || it->second.empty()) {
    return InvalidArgument(std::string("query parameter '") + name + "' is required");
  }
  return it->second;
}

std::string Optional(const Params& params, const char* name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

std::vector<std::string> Characteristics(const StateReader& state) {
  std::vector<std::string> ids;
  state.Scan("g/char/", [&](std::string_view key, std::string_view) {
    if (key.find('#') == std::string_view::npos) ids.emplace_back(key.substr(7));
    return true;
  });
  return ids;
}

Result<std::int64_t> YearParam(const StateReader& state, const Params& params,
                               const std::string& org, std::int64_t now_ms) {
  std::string text = Optional(params, "fiscal_year");
  if (text.empty()) return FiscalYearOf(state, org, now_ms);
  if (text.find_first_not_of("0123456789") != std::string::npos || text.size() > 5) {
    return InvalidArgument("fiscal_year must be a year such as 2026");
  }
  return std::stoll(text);
}

Result<nlohmann::json> Accounts(const Params& params, const std::string& reader,
                                const StateReader& state, std::int64_t now_ms) {
  MBL_ASSIGN_OR_RETURN(std::string org, Required(params, "org"));
  MBL_RETURN_IF_ERROR(AuthorizeOrganizationData(state, reader, org, "the credit data"));
  // The view of each account, and its totals kept as numbers beside it.
  struct Account {
    nlohmann::json view;
    std::uint64_t valid_grams = 0;
    std::uint64_t expired_grams = 0;
  };
  std::map<std::string, Account> accounts;
  for (const std::string& characteristic : Characteristics(state)) {
    if (!Optional(params, "characteristic").empty() &&
        Optional(params, "characteristic") != characteristic)
      continue;
    std::string prefix = "c/lot/" + characteristic + "/" + org + "/";
    state.Scan(prefix, [&](std::string_view key, std::string_view value) {
      std::string_view rest = key.substr(prefix.size());
      std::string site(rest.substr(0, rest.find('/')));
      rest.remove_prefix(site.size() + 1);
      std::string group(rest.substr(0, rest.find('/')));
      if ((!Optional(params, "site").empty() && Optional(params, "site") != site) ||
          (!Optional(params, "product_group").empty() &&
           Optional(params, "product_group") != group)) {
        return true;
      }
      const Portion lot = DecodeLot(key, value);
      std::int64_t expires = CreditExpiryMs(lot.issued_ms);
      bool expired = now_ms >= expires;
      Account& account = accounts[site + "/" + characteristic + "/" + group];
      if (account.view.is_null()) {
        account.view = {{"site", site},           {"characteristic", characteristic},
                        {"product_group", group}, {"valid_grams", 0},
                        {"expired_grams", 0},     {"lots", nlohmann::json::array()}};
      }
      std::uint64_t& total = expired ? account.expired_grams : account.valid_grams;
      total += lot.grams;
      account.view[expired ? "expired_grams" : "valid_grams"] = total;
      account.view["lots"].push_back({{"id", lot.id},
                                      {"grams", lot.grams},
                                      {"issued_ms", lot.issued_ms},
                                      {"expires_ms", expires},
                                      {"expired", expired}});
      return account.view["lots"].size() < limits::kQueryResultsMax;
    });
  }
  nlohmann::json list = nlohmann::json::array();
  for (auto& [key, account] : accounts) list.push_back(std::move(account.view));
  return nlohmann::json{{"org", org}, {"as_of_ms", now_ms}, {"accounts", list}};
}

Result<nlohmann::json> Statement(const Params& params, const std::string& reader,
                                 const StateReader& state, std::int64_t now_ms) {
  MBL_ASSIGN_OR_RETURN(std::string org, Required(params, "org"));
  MBL_RETURN_IF_ERROR(AuthorizeOrganizationData(state, reader, org, "the credit data"));
  MBL_ASSIGN_OR_RETURN(std::int64_t year, YearParam(state, params, org, now_ms));
  const std::string closed_key = "c/period/" + org + "/" + std::to_string(year);
  if (auto closed = state.Get(closed_key)) {
    nlohmann::json stored = ParseStoredObject(closed_key, *closed);
    stored["closed"] = true;
    return stored;
  }
  nlohmann::json statements = nlohmann::json::array();
  for (const std::string& characteristic : CharacteristicsWithFlows(state, org)) {
    statements.push_back(PeriodStatement(state, org, characteristic, year));
  }
  return nlohmann::json{
      {"org", org}, {"fiscal_year", year}, {"closed", false}, {"statements", statements}};
}

Result<ShipmentEntry> ShipmentOf(const StateReader& state, const std::string& id) {
  std::optional<ShipmentEntry> shipment = GetShipment(state, id);
  if (!shipment) return NotFound("no shipment " + id);
  return std::move(*shipment);
}

std::string DocumentText(const nlohmann::json& d) {
  std::string text = "B2B communication of a mass balance credit attribution (G3.2.1)\n";
  auto line = [&](const std::string& label, const std::string& value) {
    text += "  " + label + ": " + value + "\n";
  };
  line("Chain of custody model", d["chain_of_custody_model"]);
  line("Credit method", d["credit_method"]);
  line("Manufacturer / site", d["manufacturer"]["org_name"].get<std::string>() + " / " +
                                  d["manufacturer"]["site"].get<std::string>());
  line("Recipient / site", d["recipient"]["org_name"].get<std::string>() + " / " +
                               d["recipient"]["site"].get<std::string>());
  line("Specified characteristic", d["characteristic"]["name"].get<std::string>());
  line("Product quantity", std::to_string(d["product_quantity_grams"].get<std::uint64_t>()) + " g");
  line("Characteristic quantity (credits)",
       std::to_string(d["characteristic_quantity_grams"].get<std::uint64_t>()) + " g");
  line("Geographical boundary", d["geographical_boundary"]);
  line("Possibility of physical presence",
       d["physical_presence_possible"].get<bool>() ? "yes" : "no");
  line("Physical links", d["physical_links"].dump());
  line("Balancing period", d["balancing_period"]["description"]);
  line("Non-proportional attribution", "applied");
  line("Site-to-site transfer", d["site_to_site_transfer"]);
  line("Certification used", d["certification_used"].dump());
  line("Guideline referenced", d["guideline_referenced"]);
  return text;
}

Result<nlohmann::json> ShipmentDocument(const Params& params, const std::string& reader,
                                        const StateReader& state) {
  MBL_ASSIGN_OR_RETURN(std::string id, Required(params, "shipment"));
  MBL_ASSIGN_OR_RETURN(ShipmentEntry shipment, ShipmentOf(state, id));
  const std::string& from = shipment.from_org;
  const std::string& to = shipment.to_org;
  MBL_RETURN_IF_ERROR(
      AuthorizeParties(state, reader, {from, to}, "the document of shipment " + id));
  auto site = GetSite(state, from, shipment.from_site);
  auto characteristic = GetCharacteristic(state, shipment.characteristic);
  std::set<std::string> cbs;
  for (const Portion& portion : shipment.portions) {
    const std::vector<std::string>& bodies = portion.provenance->value().certification_bodies;
    cbs.insert(bodies.begin(), bodies.end());
  }
  auto [start, end] = FiscalYearBounds(state, from, FiscalYearOf(state, from, shipment.shipped_ms));
  auto org_name = [&](const std::string& org) {
    auto o = GetOrganization(state, org);
    return o ? o->name() : org;
  };
  nlohmann::json document = {
      {"shipment_id", id},
      {"chain_of_custody_model", "mass balance"},
      {"credit_method", "credit method with credit accounts (ISO 22095-2)"},
      {"manufacturer", {{"org", from}, {"org_name", org_name(from)}, {"site", shipment.from_site}}},
      {"recipient", {{"org", to}, {"org_name", org_name(to)}, {"site", shipment.to_site}}},
      {"characteristic",
       {{"id", shipment.characteristic}, {"name", characteristic ? characteristic->name() : ""}}},
      {"product_group", shipment.product_group},
      {"product_quantity_grams", shipment.product_mass_grams},
      {"characteristic_quantity_grams", shipment.credit_grams},
      {"geographical_boundary", site ? site->geographic_boundary() : ""},
      {"physical_presence_possible", site && site->physical_presence_possible()},
      {"physical_links", site ? std::vector<std::string>(site->physically_linked_sites().begin(),
                                                         site->physically_linked_sites().end())
                              : std::vector<std::string>{}},
      {"balancing_period",
       {{"start_ms", start}, {"end_ms", end}, {"description", "fiscal year of the manufacturer"}}},
      {"non_proportional_attribution", true},
      {"site_to_site_transfer",
       "permitted only between sites of one organization without physical links, for product "
       "groups similar in nature (G2.3)"},
      {"certification_used", std::vector<std::string>(cbs.begin(), cbs.end())},
      {"guideline_referenced", kGuideline},
      {"state", std::string(ShipmentStateName(shipment.state))}};
  document["text"] = DocumentText(document);
  return document;
}

Result<nlohmann::json> Lineage(const Params& params, const std::string& reader,
                               const StateReader& state) {
  std::vector<std::string> lineage;
  std::set<std::string> parties;
  std::string subject;
  if (!Optional(params, "shipment").empty()) {
    subject = Optional(params, "shipment");
    MBL_ASSIGN_OR_RETURN(ShipmentEntry shipment, ShipmentOf(state, subject));
    parties = {shipment.from_org, shipment.to_org};
    for (const Portion& portion : shipment.portions) {
      const std::vector<std::string>& ids = portion.provenance->value().lineage;
      lineage.insert(lineage.end(), ids.begin(), ids.end());
    }
    lineage.push_back(subject);
  } else if (!Optional(params, "exit").empty()) {
    MBL_ASSIGN_OR_RETURN(std::string code, NormalizeExitCode(Optional(params, "exit")));
    std::optional<ExitEntry> exit = GetExit(state, code);
    if (!exit) return NotFound("no exit record with code " + code);
    subject = code;
    parties = {exit->org};
    lineage = std::move(exit->provenance.lineage);
  } else {
    return InvalidArgument("lineage needs the parameter 'shipment' or 'exit'");
  }
  MBL_RETURN_IF_ERROR(
      AuthorizeParties(state, reader, parties, "the lineage of " + subject + " (G4.7)"));
  nlohmann::json steps = nlohmann::json::array();
  nlohmann::json certifications = nlohmann::json::array();
  for (const std::string& id : lineage) {
    std::string kind = "record";
    if (std::optional<CertificateRequestEntry> request = GetCertificateRequest(state, id)) {
      kind = "certificate_request";
      certifications.push_back({{"request_id", id}, {"request", request->ToJson()}});
    } else if (state.Contains(keys::Shipment(id))) {
      kind = "shipment";
    }
    steps.push_back({{"record_id", id}, {"kind", kind}});
    if (steps.size() >= limits::kLineageNodesMax) break;
  }
  return nlohmann::json{
      {"subject", subject}, {"records", steps}, {"certifications", certifications}};
}

Result<nlohmann::json> Conformity(const Params& params, const std::string& reader,
                                  const StateReader& state, std::int64_t now_ms) {
  MBL_ASSIGN_OR_RETURN(std::string org, Required(params, "org"));
  MBL_RETURN_IF_ERROR(AuthorizeOrganizationData(state, reader, org, "the credit data"));
  MBL_ASSIGN_OR_RETURN(std::int64_t year, YearParam(state, params, org, now_ms));
  nlohmann::json conservation = nlohmann::json::array();
  bool r6 = true;
  for (const std::string& characteristic : CharacteristicsWithFlows(state, org)) {
    Status status = CheckConservation(state, characteristic);
    r6 = r6 && status.ok();
    conservation.push_back({{"characteristic", characteristic},
                            {"holds", status.ok()},
                            {"detail", status.ok() ? "" : status.message()},
                            {"counters", GetConservation(state, characteristic).ToJson()}});
  }
  std::uint64_t expired_unbooked = 0;
  for (const std::string& characteristic : Characteristics(state)) {
    state.Scan("c/lot/" + characteristic + "/" + org + "/",
               [&](std::string_view key, std::string_view value) {
                 const Portion lot = DecodeLot(key, value);
                 if (IsExpired(lot.issued_ms, now_ms)) expired_unbooked += lot.grams;
                 return true;
               });
  }
  nlohmann::json audits = nlohmann::json::array();
  state.Scan("c/audit/" + org + "/", [&](std::string_view key, std::string_view value) {
    nlohmann::json audit = ParseStoredObject(key, value);
    audit["audit_id"] = std::string(key.substr(key.rfind('/') + 1));
    audits.push_back(std::move(audit));
    return true;
  });
  nlohmann::json open_non_conformities = nlohmann::json::array();
  state.Scan(keys::NonConformityPrefix(org), [&](std::string_view key, std::string_view value) {
    const NonConformityEntry non_conformity = DecodeNonConformity(key, value);
    if (non_conformity.state == NonConformityState::kOpen) {
      nlohmann::json nc = non_conformity.ToJson();
      nc["non_conformity_id"] = std::string(key.substr(key.rfind('/') + 1));
      open_non_conformities.push_back(std::move(nc));
    }
    return true;
  });
  std::uint64_t returns = 0;
  state.Scan(keys::ShipmentPrefix(), [&](std::string_view key, std::string_view value) {
    const ShipmentEntry shipment = DecodeShipment(key, value);
    if (shipment.to_org == org && shipment.returns) ++returns;
    return true;
  });
  bool reviewed = state.Get("c/review/" + org + "/" + std::to_string(year)).has_value();
  return nlohmann::json{
      {"org", org},
      {"fiscal_year", year},
      {"r4_balances_never_negative", true},  // every record that would break R4 was rejected whole
      {"r6_conservation", {{"holds", r6}, {"characteristics", conservation}}},
      {"r7_expiry",
       {{"expired_credits_usable", false},
        {"expired_grams_not_yet_written_off", expired_unbooked}}},
      {"returns_handled", returns},
      {"audits", audits},
      {"management_review_recorded", reviewed},
      {"open_non_conformities", open_non_conformities},
      {"conforming", r6 && open_non_conformities.empty()}};
}

}  // namespace

bool IsCreditQuery(const std::string& name) {
  static const std::set<std::string> kNames = {"accounts", "period-statement", "shipment-document",
                                               "lineage", "conformity"};
  return kNames.contains(name);
}

Result<nlohmann::json> RunCreditQuery(const std::string& name, const Params& params,
                                      const std::string& reader_org, const StateReader& state,
                                      std::int64_t now_ms) {
  if (name == "accounts") return Accounts(params, reader_org, state, now_ms);
  if (name == "period-statement") return Statement(params, reader_org, state, now_ms);
  if (name == "shipment-document") return ShipmentDocument(params, reader_org, state);
  if (name == "lineage") return Lineage(params, reader_org, state);
  if (name == "conformity") return Conformity(params, reader_org, state, now_ms);
  return NotFound("no credit query named '" + name + "'");
}

}  // namespace mbl::chaincode
