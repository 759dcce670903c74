#include "chaincode/reference_queries.h"

#include <google/protobuf/util/json_util.h>

#include "base/limits.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {
namespace {

nlohmann::json MessageJson(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  MBL_CHECK(google::protobuf::util::MessageToJsonString(message, &text, options).ok());
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  MBL_CHECK_MSG(!json.is_discarded(), "Protobuf wrote JSON that does not parse: " + text);
  return json;
}

// Lists the latest version of every entry under `prefix` (skipping version history keys).
template <typename Message>
nlohmann::json ListLatest(const StateReader& state, const std::string& prefix) {
  nlohmann::json out = nlohmann::json::array();
  state.Scan(prefix, [&](std::string_view key, std::string_view value) {
    if (key.find('#') != std::string_view::npos) return true;
    Message message;
    MBL_CHECK(message.ParseFromArray(value.data(), static_cast<int>(value.size())));
    out.push_back(MessageJson(message));
    return out.size() < limits::kQueryResultsMax;
  });
  return out;
}

Result<std::string> Param(const std::map<std::string, std::string>& params, const char* name) {
  auto it = params.find(name);
  if (it == params.end() || it->second.empty()) {
    return InvalidArgument(std::string("query parameter '") + name + "' is required");
  }
  return it->second;
}

}  // namespace

std::string ReferenceQueryNames() {
  return "organizations, sites (org), characteristics, product-groups, conversion-factors (org)";
}

Result<nlohmann::json> RunReferenceQuery(const std::string& name,
                                         const std::map<std::string, std::string>& params,
                                         const StateReader& state) {
  if (name == "organizations") {
    return nlohmann::json{{"organizations", ListLatest<v1::Organization>(state, "g/org/")}};
  }
  if (name == "sites") {
    MBL_ASSIGN_OR_RETURN(std::string org, Param(params, "org"));
    return nlohmann::json{{"org", org},
                          {"sites", ListLatest<v1::SiteDefinition>(state, "g/site/" + org + "/")}};
  }
  if (name == "characteristics") {
    return nlohmann::json{
        {"characteristics", ListLatest<v1::CharacteristicDefinition>(state, "g/char/")}};
  }
  if (name == "product-groups") {
    return nlohmann::json{
        {"product_groups", ListLatest<v1::ProductGroupDefinition>(state, "g/group/")}};
  }
  if (name == "conversion-factors") {
    MBL_ASSIGN_OR_RETURN(std::string org, Param(params, "org"));
    return nlohmann::json{{"org", org},
                          {"conversion_factors", ListLatest<v1::ConversionFactorDefinition>(
                                                     state, "g/factor/" + org + "/")}};
  }
  return NotFound("no query named '" + name + "'; queries: " + ReferenceQueryNames() +
                  ", accounts, period-statement, shipment-document, lineage, conformity");
}

}  // namespace mbl::chaincode
