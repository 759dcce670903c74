// DOMAIN §6: every text field of every record is valid UTF-8 with no control or
// bidirectional-control characters (chaincode/text_rules.h), checked in one walk over the signed
// bytes of the record (chaincode/record_text.h) and refused as FORMAT naming the field.
#include <gtest/gtest.h>

#include "base/limits.h"
#include "chaincode/registry.h"
#include "chaincode/text_rules.h"
#include "tests/support/chaincode_expect.h"
#include "tests/support/ledger_fixture.h"

namespace mbl::chaincode {
namespace {

using test_support::DomainState;
using test_support::LedgerFixture;

TEST(TextRules, ValidTextInAnyScriptIsAllowed) {
  for (const char* text : {"", "Kopparverket Skellefteå", "銅", "Rönnskär/Boliden AB", "Медь",
                           "נחושת", "🙂 copper", "tab-free, 100 % ASCII ~"}) {
    EXPECT_FALSE(FindTextFault(text).has_value()) << text;
  }
}

TEST(TextRules, ControlBidirectionalAndBrokenCharactersAreFoundWhereTheyStart) {
  struct Case {
    std::string text;
    std::size_t byte_offset;
    std::string what;
  };
  const Case cases[] = {
      {std::string("ab\0c", 4), 2, "U+0000"},
      {"line\nbreak", 4, "U+000A"},
      {"esc\x1b[31m", 3, "U+001B"},
      {"del\x7f", 3, "U+007F"},
      {"c1 \xc2\x85", 3, "U+0085 (a C1"},
      {"c1 \xc2\x9f", 3, "U+009F"},
      {"å\xe2\x80\xae", 2, "U+202E (a bidirectional"},
      {"\xe2\x80\xaa", 0, "U+202A"},
      {"x\xe2\x81\xa6y", 1, "U+2066"},
      {"x\xe2\x81\xa9", 1, "U+2069"},
      {"mark\xe2\x80\x8e", 4, "U+200E (an invisible direction mark"},
      {"mark\xe2\x80\x8f", 4, "U+200F"},
      {"mark\xd8\x9c", 4, "U+061C"},
      {"sep\xe2\x80\xa8", 3, "U+2028"},
      {"bad \xff", 4, "not valid UTF-8"},
      {"overlong \xc0\xaf", 9, "not valid UTF-8"},
      {"surrogate \xed\xa0\x80", 10, "not valid UTF-8"},
      {"cut \xe2\x80", 4, "not valid UTF-8"},
      {"above \xf4\x90\x80\x80", 6, "not valid UTF-8"},
  };
  for (const Case& c : cases) {
    std::optional<TextFault> fault = FindTextFault(c.text);
    ASSERT_TRUE(fault.has_value()) << c.what;
    EXPECT_EQ(fault->byte_offset, c.byte_offset) << c.what;
    EXPECT_NE(fault->what.find(c.what), std::string::npos) << fault->what;
  }
  // Neighbours of the refused ranges are text: U+00A0, U+200D (joins emoji), U+2027, U+202F,
  // U+2065, U+206A, U+061B.
  for (const char* allowed : {"\xc2\xa0", "\xe2\x80\x8d", "\xe2\x80\xa7", "\xe2\x80\xaf",
                              "\xe2\x81\xa5", "\xe2\x81\xaa", "\xd8\x9b"}) {
    EXPECT_FALSE(FindTextFault(allowed).has_value()) << allowed;
  }
}

class RecordTextTest : public ::testing::Test {
 protected:
  // Signs `record` as `org`'s `role` and expects FORMAT naming `path`, with nothing changed.
  void ExpectRefused(const v1::Record& record, const std::string& org, v1::Role role,
                     const std::string& path, const std::string& what) {
    auto before = DomainState(ledger_.state());
    RecordResult result = ledger_.CommitOne(ledger_.Sign(record, org, role));
    EXPECT_FALSE(result.accepted) << path;
    EXPECT_EQ(result.rejection.rule, "FORMAT") << result.rejection.message;
    EXPECT_EQ(result.rejection.message.rfind(path + " holds " + what, 0), 0u)
        << result.rejection.message;
    EXPECT_EQ(DomainState(ledger_.state()), before) << path;
  }

