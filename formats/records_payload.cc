#include "formats/records_payload.h"

#include "base/big_endian.h"
#include "base/limits.h"

namespace mbl::formats {
namespace {

using big_endian::PutU32;
using big_endian::PutU64;
using big_endian::TakeUint;

}  // namespace

std::string EncodeRecordsPayload(const std::vector<chaincode::SignedRecord>& records) {
  if (records.empty()) return {};
  std::string out;
  PutU32(out, static_cast<std::uint32_t>(records.size()));
  for (const auto& record : records) {
    std::string envelope = chaincode::EncodeEnvelope(record);
    PutU32(out, static_cast<std::uint32_t>(envelope.size()));
    out += envelope;
  }
  return out;
}

Result<std::vector<chaincode::SignedRecord>> DecodeRecordsPayload(std::string_view bytes) {
  std::vector<chaincode::SignedRecord> records;
  if (bytes.empty()) return records;
  std::uint64_t count = 0;
  if (!TakeUint(bytes, 4, count)) return InvalidArgument("records payload: truncated count");
  if (count == 0) return InvalidArgument("records payload: zero records must be encoded as empty");
  if (count > limits::kBlockRecordsMax) {
    return InvalidArgument("records payload: " + std::to_string(count) +
                           " records exceeds the limit of " +
                           std::to_string(limits::kBlockRecordsMax));
  }
  records.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t size = 0;
    if (!TakeUint(bytes, 4, size) || size > bytes.size()) {
      return InvalidArgument("records payload: record " + std::to_string(i) + " is truncated");
    }
    auto record = chaincode::DecodeEnvelope(bytes.substr(0, size));
    if (!record.ok()) {
      return record.status().WithContext("records payload: record " + std::to_string(i));
    }
    records.push_back(std::move(*record));
    bytes.remove_prefix(size);
  }
  if (!bytes.empty()) return InvalidArgument("records payload: trailing bytes");
  return records;
}

std::string EncodeBftCertificate(const BftCertificate& certificate) {
  std::string out(1, static_cast<char>(kBftCertificateVersion));
  PutU64(out, certificate.round);
  PutU32(out, certificate.author);
  out += consensus::EncodeQuorumCertificate(certificate.qc);
  return out;
}

Result<BftCertificate> DecodeBftCertificate(std::string_view bytes, consensus::SignerOrder order) {
  BftCertificate certificate;
  std::uint64_t version = 0, author = 0;
  if (!TakeUint(bytes, 1, version) || version != kBftCertificateVersion) {
    return InvalidArgument("block certificate: not a BFT certificate (version byte)");
  }
  if (!TakeUint(bytes, 8, certificate.round) || !TakeUint(bytes, 4, author)) {
    return InvalidArgument("block certificate: truncated");
  }
  certificate.author = static_cast<consensus::ValidatorIndex>(author);
  MBL_ASSIGN_OR_RETURN(certificate.qc, consensus::DecodeQuorumCertificate(bytes, order));
  return certificate;
}

}  // namespace mbl::formats
