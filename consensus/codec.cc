#include "consensus/codec.h"

#include <array>
#include <cstring>
#include <type_traits>

#include "base/limits.h"

namespace mbl::consensus {
namespace {

class Writer {
 public:
  void U8(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void U32(std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) U8(static_cast<std::uint8_t>(value >> shift));
  }
  void U64(std::uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) U8(static_cast<std::uint8_t>(value >> shift));
  }
  void I64(std::int64_t value) { U64(static_cast<std::uint64_t>(value)); }
  template <std::size_t N>
  void Fixed(const std::array<std::uint8_t, N>& bytes) {
    out_.append(reinterpret_cast<const char*>(bytes.data()), N);
  }
  void Bytes(std::string_view bytes) {
    U32(static_cast<std::uint32_t>(bytes.size()));
    out_.append(bytes);
  }
  void Raw(std::string_view bytes) { out_.append(bytes); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads canonical bytes; the first failure sticks and names what was being read.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return error_.empty(); }
  bool AtEnd() const { return in_.empty(); }
  Status status() const { return ok() ? Status::Ok() : InvalidArgument(error_); }
  void Fail(std::string what) {
    if (ok()) error_ = std::move(what);
  }

  std::uint8_t U8(const char* what) {
    if (!Need(1, what)) return 0;
    const auto value = static_cast<std::uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return value;
  }
  std::uint32_t U32(const char* what) {
    if (!Need(4, what)) return 0;
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<std::uint8_t>(in_[i]);
    in_.remove_prefix(4);
    return value;
  }
  std::uint64_t U64(const char* what) {
    if (!Need(8, what)) return 0;
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<std::uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return value;
  }
  std::int64_t I64(const char* what) { return static_cast<std::int64_t>(U64(what)); }
  template <std::size_t N>
  std::array<std::uint8_t, N> Fixed(const char* what) {
    std::array<std::uint8_t, N> out{};
    if (!Need(N, what)) return out;
    std::memcpy(out.data(), in_.data(), N);
    in_.remove_prefix(N);
    return out;
  }
  std::string Bytes(std::size_t max_bytes, const char* what) {
    const std::uint32_t size = U32(what);
    if (!ok()) return {};
    if (size > max_bytes) {
      Fail(std::string(what) + ": " + std::to_string(size) + " bytes exceeds the limit of " +
           std::to_string(max_bytes));
      return {};
    }
    if (!Need(size, what)) return {};
    std::string out(in_.substr(0, size));
    in_.remove_prefix(size);
    return out;
  }
  // A u32 count of items, each at least `item_bytes_min` long, at most `max_items`.
  std::uint32_t Count(std::size_t max_items, std::size_t item_bytes_min, const char* what) {
    const std::uint32_t count = U32(what);
    if (!ok()) return 0;
    if (count > max_items) {
      Fail(std::string(what) + ": " + std::to_string(count) + " entries exceeds the limit of " +
           std::to_string(max_items));
      return 0;
    }
    if (static_cast<std::size_t>(count) * item_bytes_min > in_.size()) {
      Fail(std::string(what) + ": truncated");
      return 0;
    }
    return count;
  }
  bool Optional(const char* what) {
    const std::uint8_t flag = U8(what);
    if (flag > 1) Fail(std::string(what) + ": presence flag must be 0 or 1");
    return flag == 1;
  }

 private:
  bool Need(std::size_t bytes, const char* what) {
    if (!ok()) return false;
    if (in_.size() < bytes) {
      Fail(std::string(what) + ": truncated");
      return false;
    }
    return true;
  }

