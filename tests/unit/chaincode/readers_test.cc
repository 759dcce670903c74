// Who reads a record's content and an organization's data (DOMAIN §6): one rule for the credit
// queries and the node's raw reads (chaincode/queries/readers.h).
#include "chaincode/queries/readers.h"

#include <gtest/gtest.h>

#include "chaincode/queries/credit_queries.h"
#include "tests/unit/chaincode/credits_fixture.h"

namespace mbl::chaincode {
namespace {

using Orgs = std::set<std::string>;

// Every member of the fixture: the requirements setter, the CB and three value-chain members.
const std::vector<std::string> kMembers = {"rs", "cb", "smelter", "wiremaker", "brand"};

struct Committed {
  v1::Record record;  // as signed, with author, chain id and nonce filled in
  crypto::PublicKey signer{};
  RecordResult result;
};

class ReadersTest : public CreditsTest {
 protected:
  void SetUp() override {
    CreditsTest::SetUp();
    request_ = CommitSigned("smelter", v1::OPERATION_RESPONSIBLE, Request(10 * kTonne));
    ASSERT_TRUE(request_.result.accepted) << request_.result.rejection.message;
    v1::Record approve;
    approve.mutable_certification()->set_request_id(IdOf(request_.result));
    approve.mutable_certification()->set_decision(v1::Certification::APPROVE);
    approve.mutable_certification()->set_certified_mass_grams(10 * kTonne);
    certification_ = CommitSigned("cb", v1::EVALUATION_RESPONSIBLE, approve);
    ASSERT_TRUE(certification_.result.accepted) << certification_.result.rejection.message;
    shipment_ = CommitSigned("smelter", v1::OPERATION_RESPONSIBLE,
                             Shipment("wiremaker", "cathode", 12 * kTonne, 6 * kTonne));
    ASSERT_TRUE(shipment_.result.accepted) << shipment_.result.rejection.message;
    shipped_ms_ = ledger_.time_ms();
    receipt_ = CommitSigned("wiremaker", v1::OPERATION_RESPONSIBLE,
                            Receipt(IdOf(shipment_.result), v1::ReceiptDecision::CONFIRM));
    ASSERT_TRUE(receipt_.result.accepted) << receipt_.result.rejection.message;
  }

  static v1::Record Request(std::uint64_t grams) {
    v1::Record record;
    auto* body = record.mutable_certificate_request();
    body->set_site_id("main");
    body->set_characteristic(kCo2);
    body->set_product_group("cathode");
    body->set_input_mass_grams(grams * 4);
    body->set_characteristic_mass_claimed_grams(grams);
    body->set_supplier("a mine the smelter keeps to itself");
    return record;
  }

  Committed CommitSigned(const std::string& org, v1::Role role, const v1::Record& record) {
    SignedRecord signed_record = ledger_.Sign(record, org, role);
    Committed committed;
    MBL_CHECK(committed.record.ParseFromString(signed_record.payload));
    committed.signer = signed_record.signer;
    committed.result = ledger_.CommitOne(signed_record);
    return committed;
  }

  // The members that may read the record's content, judged on the state as it is now.
  Orgs ContentReaders(const Committed& committed) {
    return Admitted(ReadersOfRecord(committed.record, committed.signer, ledger_.state()));
  }
  Orgs Admitted(const RecordReaders& readers) {
    Orgs admitted;
    for (const std::string& org : kMembers) {
      if (MayReadRecord(ledger_.state(), org, readers)) admitted.insert(org);
    }
    return admitted;
  }

  v1::Record NonConformityOf(const std::string& org, std::int64_t start_ms, std::int64_t end_ms) {
    v1::Record record;
    auto* body = record.mutable_non_conformity();
    body->set_org(org);
    body->set_description("credits booked to the wrong product group");
    body->set_period_start_ms(start_ms);
    body->set_period_end_ms(end_ms);
    return record;
  }

