// Command-line arguments: positional words and --flags (with or without a value).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"

namespace mbl::tools {

class Args {
 public:
  // `boolean_flags` take no value (e.g. --json, --wait); every other --flag takes one.
  static Result<Args> Parse(int argc, char** argv, int first,
                            const std::set<std::string>& boolean_flags);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& flag) const { return flags_.contains(flag); }
  std::string Get(const std::string& flag, const std::string& fallback = "") const;
  Result<std::string> Require(const std::string& flag) const;
  // The flag as a whole number in [minimum, maximum], or `fallback` when absent; anything else
  // (not a number, out of range) is an error naming the flag and the range.
  Result<std::uint64_t> GetUint(const std::string& flag, std::uint64_t fallback,
                                std::uint64_t minimum, std::uint64_t maximum) const;
  // Fails naming any flag not in `allowed`.
  Status OnlyFlags(const std::set<std::string>& allowed) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> flags_;
};

}  // namespace mbl::tools
