// Queries Q1..Q3, Q5, Q6 and their authorization (DOMAIN §6).
#include <gtest/gtest.h>

#include "chaincode/credits/exit_code.h"
#include "chaincode/queries/credit_queries.h"
#include "tests/unit/chaincode/credits_fixture.h"

namespace mbl::chaincode {
namespace {

class QueriesTest : public CreditsTest {
 protected:
  void SetUp() override {
    CreditsTest::SetUp();
    Certify(kCo2, 10 * kTonne);
    RecordResult shipped = Commit("smelter", v1::OPERATION_RESPONSIBLE,
                                  Shipment("wiremaker", "cathode", 12 * kTonne, 6 * kTonne));
    shipment_ = IdOf(shipped);
    ASSERT_TRUE(Commit("wiremaker", v1::OPERATION_RESPONSIBLE,
                       Receipt(shipment_, v1::ReceiptDecision::CONFIRM))
                    .accepted);
    v1::Record exit = Exit("cathode", 2 * kTonne, v1::SystemExit::PRODUCT);
    RecordResult retired = Commit("wiremaker", v1::OPERATION_RESPONSIBLE, exit);
    ASSERT_TRUE(retired.accepted);
    exit_code_ = ExitCodeForRecord(retired.record_id);
  }
  Result<nlohmann::json> Run(const std::string& name, std::map<std::string, std::string> params,
                             const std::string& reader) {
    return RunCreditQuery(name, params, reader, ledger_.state(), ledger_.time_ms());
  }
  std::string shipment_;
  std::string exit_code_;
};

TEST_F(QueriesTest, Q1_AccountsWithLotsAndExpiryForTheOrganizationAndItsCbs) {
  auto accounts = Run("accounts", {{"org", "smelter"}}, "smelter");
  ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
  ASSERT_EQ((*accounts)["accounts"].size(), 1u);
  EXPECT_EQ((*accounts)["accounts"][0]["valid_grams"], 4 * kTonne);
  EXPECT_GT((*accounts)["accounts"][0]["lots"][0]["expires_ms"].get<std::int64_t>(),
            ledger_.time_ms());
  EXPECT_TRUE(Run("accounts", {{"org", "smelter"}}, "cb").ok());
  EXPECT_EQ(Run("accounts", {{"org", "smelter"}}, "brand").status().code(),
            Code::kPermissionDenied);
  EXPECT_EQ(Run("accounts", {}, "smelter").status().code(), Code::kInvalidArgument);
}

TEST_F(QueriesTest, Q2_RunningPeriodStatement) {
  auto statement = Run("period-statement", {{"org", "smelter"}}, "smelter");
  ASSERT_TRUE(statement.ok());
  EXPECT_EQ((*statement)["closed"], false);
  EXPECT_EQ((*statement)["statements"][0]["issued"], 10 * kTonne);
  EXPECT_EQ((*statement)["statements"][0]["shipped"], 6 * kTonne);
  EXPECT_EQ((*statement)["statements"][0]["closing_balance"], 4 * kTonne);
  EXPECT_EQ(Run("period-statement", {{"org", "smelter"}}, "wiremaker").status().code(),
            Code::kPermissionDenied);
}

TEST_F(QueriesTest, Q3_B2BDocumentHasEveryFieldOfG321AndAReadableRendering) {
  auto document = Run("shipment-document", {{"shipment", shipment_}}, "wiremaker");
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  for (const char* field :
       {"chain_of_custody_model", "credit_method", "manufacturer", "recipient", "characteristic",
        "product_quantity_grams", "characteristic_quantity_grams", "geographical_boundary",
        "physical_presence_possible", "physical_links", "balancing_period",
        "non_proportional_attribution", "site_to_site_transfer", "certification_used",
        "guideline_referenced"}) {
    EXPECT_TRUE(document->contains(field)) << field;
  }
  EXPECT_EQ((*document)["product_quantity_grams"], 12 * kTonne);
  EXPECT_EQ((*document)["characteristic_quantity_grams"], 6 * kTonne);
  EXPECT_NE(
      (*document)["text"].get<std::string>().find("Characteristic quantity (credits): 6000000 g"),
      std::string::npos);
  EXPECT_EQ(Run("shipment-document", {{"shipment", shipment_}}, "brand").status().code(),
            Code::kPermissionDenied);
  EXPECT_TRUE(Run("shipment-document", {{"shipment", shipment_}}, "cb").ok());
}

TEST_F(QueriesTest, Q5_LineageFromAnExitBackToItsCertification) {
  auto lineage = Run("lineage", {{"exit", exit_code_}}, "cb");
  ASSERT_TRUE(lineage.ok()) << lineage.status().ToString();
  ASSERT_EQ((*lineage)["certifications"].size(), 1u);
  EXPECT_EQ((*lineage)["certifications"][0]["request"]["org"], "smelter");
  bool has_shipment = false;
  for (const auto& step : (*lineage)["records"])
    has_shipment = has_shipment || step["record_id"] == shipment_;
  EXPECT_TRUE(has_shipment);
  EXPECT_TRUE(Run("lineage", {{"exit", exit_code_}}, "wiremaker").ok()) << "a party";
  EXPECT_EQ(Run("lineage", {{"exit", exit_code_}}, "brand").status().code(),
            Code::kPermissionDenied);
  EXPECT_EQ(Run("lineage", {}, "cb").status().code(), Code::kInvalidArgument);
}

TEST_F(QueriesTest, Q6_ConformityReport) {
  auto report = Run("conformity", {{"org", "wiremaker"}}, "wiremaker");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ((*report)["r6_conservation"]["holds"], true);
  EXPECT_EQ((*report)["conforming"], true);
  v1::Record opened;
  opened.mutable_non_conformity()->set_org("wiremaker");
  opened.mutable_non_conformity()->set_description("late receipt");
  ASSERT_TRUE(Commit("cb", v1::EVALUATION_RESPONSIBLE, opened).accepted);
  report = Run("conformity", {{"org", "wiremaker"}}, "cb");
  EXPECT_EQ((*report)["open_non_conformities"].size(), 1u);
  EXPECT_EQ((*report)["conforming"], false);
}

}  // namespace
}  // namespace mbl::chaincode
