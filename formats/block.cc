#include "formats/block.h"

#include <cstring>

#include "base/limits.h"
#include "crypto/merkle.h"

namespace mbl::formats {
namespace {

constexpr std::string_view kBlockDomainTag{"mbl.block.v1\0", 13};
constexpr std::string_view kBlockSignatureTag{"mbl.block-signature.v1\0", 23};
constexpr std::uint8_t kHeaderVersion = 1;
constexpr std::size_t kHeaderBytes = 1 + 8 + 32 + 8 + 4 + 32 + 32 + 32 + 32;

void PutU32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}
void PutU64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}
template <std::size_t N>
void PutBytes(std::string& out, const std::array<std::uint8_t, N>& bytes) {
  out.append(reinterpret_cast<const char*>(bytes.data()), N);
}

// Reads fixed-width fields from a byte string, remembering whether it ran short.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t U64() { return Number(8); }
  std::uint32_t U32() { return static_cast<std::uint32_t>(Number(4)); }
  std::uint8_t U8() { return static_cast<std::uint8_t>(Number(1)); }
  template <std::size_t N>
  std::array<std::uint8_t, N> Bytes() {
    std::array<std::uint8_t, N> out{};
    if (Need(N)) std::memcpy(out.data(), bytes_.data() + offset_, N);
    offset_ += N;
    return out;
  }
  std::string_view Take(std::size_t n) {
    if (!Need(n)) return {};
    std::string_view out = bytes_.substr(offset_, n);
    offset_ += n;
    return out;
  }
  bool ok() const { return ok_; }
  std::size_t remaining() const { return ok_ ? bytes_.size() - offset_ : 0; }

 private:
  bool Need(std::size_t n) {
    ok_ = ok_ && offset_ + n <= bytes_.size();
    return ok_;
  }
  std::uint64_t Number(std::size_t width) {
    std::uint64_t value = 0;
    if (!Need(width)) return 0;
    for (std::size_t i = 0; i < width; ++i) {
      value = (value << 8) | static_cast<std::uint8_t>(bytes_[offset_ + i]);
    }
    offset_ += width;
    return value;
  }
  std::string_view bytes_;
  std::size_t offset_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string EncodeHeader(const BlockHeader& header) {
  std::string out;
  out.reserve(kHeaderBytes);
  out.push_back(static_cast<char>(kHeaderVersion));
  PutU64(out, header.height);
  PutBytes(out, header.parent_hash);
  PutU64(out, static_cast<std::uint64_t>(header.time_ms));
  PutU32(out, header.record_count);
  PutBytes(out, header.records_root);
  PutBytes(out, header.results_root);
  PutBytes(out, header.state_root);
  PutBytes(out, header.proposer);
  MBL_CHECK_EQ(out.size(), kHeaderBytes);
  return out;
}

Result<BlockHeader> DecodeHeader(std::string_view bytes) {
  if (bytes.size() != kHeaderBytes) {
    return DataLoss("block header is " + std::to_string(bytes.size()) + " bytes, expected " +
                    std::to_string(kHeaderBytes));
  }
  Reader in(bytes);
  if (in.U8() != kHeaderVersion) return DataLoss("unknown block header version");
  BlockHeader header;
  header.height = in.U64();
  header.parent_hash = in.Bytes<32>();
  header.time_ms = static_cast<std::int64_t>(in.U64());
  header.record_count = in.U32();
  header.records_root = in.Bytes<32>();
  header.results_root = in.Bytes<32>();
  header.state_root = in.Bytes<32>();
  header.proposer = in.Bytes<32>();
  MBL_CHECK(in.ok());
  return header;
}

crypto::Hash256 BlockHash(const BlockHeader& header) {
  return crypto::Sha256Hasher().Update(kBlockDomainTag).Update(EncodeHeader(header)).Final();
}

crypto::Hash256 RecordsRoot(const std::vector<chaincode::SignedRecord>& records) {
  std::vector<crypto::Hash256> leaves;
  leaves.reserve(records.size());
  for (const auto& record : records) {
    leaves.push_back(crypto::MerkleLeafHash(chaincode::EncodeEnvelope(record)));
  }
  return crypto::MerkleRoot(leaves);
}

std::string EncodeBlock(const Block& block) {
  MBL_CHECK_EQ(block.header.record_count, block.records.size());
  std::string out = EncodeHeader(block.header);
  PutU32(out, static_cast<std::uint32_t>(block.certificate.size()));
  out.append(block.certificate);
  for (const auto& record : block.records) {
    std::string envelope = chaincode::EncodeEnvelope(record);
    PutU32(out, static_cast<std::uint32_t>(envelope.size()));
    out.append(envelope);
  }
  return out;
}

Result<Block> DecodeBlock(std::string_view bytes) {
  Reader in(bytes);
  Block block;
  MBL_ASSIGN_OR_RETURN(block.header, DecodeHeader(in.Take(kHeaderBytes)));
  if (block.header.record_count > limits::kBlockRecordsMax) {
    return DataLoss("block declares " + std::to_string(block.header.record_count) + " records");
  }
  std::uint32_t certificate_bytes = in.U32();
  block.certificate = std::string(in.Take(certificate_bytes));
  for (std::uint32_t i = 0; i < block.header.record_count && in.ok(); ++i) {
    std::uint32_t length = in.U32();
    auto record = chaincode::DecodeEnvelope(in.Take(length));
    if (!record.ok())
      return DataLoss("record " + std::to_string(i) + ": " + record.status().message());
    block.records.push_back(std::move(*record));
  }
  if (!in.ok() || in.remaining() != 0) return DataLoss("block bytes are truncated or too long");
  return block;
}

std::string SignBlock(const BlockHeader& header, const crypto::KeyPair& proposer) {
  std::string message(kBlockSignatureTag);
  crypto::Hash256 hash = BlockHash(header);
  message.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  crypto::Signature signature = crypto::Sign(proposer.secret_key, message);
  return std::string(reinterpret_cast<const char*>(signature.data()), signature.size());
}

bool VerifyBlockSignature(const BlockHeader& header, std::string_view certificate) {
  if (certificate.size() != crypto::kSignatureBytes) return false;
  crypto::Signature signature{};
  std::memcpy(signature.data(), certificate.data(), signature.size());
  std::string message(kBlockSignatureTag);
  crypto::Hash256 hash = BlockHash(header);
  message.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return crypto::Verify(header.proposer, message, signature);
}

}  // namespace mbl::formats
