// Writes the seed corpus of every fuzz target (tests/fuzz/corpus/<target>/seed-*) from real
// encodings: records of every type signed on the deterministic fuzz ledger, their envelopes,
// blocks, consensus messages signed by the consensus unit tests' validators, handshake messages,
// API requests, configs, and copies of the repository's scenario files and exit proof vectors.
// Deterministic except where the encoded thing holds a fresh key or time (handshake messages,
// signed reads). Usage: fuzz_make_seeds SOURCE_DIR CORPUS_DIR (scripts/fuzz.sh --seeds runs it).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chaincode/envelope.h"
#include "chaincode/record_json.h"
#include "consensus/codec.h"
#include "crypto/encoding.h"
#include "crypto/secure_link.h"
#include "formats/block.h"
#include "formats/epoch.h"
#include "formats/read_signature.h"
#include "formats/records_payload.h"
#include "tests/fuzz/fuzz_ledger.h"
#include "tests/unit/consensus/fixture.h"

namespace {

using namespace mbl;
namespace fs = std::filesystem;

fs::path g_corpus;

void Write(const std::string& target, const std::string& name, std::string_view bytes) {
  fs::create_directories(g_corpus / target);
  std::ofstream out(g_corpus / target / ("seed-" + name), std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string WithSelector(std::uint8_t selector, std::string_view bytes) {
  return std::string(1, static_cast<char>(selector)) + std::string(bytes);
}

struct RecordSeed {
  std::string name;
  std::string org;
  v1::Role role;
  v1::Record record;
  int variant = 0;  // of the fuzz ledger
};

std::vector<RecordSeed> RecordSeeds(const fuzz::FuzzLedger& ledger,
                                    const fuzz::FuzzLedger& with_quorum) {
  std::vector<RecordSeed> seeds;
  auto add = [&](std::string name, std::string org, v1::Role role, v1::Record record,
                 int variant = 0) {
    seeds.push_back({std::move(name), std::move(org), role, std::move(record), variant});
  };
  const std::string hash(64, 'a');
  {  // T1: genesis again (refused: only block 0), and membership changes.
    v1::Record record;
    record.ParseFromString(ledger.genesis().payload);
    add("t01-genesis", "rs", v1::TOP_MANAGEMENT, record);
    v1::Record add_org;
    auto* organization = add_org.mutable_membership_change()->mutable_add_organization();
    organization->set_id("trader");
    organization->set_name("Trader Ltd");
    organization->set_kind(v1::VALUE_CHAIN);
    organization->set_fiscal_year_start_month(1);
    organization->set_fiscal_year_start_day(1);
    auto* person = organization->add_people();
    person->set_name("trader-ops");
    person->set_public_key(crypto::ToHex(fuzz::ValidatorKey(3).public_key));
    person->add_roles(v1::OPERATION_RESPONSIBLE);
    add("t01-add-organization", "rs", v1::TOP_MANAGEMENT, add_org);
    v1::Record add_person;
    add_person.mutable_membership_change()->mutable_add_person()->set_organization("smelter");
    *add_person.mutable_membership_change()->mutable_add_person()->mutable_person() = *person;
    add("t01-add-person", "rs", v1::TOP_MANAGEMENT, add_person);
    add("t01-propose-add-person", "rs", v1::TOP_MANAGEMENT, add_person, 1);
    v1::Record remove_person;
    remove_person.mutable_membership_change()->mutable_remove_person()->set_organization("brand");
    remove_person.mutable_membership_change()
        ->mutable_remove_person()
        ->mutable_person()
        ->set_public_key(crypto::ToHex(
            fuzz::LedgerKey(fuzz::Selector("brand", v1::EVALUATION_RESPONSIBLE)).public_key));
    add("t01-remove-person", "rs", v1::TOP_MANAGEMENT, remove_person);
    v1::Record add_validator;
    auto* validator = add_validator.mutable_membership_change()->mutable_add_validator();
    validator->set_organization("wiremaker");
    validator->set_public_key(crypto::ToHex(fuzz::ValidatorKey(1).public_key));
    validator->set_address("127.0.0.1:17801");
    add("t01-add-validator", "rs", v1::TOP_MANAGEMENT, add_validator);
    v1::Record remove_validator;
    remove_validator.mutable_membership_change()->set_remove_validator(
        crypto::ToHex(fuzz::ValidatorKey(0).public_key));
    add("t01-remove-validator", "rs", v1::TOP_MANAGEMENT, remove_validator);
    v1::Record remove_organization;
    remove_organization.mutable_membership_change()->set_remove_organization("brand");
    add("t01-remove-organization", "rs", v1::TOP_MANAGEMENT, remove_organization);
    v1::Record approve;
    approve.mutable_membership_change()->set_approve(with_quorum.pending_proposal_id());
    add("t01-approve", "cb", v1::TOP_MANAGEMENT, approve, 1);
  }
  {
    v1::Record record;
    auto* site = record.mutable_site_definition();
    site->set_site_id("rolling");
    site->set_name("Rolling mill");
    site->set_area_type("process");
    site->set_geographic_boundary("DE");
    site->add_processes("rolling");
    site->add_physically_linked_sites("smelter/main");
    site->set_physical_presence_possible(true);
    site->set_document_hash(hash);
    add("t02-site", "wiremaker", v1::OPERATION_RESPONSIBLE, record);
  }
  {
    v1::Record record;
    auto* characteristic = record.mutable_characteristic_definition();
    characteristic->set_id("cu-low");
    characteristic->set_name("Cu low carbon");
    characteristic->set_category(v1::GHG_REDUCED);
    characteristic->set_valid_from_ms(fuzz::kGenesisTimeMs);
    characteristic->add_associated_risks("double counting");
    add("t03-characteristic", "rs", v1::TOP_MANAGEMENT, record);
  }
  {
    v1::Record group;
    group.mutable_product_group_definition()->set_id("rod");
    group.mutable_product_group_definition()->set_nature("copper");
    add("t04-product-group", "rs", v1::TOP_MANAGEMENT, group);
    v1::Record factor;
    factor.mutable_conversion_factor()->set_product_group_in("cathode");
    factor.mutable_conversion_factor()->set_product_group_out("wire");
    factor.mutable_conversion_factor()->set_factor_ppm(950'000);
    factor.mutable_conversion_factor()->set_method_document_hash(hash);
    add("t04-conversion-factor", "smelter", v1::OPERATION_RESPONSIBLE, factor);
  }
  {
    v1::Record record;
    record.mutable_cb_accreditation()->set_certification_body("cb");
    record.mutable_cb_accreditation()->add_characteristics("cu-re-mix");
    record.mutable_cb_accreditation()->set_valid_until_ms(fuzz::kGenesisTimeMs + 1'000'000'000);
    add("t05-accreditation", "rs", v1::TOP_MANAGEMENT, record);
  }
  {
    v1::Record record;
    auto* request = record.mutable_certificate_request();
    request->set_site_id("main");
    request->set_characteristic("cu-re-mix");
    request->set_product_group("cathode");
    request->set_input_description("scrap");
    request->set_input_mass_grams(8'000'000);
    request->set_characteristic_mass_claimed_grams(2'000'000);
    request->set_supplier("scrapyard");
    request->add_evidence_document_hashes(hash);
    add("t06-certificate-request", "smelter", v1::OPERATION_RESPONSIBLE, record);
  }
  {
    v1::Record record;
    auto* certification = record.mutable_certification();
    certification->set_request_id(ledger.open_request_id());
    certification->set_decision(v1::Certification::APPROVE);
    certification->set_certified_mass_grams(1'000'000);
    certification->set_certificate_reference("CERT-1");
    certification->set_report_hash(hash);
    add("t07-certification", "cb", v1::EVALUATION_RESPONSIBLE, record);
  }
  {
    v1::Record record;
    auto* processing = record.mutable_processing();
    processing->set_site_id("main");
    processing->set_characteristic("cu-8.0-mix");
    processing->set_product_group_in("cathode");
    processing->set_product_group_out("wire");
    processing->set_consumed_grams(1'000'000);
    processing->set_batch_reference("B-1");
    add("t08-processing", "wiremaker", v1::OPERATION_RESPONSIBLE, record);
  }
  {
    v1::Record record;
    auto* shipment = record.mutable_shipment();
    shipment->set_from_site_id("main");
    shipment->set_to_org("brand");
    shipment->set_to_site_id("main");
    shipment->set_characteristic("cu-8.0-mix");
    shipment->set_product_group("cathode");
    shipment->set_product_mass_grams(2'000'000);
    shipment->set_credit_grams(1'000'000);
    shipment->set_delivery_document_hash(hash);
    add("t09-shipment", "smelter", v1::OPERATION_RESPONSIBLE, record);
  }
  for (auto decision : {v1::ReceiptDecision::CONFIRM, v1::ReceiptDecision::REJECT}) {
    v1::Record record;
    record.mutable_receipt_decision()->set_shipment_id(ledger.in_transit_shipment_id());
    record.mutable_receipt_decision()->set_decision(decision);
    record.mutable_receipt_decision()->set_reason("quality claim");
    add(decision == v1::ReceiptDecision::CONFIRM ? "t10-receipt-confirm" : "t10-receipt-reject",
        "wiremaker", v1::OPERATION_RESPONSIBLE, record);
  }
  {
    v1::Record record;
    auto* transfer = record.mutable_site_transfer();
    transfer->set_from_site_id("main");
    transfer->set_to_site_id("rolling");
    transfer->set_characteristic("cu-8.0-mix");
    transfer->set_product_group_from("cathode");
    transfer->set_product_group_to("cathode");
    transfer->set_credit_grams(500'000);
    add("t11-site-transfer", "wiremaker", v1::OPERATION_RESPONSIBLE, record);
  }
  {
    v1::Record record;
    auto* product_return = record.mutable_product_return();
    product_return->set_shipment_id(ledger.confirmed_shipment_id());
    product_return->set_returned_product_grams(1'000'000);
    product_return->set_reason("defect");
    product_return->set_return_document_hash(hash);
    add("t12-product-return", "wiremaker", v1::OPERATION_RESPONSIBLE, record);
  }
  {
    v1::Record record;
    auto* exit = record.mutable_system_exit();
    exit->set_site_id("main");
    exit->set_characteristic("cu-8.0-mix");
    exit->set_product_group("cathode");
    exit->set_credit_grams(1'000'000);
    exit->set_product_description("cable");
    exit->set_product_batch("L-7");
    exit->set_scope(v1::SystemExit::PRODUCT);
    exit->set_product_units(100);
    exit->set_disclose_quantities(true);
    add("t13-system-exit", "wiremaker", v1::OPERATION_RESPONSIBLE, record);
  }
  {
    v1::Record record;
    record.mutable_period_close()->set_fiscal_year(2025);
    add("t14-period-close", "smelter", v1::OPERATION_RESPONSIBLE, record);
  }
  {
    v1::Record record;
    auto* audit = record.mutable_audit_result();
    audit->set_type(v1::AuditResult::THIRD_PARTY);
    audit->set_audited_org("smelter");
    audit->add_site_ids("main");
    audit->set_risks_document_hash(hash);
    audit->set_outcome(v1::AuditResult::MINOR_NONCONFORMITY);
    audit->set_report_hash(hash);
    audit->set_period_start_ms(fuzz::kGenesisTimeMs);
    audit->set_period_end_ms(fuzz::kGenesisTimeMs + 1000);
    audit->set_conformity_assessment(true);
    add("t15-audit", "cb", v1::EVALUATION_RESPONSIBLE, record);
  }
  {
    v1::Record record;
    auto* non_conformity = record.mutable_non_conformity();
    non_conformity->set_org("smelter");
    non_conformity->set_description("lot mix-up");
    non_conformity->set_period_start_ms(fuzz::kGenesisTimeMs);
    non_conformity->set_period_end_ms(fuzz::kGenesisTimeMs + 1000);
    non_conformity->set_corrective_action("retrain");
    non_conformity->set_related_record_id(ledger.confirmed_shipment_id());
    non_conformity->set_state(v1::NonConformity::OPEN);
    add("t16-non-conformity", "cb", v1::EVALUATION_RESPONSIBLE, record);
  }
  {
    v1::Record record;
    record.mutable_management_review()->set_year(2025);
    record.mutable_management_review()->set_summary_document_hash(hash);
    record.mutable_management_review()->add_decisions("keep going");
    add("t17-management-review", "smelter", v1::TOP_MANAGEMENT, record);
  }
  return seeds;
}

void CopyFiles(const fs::path& from, const std::string& target, const std::string& prefix) {
  if (!fs::is_directory(from)) return;
  for (const auto& entry : fs::directory_iterator(from)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Write(target, prefix + entry.path().stem().string(), text);
  }
}

// The exit proof vectors as the exit_bundle target reads them: the genesis file a vector names
// inlined as "genesis", its pinned chain and checkpoint kept.
void CopyExitVectors(const fs::path& from) {
  if (!fs::is_directory(from)) return;
  for (const auto& entry : fs::directory_iterator(from)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    nlohmann::json vector = nlohmann::json::parse(in, nullptr, false);
    if (vector.is_discarded() || !vector.contains("bundle")) continue;
    nlohmann::json seed = {{"bundle", vector["bundle"]}};
    if (vector.contains("genesis_file")) {
      std::ifstream genesis(from / vector["genesis_file"].get<std::string>(), std::ios::binary);
      seed["genesis"] = nlohmann::json::parse(genesis, nullptr, false);
    }
    if (vector.contains("chain")) seed["chain"] = vector["chain"];
    if (vector.contains("checkpoint")) seed["checkpoint"] = vector["checkpoint"];
    Write("exit_bundle", entry.path().stem().string(), seed.dump());
  }
}

std::string Request(std::string_view line, const std::vector<std::string>& headers,
                    std::string_view body) {
  std::string out(line);
  out += "\n";
  for (const auto& header : headers) out += header + "\n";
  out += "\n";
  out += body;
  return out;
}

std::vector<std::string> SignedReadHeaders(std::string_view target) {
  const auto& key = fuzz::LedgerKey(fuzz::Selector("smelter", v1::OPERATION_RESPONSIBLE));
  const std::int64_t now = fuzz::kGenesisTimeMs;
  formats::ReadSignature signature = formats::SignRead("GET", target, now, key);
  return {std::string(formats::kReadKeyHeader) + ": " + crypto::ToHex(signature.key),
          std::string(formats::kReadTimeHeader) + ": " + std::to_string(now),
          std::string(formats::kReadSignatureHeader) + ": " + crypto::ToHex(signature.signature)};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_make_seeds SOURCE_DIR CORPUS_DIR\n";
    return 2;
  }
  const fs::path source = argv[1];
  g_corpus = argv[2];
  const fuzz::FuzzLedger& ledger = fuzz::FuzzLedger::Get(0);

  // ---- Records, their JSON, their envelopes.
  std::vector<chaincode::SignedRecord> signed_records;
  std::uint64_t nonce = 1000;
  for (const RecordSeed& seed : RecordSeeds(ledger, fuzz::FuzzLedger::Get(1))) {
    const fuzz::FuzzLedger& on = fuzz::FuzzLedger::Get(seed.variant);
    const std::string payload = on.Payload(seed.record, seed.org, ++nonce);
    const std::uint8_t selector = fuzz::Selector(seed.org, seed.role);
    Write("record", seed.name,
          WithSelector(static_cast<std::uint8_t>(selector + fuzz::kKeyCount * seed.variant),
                       payload));
    chaincode::SignedRecord record = chaincode::SignRecord(payload, fuzz::LedgerKey(selector));
    const chaincode::BlockContext context{on.height() + 1, on.next_time_ms()};
    chaincode::BlockExecution execution =
        chaincode::ExecuteBlock({record}, on.state(), context, on.state_root());
    const auto& result = execution.results.at(0);
    std::cout << "record seed " << seed.name << ": "
              << (result.accepted ? "accepted"
                                  : result.rejection.rule + " " + result.rejection.message)
              << "\n";
    auto json = chaincode::RecordPayloadToJson(payload);
    if (json.ok()) Write("record_json", seed.name, json->dump(1));
    signed_records.push_back(record);
  }
  for (std::size_t i : {std::size_t{0}, std::size_t{12}, signed_records.size() - 1}) {
    const auto& record = signed_records.at(i);
    const std::string name = "record-" + std::to_string(i);
    Write("envelope", name + "-bytes", WithSelector(0, chaincode::EncodeEnvelope(record)));
    Write("envelope", name + "-json", WithSelector(1, chaincode::EnvelopeToJson(record).dump()));
  }

  // ---- HTTP requests.
  const nlohmann::json one = chaincode::EnvelopeToJson(signed_records.at(12));
  Write("http_api", "submit", Request("POST /v1/records", {}, one.dump()));
  Write("http_api", "submit-wait",
        Request("POST /v1/records?wait=commit&timeout_ms=50", {"Content-Type: application/json"},
                one.dump()));
  nlohmann::json batch = {{"records", nlohmann::json::array()}};
  for (std::size_t i = 10; i < 14; ++i) {
    batch["records"].push_back(chaincode::EnvelopeToJson(signed_records.at(i)));
  }
  batch["records"].push_back({{"payload", "!!"}, {"signer", "00"}, {"signature", 1}});
  Write("http_api", "submit-batch", Request("POST /v1/records?wait=commit", {}, batch.dump()));
  const std::string id = crypto::ToHex(chaincode::ComputeRecordId(signed_records.at(12).payload));
  for (const std::string& target :
       {"/v1/records/" + id, std::string("/v1/blocks/1"),
        std::string("/v1/query/balances?org=smelter&site=ma%69n&characteristic=cu+8"),
        std::string("/v1/query/exits?from=0&to=%zz")}) {
    std::string name = "read-" + std::to_string(std::hash<std::string>{}(target) % 1000);
    Write("http_api", name, Request("GET " + target, SignedReadHeaders(target), ""));
  }
  Write("http_api", "health", Request("GET /v1/health", {}, ""));
  Write("http_api", "validators", Request("GET /v1/validators", {}, ""));
  Write("http_api", "exit", Request("GET /v1/exit/MBL-0000-0000-0000", {}, ""));
  Write("http_api", "metrics", Request("GET /metrics", {}, ""));
  Write("http_api", "verify", Request("GET /verify?code=MBL-1", {}, ""));
  Write("http_api", "put", Request("PUT /v1/records", {}, "{}"));

  // ---- Scenario files, exit proof vectors.
  CopyFiles(source / "scenarios", "scenario", "");
  CopyFiles(source / "scenarios" / "rules", "scenario", "rules-");
  CopyExitVectors(source / "tests" / "vectors" / "exit");

  // ---- Node configs.
  Write("config", "minimal",
        R"({"data_dir": "data", "node_key_file": "node.secret", "genesis_file": "genesis.json"})");
  Write("config", "full",
        nlohmann::json{{"data_dir", "/var/lib/mbl"},
                       {"node_key_file", "keys/node.secret"},
                       {"genesis_file", "../genesis.json"},
                       {"http_address", "0.0.0.0"},
                       {"http_port", 7700},
                       {"http_threads", 4},
                       {"log_level", "debug"},
                       {"block_interval_ms", 50},
                       {"block_records_max", 1000},
                       {"mempool_records_max", 5000},
                       {"http_connections_max", 100},
                       {"http_requests_per_second", 100},
                       {"validator_listen_address", "0.0.0.0"},
                       {"round_timeout_ms", 1000},
                       {"clock_allowance_ms", 5000}}
            .dump(1));

  // ---- Consensus messages (signed by the consensus unit tests' validators), safety data.
  consensus::testing::Fixture f(4);
  const consensus::Block b1 = f.MakeBlock(f.genesis_block(), f.genesis_qc(), 1,
                                          formats::EncodeRecordsPayload({signed_records.at(12)}));
  const consensus::QuorumCertificate qc1 = f.Certify(b1, {0, 1, 2});
  const consensus::TimeoutCertificate tc2 = f.MakeTc(2, {{0, qc1}, {1, qc1}, {3, f.genesis_qc()}});
  const consensus::Block b3 = f.MakeBlock(b1, qc1, 3, std::string("\0binary\xff", 8));
  const consensus::Block b2 = f.MakeBlock(b1, qc1, 2);
  const consensus::QuorumCertificate qc2 = f.Certify(b2, {1, 2, 3});
  struct MessageSeed {
    const char* name;
    std::uint8_t from;
    consensus::Message message;
  };
  const MessageSeed messages[] = {
      {"proposal-b1", 1, f.Propose(b1)},
      {"proposal-b2", 2, f.Propose(b2)},
      {"proposal-b3-tc", 3, f.Propose(b3, tc2)},
      {"vote-b1", 0, f.Vote(b1, 0)},
      {"vote-b2", 2, f.Vote(b2, 2)},
      {"timeout", 1, f.Timeout(3, qc1, 1, tc2)},
      {"timeout-genesis", 2, f.Timeout(1, f.genesis_qc(), 2)},
      {"sync-info", 0, consensus::SyncInfo{qc2, tc2}},
      {"block-request", 1, consensus::BlockRequest{b3.id, 2, b1.id, 1, 64}},
      {"block-response", 2, consensus::BlockResponse{{b1, b2}}},
  };
  for (const MessageSeed& seed : messages) {
    Write("consensus", seed.name,
          WithSelector(static_cast<std::uint8_t>(seed.from * 4), EncodeMessage(seed.message)));
  }
  Write("consensus", "safety-data", WithSelector(1, consensus::EncodeSafetyData({7, 1, qc1, tc2})));
  Write("consensus", "qc", WithSelector(2, consensus::EncodeQuorumCertificate(qc2)));
  Write("consensus", "block", WithSelector(3, consensus::EncodeBlock(b3)));

  // ---- Node blocks, records payloads, BFT certificates.
  formats::Block block;
  block.records = {signed_records.at(12), signed_records.at(13)};
  block.header.height = 2;
  block.header.time_ms = ledger.next_time_ms();
  block.header.record_count = 2;
  block.header.records_root = formats::RecordsRoot(block.records);
  block.header.state_root = ledger.state_root();
  block.header.proposer = fuzz::ValidatorKey(0).public_key;
  formats::BftCertificate certificate{b1.round, b1.author, qc1};
  block.certificate = formats::EncodeBftCertificate(certificate);
  Write("block", "block-bft", WithSelector(0, formats::EncodeBlock(block)));
  block.certificate = formats::SignBlock(block.header, fuzz::ValidatorKey(0));
  Write("block", "block-signed", WithSelector(0, formats::EncodeBlock(block)));
  Write("block", "header", WithSelector(1, formats::EncodeHeader(block.header)));
  Write("block", "records-payload", WithSelector(2, formats::EncodeRecordsPayload(block.records)));
  Write("block", "bft-certificate", WithSelector(3, formats::EncodeBftCertificate(certificate)));

  // ---- Catch-up across epochs: a sync chunk of that block with a two-QC commit proof.
  block.certificate = formats::EncodeBftCertificate(certificate);
  formats::SyncChunk chunk{0, {block}, {qc1, qc1}};
  Write("sync_chunk", "chunk", WithSelector(0, formats::EncodeSyncChunk(chunk)));
  Write("sync_chunk", "commit-proof", WithSelector(1, formats::EncodeCommitProof(chunk.proof)));

  // ---- Validator link handshake and frames.
  const crypto::Hash256 chain_id = crypto::Sha256("mbl-fuzz-chain");
  auto initiator = crypto::LinkHandshake::Initiator(chain_id, fuzz::ValidatorKey(1),
                                                    fuzz::ValidatorKey(0).public_key);
  auto responder = crypto::LinkHandshake::Responder(chain_id, fuzz::ValidatorKey(0),
                                                    [](const crypto::PublicKey&) { return true; });
  const std::string m1 = initiator.Start();
  auto m2 = responder.Receive(m1);
  auto m3 = initiator.Receive(*m2);
  Write("secure_link", "m1", WithSelector(0, m1));
  Write("secure_link", "m2", WithSelector(1, *m2));
  Write("secure_link", "m3", WithSelector(2, *m3));
  std::array<std::uint8_t, 32> session_send{}, session_receive{};
  session_send.fill(1);
  session_receive.fill(2);
  crypto::SecureSession sender(session_receive, session_send);
  (void)sender.Seal("hello");
  std::string frames = sender.Seal(std::string(1, '\x01') + EncodeMessage(f.Vote(b1, 0)));
  frames +=
      "\n--\n" + sender.Seal(std::string(1, '\x02') + formats::EncodeRecordsPayload(block.records));
  Write("secure_link", "frames", WithSelector(3, frames));
  std::cout << "seeds written to " << g_corpus << "\n";
  return 0;
}
