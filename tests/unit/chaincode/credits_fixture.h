// The credit-lifecycle fixture: the consortium's reference data, the CB's accreditation and
// one site per value-chain organization, with helpers to certify, ship and receive. R6 is
// checked after every block.
#pragma once

#include <gtest/gtest.h>

#include "chaincode/credits/accounts.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "tests/support/ledger_fixture.h"

namespace mbl::chaincode {

using test_support::LedgerFixture;
inline constexpr std::uint64_t kTonne = 1'000'000;  // grams
inline constexpr const char* kCo2 = "cu-8.0-mix";
inline constexpr const char* kRecycled = "cu-re-mix";

inline v1::Record CharacteristicRecord(const std::string& id, v1::CharacteristicCategory category) {
  v1::Record record;
  record.mutable_characteristic_definition()->set_id(id);
  record.mutable_characteristic_definition()->set_name(id);
  record.mutable_characteristic_definition()->set_category(category);
  return record;
}

// The consortium's reference data (two characteristics, product groups cathode and wire of
// nature copper and computer of nature electronics), the CB accredited for both characteristics,
// and a site "main" for the smelter, the wire maker and the brand.
inline void DefineValueChain(LedgerFixture& ledger) {
  auto commit = [&](const std::string& org, v1::Role role, const v1::Record& record) {
    RecordResult result = ledger.CommitOne(ledger.Sign(record, org, role));
    MBL_CHECK_MSG(result.accepted, result.rejection.message);
  };
  commit("rs", v1::TOP_MANAGEMENT, CharacteristicRecord(kCo2, v1::GHG_REDUCED));
  commit("rs", v1::TOP_MANAGEMENT, CharacteristicRecord(kRecycled, v1::RECYCLED_CONTENT));
  for (const char* group : {"cathode", "wire", "computer"}) {
    v1::Record record;
    record.mutable_product_group_definition()->set_id(group);
    record.mutable_product_group_definition()->set_nature(
        std::string(group) == "computer" ? "electronics" : "copper");
    commit("rs", v1::TOP_MANAGEMENT, record);
  }
  v1::Record accreditation;
  accreditation.mutable_cb_accreditation()->set_certification_body("cb");
  accreditation.mutable_cb_accreditation()->add_characteristics(kCo2);
  accreditation.mutable_cb_accreditation()->add_characteristics(kRecycled);
  commit("rs", v1::TOP_MANAGEMENT, accreditation);
  for (const char* org : {"smelter", "wiremaker", "brand"}) {
    v1::Record site;
    site.mutable_site_definition()->set_site_id("main");
    site.mutable_site_definition()->set_area_type("site");
    commit(org, v1::OPERATION_RESPONSIBLE, site);
  }
}

class CreditsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DefineValueChain(ledger_);
    CheckAllConservation();
  }

  static v1::Record Characteristic(const std::string& id, v1::CharacteristicCategory category) {
    return CharacteristicRecord(id, category);
  }

  RecordResult Commit(const std::string& org, v1::Role role, const v1::Record& record,
                      std::int64_t time_ms = 0) {
    RecordResult result = ledger_.CommitOne(ledger_.Sign(record, org, role), time_ms);
    CheckAllConservation();
    return result;
  }

  void CheckAllConservation() {
    for (const char* characteristic : {kCo2, kRecycled}) {
      Status status = CheckConservation(ledger_.state(), characteristic);
      ASSERT_TRUE(status.ok()) << status.message();
    }
  }

  static std::string IdOf(const RecordResult& result) { return crypto::ToHex(result.record_id); }

  // T6 + T7: certified credits into the smelter's cathode account. Returns the lot id.
  std::string Certify(const char* characteristic, std::uint64_t grams, std::int64_t time_ms = 0) {
    v1::Record request;
    auto* body = request.mutable_certificate_request();
    body->set_site_id("main");
    body->set_characteristic(characteristic);
    body->set_product_group("cathode");
    body->set_input_mass_grams(grams * 4);
    body->set_characteristic_mass_claimed_grams(grams);
    RecordResult requested = Commit("smelter", v1::OPERATION_RESPONSIBLE, request, time_ms);
    EXPECT_TRUE(requested.accepted) << requested.rejection.message;
    v1::Record certification;
    certification.mutable_certification()->set_request_id(IdOf(requested));
    certification.mutable_certification()->set_decision(v1::Certification::APPROVE);
    certification.mutable_certification()->set_certified_mass_grams(grams);
    RecordResult certified = Commit("cb", v1::EVALUATION_RESPONSIBLE, certification, time_ms);
    EXPECT_TRUE(certified.accepted) << certified.rejection.message;
    return IdOf(certified);
  }

  static v1::Record Shipment(const std::string& to, const std::string& group, std::uint64_t product,
                             std::uint64_t credits, const char* characteristic = kCo2) {
    v1::Record record;
    auto* body = record.mutable_shipment();
    body->set_from_site_id("main");
    body->set_to_org(to);
    body->set_to_site_id("main");
    body->set_characteristic(characteristic);
    body->set_product_group(group);
    body->set_product_mass_grams(product);
    body->set_credit_grams(credits);
    return record;
  }

  static v1::Record Factor(const std::string& in, const std::string& out, std::uint32_t ppm) {
    v1::Record record;
    record.mutable_conversion_factor()->set_product_group_in(in);
    record.mutable_conversion_factor()->set_product_group_out(out);
    record.mutable_conversion_factor()->set_factor_ppm(ppm);
    record.mutable_conversion_factor()->set_method_document_hash(std::string(64, 'b'));
    return record;
  }

  static v1::Record Processing(const std::string& in, const std::string& out, std::uint64_t grams) {
    v1::Record record;
    record.mutable_processing()->set_site_id("main");
    record.mutable_processing()->set_characteristic(kCo2);
    record.mutable_processing()->set_product_group_in(in);
    record.mutable_processing()->set_product_group_out(out);
    record.mutable_processing()->set_consumed_grams(grams);
    return record;
  }

  static v1::Record Exit(const std::string& group, std::uint64_t grams,
                         v1::SystemExit::Scope scope = v1::SystemExit::PRODUCT) {
    v1::Record record;
    auto* body = record.mutable_system_exit();
    body->set_site_id("main");
    body->set_characteristic(kCo2);
    body->set_product_group(group);
    body->set_credit_grams(grams);
    body->set_scope(scope);
    return record;
  }

  static v1::Record Receipt(const std::string& shipment_id,
                            v1::ReceiptDecision::Decision decision) {
    v1::Record record;
    record.mutable_receipt_decision()->set_shipment_id(shipment_id);
    record.mutable_receipt_decision()->set_decision(decision);
    record.mutable_receipt_decision()->set_reason("quality claim");
    return record;
  }

  std::uint64_t Held(const std::string& org, const std::string& group,
                     const char* characteristic = kCo2) {
    return SumLots(ledger_.state(), AccountPrefix({org, "main", characteristic, group}));
  }

  LedgerFixture ledger_;
};

}  // namespace mbl::chaincode
