#include "tests/sim/sim_client.h"

#include "chaincode/proto/records.pb.h"
#include "crypto/encoding.h"

namespace mbl::sim {
namespace {

constexpr std::uint64_t kCertifiedGramsPerRound = 10'000'000;  // 10 t of credits a round

using Fixture = test_support::LedgerFixture;

v1::Record Characteristic(const std::string& id, v1::CharacteristicCategory category) {
  v1::Record record;
  record.mutable_characteristic_definition()->set_id(id);
  record.mutable_characteristic_definition()->set_name(id);
  record.mutable_characteristic_definition()->set_category(category);
  return record;
}

ClientStep Step(std::vector<chaincode::SignedRecord> records) {
  ClientStep step;
  step.records = std::move(records);
  return step;
}

std::string IdOf(const chaincode::SignedRecord& record) {
  return crypto::ToHex(chaincode::ComputeRecordId(record.payload));
}

void AddReferenceData(Fixture& fixture, ClientScript& script) {
  auto rs = [&](const v1::Record& record) {
    return fixture.Sign(record, "rs", v1::TOP_MANAGEMENT);
  };
  script.steps.push_back(Step({rs(Characteristic(kSimCharacteristics[0], v1::GHG_REDUCED))}));
  script.steps.push_back(Step({rs(Characteristic(kSimCharacteristics[1], v1::RECYCLED_CONTENT))}));
  std::vector<chaincode::SignedRecord> groups;
  for (const char* group : {"cathode", "wire", "computer"}) {
    v1::Record record;
    record.mutable_product_group_definition()->set_id(group);
    record.mutable_product_group_definition()->set_nature(
        std::string(group) == "computer" ? "electronics" : "copper");
    groups.push_back(rs(record));
  }
  script.steps.push_back(Step(std::move(groups)));
  v1::Record accreditation;
  accreditation.mutable_cb_accreditation()->set_certification_body("cb");
  for (const char* characteristic : kSimCharacteristics) {
    accreditation.mutable_cb_accreditation()->add_characteristics(characteristic);
  }
  std::vector<chaincode::SignedRecord> sites;
  for (const char* org : {"smelter", "wiremaker", "brand"}) {
    v1::Record site;
    site.mutable_site_definition()->set_site_id("main");
    site.mutable_site_definition()->set_area_type("site");
    sites.push_back(fixture.Sign(site, org, v1::OPERATION_RESPONSIBLE));
  }
  sites.push_back(rs(accreditation));
  script.steps.push_back(Step(std::move(sites)));
}

v1::Record Shipment(const char* characteristic, std::uint64_t credit_grams) {
  v1::Record record;
  auto* body = record.mutable_shipment();
  body->set_from_site_id("main");
  body->set_to_org("wiremaker");
  body->set_to_site_id("main");
  body->set_characteristic(characteristic);
  body->set_product_group("cathode");
  body->set_product_mass_grams(credit_grams * 2);
  body->set_credit_grams(credit_grams);
  return record;
}

// T6 + T7, then two shipments that together spend more than the smelter holds, then receipts.
void AddCreditRound(Fixture& fixture, Prng& prng, ClientScript& script, std::size_t round,
                    std::uint64_t& available_grams) {
  const char* characteristic = kSimCharacteristics[round % 2];
  v1::Record request;
  auto* body = request.mutable_certificate_request();
  body->set_site_id("main");
  body->set_characteristic(characteristic);
  body->set_product_group("cathode");
  body->set_input_mass_grams(kCertifiedGramsPerRound * 4);
  body->set_characteristic_mass_claimed_grams(kCertifiedGramsPerRound);
  chaincode::SignedRecord requested = fixture.Sign(request, "smelter", v1::OPERATION_RESPONSIBLE);
  v1::Record certification;
  certification.mutable_certification()->set_request_id(IdOf(requested));
  certification.mutable_certification()->set_decision(v1::Certification::APPROVE);
  certification.mutable_certification()->set_certified_mass_grams(kCertifiedGramsPerRound);
  script.steps.push_back(Step({requested}));
  script.steps.push_back(Step({fixture.Sign(certification, "cb", v1::EVALUATION_RESPONSIBLE)}));

  // Each characteristic has its own balance: rounds alternate between them.
  available_grams += kCertifiedGramsPerRound;
  const std::uint64_t spend =
      available_grams / 2 + 1 + static_cast<std::uint64_t>(prng.Uniform(0, available_grams / 4));
  ClientStep double_spend;
  for (int copy = 0; copy < 2; ++copy) {
    v1::Record shipment = Shipment(characteristic, spend - static_cast<std::uint64_t>(copy));
    double_spend.records.push_back(fixture.Sign(shipment, "smelter", v1::OPERATION_RESPONSIBLE));
    double_spend.exclusive.push_back(
        chaincode::ComputeRecordId(double_spend.records.back().payload));
  }
  const std::vector<chaincode::SignedRecord> shipments = double_spend.records;
  script.steps.push_back(std::move(double_spend));
  available_grams -= spend;  // one of the two is accepted (the other refused or rejected)

  ClientStep receipts;
  for (const auto& shipment : shipments) {
    v1::Record receipt;
    receipt.mutable_receipt_decision()->set_shipment_id(IdOf(shipment));
    receipt.mutable_receipt_decision()->set_decision(v1::ReceiptDecision::CONFIRM);
    receipts.records.push_back(fixture.Sign(receipt, "wiremaker", v1::OPERATION_RESPONSIBLE));
  }
  receipts.duplicate_to_two_nodes = true;
  script.steps.push_back(std::move(receipts));
}

chaincode::SignedRecord ValidatorChangeRecord(Fixture& fixture, ValidatorChange change,
                                              const crypto::PublicKey& key) {
  v1::Record record;
  if (change == ValidatorChange::kAdd) {
    auto* validator = record.mutable_membership_change()->mutable_add_validator();
    validator->set_organization("brand");
    validator->set_public_key(crypto::ToHex(key));
    validator->set_address("127.0.0.1:17899");
  } else {
    record.mutable_membership_change()->set_remove_validator(crypto::ToHex(key));
  }
  return fixture.Sign(record, "rs", v1::TOP_MANAGEMENT);
}

}  // namespace

ClientScript MakeClientScript(Fixture& fixture, Prng& prng, std::size_t rounds,
                              ValidatorChange change, const crypto::PublicKey& change_key) {
  ClientScript script;
  AddReferenceData(fixture, script);
  std::uint64_t available[2] = {0, 0};
  for (std::size_t round = 0; round < rounds; ++round) {
    AddCreditRound(fixture, prng, script, round, available[round % 2]);
    if (round == 0 && change != ValidatorChange::kNone) {
      ClientStep step = Step({ValidatorChangeRecord(fixture, change, change_key)});
      step.changes_validators = true;
      script.steps.push_back(std::move(step));
    }
  }
  v1::Record probe;
  probe.mutable_site_definition()->set_site_id("probe");
  probe.mutable_site_definition()->set_area_type("site");
  script.probe = fixture.Sign(probe, "brand", v1::OPERATION_RESPONSIBLE);
  return script;
}

}  // namespace mbl::sim
