// Site-to-site transfers (R9), returns (R12), period close (R14), audits, non-conformities and
// management reviews (T15..T17).
#include <gtest/gtest.h>

#include "chaincode/credits/flows.h"
#include "chaincode/credits/validity.h"
#include "tests/unit/chaincode/credits_fixture.h"

namespace mbl::chaincode {
namespace {

class LifecycleTest : public CreditsTest {
 protected:
  void DefineSite(const std::string& org, const std::string& id, const std::string& linked = "") {
    v1::Record site;
    site.mutable_site_definition()->set_site_id(id);
    site.mutable_site_definition()->set_area_type("site");
    if (!linked.empty()) site.mutable_site_definition()->add_physically_linked_sites(linked);
    ASSERT_TRUE(Commit(org, v1::OPERATION_RESPONSIBLE, site).accepted);
  }
  static v1::Record Transfer(const std::string& to_site, const std::string& to_group,
                             std::uint64_t grams) {
    v1::Record record;
    auto* body = record.mutable_site_transfer();
    body->set_from_site_id("main");
    body->set_to_site_id(to_site);
    body->set_characteristic(kCo2);
    body->set_product_group_from("cathode");
    body->set_product_group_to(to_group);
    body->set_credit_grams(grams);
    return record;
  }
  // Ships `credits` with `product` grams from the smelter to the wire maker, who confirms.
  std::string ShipAndReceive(std::uint64_t product, std::uint64_t credits) {
    RecordResult shipped = Commit("smelter", v1::OPERATION_RESPONSIBLE,
                                  Shipment("wiremaker", "cathode", product, credits));
    EXPECT_TRUE(shipped.accepted) << shipped.rejection.message;
    EXPECT_TRUE(Commit("wiremaker", v1::OPERATION_RESPONSIBLE,
                       Receipt(IdOf(shipped), v1::ReceiptDecision::CONFIRM))
                    .accepted);
    return IdOf(shipped);
  }
  static v1::Record Return(const std::string& shipment, std::uint64_t grams) {
    v1::Record record;
    record.mutable_product_return()->set_shipment_id(shipment);
    record.mutable_product_return()->set_returned_product_grams(grams);
    return record;
  }
};

TEST_F(LifecycleTest, R9_TransferBetweenUnlinkedSitesOfSimilarGroupsKeepsIssuanceTime) {
  Certify(kCo2, 10 * kTonne);
  DefineSite("smelter", "second");
  RecordResult moved =
      Commit("smelter", v1::OPERATION_RESPONSIBLE, Transfer("second", "wire", 4 * kTonne));
  ASSERT_TRUE(moved.accepted) << moved.rejection.message;
  auto lots = ListLots(ledger_.state(), {"smelter", "second", kCo2, "wire"});
  ASSERT_EQ(lots.size(), 1u);
  EXPECT_EQ(lots[0].grams, 4 * kTonne);
  EXPECT_EQ(lots[0].issued_ms,
            ListLots(ledger_.state(), {"smelter", "main", kCo2, "cathode"})[0].issued_ms);
}

TEST_F(LifecycleTest, R9_TransferRefusedForPhysicallyLinkedSites) {
  Certify(kCo2, 10 * kTonne);
  DefineSite("smelter", "refinery", "smelter/main");
  EXPECT_EQ(Commit("smelter", v1::OPERATION_RESPONSIBLE, Transfer("refinery", "cathode", kTonne))
                .rejection.rule,
            "R9");
}

TEST_F(LifecycleTest, R9_TransferRefusedForGroupsNotSimilarInNature) {
  Certify(kCo2, 10 * kTonne);
  DefineSite("smelter", "second");
  RecordResult result =
      Commit("smelter", v1::OPERATION_RESPONSIBLE, Transfer("second", "computer", kTonne));
  EXPECT_EQ(result.rejection.rule, "R9");
  EXPECT_NE(result.rejection.message.find("similar in nature"), std::string::npos);
}

TEST_F(LifecycleTest, R9_ShipmentToOnesOwnOrganizationIsRefused) {
  Certify(kCo2, 10 * kTonne);
  EXPECT_EQ(
      Commit("smelter", v1::OPERATION_RESPONSIBLE, Shipment("smelter", "cathode", kTonne, kTonne))
          .rejection.rule,
      "R9");
}

// Defining a site (T2) would not help: the transfer breaks R9, whichever way it names the site.
TEST_F(LifecycleTest, R9_TransferToAnotherOrganizationsSiteIsRefusedAsR9) {
  Certify(kCo2, 10 * kTonne);
  auto before = ListLots(ledger_.state(), {"smelter", "main", kCo2, "cathode"});
  RecordResult named =
      Commit("smelter", v1::OPERATION_RESPONSIBLE, Transfer("wiremaker/main", "cathode", kTonne));
  EXPECT_EQ(named.rejection.rule, "R9") << named.rejection.message;
  EXPECT_NE(named.rejection.message.find("'wiremaker/main' is a site of 'wiremaker'"),
            std::string::npos)
      << named.rejection.message;
  EXPECT_NE(named.rejection.message.find("shipment"), std::string::npos);
  DefineSite("wiremaker", "mill");  // a site id only the wire maker has
  RecordResult plain =
      Commit("smelter", v1::OPERATION_RESPONSIBLE, Transfer("mill", "cathode", kTonne));
  EXPECT_EQ(plain.rejection.rule, "R9") << plain.rejection.message;
  EXPECT_NE(plain.rejection.message.find("'mill' is a site of 'wiremaker'"), std::string::npos)
      << plain.rejection.message;
  v1::Record from_other = Transfer("main", "cathode", kTonne);
  from_other.mutable_site_transfer()->set_from_site_id("brand/main");
  EXPECT_EQ(Commit("smelter", v1::OPERATION_RESPONSIBLE, from_other).rejection.rule, "R9");
  EXPECT_EQ(ListLots(ledger_.state(), {"smelter", "main", kCo2, "cathode"}).size(), before.size());
  // A site no member defines is still a missing definition (T2).
  EXPECT_EQ(Commit("smelter", v1::OPERATION_RESPONSIBLE, Transfer("nowhere", "cathode", kTonne))
                .rejection.rule,
            "T2");
}

TEST_F(LifecycleTest, R12_PartialReturnsCancelProRataRoundedUpSoNoCreditSurvives) {
  Certify(kCo2, 10);
  std::string shipment = ShipAndReceive(3, 2);  // 3 g of product carrying 2 g of credits
  RecordResult first = Commit("wiremaker", v1::OPERATION_RESPONSIBLE, Return(shipment, 1));
  ASSERT_TRUE(first.accepted) << first.rejection.message;
  EXPECT_EQ(nlohmann::json::parse(first.details_json)["cancelled_grams"], 1)
      << "2 x 1/3 = 0.67, rounded up";
  RecordResult second = Commit("wiremaker", v1::OPERATION_RESPONSIBLE, Return(shipment, 2));
  ASSERT_TRUE(second.accepted);
  EXPECT_EQ(nlohmann::json::parse(second.details_json)["cancelled_grams"], 1);
  EXPECT_EQ(Held("wiremaker", "cathode"), 0u);
  EXPECT_EQ(GetConservation(ledger_.state(), kCo2).cancelled, 2u);
  EXPECT_EQ(Held("smelter", "cathode"), 8u) << "the shipper never regains them";
  EXPECT_EQ(Commit("wiremaker", v1::OPERATION_RESPONSIBLE, Return(shipment, 1)).rejection.rule,
            "R12")
      << "more than shipped";
}

TEST_F(LifecycleTest, R12_ReturnRejectedWhenTheCreditsWereAlreadyUsed) {
  Certify(kCo2, 10 * kTonne);
  std::string shipment = ShipAndReceive(10 * kTonne, 10 * kTonne);
  RecordResult onward = Commit("wiremaker", v1::OPERATION_RESPONSIBLE,
                               Shipment("brand", "cathode", 10 * kTonne, 10 * kTonne));
  ASSERT_TRUE(onward.accepted);
  RecordResult result =
      Commit("wiremaker", v1::OPERATION_RESPONSIBLE, Return(shipment, 5 * kTonne));
  EXPECT_EQ(result.rejection.rule, "R12");
  EXPECT_NE(result.rejection.message.find("non-conformity"), std::string::npos);
  EXPECT_EQ(Commit("brand", v1::OPERATION_RESPONSIBLE, Return(shipment, kTonne)).rejection.rule,
            "R3");
}

TEST_F(LifecycleTest, R14_PeriodClosesOnceAndOnlyAfterItEnds) {
  Certify(kCo2, 10 * kTonne);
  std::int64_t year = FiscalYearOf(ledger_.state(), "smelter", ledger_.time_ms());
  auto [start, end] = FiscalYearBounds(ledger_.state(), "smelter", year);
  EXPECT_EQ(start, DaysFromCivil({year, 4, 1}) * 86'400'000)
      << "the fixture's fiscal year starts 1 April";
  v1::Record close;
  close.mutable_period_close()->set_fiscal_year(static_cast<std::uint32_t>(year));
  EXPECT_EQ(Commit("smelter", v1::OPERATION_RESPONSIBLE, close).rejection.rule, "R14")
      << "before it ends";
  close.set_valid_until_ms(end + 1000);
  RecordResult closed =
      ledger_.CommitOne(ledger_.Sign(close, "smelter", v1::OPERATION_RESPONSIBLE), end);
  ASSERT_TRUE(closed.accepted) << closed.rejection.message;
  auto statement =
      nlohmann::json::parse(*ledger_.state().Get("c/period/smelter/" + std::to_string(year)));
  EXPECT_EQ(statement["statements"][0]["issued"], 10 * kTonne);
  EXPECT_EQ(statement["statements"][0]["closing_balance"], 10 * kTonne);
  close.set_nonce(777);
  RecordResult twice =
      ledger_.CommitOne(ledger_.Sign(close, "smelter", v1::OPERATION_RESPONSIBLE), end + 1);
  EXPECT_EQ(twice.rejection.rule, "R14");
}

// The fixture's members joined at genesis (2026-01-01) and start their fiscal year on 1 April.
TEST_F(LifecycleTest, R14_APeriodThatEndedBeforeTheOrganizationJoinedCannotBeClosed) {
  v1::Record close;
  close.mutable_period_close()->set_fiscal_year(2024);  // 2024-04-01 .. 2025-04-01
  RecordResult before_genesis = Commit("smelter", v1::OPERATION_RESPONSIBLE, close);
  EXPECT_EQ(before_genesis.rejection.rule, "R14") << before_genesis.rejection.message;
  EXPECT_NE(before_genesis.rejection.message.find("before 'smelter' became a member"),
            std::string::npos)
      << before_genesis.rejection.message;
  EXPECT_FALSE(ledger_.state().Get("c/period/smelter/2024").has_value());

  // A member admitted on 2026-05-01: its fiscal year 2025 (to 2026-04-01) was before it joined;
  // the smelter, a member since genesis, closes that year.
  const std::int64_t admitted_ms = DaysFromCivil({2026, 5, 1}) * 86'400'000;
  crypto::KeyPair newcomer = crypto::KeyPair::Generate();
  v1::Record admit;
  v1::Organization* organization = admit.mutable_membership_change()->mutable_add_organization();
  organization->set_id("trader");
  organization->set_kind(v1::VALUE_CHAIN);
  organization->set_fiscal_year_start_month(4);
  organization->set_fiscal_year_start_day(1);
  v1::Person* person = organization->add_people();
  person->set_name("trader-ops");
  person->set_public_key(crypto::ToHex(newcomer.public_key));
  person->add_roles(v1::OPERATION_RESPONSIBLE);
  admit.set_valid_until_ms(admitted_ms);
  ASSERT_TRUE(
      ledger_.CommitOne(ledger_.Sign(admit, "rs", v1::TOP_MANAGEMENT), admitted_ms).accepted);
  const std::int64_t later_ms = admitted_ms + 86'400'000;
  auto sign_as_trader = [&](std::uint32_t year) {
    v1::Record record;
    record.set_version(1);
    record.set_chain_id(ledger_.chain_id());
    record.set_author_org("trader");
    record.set_nonce(year);
    record.set_valid_until_ms(later_ms);
    record.mutable_period_close()->set_fiscal_year(year);
    return SignRecord(SerializeDeterministic(record), newcomer);
  };
  RecordResult trader_2025 = ledger_.CommitOne(sign_as_trader(2025), later_ms);
  EXPECT_EQ(trader_2025.rejection.rule, "R14") << trader_2025.rejection.message;
  EXPECT_NE(trader_2025.rejection.message.find("became a member at " + std::to_string(admitted_ms)),
            std::string::npos)
      << trader_2025.rejection.message;
  close.mutable_period_close()->set_fiscal_year(2025);
  close.set_valid_until_ms(later_ms + 1000);
  RecordResult smelter_2025 =
      ledger_.CommitOne(ledger_.Sign(close, "smelter", v1::OPERATION_RESPONSIBLE), later_ms + 1000);
  EXPECT_TRUE(smelter_2025.accepted) << smelter_2025.rejection.message;
}

TEST_F(LifecycleTest, R14_StatementBalancesFlowsAndCarriesOver) {
  Certify(kCo2, 10 * kTonne);
  ShipAndReceive(4 * kTonne, 4 * kTonne);
  std::int64_t year = FiscalYearOf(ledger_.state(), "smelter", ledger_.time_ms());
  nlohmann::json smelter = PeriodStatement(ledger_.state(), "smelter", kCo2, year);
  EXPECT_EQ(smelter["shipped"], 4 * kTonne);
  EXPECT_EQ(smelter["closing_balance"], 6 * kTonne);
  nlohmann::json next = PeriodStatement(ledger_.state(), "smelter", kCo2, year + 1);
  EXPECT_EQ(next["opening_balance"], 6 * kTonne);
  EXPECT_EQ(PeriodStatement(ledger_.state(), "wiremaker", kCo2, year)["received"], 4 * kTonne);
}

TEST_F(LifecycleTest, T15_AuditTypesFollowWhoRecordsThem) {
  v1::Record audit;
  auto* body = audit.mutable_audit_result();
  body->set_type(v1::AuditResult::THIRD_PARTY);
  body->set_audited_org("smelter");
  body->add_site_ids("main");
  body->set_outcome(v1::AuditResult::CONFORMING);
  body->set_report_hash(std::string(64, 'd'));
  EXPECT_TRUE(Commit("cb", v1::EVALUATION_RESPONSIBLE, audit).accepted);
  EXPECT_EQ(Commit("wiremaker", v1::EVALUATION_RESPONSIBLE, audit).rejection.rule, "T15");
  EXPECT_EQ(Commit("cb", v1::OPERATION_RESPONSIBLE, audit).rejection.rule, "R3");
  body->set_type(v1::AuditResult::FIRST_PARTY);
  EXPECT_TRUE(Commit("smelter", v1::EVALUATION_RESPONSIBLE, audit).accepted);
}

TEST_F(LifecycleTest, T16_NonConformityOpensAndClosesOnce) {
  v1::Record opened;
  opened.mutable_non_conformity()->set_org("wiremaker");
  opened.mutable_non_conformity()->set_description("credits used before a return");
  RecordResult nc = Commit("cb", v1::EVALUATION_RESPONSIBLE, opened);
  ASSERT_TRUE(nc.accepted);
  EXPECT_EQ(Commit("brand", v1::EVALUATION_RESPONSIBLE, opened).rejection.rule, "R3");
  v1::Record closing = opened;
  closing.mutable_non_conformity()->set_closes_non_conformity_id(IdOf(nc));
  closing.mutable_non_conformity()->set_corrective_action("training; procedure updated");
  EXPECT_TRUE(Commit("wiremaker", v1::EVALUATION_RESPONSIBLE, closing).accepted);
  EXPECT_EQ(Commit("wiremaker", v1::EVALUATION_RESPONSIBLE, closing).rejection.rule, "T16");
}

TEST_F(LifecycleTest, T17_OneManagementReviewPerYearByTopManagement) {
  v1::Record review;
  review.mutable_management_review()->set_year(2026);
  review.mutable_management_review()->set_summary_document_hash(std::string(64, 'e'));
  EXPECT_EQ(Commit("brand", v1::OPERATION_RESPONSIBLE, review).rejection.rule, "R3");
  EXPECT_TRUE(Commit("brand", v1::TOP_MANAGEMENT, review).accepted);
  EXPECT_EQ(Commit("brand", v1::TOP_MANAGEMENT, review).rejection.rule, "T17");
}

}  // namespace
}  // namespace mbl::chaincode
