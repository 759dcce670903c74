// What `mbl genesis` checks before it writes a genesis: everything the nodes would refuse when
// they start from it (the chaincode's T1 rules, run on the genesis as block 0), and what is legal
// but likely a mistake in a consortium spread over several machines (docs/operations.md,
// "The genesis ceremony").
#pragma once

#include <string>
#include <vector>

#include "chaincode/envelope.h"

namespace mbl::tools {

struct GenesisFindings {
  std::vector<std::string> errors;    // the nodes would refuse it: not written
  std::vector<std::string> warnings;  // legal, but check it is what the consortium wants
};

GenesisFindings CheckGenesis(const chaincode::SignedRecord& genesis);

}  // namespace mbl::tools
