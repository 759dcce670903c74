// Helpers shared by the node tests: temporary directories and records signed for "now".
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "chaincode/registry.h"
#include "node/ledger.h"
#include "tests/support/ledger_fixture.h"

namespace mbl::node::testing {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("mbl-node-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

inline std::int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A site definition by the smelter's operation responsible, valid for an hour from now.
inline chaincode::SignedRecord SiteRecord(test_support::LedgerFixture& fixture,
                                          const std::string& site_id,
                                          v1::Role role = v1::OPERATION_RESPONSIBLE,
                                          std::int64_t valid_for_ms = 60 * 60 * 1000) {
  v1::Record record;
  record.set_valid_until_ms(WallNowMs() + valid_for_ms);
  auto* site = record.mutable_site_definition();
  site->set_site_id(site_id);
  site->set_area_type("site");
  return fixture.Sign(record, "smelter", role);
}

// A signed reader as the node identifies it: a person of `org` with `role` (node/ledger_service.h).
inline Reader ReaderOf(const test_support::LedgerFixture& fixture, const std::string& org,
                       v1::Role role = v1::OPERATION_RESPONSIBLE) {
  return Reader{fixture.Key(org, role).public_key, org, {chaincode::RoleName(role)}};
}

// Opens a ledger for the fixture's genesis and validator key, cutting blocks every 5 ms.
inline Result<std::unique_ptr<Ledger>> OpenTestLedger(const test_support::LedgerFixture& fixture,
                                                      const std::filesystem::path& data_dir) {
  LedgerOptions options;
  options.data_dir = data_dir;
  options.genesis = fixture.genesis();
  options.ordering.block_interval = std::chrono::milliseconds(5);
  return Ledger::Open(std::move(options),
                      crypto::KeyPair::FromSeed(fixture.validator_key().secret_key.seed()));
}

}  // namespace mbl::node::testing