  std::string_view in_;
  std::string error_;
};

constexpr std::size_t kVoteDataBytes = 32 + 8 + 8 + 32 + 8 + 32 + 32;
constexpr std::size_t kValidatorSignatureBytes = 4 + crypto::kSignatureBytes;
constexpr std::size_t kTimeoutSignatureBytes = 4 + 8 + crypto::kSignatureBytes;
constexpr std::size_t kQuorumCertificateBytesMin = kVoteDataBytes + 4;
constexpr std::size_t kBlockBytesMin = 8 + 8 + 8 + 4 + kQuorumCertificateBytesMin + 4 + 64;

void WriteVoteData(Writer& w, const VoteData& v) {
  w.Fixed(v.block_id);
  w.U64(v.round);
  w.U64(v.height);
  w.Fixed(v.parent_id);
  w.U64(v.parent_round);
  w.Fixed(v.execution.state_root);
  w.Fixed(v.execution.results_root);
}

VoteData ReadVoteData(Reader& r) {
  VoteData v;
  v.block_id = r.Fixed<32>("vote data block id");
  v.round = r.U64("vote data round");
  v.height = r.U64("vote data height");
  v.parent_id = r.Fixed<32>("vote data parent id");
  v.parent_round = r.U64("vote data parent round");
  v.execution.state_root = r.Fixed<32>("vote data state root");
  v.execution.results_root = r.Fixed<32>("vote data results root");
  return v;
}

void WriteQc(Writer& w, const QuorumCertificate& qc) {
  WriteVoteData(w, qc.vote_data);
  w.U32(static_cast<std::uint32_t>(qc.signatures.size()));
  for (const auto& s : qc.signatures) {
    w.U32(s.signer);
    w.Fixed(s.signature);
  }
}

// Signers must be strictly increasing: one encoding per certificate, no duplicates.
template <typename Signatures>
void CheckSignersSorted(Reader& r, const Signatures& signatures, const char* what) {
  for (std::size_t i = 1; i < signatures.size(); ++i) {
    if (signatures[i].signer <= signatures[i - 1].signer) {
      r.Fail(std::string(what) + ": signers must be strictly increasing (duplicate or unsorted)");
      return;
    }
  }
}

QuorumCertificate ReadQc(Reader& r, SignerOrder order = SignerOrder::kIncreasing) {
  QuorumCertificate qc;
  qc.vote_data = ReadVoteData(r);
  const std::uint32_t count =
      r.Count(limits::kValidatorsMax, kValidatorSignatureBytes, "quorum certificate signatures");
  qc.signatures.reserve(count);
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    ValidatorSignature s;
    s.signer = r.U32("quorum certificate signer");
    s.signature = r.Fixed<crypto::kSignatureBytes>("quorum certificate signature");
    qc.signatures.push_back(s);
  }
  if (order == SignerOrder::kIncreasing) CheckSignersSorted(r, qc.signatures, "quorum certificate");
  return qc;
}

void WriteTc(Writer& w, const TimeoutCertificate& tc) {
  w.U64(tc.round);
  WriteQc(w, tc.high_qc);
  w.U32(static_cast<std::uint32_t>(tc.signatures.size()));
  for (const auto& s : tc.signatures) {
    w.U32(s.signer);
    w.U64(s.high_qc_round);
    w.Fixed(s.signature);
  }
}

TimeoutCertificate ReadTc(Reader& r) {
  TimeoutCertificate tc;
  tc.round = r.U64("timeout certificate round");
  tc.high_qc = ReadQc(r);
  const std::uint32_t count =
      r.Count(limits::kValidatorsMax, kTimeoutSignatureBytes, "timeout certificate signatures");
  tc.signatures.reserve(count);
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    TimeoutSignature s;
    s.signer = r.U32("timeout certificate signer");
    s.high_qc_round = r.U64("timeout certificate high qc round");
    s.signature = r.Fixed<crypto::kSignatureBytes>("timeout certificate signature");
    tc.signatures.push_back(s);
  }
  CheckSignersSorted(r, tc.signatures, "timeout certificate");
  return tc;
}

void WriteOptionalTc(Writer& w, const std::optional<TimeoutCertificate>& tc) {
  w.U8(tc.has_value() ? 1 : 0);
  if (tc) WriteTc(w, *tc);
}

std::optional<TimeoutCertificate> ReadOptionalTc(Reader& r) {
  if (!r.Optional("timeout certificate presence")) return std::nullopt;
  return ReadTc(r);
}

void WriteBlock(Writer& w, const Block& b) {
  w.U64(b.round);
  w.U64(b.height);
  w.I64(b.time_ms);
  w.U32(b.author);
  WriteQc(w, b.qc);
  w.Bytes(b.payload);
  w.Fixed(b.execution.state_root);
  w.Fixed(b.execution.results_root);
}

Block ReadBlock(Reader& r) {
  Block b;
  b.round = r.U64("block round");
  b.height = r.U64("block height");
  b.time_ms = r.I64("block time");
  b.author = r.U32("block author");
  b.qc = ReadQc(r);
  b.payload = r.Bytes(limits::kConsensusPayloadBytesMax, "block payload");
  b.execution.state_root = r.Fixed<32>("block state root");
  b.execution.results_root = r.Fixed<32>("block results root");
  if (r.ok()) SealBlock(b);
  return b;
}

