// T2 site / system boundary definition (G2.2), versioned.
#include "chaincode/handler.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {

HandlerResult ApplySiteDefinition(ApplyContext& context, const v1::SiteDefinition& site) {
  const std::string& org = context.record.author_org();
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE)) {
    return bad;
  }
  if (auto bad = RequireText("site_id", site.site_id())) return bad;
  if (site.site_id().find('/') != std::string::npos) {
    return Reject("FORMAT", "site_id may not contain '/'");
  }
  const std::string& area = site.area_type();
  if (area != "process" && area != "site" && area != "multiple_sites") {
    return Reject("FORMAT", "area_type must be 'process', 'site' or 'multiple_sites' (G2.2)");
  }
  if (auto bad = CheckListSize("processes", site.processes_size())) return bad;
  if (auto bad = CheckListSize("physically_linked_sites", site.physically_linked_sites_size())) {
    return bad;
  }
  if (auto bad = CheckHexHash("document_hash", site.document_hash(), false)) return bad;
  std::uint64_t version =
      PutVersioned(context.state, keys::Site(org, site.site_id()), SerializeDeterministic(site));
  context.details = {{"site", org + "/" + site.site_id()}, {"version", version}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
