#include "chaincode/validator_address.h"

#include <arpa/inet.h>

#include <charconv>

#include "base/limits.h"

namespace mbl::chaincode {
namespace {

constexpr std::string_view kExample =
    " (for example 10.0.0.5:7000, [2001:db8::5]:7000 or "
    "node1.smelter.example:7000)";

Status Bad(std::string_view address, std::string_view why) {
  return InvalidArgument("validator address '" + std::string(address) + "' " + std::string(why) +
                         std::string(kExample));
}

bool IsIpv4(const std::string& host) {
  in_addr parsed{};
  return inet_pton(AF_INET, host.c_str(), &parsed) == 1;
}

bool IsIpv6(const std::string& host) {
  in6_addr parsed{};
  return inet_pton(AF_INET6, host.c_str(), &parsed) == 1;
}

// RFC 1123 host name: labels of letters, digits and inner hyphens, 1..63 characters each.
bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t label_length = 0;
  char previous = '.';
  for (char c : host) {
    if (c == '.') {
      if (label_length == 0 || previous == '-') return false;
      label_length = 0;
    } else {
      const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && !(c == '-' && label_length > 0)) return false;
      if (++label_length > 63) return false;
    }
    previous = c;
  }
  return previous != '-' && previous != '.';
}

// "10.0.0.500" or "10.1" look like IPv4 addresses but are not; as host names they would be sent to
// DNS. RFC 1123 (2.1) rules out an all-numeric top-level label, so such a host is refused.
bool LastLabelIsNumeric(std::string_view host) {
  const std::size_t dot = host.rfind('.');
  std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  return !last.empty() && last.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Result<ValidatorAddress> ParseValidatorAddress(std::string_view address) {
  if (address.empty()) return Bad(address, "is empty; a validator needs host:port");
  if (address.size() > limits::kValidatorAddressBytesMax) {
    return Bad(address.substr(0, 64),
               "is longer than " + std::to_string(limits::kValidatorAddressBytesMax) + " bytes");
  }
  ValidatorAddress parsed;
  std::string_view port_text;
  if (address.front() == '[') {
    const std::size_t close = address.find(']');
    if (close == std::string_view::npos) return Bad(address, "has '[' without ']'");
    parsed.host = std::string(address.substr(1, close - 1));
    if (close + 1 >= address.size() || address[close + 1] != ':') {
      return Bad(address, "has no port after the IPv6 address");
    }
    port_text = address.substr(close + 2);
    if (!IsIpv6(parsed.host)) return Bad(address, "has no IPv6 address between '[' and ']'");
    parsed.host_is_ip = true;
  } else {
    const std::size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) return Bad(address, "has no port");
    if (address.find(':') != colon) {
      return Bad(address, "has several ':'; write an IPv6 address in brackets");
    }
    parsed.host = std::string(address.substr(0, colon));
    port_text = address.substr(colon + 1);
    if (parsed.host.empty()) return Bad(address, "has no host before the port");
    parsed.host_is_ip = IsIpv4(parsed.host);
    if (!parsed.host_is_ip && LastLabelIsNumeric(parsed.host)) {
      return Bad(address, "has a host that is not a valid IPv4 address");
    }
    if (!parsed.host_is_ip && !IsHostName(parsed.host)) {
      return Bad(address, "has a host that is neither an IP address nor a host name");
    }
  }
  std::uint32_t port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    return Bad(address, "has no port between 1 and 65535");
  }
  parsed.port = static_cast<std::uint16_t>(port);
  return parsed;
}

}  // namespace mbl::chaincode