void WriteMessageBody(Writer& w, const ProposalMsg& m) {
  WriteBlock(w, m.block);
  WriteOptionalTc(w, m.last_round_tc);
  w.Fixed(m.signature);
}
void WriteMessageBody(Writer& w, const VoteMsg& m) {
  WriteVoteData(w, m.vote_data);
  w.U32(m.voter);
  w.Fixed(m.signature);
}
void WriteMessageBody(Writer& w, const TimeoutMsg& m) {
  w.U64(m.round);
  WriteQc(w, m.high_qc);
  w.U32(m.sender);
  w.Fixed(m.signature);
  WriteOptionalTc(w, m.last_round_tc);
}
void WriteMessageBody(Writer& w, const SyncInfo& m) {
  WriteQc(w, m.high_qc);
  WriteOptionalTc(w, m.last_round_tc);
}
void WriteMessageBody(Writer& w, const BlockRequest& m) {
  w.Fixed(m.target_id);
  w.U64(m.target_height);
  w.Fixed(m.after_id);
  w.U64(m.after_height);
  w.U32(m.count);
}
void WriteMessageBody(Writer& w, const BlockResponse& m) {
  w.U32(static_cast<std::uint32_t>(m.blocks.size()));
  for (const auto& b : m.blocks) WriteBlock(w, b);
}

MessageType TypeOf(const Message& message) {
  static constexpr MessageType kTypes[] = {MessageType::kProposal,     MessageType::kVote,
                                           MessageType::kTimeout,      MessageType::kSyncInfo,
                                           MessageType::kBlockRequest, MessageType::kBlockResponse};
  static_assert(std::size(kTypes) == std::variant_size_v<Message>);
  return kTypes[message.index()];
}

Message ReadMessageBody(Reader& r, MessageType type) {
  switch (type) {
    case MessageType::kProposal: {
      ProposalMsg m;
      m.block = ReadBlock(r);
      m.last_round_tc = ReadOptionalTc(r);
      m.signature = r.Fixed<crypto::kSignatureBytes>("proposal signature");
      return m;
    }
    case MessageType::kVote: {
      VoteMsg m;
      m.vote_data = ReadVoteData(r);
      m.voter = r.U32("vote voter");
      m.signature = r.Fixed<crypto::kSignatureBytes>("vote signature");
      return m;
    }
    case MessageType::kTimeout: {
      TimeoutMsg m;
      m.round = r.U64("timeout round");
      m.high_qc = ReadQc(r);
      m.sender = r.U32("timeout sender");
      m.signature = r.Fixed<crypto::kSignatureBytes>("timeout signature");
      m.last_round_tc = ReadOptionalTc(r);
      return m;
    }
    case MessageType::kSyncInfo: {
      SyncInfo m;
      m.high_qc = ReadQc(r);
      m.last_round_tc = ReadOptionalTc(r);
      return m;
    }
    case MessageType::kBlockRequest: {
      BlockRequest m;
      m.target_id = r.Fixed<32>("block request target");
      m.target_height = r.U64("block request target height");
      m.after_id = r.Fixed<32>("block request after");
      m.after_height = r.U64("block request after height");
      m.count = r.U32("block request count");
      return m;
    }
    case MessageType::kBlockResponse: {
      BlockResponse m;
      const std::uint32_t count =
          r.Count(limits::kCatchUpBlocksPerRequestMax, kBlockBytesMin, "block response blocks");
      m.blocks.reserve(count);
      for (std::uint32_t i = 0; i < count && r.ok(); ++i) m.blocks.push_back(ReadBlock(r));
      return m;
    }
  }
  r.Fail("message type " + std::to_string(static_cast<int>(type)) + " is unknown");
  return SyncInfo{};
}

std::string SigningPrefix(std::string_view tag, const crypto::Hash256& chain_id) {
  std::string out(tag);
  out.append(reinterpret_cast<const char*>(chain_id.data()), chain_id.size());
  return out;
}

}  // namespace

crypto::Hash256 VoteDataDigest(const VoteData& vote_data) {
  return crypto::Sha256Hasher().Update(kVoteDataTag).Update(EncodeVoteData(vote_data)).Final();
}

BlockId ComputeBlockId(const Block& block) {
  crypto::Sha256Hasher hasher;
  hasher.Update(kBlockIdTag)
      .UpdateU64BigEndian(block.round)
      .UpdateU64BigEndian(block.height)
      .UpdateU64BigEndian(static_cast<std::uint64_t>(block.time_ms))
      .UpdateU32BigEndian(block.author)
      .Update(VoteDataDigest(block.qc.vote_data))
      .Update(crypto::Sha256(block.payload))
      .Update(block.execution.state_root)
      .Update(block.execution.results_root);
  return hasher.Final();
}

