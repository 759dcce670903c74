// The ledger core with real RocksDB: genesis, commits, restarts, admission refusals.
#include "node/ledger.h"

#include <gtest/gtest.h>

#include <future>

#include "crypto/encoding.h"
#include "node/ledger_views.h"
#include "tests/support/data_dir_damage.h"
#include "tests/unit/node/node_test_util.h"

namespace mbl::node {
namespace {

using testing::SiteRecord;
using testing::TempDir;

class LedgerTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Ledger>> OpenLedger() {
    return testing::OpenTestLedger(fixture_, dir_.path() / "data");
  }

  // Submits and waits until committed; returns the record JSON from the ledger.
  nlohmann::json SubmitAndWait(Ledger& ledger, const chaincode::SignedRecord& record) {
    auto outcomes = ledger.Submit({record});
    EXPECT_TRUE(outcomes[0].status.ok()) << outcomes[0].status.ToString();
    std::promise<void> done;
    ledger.WhenCommitted({outcomes[0].id}, std::chrono::seconds(10), [&] { done.set_value(); });
    done.get_future().wait();
    return RecordViewJson(
        ledger.GetRecord(outcomes[0].id, testing::ReaderOf(fixture_, "smelter")).value());
  }

  TempDir dir_;
  test_support::LedgerFixture fixture_;
};

TEST_F(LedgerTest, CommitsGenesisThenRecordsAndKeepsThemAcrossRestart) {
  std::string id_hex;
  {
    auto ledger = OpenLedger();
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    EXPECT_EQ((*ledger)->store().tip().height, 0u);
    nlohmann::json record = SubmitAndWait(**ledger, SiteRecord(fixture_, "plant"));
    EXPECT_EQ(record["status"], "accepted");
    EXPECT_EQ(record["record"]["site_definition"]["site_id"], "plant");
    id_hex = record["id"];
  }
  auto reopened = OpenLedger();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->store().tip().height, 1u);
  auto id = crypto::FixedFromHex<32>(id_hex, "id");
  EXPECT_EQ(
      RecordViewJson(
          (*reopened)->GetRecord(*id, testing::ReaderOf(fixture_, "smelter")).value())["status"],
      "accepted");
  EXPECT_TRUE((*reopened)->store().CheckIntegrity().ok());
}

TEST_F(LedgerTest, RefusesADataDirectoryOfAnotherLedger) {
  { ASSERT_TRUE(OpenLedger().ok()); }
  test_support::LedgerFixture other;
  LedgerOptions options;
  options.data_dir = dir_.path() / "data";
  options.genesis = other.genesis();
  auto ledger = Ledger::Open(std::move(options),
                             crypto::KeyPair::FromSeed(other.validator_key().secret_key.seed()));
  ASSERT_FALSE(ledger.ok());
  EXPECT_NE(ledger.status().message().find("another ledger"), std::string::npos);
}

TEST_F(LedgerTest, RefusesANodeKeyOutsideTheValidatorSet) {
  LedgerOptions options;
  options.data_dir = dir_.path() / "data";
  options.genesis = fixture_.genesis();
  auto ledger = Ledger::Open(std::move(options), crypto::KeyPair::Generate());
  ASSERT_FALSE(ledger.ok());
  EXPECT_NE(ledger.status().message().find("validator set"), std::string::npos);
}