  LedgerFixture ledger_;
};

constexpr const char* kRightToLeftOverride = "\xe2\x80\xae";  // U+202E
constexpr const char* kC1NextLine = "\xc2\x85";               // U+0085

TEST_F(RecordTextTest, BadCharactersInNestedAndRepeatedFieldsOfEveryKindOfRecordAreRefused) {
  v1::Record site;
  site.mutable_site_definition()->set_site_id("plant");
  site.mutable_site_definition()->set_area_type("site");
  site.mutable_site_definition()->add_processes("smelting");
  site.mutable_site_definition()->add_processes(std::string("refin") + kRightToLeftOverride + "g");
  ExpectRefused(site, "smelter", v1::OPERATION_RESPONSIBLE, "site_definition.processes[1]",
                "U+202E");

  site.mutable_site_definition()->clear_processes();
  site.mutable_site_definition()->set_name("Plant\n");
  ExpectRefused(site, "smelter", v1::OPERATION_RESPONSIBLE, "site_definition.name", "U+000A");

  // Checked before any rule of the record type: a genesis out of place still names the field.
  v1::Record genesis;
  genesis.mutable_genesis()->set_chain_name("second");
  genesis.mutable_genesis()->add_organizations()->set_id("a");
  v1::Organization* second = genesis.mutable_genesis()->add_organizations();
  second->set_id("b");
  second->add_people()->set_name(std::string("Eve") + kC1NextLine);
  ExpectRefused(genesis, "rs", v1::TOP_MANAGEMENT, "genesis.organizations[1].people[0].name",
                "U+0085");

  v1::Record add_person;
  auto* change = add_person.mutable_membership_change()->mutable_add_person();
  change->set_organization("smelter");
  change->mutable_person()->set_name("Ann\xe2\x81\xa6");  // U+2066
  ExpectRefused(add_person, "rs", v1::TOP_MANAGEMENT, "membership_change.add_person.person.name",
                "U+2066");

  v1::Record approve;  // a string member of a oneof
  approve.mutable_membership_change()->set_approve(std::string(64, 'a') + "\x7f");
  ExpectRefused(approve, "smelter", v1::TOP_MANAGEMENT, "membership_change.approve", "U+007F");

  v1::Record request;
  request.mutable_certificate_request()->set_site_id("main");
  request.mutable_certificate_request()->set_supplier("Mine\xe2\x80\x8f");  // U+200F
  ExpectRefused(request, "smelter", v1::OPERATION_RESPONSIBLE, "certificate_request.supplier",
                "U+200F");

  v1::Record shipment;
  shipment.mutable_shipment()->set_to_org("wiremaker");
  shipment.mutable_shipment()->set_product_description(std::string("cathode\0", 8));
  ExpectRefused(shipment, "smelter", v1::OPERATION_RESPONSIBLE, "shipment.product_description",
                "U+0000");

  v1::Record review;
  review.mutable_management_review()->add_decisions("keep the supplier");
  review.mutable_management_review()->add_decisions(std::string("drop ") + kRightToLeftOverride);
  ExpectRefused(review, "smelter", v1::TOP_MANAGEMENT, "management_review.decisions[1]", "U+202E");

  v1::Record non_conformity;
  non_conformity.mutable_non_conformity()->set_org("smelter");
  non_conformity.mutable_non_conformity()->set_description("late\x1b[2Jreport");
  ExpectRefused(non_conformity, "smelter", v1::EVALUATION_RESPONSIBLE, "non_conformity.description",
                "U+001B");

  v1::Record author;  // the envelope's own text fields too
  author.set_author_org(std::string("smelter") + kRightToLeftOverride);
  author.mutable_period_close()->set_fiscal_year(2025);
  ExpectRefused(author, "smelter", v1::OPERATION_RESPONSIBLE, "author_org", "U+202E");
}

TEST_F(RecordTextTest, TextThatIsNotUtf8IsRefusedNamingTheField) {
  // The Protobuf parser refuses such a payload without saying where; the ledger names the field.
  v1::Record site;
  site.mutable_site_definition()->set_site_id("plant");
  site.mutable_site_definition()->set_area_type("site");
  site.mutable_site_definition()->add_processes("ok");
  site.mutable_site_definition()->add_processes("caf\xe9");  // Latin-1, not UTF-8
  ExpectRefused(site, "smelter", v1::OPERATION_RESPONSIBLE, "site_definition.processes[1]",
                "bytes that are not valid UTF-8");

  v1::Record genesis;
  genesis.mutable_genesis()->add_organizations()->add_people()->set_public_key("\xc0\xaf");
  ExpectRefused(genesis, "rs", v1::TOP_MANAGEMENT, "genesis.organizations[0].people[0].public_key",
                "bytes that are not valid UTF-8");
}

TEST_F(RecordTextTest, TextLongerThanTheLimitIsRefusedInAnyField) {
  v1::Record request;
  request.mutable_certificate_request()->set_site_id("main");
  request.mutable_certificate_request()->add_evidence_document_hashes(std::string(64, 'a'));
  request.mutable_certificate_request()->add_evidence_document_hashes(
      std::string(limits::kRecordTextBytesMax + 1, 'a'));
  RecordResult result =
      ledger_.CommitOne(ledger_.Sign(request, "smelter", v1::OPERATION_RESPONSIBLE));
  EXPECT_EQ(result.rejection.rule, "FORMAT");
  EXPECT_EQ(result.rejection.message.rfind("certificate_request.evidence_document_hashes[1] is " +
                                               std::to_string(limits::kRecordTextBytesMax + 1) +
                                               " bytes; the limit is ",
                                           0),
            0u)
      << result.rejection.message;
}

TEST_F(RecordTextTest, ValidNonAsciiTextIsAcceptedAndStoredAsItIs) {
  v1::Record site;
  site.mutable_site_definition()->set_site_id("ronnskar");
  site.mutable_site_definition()->set_name("Kopparverket Skellefteå");
  site.mutable_site_definition()->set_area_type("site");
  site.mutable_site_definition()->add_processes("銅");
  site.mutable_site_definition()->set_geographic_boundary("Västerbotten, SE");
  RecordResult result = ledger_.CommitOne(ledger_.Sign(site, "smelter", v1::OPERATION_RESPONSIBLE));
  ASSERT_TRUE(result.accepted) << result.rejection.message;
  auto stored = GetSite(ledger_.state(), "smelter", "ronnskar");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->name(), "Kopparverket Skellefteå");
  EXPECT_EQ(stored->processes(0), "銅");
}

}  // namespace
}  // namespace mbl::chaincode
