// Blocks of the log as stored and served (node/block.h DecodeBlock, DecodeHeader), the consensus
// payload a proposal carries and a validator's records frame holds (node/records_payload.h
// DecodeRecordsPayload) and the BFT certificate of a stored block (DecodeBftCertificate). Input: a
// selector byte (% 4: block, header, records payload, BFT certificate), then the bytes.
// Invariant: whatever decodes re-encodes to the same bytes (docs/formats.md: one encoding).
#include "node/block.h"
#include "node/records_payload.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mbl;
  std::string_view input = fuzz::AsText(data, size);
  const std::uint8_t selector = fuzz::TakeSelector(input);
  switch (selector % 4) {
    case 0: {
      auto block = node::DecodeBlock(input);
      if (!block.ok()) return 0;
      MBL_FUZZ_CHECK(block->records.size() == block->header.record_count, "record count");
      MBL_FUZZ_CHECK(node::EncodeBlock(*block) == input, "block re-encoding differs");
      (void)node::RecordsRoot(block->records);
      (void)node::VerifyBlockSignature(block->header, block->certificate);
      if (auto certificate = node::DecodeBftCertificate(block->certificate); certificate.ok()) {
        MBL_FUZZ_CHECK(node::EncodeBftCertificate(*certificate) == block->certificate,
                       "certificate re-encoding differs");
      }
      return 0;
    }
    case 1: {
      auto header = node::DecodeHeader(input);
      if (!header.ok()) return 0;
      MBL_FUZZ_CHECK(node::EncodeHeader(*header) == input, "header re-encoding differs");
      (void)node::BlockHash(*header);
      return 0;
    }
    case 2: {
      auto records = node::DecodeRecordsPayload(input);
      if (!records.ok()) return 0;
      MBL_FUZZ_CHECK(node::EncodeRecordsPayload(*records) == input, "payload re-encoding differs");
      return 0;
    }
    default: {
      auto certificate = node::DecodeBftCertificate(input);
      if (!certificate.ok()) return 0;
      MBL_FUZZ_CHECK(node::EncodeBftCertificate(*certificate) == input,
                     "certificate re-encoding differs");
      return 0;
    }
  }
}