TEST_F(LedgerTest, AdmissionRefusalsEachStoreNothing) {
  auto ledger = OpenLedger();
  ASSERT_TRUE(ledger.ok());
  chaincode::SignedRecord good = SiteRecord(fixture_, "plant");
  chaincode::SignedRecord bad_signature = good;
  bad_signature.signature[0] ^= 1;
  chaincode::SignedRecord unknown_signer =
      chaincode::SignRecord(good.payload, crypto::KeyPair::Generate());
  chaincode::SignedRecord without_role = SiteRecord(fixture_, "plant2", v1::EVALUATION_RESPONSIBLE);
  chaincode::SignedRecord too_long =
      SiteRecord(fixture_, "plant3", v1::OPERATION_RESPONSIBLE, 3LL * 24 * 3600 * 1000);
  chaincode::SignedRecord expired =
      SiteRecord(fixture_, "plant4", v1::OPERATION_RESPONSIBLE, -1000);
  chaincode::SignedRecord garbage =
      chaincode::SignRecord("\x01\x02garbage", fixture_.Key("smelter", v1::OPERATION_RESPONSIBLE));
  auto outcomes =
      (*ledger)->Submit({bad_signature, unknown_signer, without_role, too_long, expired, garbage});
  EXPECT_EQ(outcomes[0].status.code(), Code::kUnauthenticated);
  EXPECT_EQ(outcomes[1].status.code(), Code::kUnauthenticated);
  EXPECT_EQ(outcomes[2].status.code(), Code::kPermissionDenied);
  EXPECT_EQ(outcomes[3].status.code(), Code::kInvalidArgument);
  EXPECT_EQ(outcomes[4].status.code(), Code::kInvalidArgument);
  EXPECT_EQ(outcomes[5].status.code(), Code::kInvalidArgument);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ((*ledger)->store().tip().height, 0u) << "nothing refused may reach a block";
  EXPECT_EQ(HealthJson((*ledger)->Health())["mempool_records"], 0);
}

TEST_F(LedgerTest, DuplicatesAreRefusedWhilePendingAndOnceCommitted) {
  auto ledger = OpenLedger();
  ASSERT_TRUE(ledger.ok());
  chaincode::SignedRecord record = SiteRecord(fixture_, "plant");
  auto first = (*ledger)->Submit({record, record});
  EXPECT_TRUE(first[0].status.ok());
  EXPECT_EQ(first[1].status.code(), Code::kAlreadyExists);
  SubmitAndWait(**ledger, SiteRecord(fixture_, "other"));
  std::promise<void> done;
  (*ledger)->WhenCommitted({first[0].id}, std::chrono::seconds(10), [&] { done.set_value(); });
  done.get_future().wait();
  EXPECT_EQ((*ledger)->Submit({record})[0].status.code(), Code::kAlreadyExists);
}

// A genesis names no chain, so it can never be valid in a running ledger (T1).
TEST_F(LedgerTest, T1_AGenesisSubmittedToARunningLedgerIsRefusedAsInvalid) {
  auto ledger = OpenLedger();
  ASSERT_TRUE(ledger.ok());
  test_support::LedgerFixture other;
  auto outcomes = (*ledger)->Submit({other.genesis()});
  EXPECT_EQ(outcomes[0].status.code(), Code::kInvalidArgument) << outcomes[0].status.ToString();
  EXPECT_TRUE(outcomes[0].status.message().starts_with("rule T1: "))
      << outcomes[0].status.ToString();
}

