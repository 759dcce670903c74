// Blocks of the log: a header committing to the records, their results and the state, plus the
// record envelopes. Encodings are hand-written and canonical (docs/formats.md, "Block").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chaincode/envelope.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"

namespace mbl::formats {

struct BlockHeader {
  std::uint64_t height = 0;
  crypto::Hash256 parent_hash{};  // zero for block 0
  std::int64_t time_ms = 0;       // agreed block time, never decreasing (R2a)
  std::uint32_t record_count = 0;
  crypto::Hash256 records_root{};  // RFC 6962 root over EncodeEnvelope of each record
  crypto::Hash256 results_root{};  // RFC 6962 root over EncodeRecordResult of each result
  crypto::Hash256 state_root{};    // chaincode::ComputeStateRoot after this block
  crypto::PublicKey proposer{};
};

struct Block {
  BlockHeader header;
  std::vector<chaincode::SignedRecord> records;
  // Who vouches for the block. With one validator: the proposer's signature over the block hash.
  // The BFT orderer puts the quorum certificate here (docs/formats.md).
  std::string certificate;
};

std::string EncodeHeader(const BlockHeader& header);
Result<BlockHeader> DecodeHeader(std::string_view bytes);
// SHA-256("mbl.block.v1\0" || EncodeHeader(header)).
crypto::Hash256 BlockHash(const BlockHeader& header);
crypto::Hash256 RecordsRoot(const std::vector<chaincode::SignedRecord>& records);

std::string EncodeBlock(const Block& block);
Result<Block> DecodeBlock(std::string_view bytes);

// The single-validator certificate: Ed25519 signature by the proposer over
// "mbl.block-signature.v1\0" || block hash.
std::string SignBlock(const BlockHeader& header, const crypto::KeyPair& proposer);
bool VerifyBlockSignature(const BlockHeader& header, std::string_view certificate);

}  // namespace mbl::formats
