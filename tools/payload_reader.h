// The one rule by which both exit verifiers (tools/exit_verify.cc and web/verify.html) read the
// Protobuf payloads of a genesis and of an exit record, without the chaincode (docs/formats.md,
// "Reading payloads in a verifier"). The rule reads only the fields a verifier needs and refuses
// every encoding on which Protobuf parsers could disagree about those fields (a duplicated
// singular field, a known field with another wire type, two bodies of the record's oneof, groups),
// so that whatever it accepts means the same to it, to the page and to the ledger's own parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace mbl::tools {

struct GenesisOrganization {
  std::string id;
  std::string name;
  std::vector<std::string> person_keys;  // lowercase hex, as listed
};

struct GenesisView {
  // Lowercase hex, in the order the ledger indexes its validators (byte order of the keys as
  // written in the genesis, which is the order of their state keys).
  std::vector<std::string> validators;
  std::vector<GenesisOrganization> organizations;
};

// Errors are InvalidArgument with a message saying which field breaks which part of the rule.
Result<GenesisView> ReadGenesisPayload(std::string_view payload);

struct ExitRecordView {
  std::uint32_t version = 0;
  std::string chain_id;  // raw bytes
  std::string author_org;
  std::string site_id;
  std::string characteristic;
  std::string product_group;
  std::uint64_t credit_grams = 0;
  std::string product_description;
  std::string product_batch;
  std::uint32_t scope = 0;  // mbl.v1.SystemExit.Scope
  std::uint64_t product_units = 0;
  bool disclose_quantities = false;
};

// A record payload whose body is a system exit (T13); anything else is an error.
Result<ExitRecordView> ReadExitRecordPayload(std::string_view payload);

// "product", "part or component", "packaging", or "" for any other scope (as T13 names them).
std::string_view ScopeName(std::uint32_t scope);

}  // namespace mbl::tools
