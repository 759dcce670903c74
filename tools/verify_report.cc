#include "tools/verify_report.h"

#include <sstream>

#include "tools/terminal_text.h"

namespace mbl::tools {
namespace {

std::string Grams(const nlohmann::json& grams) {
  if (!grams.is_number_unsigned()) return "";
  return std::to_string(grams.get<std::uint64_t>() / 1000) + " kg";
}

// "Nordic Certification AB (cb)" from the genesis names, or the id alone.
std::string Organization(const VerifiedExit& verified, const std::string& id) {
  auto name = verified.organization_names.find(id);
  if (name == verified.organization_names.end() || name->second.empty()) return TerminalSafe(id);
  return TerminalSafe(name->second + " (" + id + ")");
}

nlohmann::json CertificationBodies(const VerifiedExit& verified) {
  nlohmann::json bodies = nlohmann::json::array();
  const nlohmann::json& provenance = verified.claim.value("provenance", nlohmann::json::object());
  for (const auto& id : provenance.value("certification_bodies", nlohmann::json::array())) {
    if (!id.is_string()) continue;
    auto name = verified.organization_names.find(id.get<std::string>());
    bodies.push_back(
        {{"id", id}, {"name", name == verified.organization_names.end() ? "" : name->second}});
  }
  return bodies;
}

// The trust line: loud when the ledger is not pinned.
std::string TrustStatement(const VerifiedExit& verified, const std::string& checkpoint_file) {
  const std::string& chain = verified.chain_id;
  switch (verified.trust) {
    case Trust::kPinned:
      return "  ledger: chain " + chain + ", pinned by you\n";
    case Trust::kKnown:
      return "  ledger: chain " + chain + ", NOT pinned: the one " + checkpoint_file +
             " trusted on first use\n";
    case Trust::kFirstUse:
      return "  WARNING: the ledger is NOT PINNED. Chain " + chain +
             " is trusted on first use from now on (kept in " + checkpoint_file +
             "). Compare it with the chain id the consortium publishes, or pin it with --chain "
             "or --genesis.\n";
    case Trust::kUnpinned:
      return "  WARNING: the ledger is NOT PINNED. The bundle was checked against the genesis it "
             "carries itself (chain " +
             chain +
             "), and anyone can build a ledger that checks out against its own genesis. Pin the "
             "consortium's ledger with --chain or --genesis, or keep a --checkpoint.\n";
  }
  return "";
}

}  // namespace

// The plain-language account of what was verified; nothing claims physical content.
std::string VerifiedText(const VerifiedExit& verified, const std::string& checkpoint_file) {
  const nlohmann::json& claim = verified.claim;
  const nlohmann::json& provenance = claim.value("provenance", nlohmann::json::object());
  std::ostringstream out;
  out << "VERIFIED: exit code " << TerminalSafeMember(claim, "exit_code") << "\n"
      << TrustStatement(verified, TerminalSafe(checkpoint_file)) << "  committed in block "
      << verified.height << ", certified by " << verified.signers << " of " << verified.validators
      << " validators\n";
  if (verified.record) {
    out << "  the exit record is signed by " << Organization(verified, verified.record->author_org)
        << "\n";
  } else {
    out << "  the exit record itself is withheld: " << TerminalSafe(verified.record_withheld)
        << "\n";
  }
  out << "  characteristic: "
      << TerminalSafeMember(claim.value("characteristic", nlohmann::json::object()), "name") << "\n"
      << "  the claim concerns: the " << TerminalSafeMember(claim, "concerns") << " ("
      << TerminalSafeMember(claim, "product_description") << ", batch "
      << TerminalSafeMember(claim, "product_batch") << ")\n";
  if (claim.contains("credit_grams")) {
    out << "  credits retired: " << Grams(claim["credit_grams"]) << "\n";
  }
  std::string bodies;
  for (const auto& body : CertificationBodies(verified)) {
    if (!bodies.empty()) bodies += ", ";
    bodies += Organization(verified, body["id"].get<std::string>());
  }
  out << "  certification bodies: " << bodies << "; credits issued in "
      << TerminalSafeJson(provenance.value("certification_years", nlohmann::json::array())) << "\n"
      << "  value-chain steps: "
      << TerminalSafeJson(provenance.value("value_chain_steps", nlohmann::json())) << "\n"
      << "  statement: " << TerminalSafeMember(claim, "statement") << "\n";
  return out.str();
}

nlohmann::json VerifiedJson(const VerifiedExit& verified) {
  nlohmann::json out = {{"verified", true},
                        {"trust", TrustName(verified.trust)},
                        {"chain_id", verified.chain_id},
                        {"claim", verified.claim},
                        {"certification_bodies", CertificationBodies(verified)},
                        {"height", verified.height},
                        {"certificate_kind", verified.certificate_kind},
                        {"signers", verified.signers},
                        {"validators", verified.validators}};
  if (verified.record) {
    out["record"] = {{"author_org", verified.record->author_org},
                     {"author_name", verified.record->author_name},
                     {"signer", verified.record->signer}};
  } else {
    out["record_withheld"] = verified.record_withheld;
  }
  return out;
}

}  // namespace mbl::tools
