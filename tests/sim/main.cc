// mbl-sim: runs the deterministic simulators from the command line: the whole node
// (node_cluster.h) by default, the consensus core alone (cluster.h) with --core-only.
//   mbl-sim --seed 1234 --nodes 4 --rounds 30            replay one run
//   mbl-sim --seed 1 --seeds 5000 --nodes 7 --rounds 30  sweep seeds 1..5000
// Exit status 0 when every run held every invariant, 1 otherwise, 2 on bad arguments.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "tests/sim/cluster.h"
#include "tests/sim/node_cluster.h"

namespace {

bool ParseNumber(std::string_view text, std::uint64_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

int Usage() {
  std::fprintf(stderr,
               "usage: mbl-sim --seed S [--seeds COUNT] [--nodes N] [--rounds R] [--no-twins]\n"
               "               [--no-crashes] [--no-partitions] [--no-message-faults]\n"
               "               [--no-clock-skew] [--quiet] [--verbose]\n"
               "               [--core-only] [--credit-rounds K] [--no-validator-change]\n"
               "               [--inject-vote-before-persist-bug]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  mbl::sim::SimOptions options;
  std::uint64_t seeds = 1;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto number = [&](std::uint64_t& out) {
      return i + 1 < argc && ParseNumber(argv[++i], out);
    };
    std::uint64_t value = 0;
    if (arg == "--seed" && number(value)) {
      options.seed = value;
    } else if (arg == "--seeds" && number(value) && value > 0) {
      seeds = value;
    } else if (arg == "--nodes" && number(value) && value >= 1 && value <= 64) {
      options.nodes = value;
    } else if (arg == "--rounds" && number(value) && value >= 1 && value <= 100'000) {
      options.rounds = value;
    } else if (arg == "--no-twins") {
      options.twins = false;
    } else if (arg == "--no-crashes") {
      options.crashes = false;
    } else if (arg == "--no-partitions") {
      options.partitions = false;
    } else if (arg == "--no-message-faults") {
      options.message_faults = false;
    } else if (arg == "--no-clock-skew") {
      options.clock_skew = false;
    } else if (arg == "--core-only") {
      options.core_only = true;
    } else if (arg == "--credit-rounds" && number(value) && value <= 100) {
      options.credit_rounds = value;
    } else if (arg == "--no-validator-change") {
      options.validator_change = false;
    } else if (arg == "--inject-vote-before-persist-bug") {
      options.inject_vote_before_persist_bug = true;
    } else if (arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--quiet") {
      quiet = true;
    } else {
      std::fprintf(stderr, "mbl-sim: bad or incomplete argument '%s'\n", argv[i]);
      return Usage();
    }
  }
  const std::uint64_t first = options.seed;
  std::uint64_t failures = 0;
  for (std::uint64_t seed = first; seed < first + seeds; ++seed) {
    options.seed = seed;
    bool ok = true;
    std::string line;
    if (options.core_only) {
      const mbl::sim::SimResult result = mbl::sim::RunSimulation(options);
      ok = result.ok;
      line = ok ? result.Summary() : result.failure;
    } else {
      const mbl::sim::NodeSimResult result = mbl::sim::RunNodeSimulation(options);
      ok = result.ok;
      line = ok ? result.Summary() : result.failure;
    }
    if (!ok) ++failures;
    if (!ok || !quiet) {
      std::printf("seed %llu: %s\n", static_cast<unsigned long long>(seed), line.c_str());
      std::fflush(stdout);
    }
  }
  std::printf("%llu of %llu runs failed\n", static_cast<unsigned long long>(failures),
              static_cast<unsigned long long>(seeds));
  return failures == 0 ? 0 : 1;
}