  Committed request_, certification_, shipment_, receipt_;
  std::int64_t shipped_ms_ = 0;
};

TEST_F(ReadersTest, Section6_ShipmentContentGoesToSenderReceiverAndCertificationBodies) {
  EXPECT_EQ(ContentReaders(shipment_), (Orgs{"cb", "smelter", "wiremaker"}));
}

TEST_F(ReadersTest, Section6_ReceiptAndReturnGoAlsoToTheShipmentsSender) {
  EXPECT_EQ(ContentReaders(receipt_), (Orgs{"cb", "smelter", "wiremaker"}));
  v1::Record back;
  back.mutable_product_return()->set_shipment_id(IdOf(shipment_.result));
  back.mutable_product_return()->set_returned_product_grams(2 * kTonne);
  back.mutable_product_return()->set_reason("damaged in transport");
  Committed returned = CommitSigned("wiremaker", v1::OPERATION_RESPONSIBLE, back);
  ASSERT_TRUE(returned.result.accepted) << returned.result.rejection.message;
  EXPECT_EQ(ContentReaders(returned), (Orgs{"cb", "smelter", "wiremaker"}))
      << "the original shipper is a party to the return of its shipment (R12)";
}

TEST_F(ReadersTest, Section6_CertificationGoesToTheRequesterAndTheRequestStaysWithItsAuthor) {
  EXPECT_EQ(ContentReaders(request_), (Orgs{"cb", "smelter"}));
  EXPECT_EQ(ContentReaders(certification_), (Orgs{"cb", "smelter"}));
}

TEST_F(ReadersTest, Section6_RecordsOfOneOrganizationStayWithItAndTheCertificationBodies) {
  Committed processed = CommitSigned("wiremaker", v1::OPERATION_RESPONSIBLE,
                                     Processing("cathode", "wire", 1 * kTonne));
  Committed retired =
      CommitSigned("wiremaker", v1::OPERATION_RESPONSIBLE, Exit("cathode", 1 * kTonne));
  v1::Record review;
  review.mutable_management_review()->set_year(2026);
  review.mutable_management_review()->set_summary_document_hash(std::string(64, 'e'));
  Committed reviewed = CommitSigned("wiremaker", v1::TOP_MANAGEMENT, review);
  v1::Record close;
  close.mutable_period_close()->set_fiscal_year(2025);
  Committed closed = CommitSigned("wiremaker", v1::OPERATION_RESPONSIBLE, close);
  for (const Committed* record : {&processed, &retired, &reviewed, &closed}) {
    EXPECT_EQ(ContentReaders(*record), (Orgs{"cb", "wiremaker"})) << RecordTypeName(record->record);
  }
  EXPECT_TRUE(reviewed.result.accepted) << reviewed.result.rejection.message;
}

TEST_F(ReadersTest, Section6_AuditGoesToTheAuditedOrganization) {
  v1::Record audit;
  auto* body = audit.mutable_audit_result();
  body->set_type(v1::AuditResult::THIRD_PARTY);
  body->set_audited_org("smelter");
  body->set_outcome(v1::AuditResult::CONFORMING);
  body->set_report_hash(std::string(64, 'a'));
  Committed audited = CommitSigned("cb", v1::EVALUATION_RESPONSIBLE, audit);
  ASSERT_TRUE(audited.result.accepted) << audited.result.rejection.message;
  EXPECT_EQ(ContentReaders(audited), (Orgs{"cb", "smelter"}));
}

// DOMAIN §4 T16: "visible to every organization that shipped to or received from the
// organization in the affected period".
TEST_F(ReadersTest, T16_NonConformityGoesToTheTradingPartnersOfTheAffectedPeriod) {
  Committed during =
      CommitSigned("cb", v1::EVALUATION_RESPONSIBLE,
                   NonConformityOf("wiremaker", shipped_ms_ - 60'000, shipped_ms_ + 60'000));
  ASSERT_TRUE(during.result.accepted) << during.result.rejection.message;
  EXPECT_EQ(ContentReaders(during), (Orgs{"cb", "smelter", "wiremaker"}))
      << "the smelter shipped to the wire maker in the period";
  Committed open_ended = CommitSigned("wiremaker", v1::EVALUATION_RESPONSIBLE,
                                      NonConformityOf("wiremaker", shipped_ms_ - 60'000, 0));
  EXPECT_EQ(ContentReaders(open_ended), (Orgs{"cb", "smelter", "wiremaker"}));
  Committed before =
      CommitSigned("cb", v1::EVALUATION_RESPONSIBLE,
                   NonConformityOf("wiremaker", shipped_ms_ - 120'000, shipped_ms_ - 60'000));
  EXPECT_EQ(ContentReaders(before), (Orgs{"cb", "wiremaker"}))
      << "no shipment between them in that period";
  Committed of_smelter =
      CommitSigned("cb", v1::EVALUATION_RESPONSIBLE,
                   NonConformityOf("smelter", shipped_ms_ - 60'000, shipped_ms_ + 60'000));
  EXPECT_EQ(ContentReaders(of_smelter), (Orgs{"cb", "smelter", "wiremaker"}))
      << "the wire maker received from the smelter in the period";
}

TEST_F(ReadersTest, Section6_GovernanceAndReferenceRecordsGoToEveryMember) {
  Orgs everyone(kMembers.begin(), kMembers.end());
  v1::Record genesis;
  ASSERT_TRUE(genesis.ParseFromString(ledger_.blocks().front().first.front().payload));
  EXPECT_EQ(Admitted(ReadersOfRecord(genesis, ledger_.blocks().front().first.front().signer,
                                     ledger_.state())),
            everyone);
  Committed characteristic =
      CommitSigned("rs", v1::TOP_MANAGEMENT, Characteristic("cu-fair", v1::FAIR_LABOUR));
  v1::Record site;
  site.mutable_site_definition()->set_site_id("second");
  site.mutable_site_definition()->set_area_type("site");
  Committed defined = CommitSigned("smelter", v1::OPERATION_RESPONSIBLE, site);
  Committed factor =
      CommitSigned("smelter", v1::OPERATION_RESPONSIBLE, Factor("cathode", "wire", 990'000));
  v1::Record accreditation;
  accreditation.mutable_cb_accreditation()->set_certification_body("cb");
  accreditation.mutable_cb_accreditation()->add_characteristics("cu-fair");
  Committed accredited = CommitSigned("rs", v1::TOP_MANAGEMENT, accreditation);
  for (const Committed* record : {&characteristic, &defined, &factor, &accredited}) {
    EXPECT_TRUE(record->result.accepted) << record->result.rejection.message;
    EXPECT_EQ(ContentReaders(*record), everyone) << RecordTypeName(record->record);
  }
}

TEST_F(ReadersTest, Section6_ARecordSignedForAnotherOrganizationGoesAlsoToItsSigner) {
  v1::Record forged = Shipment("brand", "cathode", 1 * kTonne, 1 * kTonne);
  forged.set_author_org("smelter");
  Committed committed = CommitSigned("brand", v1::OPERATION_RESPONSIBLE, forged);
  EXPECT_EQ(committed.result.rejection.rule, "R3");
  EXPECT_EQ(ContentReaders(committed), (Orgs{"brand", "cb", "smelter"}));
}

TEST_F(ReadersTest, Section6_APayloadThatDoesNotParseGoesToItsSignersOrganization) {
  EXPECT_EQ(Admitted(ReadersOfUnparsedRecord(
                ledger_.Key("brand", v1::OPERATION_RESPONSIBLE).public_key, ledger_.state())),
            (Orgs{"brand", "cb"}));
  EXPECT_EQ(
      Admitted(ReadersOfUnparsedRecord(crypto::KeyPair::Generate().public_key, ledger_.state())),
      (Orgs{"cb"}))
      << "a key that is no member's gives no organization a reading right";
}

TEST_F(ReadersTest, Section6_OrganizationDataGoesToItselfAndCertificationBodiesOnly) {
  for (const std::string& reader : kMembers) {
    Status status = AuthorizeOrganizationData(ledger_.state(), reader, "smelter", "the accounts");
    EXPECT_EQ(status.ok(), reader == "smelter" || reader == "cb") << reader;
    if (!status.ok()) {
      EXPECT_EQ(status.code(), Code::kPermissionDenied);
      EXPECT_NE(status.message().find("'" + reader + "' may not read the accounts of 'smelter'"),
                std::string::npos)
          << status.message();
    }
  }
}

// One rule: the queries of a shipment admit exactly the readers of the shipment record.
TEST_F(ReadersTest, Section6_QueriesAndRawReadsAdmitTheSameReaders) {
  const std::string shipment = IdOf(shipment_.result);
  Orgs document_readers, lineage_readers, account_readers;
  for (const std::string& reader : kMembers) {
    auto run = [&](const std::string& name, std::map<std::string, std::string> params) {
      return RunCreditQuery(name, params, reader, ledger_.state(), ledger_.time_ms()).ok();
    };
    if (run("shipment-document", {{"shipment", shipment}})) document_readers.insert(reader);
    if (run("lineage", {{"shipment", shipment}})) lineage_readers.insert(reader);
    if (run("accounts", {{"org", "smelter"}})) account_readers.insert(reader);
  }
  EXPECT_EQ(document_readers, ContentReaders(shipment_));
  EXPECT_EQ(lineage_readers, ContentReaders(shipment_));
  EXPECT_EQ(account_readers, ContentReaders(request_))
      << "the smelter's own records go to whoever reads its accounts";
}

}  // namespace
}  // namespace mbl::chaincode
