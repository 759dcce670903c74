// The credit lifecycle T6..T10, T13 and the rules it enforces (R2, R4..R8, R10, R11, R13), with
// the conservation identity (R6) checked after every block.
#include <gtest/gtest.h>

#include "chaincode/credits/accounts.h"
#include "chaincode/credits/exit_code.h"
#include "chaincode/credits/validity.h"
#include "chaincode/queries/exit_lookup.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "tests/support/ledger_fixture.h"
#include "tests/unit/chaincode/credits_fixture.h"

namespace mbl::chaincode {
namespace {

TEST_F(CreditsTest, WorkedExample_SmelterToWireMakerToBrandToExit) {
  Certify(kCo2, 45 * kTonne);
  Certify(kRecycled, 10 * kTonne);
  EXPECT_EQ(Held("smelter", "cathode"), 45 * kTonne);

  RecordResult shipped = Commit("smelter", v1::OPERATION_RESPONSIBLE,
                                Shipment("wiremaker", "cathode", 45 * kTonne, 45 * kTonne));
  ASSERT_TRUE(shipped.accepted) << shipped.rejection.message;
  EXPECT_EQ(GetConservation(ledger_.state(), kCo2).in_transit, 45 * kTonne);
  ASSERT_TRUE(Commit("wiremaker", v1::OPERATION_RESPONSIBLE,
                     Receipt(IdOf(shipped), v1::ReceiptDecision::CONFIRM))
                  .accepted);

  v1::Record factor = Factor("cathode", "wire", 1'000'000);
  ASSERT_TRUE(Commit("wiremaker", v1::OPERATION_RESPONSIBLE, factor).accepted);
  v1::Record processing = Processing("cathode", "wire", 45 * kTonne);
  ASSERT_TRUE(Commit("wiremaker", v1::OPERATION_RESPONSIBLE, processing).accepted);
  EXPECT_EQ(Held("wiremaker", "wire"), 45 * kTonne);

  RecordResult to_brand = Commit("wiremaker", v1::OPERATION_RESPONSIBLE,
                                 Shipment("brand", "wire", 45 * kTonne, 45 * kTonne));
  ASSERT_TRUE(to_brand.accepted);
  ASSERT_TRUE(Commit("brand", v1::OPERATION_RESPONSIBLE,
                     Receipt(IdOf(to_brand), v1::ReceiptDecision::CONFIRM))
                  .accepted);

  v1::Record exit = Exit("wire", 30 * kTonne, v1::SystemExit::PART_OR_COMPONENT);
  auto* body = exit.mutable_system_exit();
  body->set_product_batch("laptops 2026-W48");
  RecordResult retired = Commit("brand", v1::OPERATION_RESPONSIBLE, exit);
  ASSERT_TRUE(retired.accepted) << retired.rejection.message;
  std::string code = nlohmann::json::parse(retired.details_json)["exit_code"];
  EXPECT_EQ(code, ExitCodeForRecord(retired.record_id));
  auto stored = nlohmann::json::parse(*ledger_.state().Get("c/exit/" + code));
  EXPECT_EQ(stored["provenance"]["cbs"], nlohmann::json::array({"cb"}));
  EXPECT_EQ(stored["provenance"]["steps"], 3);
  EXPECT_NE(stored["statement"].get<std::string>().find("cannot be guaranteed"), std::string::npos);

  Conservation co2 = GetConservation(ledger_.state(), kCo2);
  EXPECT_EQ(co2.issued, 45 * kTonne);
  EXPECT_EQ(co2.retired, 30 * kTonne);
  EXPECT_EQ(co2.held, 15 * kTonne);
  EXPECT_EQ(test_support::ReplayFromGenesis(ledger_.blocks()), ledger_.state_root());
}

TEST_F(CreditsTest, R8_ShipmentCarryingMoreCreditsThanItsMassIsRejected) {
  Certify(kCo2, 45 * kTonne);
  auto state_before = ledger_.state_root();
  RecordResult result = Commit("smelter", v1::OPERATION_RESPONSIBLE,
                               Shipment("wiremaker", "cathode", 45 * kTonne, 46 * kTonne));
  EXPECT_EQ(result.rejection.rule, "R8");
  EXPECT_EQ(Held("smelter", "cathode"), 45 * kTonne);
  EXPECT_NE(state_before, ledger_.state_root()) << "only the used-id marker changed";
}

TEST_F(CreditsTest, R4_ShippingMoreThanHeldIsRejectedWhole) {
  Certify(kCo2, 45 * kTonne);
  RecordResult result = Commit("smelter", v1::OPERATION_RESPONSIBLE,
                               Shipment("wiremaker", "cathode", 50 * kTonne, 46 * kTonne));
  EXPECT_EQ(result.rejection.rule, "R4");
  EXPECT_EQ(Held("smelter", "cathode"), 45 * kTonne);
  EXPECT_EQ(GetConservation(ledger_.state(), kCo2).in_transit, 0u);
}

TEST_F(CreditsTest, R5_DoubleSpendInsideOneBlockAndAcrossBlocks) {
  Certify(kCo2, 45 * kTonne);
  auto first = ledger_.Sign(Shipment("wiremaker", "cathode", 45 * kTonne, 45 * kTonne), "smelter",
                            v1::OPERATION_RESPONSIBLE);
  auto second = ledger_.Sign(Shipment("brand", "cathode", 45 * kTonne, 45 * kTonne), "smelter",
                             v1::OPERATION_RESPONSIBLE);
  BlockExecution block = ledger_.Commit({first, second});
  CheckAllConservation();
  EXPECT_TRUE(block.results[0].accepted);
  EXPECT_EQ(block.results[1].rejection.rule, "R4");
  RecordResult again = Commit("smelter", v1::OPERATION_RESPONSIBLE,
                              Shipment("wiremaker", "cathode", 45 * kTonne, 1));
  EXPECT_EQ(again.rejection.rule, "R4");
  EXPECT_EQ(GetConservation(ledger_.state(), kCo2).in_transit, 45 * kTonne);
}

TEST_F(CreditsTest, R5_AReceiptIsDecidedOnce) {
  Certify(kCo2, 10 * kTonne);
  RecordResult shipped = Commit("smelter", v1::OPERATION_RESPONSIBLE,
                                Shipment("wiremaker", "cathode", 10 * kTonne, 10 * kTonne));
  ASSERT_TRUE(Commit("wiremaker", v1::OPERATION_RESPONSIBLE,
                     Receipt(IdOf(shipped), v1::ReceiptDecision::CONFIRM))
                  .accepted);
  EXPECT_EQ(Commit("wiremaker", v1::OPERATION_RESPONSIBLE,
                   Receipt(IdOf(shipped), v1::ReceiptDecision::CONFIRM))
                .rejection.rule,
            "R5");
  EXPECT_EQ(Commit("wiremaker", v1::OPERATION_RESPONSIBLE,
                   Receipt(IdOf(shipped), v1::ReceiptDecision::REJECT))
                .rejection.rule,
            "R5");
  EXPECT_EQ(Held("wiremaker", "cathode"), 10 * kTonne);
}

TEST_F(CreditsTest, R3_OnlyTheReceiverDecidesOnAShipment) {
  Certify(kCo2, 10 * kTonne);
  RecordResult shipped = Commit("smelter", v1::OPERATION_RESPONSIBLE,
                                Shipment("wiremaker", "cathode", 10 * kTonne, 10 * kTonne));
  EXPECT_EQ(Commit("brand", v1::OPERATION_RESPONSIBLE,
                   Receipt(IdOf(shipped), v1::ReceiptDecision::CONFIRM))
                .rejection.rule,
            "R3");
}

TEST_F(CreditsTest, R7_ExpiredCreditsCannotBeShippedAndAreBookedExpired) {
  std::int64_t issued = ledger_.time_ms() + 1000;
  Certify(kCo2, 10 * kTonne, issued);
  std::int64_t expiry = CreditExpiryMs(ledger_.time_ms());
  v1::Record late = Shipment("wiremaker", "cathode", 10 * kTonne, 10 * kTonne);
  late.set_valid_until_ms(expiry + 1000);
  RecordResult result =
      ledger_.CommitOne(ledger_.Sign(late, "smelter", v1::OPERATION_RESPONSIBLE), expiry);
  EXPECT_EQ(result.rejection.rule, "R7");
  EXPECT_NE(result.rejection.message.find("expired"), std::string::npos);
}

TEST_F(CreditsTest, R7_RejectedReceiptReturnsCreditsWhoseLotsHaveSinceExpired) {
  Certify(kCo2, 10 * kTonne);
  RecordResult shipped = Commit("smelter", v1::OPERATION_RESPONSIBLE,
                                Shipment("wiremaker", "cathode", 10 * kTonne, 10 * kTonne));
  std::int64_t after_expiry = CreditExpiryMs(ledger_.time_ms()) + 1000;
  v1::Record reject = Receipt(IdOf(shipped), v1::ReceiptDecision::REJECT);
  reject.set_valid_until_ms(after_expiry + 1000);
  RecordResult rejected =
      ledger_.CommitOne(ledger_.Sign(reject, "wiremaker", v1::OPERATION_RESPONSIBLE), after_expiry);
  ASSERT_TRUE(rejected.accepted) << rejected.rejection.message;
  CheckAllConservation();
  EXPECT_EQ(Held("smelter", "cathode"), 10 * kTonne)
      << "back with the sender, with their old issuance time";
  v1::Record reship = Shipment("brand", "cathode", 10 * kTonne, 1);
  reship.set_valid_until_ms(after_expiry + 2000);
  RecordResult reuse = ledger_.CommitOne(ledger_.Sign(reship, "smelter", v1::OPERATION_RESPONSIBLE),
                                         after_expiry + 1000);
  EXPECT_EQ(reuse.rejection.rule, "R7");
}

TEST_F(CreditsTest, R10_RunAroundScrapNeverYieldsRecycledCredits) {
  v1::Record request;
  auto* body = request.mutable_certificate_request();
  body->set_site_id("main");
  body->set_characteristic(kRecycled);
  body->set_product_group("cathode");
  body->set_input_mass_grams(10 * kTonne);
  body->set_characteristic_mass_claimed_grams(10 * kTonne);
  body->set_run_around_scrap(true);
  EXPECT_EQ(Commit("smelter", v1::OPERATION_RESPONSIBLE, request).rejection.rule, "R10");
  body->set_characteristic(kCo2);
  EXPECT_TRUE(Commit("smelter", v1::OPERATION_RESPONSIBLE, request).accepted)
      << "other characteristics may";
}

TEST_F(CreditsTest, R11_OnlyAnAccreditedCertificationBodyIssues) {
  v1::Record withdraw;  // a characteristic the CB is not accredited for
  Commit("rs", v1::TOP_MANAGEMENT, Characteristic("cu-origin", v1::ORIGIN));
  v1::Record request;
  auto* body = request.mutable_certificate_request();
  body->set_site_id("main");
  body->set_characteristic("cu-origin");
  body->set_product_group("cathode");
  body->set_input_mass_grams(kTonne);
  body->set_characteristic_mass_claimed_grams(kTonne);
  RecordResult requested = Commit("smelter", v1::OPERATION_RESPONSIBLE, request);
  v1::Record certification;
  certification.mutable_certification()->set_request_id(IdOf(requested));
  certification.mutable_certification()->set_decision(v1::Certification::APPROVE);
  certification.mutable_certification()->set_certified_mass_grams(kTonne);
  EXPECT_EQ(Commit("cb", v1::EVALUATION_RESPONSIBLE, certification).rejection.rule, "R11");
  EXPECT_EQ(Commit("smelter", v1::EVALUATION_RESPONSIBLE, certification).rejection.rule, "R11")
      << "not a CB";
  EXPECT_EQ(GetConservation(ledger_.state(), "cu-origin").issued, 0u);
}

TEST_F(CreditsTest, R11_CertifiedMassAtMostClaimedTimesFactor) {
  v1::Record request;
  auto* body = request.mutable_certificate_request();
  body->set_site_id("main");
  body->set_characteristic(kCo2);
  body->set_product_group("cathode");
  body->set_input_mass_grams(200 * kTonne);
  body->set_characteristic_mass_claimed_grams(45 * kTonne);
  RecordResult requested = Commit("smelter", v1::OPERATION_RESPONSIBLE, request);
  v1::Record certification;
  certification.mutable_certification()->set_request_id(IdOf(requested));
  certification.mutable_certification()->set_decision(v1::Certification::APPROVE);
  certification.mutable_certification()->set_certified_mass_grams(45 * kTonne + 1);
  EXPECT_EQ(Commit("cb", v1::EVALUATION_RESPONSIBLE, certification).rejection.rule, "R11");
  certification.mutable_certification()->set_certified_mass_grams(45 * kTonne);
  EXPECT_TRUE(Commit("cb", v1::EVALUATION_RESPONSIBLE, certification).accepted);
  EXPECT_EQ(Commit("cb", v1::EVALUATION_RESPONSIBLE, certification).rejection.rule, "R5")
      << "a request is certified once";
}

TEST_F(CreditsTest, R2_ProcessingRoundsDownSoRoundingNeverCreatesCredits) {
  Certify(kCo2, 3);  // 3 g at 333 333 ppm: 0.999999 g -> 0 g, all of it a loss
  v1::Record factor = Factor("cathode", "wire", 333'333);
  ASSERT_TRUE(Commit("smelter", v1::OPERATION_RESPONSIBLE, factor).accepted);
  v1::Record processing = Processing("cathode", "wire", 3);
  RecordResult result = Commit("smelter", v1::OPERATION_RESPONSIBLE, processing);
  ASSERT_TRUE(result.accepted);
  EXPECT_EQ(nlohmann::json::parse(result.details_json)["produced_grams"], 0);
  EXPECT_EQ(GetConservation(ledger_.state(), kCo2).losses, 3u);
}

TEST_F(CreditsTest, R13_RetiredCreditsNeverMoveAgain) {
  Certify(kCo2, 10 * kTonne);
  v1::Record exit = Exit("cathode", 10 * kTonne, v1::SystemExit::PRODUCT);
  auto* body = exit.mutable_system_exit();
  ASSERT_TRUE(Commit("smelter", v1::OPERATION_RESPONSIBLE, exit).accepted);
  RecordResult again = Commit("smelter", v1::OPERATION_RESPONSIBLE, exit);
  EXPECT_EQ(again.rejection.rule, "R13") << "same again, new nonce: " << again.rejection.message;
  EXPECT_NE(again.rejection.message.find("retired credits never move again"), std::string::npos)
      << again.rejection.message;
  EXPECT_EQ(
      Commit("smelter", v1::OPERATION_RESPONSIBLE, Shipment("brand", "cathode", kTonne, kTonne))
          .rejection.rule,
      "R13");
  body->set_scope(v1::SystemExit::SCOPE_UNSPECIFIED);
  EXPECT_EQ(Commit("smelter", v1::OPERATION_RESPONSIBLE, exit).rejection.rule, "R13");
}

TEST_F(CreditsTest, R13_RetiredCreditsCannotBeShippedProcessedOrRetiredAgain) {
  Certify(kCo2, 10 * kTonne);
  ASSERT_TRUE(Commit("smelter", v1::OPERATION_RESPONSIBLE, Exit("cathode", 6 * kTonne)).accepted);
  ASSERT_TRUE(
      Commit("smelter", v1::OPERATION_RESPONSIBLE, Factor("cathode", "wire", 1'000'000)).accepted);
  const Conservation before = GetConservation(ledger_.state(), kCo2);
  // 4 t are left: asking for up to 4 + 6 t reaches into the retired credits.
  RecordResult shipped = Commit("smelter", v1::OPERATION_RESPONSIBLE,
                                Shipment("wiremaker", "cathode", 5 * kTonne, 5 * kTonne));
  EXPECT_EQ(shipped.rejection.rule, "R13") << shipped.rejection.message;
  EXPECT_NE(shipped.rejection.message.find("6000000 g of it were retired"), std::string::npos)
      << shipped.rejection.message;
  EXPECT_EQ(Commit("smelter", v1::OPERATION_RESPONSIBLE, Processing("cathode", "wire", 10 * kTonne))
                .rejection.rule,
            "R13");
  EXPECT_EQ(
      Commit("smelter", v1::OPERATION_RESPONSIBLE, Exit("cathode", 7 * kTonne)).rejection.rule,
      "R13");
  // More than was ever held, retired or not, is R4.
  EXPECT_EQ(Commit("smelter", v1::OPERATION_RESPONSIBLE,
                   Shipment("wiremaker", "cathode", 11 * kTonne, 11 * kTonne))
                .rejection.rule,
            "R4");
  // Another account of the smelter, from which nothing was retired, is short under R4.
  EXPECT_EQ(Commit("smelter", v1::OPERATION_RESPONSIBLE, Exit("wire", kTonne)).rejection.rule,
            "R4");
  // An account of an organization that retired nothing is short under R4.
  EXPECT_EQ(Commit("brand", v1::OPERATION_RESPONSIBLE, Exit("cathode", kTonne)).rejection.rule,
            "R4");
  EXPECT_EQ(GetConservation(ledger_.state(), kCo2).ToJson(), before.ToJson()) << "nothing changed";
  EXPECT_EQ(Held("smelter", "cathode"), 4 * kTonne);
}

TEST(ExitCodes, ShortCaseInsensitiveAndForgivingOfLookAlikes) {
  RecordId id = ComputeRecordId("exit");
  std::string code = ExitCodeForRecord(id);
  EXPECT_EQ(code.size(), 18u);
  EXPECT_EQ(code.substr(0, 4), "MBL-");
  std::string lower = code;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(NormalizeExitCode(lower).value(), code);
  std::string bare = code.substr(4);
  std::erase(bare, '-');
  EXPECT_EQ(NormalizeExitCode(bare).value(), code);
  EXPECT_EQ(NormalizeExitCode("MBL-OOOO-IIII-LLLL").value(), "MBL-0000-1111-1111");
  EXPECT_FALSE(NormalizeExitCode("MBL-UUUU-0000-0000").ok());
  EXPECT_FALSE(NormalizeExitCode("MBL-123").ok());
}

}  // namespace
}  // namespace mbl::chaincode

namespace mbl::chaincode {
namespace {

TEST_F(CreditsTest, Q4_ExitLookupIsAnonymisedUnlessTheCompanyOptsIn) {
  Certify(kCo2, 10 * kTonne);
  v1::Record exit = Exit("cathode", 4 * kTonne, v1::SystemExit::PACKAGING);
  auto* body = exit.mutable_system_exit();
  RecordResult hidden = Commit("smelter", v1::OPERATION_RESPONSIBLE, exit);
  body->set_disclose_quantities(true);
  RecordResult shown = Commit("smelter", v1::OPERATION_RESPONSIBLE, exit);
  auto view = LookupExit(ledger_.state(), ExitCodeForRecord(hidden.record_id));
  ASSERT_TRUE(view.ok());
  std::string text = view->dump();
  EXPECT_EQ(text.find("smelter"), std::string::npos) << "no company names: " << text;
  EXPECT_FALSE(view->contains("credit_grams"));
  EXPECT_EQ((*view)["concerns"], "packaging");
  EXPECT_EQ((*view)["provenance"]["certification_bodies"], nlohmann::json::array({"cb"}));
  auto disclosed = LookupExit(ledger_.state(), ExitCodeForRecord(shown.record_id));
  EXPECT_EQ((*disclosed)["credit_grams"], 4 * kTonne);
  EXPECT_EQ(LookupExit(ledger_.state(), "MBL-0000-0000-0000").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace mbl::chaincode
