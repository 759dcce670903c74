// The address of a validator's link as the genesis and T1 changes name it: "host:port", where host
// is an IPv4 address, a bracketed IPv6 address ("[::1]:7000") or a DNS host name. Shared by
// `mbl genesis` (which checks a spec before signing it) and the node (which dials and listens), so
// the ceremony refuses what a node would later refuse; T1 refuses it in the genesis and in changes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace mbl::chaincode {

struct ValidatorAddress {
  std::string host;  // without brackets for IPv6
  std::uint16_t port = 0;
  // A literal IP address: a node can listen on it directly. A host name must be resolved to dial
  // and needs `validator_listen_address` in the node's config to listen.
  bool host_is_ip = false;
};

// kInvalidArgument with what is wrong and an example of a valid address.
Result<ValidatorAddress> ParseValidatorAddress(std::string_view address);

}  // namespace mbl::chaincode
