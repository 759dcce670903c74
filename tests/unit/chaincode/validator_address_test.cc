// T1: a validator's address is host:port that every other validator can dial. The genesis, the
// T1 changes and the node parse it with one function, so what `mbl genesis` accepts a node runs.
#include "chaincode/validator_address.h"

#include <gtest/gtest.h>

#include "base/limits.h"

namespace mbl::chaincode {
namespace {

TEST(ValidatorAddress, T1_AcceptsIpv4Ipv6AndHostNames) {
  auto ipv4 = ParseValidatorAddress("10.0.0.5:7000");
  ASSERT_TRUE(ipv4.ok()) << ipv4.status().message();
  EXPECT_EQ(ipv4->host, "10.0.0.5");
  EXPECT_EQ(ipv4->port, 7000);
  EXPECT_TRUE(ipv4->host_is_ip);

  auto ipv6 = ParseValidatorAddress("[2001:db8::5]:65535");
  ASSERT_TRUE(ipv6.ok()) << ipv6.status().message();
  EXPECT_EQ(ipv6->host, "2001:db8::5") << "brackets are not part of the host";
  EXPECT_EQ(ipv6->port, 65535);
  EXPECT_TRUE(ipv6->host_is_ip);

  auto name = ParseValidatorAddress("node-1.smelter.example:1");
  ASSERT_TRUE(name.ok()) << name.status().message();
  EXPECT_EQ(name->host, "node-1.smelter.example");
  EXPECT_EQ(name->port, 1);
  EXPECT_FALSE(name->host_is_ip) << "a host name must be resolved";
  EXPECT_TRUE(ParseValidatorAddress("localhost:7000").ok());
}

void ExpectRefused(const std::string& address, const std::string& why) {
  auto parsed = ParseValidatorAddress(address);
  ASSERT_FALSE(parsed.ok()) << address << " was accepted";
  EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
  const std::string& message = parsed.status().message();
  EXPECT_NE(message.find(why), std::string::npos) << message;
  EXPECT_NE(message.find("for example 10.0.0.5:7000"), std::string::npos)
      << "every refusal shows a valid address: " << message;
}

TEST(ValidatorAddress, T1_RefusesWhatNoValidatorCouldDial) {
  ExpectRefused("", "is empty");
  ExpectRefused("10.0.0.5", "has no port");
  ExpectRefused("node1.smelter.example", "has no port");
  ExpectRefused(":7000", "has no host");
  ExpectRefused("10.0.0.5:", "has no port between 1 and 65535");
  ExpectRefused("10.0.0.5:0", "has no port between 1 and 65535");
  ExpectRefused("10.0.0.5:65536", "has no port between 1 and 65535");
  ExpectRefused("10.0.0.5:70x", "has no port between 1 and 65535");
  ExpectRefused("10.0.0.5:-1", "has no port between 1 and 65535");
  ExpectRefused("2001:db8::5:7000", "write an IPv6 address in brackets");
  ExpectRefused("[2001:db8::5]7000", "has no port after the IPv6 address");
  ExpectRefused("[2001:db8::5:7000", "without ']'");
  ExpectRefused("[10.0.0.5]:7000", "no IPv6 address");
  ExpectRefused("10.0.0.500:7000", "not a valid IPv4 address");
  ExpectRefused("10.1:7000", "not a valid IPv4 address");
  ExpectRefused("smelter_node:7000", "neither an IP address nor a host name");
  ExpectRefused("-node.example:7000", "neither an IP address nor a host name");
  ExpectRefused("node..example:7000", "neither an IP address nor a host name");
  ExpectRefused("node.example.:7000", "neither an IP address nor a host name");
  ExpectRefused("http://node.example:7000", "several ':'");
  ExpectRefused(std::string(64, 'a') + ".example:7000", "neither an IP address nor a host name");
  ExpectRefused(std::string(limits::kValidatorAddressBytesMax + 1, 'a'), "is longer than");
}

}  // namespace
}  // namespace mbl::chaincode
