#include "chaincode/queries/exit_lookup.h"

#include "chaincode/credits/exit_code.h"

namespace mbl::chaincode {

nlohmann::json PublicExitView(const ExitEntry& exit) {
  const Provenance& provenance = exit.provenance;
  nlohmann::json view = {{"exit_code", exit.exit_code},
                         {"record_id", exit.record_id},
                         {"characteristic",
                          {{"id", exit.characteristic},
                           {"name", exit.characteristic_name},
                           {"category", exit.characteristic_category}}},
                         {"concerns", exit.scope},
                         {"product_description", exit.product_description},
                         {"product_batch", exit.product_batch},
                         {"retired_ms", exit.retired_ms},
                         {"statement", exit.statement},
                         {"provenance",
                          {{"certification_bodies", provenance.certification_bodies},
                           {"certification_years", provenance.certification_years},
                           {"value_chain_steps", provenance.value_chain_steps}}}};
  if (exit.disclose_quantities) {
    view["credit_grams"] = exit.credit_grams;
    view["product_units"] = exit.product_units;
    // The signed record is disclosed with its quantities; its signer goes into the certified
    // view so that no node can pass the record off as signed by another key (decision 0012).
    if (exit.signer) view["signer"] = *exit.signer;
  }
  return view;
}

Result<nlohmann::json> LookupExit(const StateReader& state, std::string_view code) {
  MBL_ASSIGN_OR_RETURN(std::string canonical, NormalizeExitCode(code));
  std::optional<ExitEntry> exit = GetExit(state, canonical);
  if (!exit) return NotFound("no exit record with code " + canonical + " on this ledger");
  return PublicExitView(*exit);
}

}  // namespace mbl::chaincode
