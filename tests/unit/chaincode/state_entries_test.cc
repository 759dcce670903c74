// The chaincode's JSON state entries (chaincode/state_entries.h, stored_json.h and the codecs
// beside their values): each encoder writes the bytes nlohmann::json::dump() writes for its value
// (the state root covers them), each decoder reads back what its encoder wrote, and a malformed
// stored entry aborts naming its key instead of throwing.
#include "chaincode/state_entries.h"

#include <gtest/gtest.h>

#include "chaincode/epochs.h"
#include "chaincode/queries/exit_lookup.h"
#include "chaincode/registry.h"
#include "chaincode/stored_json.h"
#include "tests/unit/chaincode/credits_fixture.h"

namespace mbl::chaincode {
namespace {

// What nlohmann writes for the same value: keys sorted, no spaces.
std::string AsNlohmannWritesIt(const std::string& json) {
  return nlohmann::json::parse(json).dump();
}

Portion SamplePortion(std::string id, std::uint64_t grams) {
  Provenance provenance;
  provenance.lineage = {"req1", id};
  provenance.certification_bodies = {"cb"};
  provenance.certification_years = {2026};
  provenance.value_chain_steps = 1;
  return Portion{std::move(id), grams, 1'767'225'600'000, ShareProvenance(std::move(provenance))};
}

ShipmentEntry SampleShipment() {
  ShipmentEntry shipment;
  shipment.from_org = "smelter";
  shipment.from_site = "main";
  shipment.to_org = "wiremaker";
  shipment.to_site = "main";
  shipment.characteristic = "cu-8.0-mix";
  shipment.product_group = "cathode";
  shipment.product_mass_grams = 45'000'000;
  shipment.credit_grams = 40'000'000;
  shipment.shipped_ms = 1'767'225'601'000;
  shipment.portions = {SamplePortion("lot1", 30'000'000), SamplePortion("lot2", 10'000'000)};
  return shipment;
}

// The bytes T9 wrote by hand before ShipmentEntry existed, to match nlohmann's dump.
constexpr const char* kShipmentBytes =
    R"({"characteristic":"cu-8.0-mix","credit_grams":40000000,"from_org":"smelter",)"
    R"("from_site":"main","portions":[{"grams":30000000,"id":"lot1","issued_ms":1767225600000,)"
    R"("provenance":{"cbs":["cb"],"lineage":["req1","lot1"],"steps":1,"years":[2026]}},)"
    R"({"grams":10000000,"id":"lot2","issued_ms":1767225600000,"provenance":{"cbs":["cb"],)"
    R"("lineage":["req1","lot2"],"steps":1,"years":[2026]}}],"product_group":"cathode",)"
    R"("product_mass_grams":45000000,"shipped_ms":1767225601000,"state":"in_transit",)"
    R"("to_org":"wiremaker","to_site":"main"})";

TEST(ShipmentEntry, EncodesTheBytesT9WroteBefore) {
  const std::string encoded = EncodeShipment(SampleShipment());
  EXPECT_EQ(encoded, kShipmentBytes);
  EXPECT_EQ(encoded, AsNlohmannWritesIt(encoded));
}

TEST(ShipmentEntry, WritesReturnTotalsWhereNlohmannSortsThem) {
  ShipmentEntry shipment = SampleShipment();
  shipment.state = ShipmentState::kReceived;
  shipment.returns =
      ShipmentReturns{.returned_product_grams = 4'500'000, .cancelled_grams = 4'000'000};
  const std::string encoded = EncodeShipment(shipment);
  EXPECT_EQ(encoded, AsNlohmannWritesIt(encoded));
  EXPECT_TRUE(encoded.starts_with(R"({"cancelled_grams":4000000,"characteristic":)"));
  EXPECT_NE(encoded.find(R"("product_mass_grams":45000000,"returned_product_grams":4500000,)"
                         R"("shipped_ms":)"),
            std::string::npos);
  EXPECT_NE(encoded.find(R"("state":"received")"), std::string::npos);
}

TEST(ShipmentEntry, DecodesWhatItsEncoderWrote) {
  for (ShipmentState state :
       {ShipmentState::kInTransit, ShipmentState::kReceived, ShipmentState::kRejected}) {
    ShipmentEntry shipment = SampleShipment();
    shipment.state = state;
    if (state == ShipmentState::kReceived) shipment.returns = ShipmentReturns{7, 3};
    const std::string encoded = EncodeShipment(shipment);
    const ShipmentEntry decoded = DecodeShipment("c/shipment/ab", encoded);
    EXPECT_EQ(decoded.from_org, "smelter");
    EXPECT_EQ(decoded.to_site, "main");
    EXPECT_EQ(decoded.product_mass_grams, 45'000'000u);
    EXPECT_EQ(decoded.shipped_ms, 1'767'225'601'000);
    ASSERT_EQ(decoded.portions.size(), 2u);
    EXPECT_EQ(decoded.portions[1].id, "lot2");
    EXPECT_EQ(decoded.portions[1].provenance->value().lineage,
              (std::vector<std::string>{"req1", "lot2"}));
    EXPECT_EQ(decoded.state, state);
    EXPECT_EQ(decoded.returns.has_value(), shipment.returns.has_value());
    EXPECT_EQ(EncodeShipment(decoded), encoded);
  }
}

TEST(CertificateRequestEntry, EncodesAsNlohmannAndDecodesWhatItWrote) {
  const CertificateRequestEntry request{.org = "smelter",
                                        .site = "main",
                                        .characteristic = "cu-8.0-mix",
                                        .product_group = "cathode",
                                        .claimed_grams = 1'000,
                                        .state = RequestState::kApproved};
  const std::string encoded = EncodeCertificateRequest(request);
  EXPECT_EQ(encoded, R"({"characteristic":"cu-8.0-mix","claimed_grams":1000,"org":"smelter",)"
                     R"("product_group":"cathode","site":"main","state":"approved"})");
  const CertificateRequestEntry decoded = DecodeCertificateRequest("c/request/ab", encoded);
  EXPECT_EQ(decoded.org, "smelter");
  EXPECT_EQ(decoded.claimed_grams, 1'000u);
  EXPECT_EQ(decoded.state, RequestState::kApproved);
  EXPECT_EQ(EncodeCertificateRequest(decoded), encoded);
}

ExitEntry SampleExit() {
  ExitEntry exit;
  exit.exit_code = "MBL-0000-0000-0001";
  exit.record_id = std::string(64, 'a');
  exit.org = "brand";
  exit.characteristic = "cu-8.0-mix";
  exit.characteristic_name = "Cu 8.0 MIX";
  exit.characteristic_category = "GHG_REDUCED";
  exit.scope = "product";
  exit.product_description = "wire \"E\" \xC3\xA9";  // quotes and non-ASCII stay as nlohmann writes
  exit.product_batch = "2026-W48";
  exit.product_units = 12;
  exit.credit_grams = 30'000'000;
  exit.disclose_quantities = true;
  exit.signer = std::string(64, 'b');
  exit.retired_ms = 1'767'225'602'000;
  exit.statement = "The mass balance credit model was applied.";
  exit.provenance = SamplePortion("lot1", 1).provenance->value();
  return exit;
}

TEST(ExitEntry, DecodesWhatItsEncoderWroteWithOrWithoutASigner) {
  for (bool with_signer : {true, false}) {
    ExitEntry exit = SampleExit();
    if (!with_signer) exit.signer.reset();  // as stored before decision 0012
    const std::string encoded = EncodeExit(exit);
    EXPECT_EQ(encoded, AsNlohmannWritesIt(encoded));
    const ExitEntry decoded = DecodeExit("c/exit/MBL-0000-0000-0001", encoded);
    EXPECT_EQ(decoded.signer, exit.signer);
    EXPECT_EQ(decoded.product_description, exit.product_description);
    EXPECT_EQ(decoded.provenance.lineage, exit.provenance.lineage);
    EXPECT_EQ(EncodeExit(decoded), encoded);
    EXPECT_EQ(PublicExitView(decoded), PublicExitView(exit));
  }
}

TEST(NonConformityEntry, DecodesWhatItsEncoderWroteOpenAndClosed) {
  NonConformityEntry non_conformity{.recorded_by = "cb",
                                    .description = "missing evidence",
                                    .corrective_action = "",
                                    .period_start_ms = -1,
                                    .period_end_ms = 1'767'225'600'000,
                                    .related_record_id = "",
                                    .recorded_ms = 1'767'225'601'000,
                                    .state = NonConformityState::kOpen,
                                    .closed_by = {}};
  std::string encoded = EncodeNonConformity(non_conformity);
  EXPECT_EQ(encoded, AsNlohmannWritesIt(encoded));
  EXPECT_EQ(encoded.find("closed_by"), std::string::npos);
  EXPECT_EQ(EncodeNonConformity(DecodeNonConformity("c/nc/smelter/ab", encoded)), encoded);

  non_conformity.state = NonConformityState::kClosed;
  non_conformity.closed_by = std::string(64, 'c');
  encoded = EncodeNonConformity(non_conformity);
  const NonConformityEntry decoded = DecodeNonConformity("c/nc/smelter/ab", encoded);
  EXPECT_EQ(decoded.state, NonConformityState::kClosed);
  EXPECT_EQ(decoded.closed_by, non_conformity.closed_by);
  EXPECT_EQ(decoded.period_start_ms, -1);
  EXPECT_EQ(EncodeNonConformity(decoded), encoded);
}

TEST(ProposalEntry, DecodesWhatItsEncoderWrote) {
  const ProposalEntry proposal{.change = std::string("\x0a\x00\xff", 3),
                               .proposer = "rs",
                               .approvals = {"smelter", "brand"}};
  const std::string encoded = EncodeProposal(proposal);
  EXPECT_EQ(encoded, R"({"approvals":["brand","smelter"],"change":"0a00ff","proposer":"rs"})");
  const ProposalEntry decoded = DecodeProposal("g/proposal/ab", encoded);
  EXPECT_EQ(decoded.change, proposal.change);
  EXPECT_EQ(decoded.approvals, proposal.approvals);
  EXPECT_EQ(EncodeProposal(decoded), encoded);
}

TEST(CreditValues, LotsCountersAndFlowsDecodeWhatTheirEncodersWrote) {
  const Portion lot = SamplePortion("lot1", 5);
  const std::string lot_bytes = EncodeLot(lot);
  EXPECT_EQ(lot_bytes, AsNlohmannWritesIt(lot_bytes));
  EXPECT_EQ(EncodeLot(DecodeLot("c/lot/x", lot_bytes)), lot_bytes);

  const Conservation counters{10, 4, 3, 1, 1, 1, 0};
  const std::string counter_bytes = EncodeConservation(counters);
  EXPECT_EQ(counter_bytes, counters.ToJson().dump());
  EXPECT_EQ(EncodeConservation(DecodeConservation("c/conservation/x", counter_bytes)),
            counter_bytes);

  FlowCounters flows;
  flows.grams[FlowIndex("shipped")] = 7;
  flows.present[FlowIndex("shipped")] = true;
  flows.present[FlowIndex("issued")] = true;  // booked, at zero grams
  const std::string flow_bytes = EncodeFlows(flows);
  EXPECT_EQ(flow_bytes, R"({"issued":0,"shipped":7})");
  EXPECT_EQ(EncodeFlows(DecodeFlows("c/flow/x", flow_bytes)), flow_bytes);
}

TEST(RegistryEntries, ChainAndKeyHoldersDecodeWhatTheirWritersStored) {
  MemoryState base;
  WorkingState state(base);
  PutChain(state, ChainInfo{std::string(32, '\x01'), "copper", 2, 1'767'225'600'000});
  const ChainInfo chain = DecodeChain(*state.Get(keys::Chain()));
  EXPECT_EQ(chain.chain_id, std::string(32, '\x01'));
  EXPECT_EQ(chain.membership_quorum, 2u);
  EXPECT_EQ(chain.genesis_time_ms, 1'767'225'600'000);

  const crypto::PublicKey key{};
  PutKeyHolder(state, key, KeyHolder{"smelter", "ops", {v1::OPERATION_RESPONSIBLE}});
  const std::string holder_key = keys::KeyHolder(key);
  const KeyHolder holder = DecodeKeyHolder(holder_key, *state.Get(holder_key));
  EXPECT_EQ(holder.organization, "smelter");
  EXPECT_EQ(holder.roles, (std::vector<v1::Role>{v1::OPERATION_RESPONSIBLE}));
}

TEST(StoredJson, DecimalEntriesParseWhatToStringWrote) {
  EXPECT_EQ(ParseStoredUint("c/retired/x", "18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseStoredInt("g/member-since/x", "-12"), -12);
  EXPECT_EQ(ParseStoredUint("g/epochs/x", "00000000000000000007"), 7u);
}

// ---- Malformed entries abort with their key ----------------------------------------------------

TEST(StoredJsonDeathTest, AnEntryThatIsNotAJsonObjectAbortsWithItsKey) {
  EXPECT_DEATH(DecodeShipment("c/shipment/ab12", "{\"state\":"),
               "corrupt state entry c/shipment/ab12: the value is not a JSON object");
  EXPECT_DEATH(DecodeLot("c/lot/x/smelter/main/cathode/1/lot1", "[1]"),
               "corrupt state entry c/lot/x/smelter/main/cathode/1/lot1");
  EXPECT_DEATH(DecodeChain(""), "corrupt state entry g/chain");
}

TEST(StoredJsonDeathTest, AMissingOrMistypedFieldAbortsNamingKeyAndField) {
  std::string shipment = kShipmentBytes;
  shipment.replace(shipment.find("\"grams\":30000000"), 16, "\"grams\":\"many\"");
  EXPECT_DEATH(DecodeShipment("c/shipment/ab12", shipment),
               "corrupt state entry c/shipment/ab12: portions\\[0\\]\\.grams is missing or not "
               "an unsigned integer");
  EXPECT_DEATH(DecodeShipment("c/shipment/ab12", R"({"characteristic":"x"})"),
               "c/shipment/ab12: .* is missing");
  EXPECT_DEATH(DecodeCertificateRequest("c/request/cd", R"({"characteristic":"x","claimed_grams":)"
                                                        R"(1,"org":"o","product_group":"g",)"
                                                        R"("site":"s","state":"lost"})"),
               "c/request/cd: state is 'lost'");
  EXPECT_DEATH(DecodeConservation("c/conservation/x", R"({"issued":-1})"),
               "c/conservation/x: issued is missing or not an unsigned integer");
  EXPECT_DEATH(DecodeFlows("c/flow/smelter/x/2026", R"({"bought":1})"),
               "c/flow/smelter/x/2026: 'bought' is not a flow");
  EXPECT_DEATH(DecodeKeyHolder("g/key/00", R"({"org":"o","person":"p","roles":["ops"]})"),
               "g/key/00: roles holds an element that is not an unsigned integer");
  EXPECT_DEATH(DecodeProposal("g/proposal/ab", R"({"approvals":[],"change":"0g","proposer":"rs"})"),
               "g/proposal/ab: change is not hex");
  EXPECT_DEATH(ParseStoredUint("c/retired/x", "12 g"), "c/retired/x: '12 g' is not a decimal");
  EXPECT_DEATH(ParseStoredUint("c/retired/x", "-1"), "c/retired/x: '-1' is not a decimal");
}

TEST(StoredJsonDeathTest, ReadersOfTheStateAbortOnAMalformedEntry) {
  MemoryState state;
  state.Apply(WriteSet{{"g/epoch", std::string("{\"number\":1}")}});
  EXPECT_DEATH(CurrentEpoch(state), "g/epoch: base_height is missing");
  state.Apply(WriteSet{{"c/exit/MBL-0000-0000-0001", std::string("{}")}});
  EXPECT_DEATH((void)LookupExit(state, "MBL-0000-0000-0001"), "c/exit/MBL-0000-0000-0001");
}

class MalformedShipmentDeathTest : public CreditsTest {};

TEST_F(MalformedShipmentDeathTest, AReceiptOfAMalformedShipmentAbortsWithItsKey) {
  Certify(kCo2, 10 * kTonne);
  RecordResult shipped = Commit("smelter", v1::OPERATION_RESPONSIBLE,
                                Shipment("wiremaker", "cathode", 10 * kTonne, 10 * kTonne));
  ASSERT_TRUE(shipped.accepted) << shipped.rejection.message;
  const std::string key = "c/shipment/" + IdOf(shipped);
  ledger_.ApplyWrites(WriteSet{{key, std::string(R"({"to_org":"wiremaker"})")}});
  const SignedRecord receipt = ledger_.Sign(Receipt(IdOf(shipped), v1::ReceiptDecision::CONFIRM),
                                            "wiremaker", v1::OPERATION_RESPONSIBLE);
  EXPECT_DEATH(ledger_.CommitOne(receipt), "corrupt state entry " + key);
}

}  // namespace
}  // namespace mbl::chaincode