// A batch gets the outcomes that admitting its records one by one, in order, would give (only the
// dry run is shared): a later copy of an admitted record is pending whatever its signature, a
// copy after a refused one is judged on its own, and the mempool keeps the batch's order.
TEST_F(LedgerTest, ABatchIsAdmittedAsItsRecordsOneByOneInOrder) {
  auto ledger = OpenLedger();
  ASSERT_TRUE(ledger.ok());
  chaincode::SignedRecord plant = SiteRecord(fixture_, "plant");
  chaincode::SignedRecord without_role = SiteRecord(fixture_, "plant2", v1::EVALUATION_RESPONSIBLE);
  chaincode::SignedRecord mill = SiteRecord(fixture_, "mill");
  // The same payload (so the same record id) with a broken signature.
  chaincode::SignedRecord bad_mill = mill;
  bad_mill.signature[0] ^= 1;
  auto outcomes =
      (*ledger)->Submit({bad_mill, plant, without_role, mill, without_role, plant, bad_mill});
  ASSERT_EQ(outcomes.size(), 7u);
  EXPECT_EQ(outcomes[0].status.code(), Code::kUnauthenticated);
  EXPECT_TRUE(outcomes[1].status.ok()) << outcomes[1].status.ToString();
  EXPECT_EQ(outcomes[2].status.code(), Code::kPermissionDenied);
  EXPECT_TRUE(outcomes[3].status.ok())
      << "judged on its own after a refused copy: " << outcomes[3].status.ToString();
  EXPECT_EQ(outcomes[4].status.code(), Code::kPermissionDenied);
  EXPECT_EQ(outcomes[4].status.message(), outcomes[2].status.message());
  for (int later : {5, 6}) {
    EXPECT_EQ(outcomes[later].status.code(), Code::kAlreadyExists) << later;
    EXPECT_NE(outcomes[later].status.message().find("already pending"), std::string::npos);
  }
  std::promise<void> done;
  (*ledger)->WhenCommitted({outcomes[1].id, outcomes[3].id}, std::chrono::seconds(10),
                           [&] { done.set_value(); });
  done.get_future().wait();
  const Reader smelter = testing::ReaderOf(fixture_, "smelter");
  nlohmann::json first = RecordViewJson((*ledger)->GetRecord(outcomes[1].id, smelter).value());
  nlohmann::json second = RecordViewJson((*ledger)->GetRecord(outcomes[3].id, smelter).value());
  EXPECT_EQ(first["status"], "accepted");
  EXPECT_EQ(second["status"], "accepted");
  EXPECT_LT(
      std::make_pair(first["height"].get<std::uint64_t>(), first["index"].get<std::uint32_t>()),
      std::make_pair(second["height"].get<std::uint64_t>(), second["index"].get<std::uint32_t>()))
      << "ordered as submitted";
  EXPECT_FALSE((*ledger)->GetRecord(outcomes[2].id, smelter).ok())
      << "a refused record is not stored";
}

TEST_F(LedgerTest, RecordBrokenByARuleIsCommittedAsRejectedWithItsRule) {
  auto ledger = OpenLedger();
  ASSERT_TRUE(ledger.ok());
  v1::Record factor;
  factor.set_valid_until_ms(testing::WallNowMs() + 60'000);
  factor.mutable_conversion_factor()->set_product_group_in("undefined-in");
  factor.mutable_conversion_factor()->set_product_group_out("undefined-out");
  factor.mutable_conversion_factor()->set_factor_ppm(1'000'000);
  nlohmann::json record =
      SubmitAndWait(**ledger, fixture_.Sign(factor, "smelter", v1::OPERATION_RESPONSIBLE));
  EXPECT_EQ(record["status"], "rejected");
  EXPECT_EQ(record["result"]["rule"], "T4");
  EXPECT_EQ((*ledger)->store().tip().height, 1u);
}

TEST_F(LedgerTest, WaitersTimeOutWhenTheirRecordNeverCommits) {
  auto ledger = OpenLedger();
  ASSERT_TRUE(ledger.ok());
  std::promise<void> done;
  auto started = std::chrono::steady_clock::now();
  (*ledger)->WhenCommitted({chaincode::ComputeRecordId("never")}, std::chrono::milliseconds(50),
                           [&] { done.set_value(); });
  ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(50));
}

