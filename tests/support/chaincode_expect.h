// Helpers shared by the chaincode tests: what a rejection must leave alone, and how it is checked.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>

#include "chaincode/executor.h"
#include "chaincode/state.h"

namespace mbl::test_support {

// Everything except the bookkeeping of used record ids ("r/"): what a rejection must not touch.
inline std::map<std::string, std::string> DomainState(const chaincode::MemoryState& state) {
  std::map<std::string, std::string> entries;
  state.Scan("", [&](std::string_view key, std::string_view value) {
    if (!key.starts_with("r/")) entries.emplace(key, value);
    return true;
  });
  return entries;
}

// The record was rejected under `rule`, with `message_part` in its message.
inline void ExpectRejected(const chaincode::RecordResult& result, const std::string& rule,
                           const std::string& message_part) {
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.rejection.rule, rule) << result.rejection.message;
  EXPECT_NE(result.rejection.message.find(message_part), std::string::npos)
      << result.rejection.message;
}

}  // namespace mbl::test_support