void SealBlock(Block& block) { block.id = ComputeBlockId(block); }

crypto::Hash256 QuorumCertificateDigest(const QuorumCertificate& qc) {
  return crypto::Sha256(EncodeQuorumCertificate(qc));
}

crypto::Hash256 TimeoutCertificateDigest(const TimeoutCertificate& tc) {
  return crypto::Sha256(EncodeTimeoutCertificate(tc));
}

std::string ProposalSigningBytes(const crypto::Hash256& chain_id, const BlockId& block_id) {
  std::string out = SigningPrefix(kProposalSignTag, chain_id);
  out.append(reinterpret_cast<const char*>(block_id.data()), block_id.size());
  return out;
}

std::string VoteSigningBytes(const crypto::Hash256& chain_id, const VoteData& vote_data) {
  return SigningPrefix(kVoteSignTag, chain_id) + EncodeVoteData(vote_data);
}

std::string TimeoutSigningBytes(const crypto::Hash256& chain_id, Round round, Round high_qc_round) {
  Writer w;
  w.Raw(SigningPrefix(kTimeoutSignTag, chain_id));
  w.U64(round);
  w.U64(high_qc_round);
  return w.Take();
}

std::string EncodeVoteData(const VoteData& vote_data) {
  Writer w;
  WriteVoteData(w, vote_data);
  return w.Take();
}

std::string EncodeQuorumCertificate(const QuorumCertificate& qc) {
  Writer w;
  WriteQc(w, qc);
  return w.Take();
}

std::string EncodeTimeoutCertificate(const TimeoutCertificate& tc) {
  Writer w;
  WriteTc(w, tc);
  return w.Take();
}

std::string EncodeBlock(const Block& block) {
  Writer w;
  WriteBlock(w, block);
  return w.Take();
}

namespace {
template <typename T, typename ReadFn>
Result<T> DecodeWhole(std::string_view bytes, const char* what, ReadFn read) {
  Reader r(bytes);
  T value = read(r);
  if (r.ok() && !r.AtEnd()) r.Fail("trailing bytes");
  if (!r.ok()) return r.status().WithContext(std::string("decoding ") + what);
  return value;
}
}  // namespace

Result<QuorumCertificate> DecodeQuorumCertificate(std::string_view bytes, SignerOrder order) {
  return DecodeWhole<QuorumCertificate>(bytes, "quorum certificate",
                                        [order](Reader& r) { return ReadQc(r, order); });
}

Result<Block> DecodeBlock(std::string_view bytes) {
  return DecodeWhole<Block>(bytes, "block", ReadBlock);
}

std::string EncodeMessage(const Message& message) {
  Writer w;
  w.U8(kCodecVersion);
  w.U8(static_cast<std::uint8_t>(TypeOf(message)));
  std::visit([&w](const auto& m) { WriteMessageBody(w, m); }, message);
  return w.Take();
}

Result<Message> DecodeMessage(std::string_view bytes) {
  return DecodeWhole<Message>(bytes, "consensus message", [](Reader& r) -> Message {
    const std::uint8_t version = r.U8("message version");
    if (r.ok() && version != kCodecVersion) {
      r.Fail("message version " + std::to_string(version) + " is not supported (expected " +
             std::to_string(kCodecVersion) + ")");
    }
    const auto type = static_cast<MessageType>(r.U8("message type"));
    if (!r.ok()) return SyncInfo{};
    return ReadMessageBody(r, type);
  });
}

std::string EncodeSafetyData(const SafetyData& data) {
  Writer w;
  w.U8(kCodecVersion);
  w.U64(data.highest_voted_round);
  w.U64(data.highest_qc_round);
  WriteQc(w, data.high_qc);
  WriteOptionalTc(w, data.last_round_tc);
  return w.Take();
}

Result<SafetyData> DecodeSafetyData(std::string_view bytes) {
  return DecodeWhole<SafetyData>(bytes, "safety data", [](Reader& r) {
    SafetyData data;
    const std::uint8_t version = r.U8("safety data version");
    if (r.ok() && version != kCodecVersion) {
      r.Fail("safety data version " + std::to_string(version) + " is not supported");
    }
    data.highest_voted_round = r.U64("highest voted round");
    data.highest_qc_round = r.U64("highest qc round");
    data.high_qc = ReadQc(r);
    data.last_round_tc = ReadOptionalTc(r);
    return data;
  });
}

}  // namespace mbl::consensus