// The data directory turns read-only under a running node (a read-only bind mount laid over it):
// the commit is refused before RocksDB sees it, the node says why and refuses new records, and it
// commits the waiting block by itself once the directory is writable again.
TEST_F(LedgerTest, AReadOnlyDataDirectoryStallsCommitsCleanlyAndTheyResumeWhenWritable) {
  auto ledger = OpenLedger();
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  SubmitAndWait(**ledger, SiteRecord(fixture_, "before"));
  test_support::ReadOnlyBindMount mount(dir_.path() / "data");
  if (!mount.mounted() || !mount.SetReadOnly(true)) {
    GTEST_SKIP() << "needs the right to mount (root) to lay a read-only bind mount over the "
                    "data directory";
  }
  auto outcomes = (*ledger)->Submit({SiteRecord(fixture_, "while-read-only")});
  ASSERT_TRUE(outcomes[0].status.ok()) << outcomes[0].status.ToString();
  const chaincode::RecordId id = outcomes[0].id;
  std::promise<void> committed;
  (*ledger)->WhenCommitted({id}, std::chrono::seconds(30), [&] { committed.set_value(); });
  bool stalled = false;
  for (int i = 0; i < 250 && !stalled; ++i) {
    stalled = HealthJson((*ledger)->Health())["status"] == "degraded";
    if (!stalled) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(stalled) << HealthJson((*ledger)->Health()).dump();
  const std::string error = HealthJson((*ledger)->Health())["error"];
  EXPECT_NE(error.find("is not writable (Read-only file system)"), std::string::npos) << error;
  EXPECT_NE(error.find("resumes by itself"), std::string::npos) << error;
  EXPECT_EQ((*ledger)->store().tip().height, 1u);
  EXPECT_FALSE((*ledger)->store().FindRecord(id).has_value());
  auto refused = (*ledger)->Submit({SiteRecord(fixture_, "refused")});
  EXPECT_EQ(refused[0].status.code(), Code::kUnavailable) << refused[0].status.ToString();

  ASSERT_TRUE(mount.SetReadOnly(false));
  ASSERT_EQ(committed.get_future().wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_TRUE((*ledger)->store().FindRecord(id).has_value());
  EXPECT_EQ(HealthJson((*ledger)->Health())["status"], "ok");
  EXPECT_EQ(SubmitAndWait(**ledger, SiteRecord(fixture_, "after"))["status"], "accepted");
  ledger->reset();
  auto reopened = OpenLedger();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->store().tip().height, 3u);
  EXPECT_TRUE((*reopened)->store().CheckIntegrity().ok());
}

// Admission's refusal for each kind of dry-run rejection (AdmissionRefusal): the rule and the
// message as the chaincode gave them, with the status the kind maps to.
Status RefusalOf(chaincode::RefusalKind kind, const std::string& rule) {
  return AdmissionRefusal(chaincode::Rejection{rule, "the reason", kind});
}

TEST(AdmissionRefusal, R3_UnknownSignerIsUnauthenticated) {
  Status refusal = RefusalOf(chaincode::RefusalKind::kUnauthenticated, "R3");
  EXPECT_EQ(refusal.code(), Code::kUnauthenticated);
  EXPECT_EQ(refusal.message(), "rule R3: the reason");
}

TEST(AdmissionRefusal, R3_SignerWithoutTheRightIsPermissionDenied) {
  EXPECT_EQ(RefusalOf(chaincode::RefusalKind::kNotAuthorized, "R3").code(),
            Code::kPermissionDenied);
}

TEST(AdmissionRefusal, R5_RecordAlreadyInTheLedgerAlreadyExists) {
  EXPECT_EQ(RefusalOf(chaincode::RefusalKind::kAlreadyExists, "R5").code(), Code::kAlreadyExists);
}

TEST(AdmissionRefusal, R5_FORMAT_T1_ARecordThatCanNeverBeValidIsAnInvalidArgument) {
  for (const char* rule : {"R5", "FORMAT", "T1"}) {
    Status refusal = RefusalOf(chaincode::RefusalKind::kInvalid, rule);
    EXPECT_EQ(refusal.code(), Code::kInvalidArgument) << rule;
    EXPECT_EQ(refusal.message(), "rule " + std::string(rule) + ": the reason");
  }
}

TEST(AdmissionRefusal, R4_T1_ARuleViolationIsAdmittedAndJudgedWhenOrdered) {
  for (const char* rule : {"R4", "T1", "T4"}) {
    EXPECT_TRUE(RefusalOf(chaincode::RefusalKind::kRuleViolation, rule).ok()) << rule;
  }
}

}  // namespace
}  // namespace mbl::node
