// Who may read what (DOMAIN §6), in one place for the credit queries (queries/credit_queries.h)
// and the node's raw reads of records and blocks (node/ledger.cc):
//   - an organization's credit data: the organization itself and certification bodies;
//   - a record's content: its parties (ReadersOfRecord) and certification bodies; governance and
//     reference records (T1..T5) are consortium-wide facts every member reads, as the reference
//     queries show them to every member anyway.
// Certification bodies read everything they may certify or audit (today: any CB). The
// requirements setter has no reading right of its own beyond that: it reads the governance and
// reference records, and the records it is party to, like every member.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/status.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/state.h"
#include "crypto/ed25519.h"

namespace mbl::chaincode {

// Certification bodies certify and audit: they read every organization's data (DOMAIN §6).
bool ReadsEveryOrganization(const StateReader& state, const std::string& reader_org);

// The organization itself or a reader of every organization; otherwise kPermissionDenied naming
// the reader, the organization and `what` (e.g. "the credit data").
Status AuthorizeOrganizationData(const StateReader& state, const std::string& reader_org,
                                 const std::string& org, std::string_view what);

// One of `parties` or a reader of every organization; otherwise kPermissionDenied saying who
// reads `what`.
Status AuthorizeParties(const StateReader& state, const std::string& reader_org,
                        const std::set<std::string>& parties, std::string_view what);

// A stretch of time in which an organization's trading partners are its counterparties.
struct TradingPeriod {
  std::string org;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;  // 0: open-ended
};

// The readers of one record's content, besides the readers of every organization.
struct RecordReaders {
  // Genesis, membership, sites, characteristics, product groups, factors, accreditations (T1..T5).
  bool every_member = false;
  // The author, the organization whose person signed it, and the counterparties.
  std::set<std::string> parties;
  // T16: also every organization that shipped to or received from `org` in the period (DOMAIN §4).
  std::optional<TradingPeriod> trading_partners_of;
};

// The readers of `record`, signed by `signer`, given the current state: counterparties named in
// the record (a shipment's receiver, an audited organization, ...) and those the state knows (a
// receipt's or a return's shipment sender, a certification's requester).
RecordReaders ReadersOfRecord(const v1::Record& record, const crypto::PublicKey& signer,
                              const StateReader& state);
// A payload that does not parse (rejected as FORMAT): the organization whose person signed it.
RecordReaders ReadersOfUnparsedRecord(const crypto::PublicKey& signer, const StateReader& state);

bool MayReadRecord(const StateReader& state, const std::string& reader_org,
                   const RecordReaders& readers);

// The record type as named in the record JSON (docs/formats.md): "shipment", "genesis", ...;
// "unknown" for a record without a body this binary knows.
std::string RecordTypeName(const v1::Record& record);

}  // namespace mbl::chaincode
