// Blocks of the log as stored and served (formats/block.h DecodeBlock, DecodeHeader), the consensus
// payload a proposal carries and a validator's records frame holds (formats/records_payload.h
// DecodeRecordsPayload) and the BFT certificate of a stored block (DecodeBftCertificate). Input: a
// selector byte (% 4: block, header, records payload, BFT certificate), then the bytes.
// Invariant: whatever decodes re-encodes to the same bytes (docs/formats.md: one encoding).
#include "formats/block.h"
#include "formats/records_payload.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mbl;
  std::string_view input = fuzz::AsText(data, size);
  const std::uint8_t selector = fuzz::TakeSelector(input);
  switch (selector % 4) {
    case 0: {
      auto block = formats::DecodeBlock(input);
      if (!block.ok()) return 0;
      MBL_FUZZ_CHECK(block->records.size() == block->header.record_count, "record count");
      MBL_FUZZ_CHECK(formats::EncodeBlock(*block) == input, "block re-encoding differs");
      (void)formats::RecordsRoot(block->records);
      (void)formats::VerifyBlockSignature(block->header, block->certificate);
      if (auto certificate = formats::DecodeBftCertificate(block->certificate); certificate.ok()) {
        MBL_FUZZ_CHECK(formats::EncodeBftCertificate(*certificate) == block->certificate,
                       "certificate re-encoding differs");
      }
      return 0;
    }
    case 1: {
      auto header = formats::DecodeHeader(input);
      if (!header.ok()) return 0;
      MBL_FUZZ_CHECK(formats::EncodeHeader(*header) == input, "header re-encoding differs");
      (void)formats::BlockHash(*header);
      return 0;
    }
    case 2: {
      auto records = formats::DecodeRecordsPayload(input);
      if (!records.ok()) return 0;
      MBL_FUZZ_CHECK(formats::EncodeRecordsPayload(*records) == input,
                     "payload re-encoding differs");
      return 0;
    }
    default: {
      auto certificate = formats::DecodeBftCertificate(input);
      if (!certificate.ok()) return 0;
      MBL_FUZZ_CHECK(formats::EncodeBftCertificate(*certificate) == input,
                     "certificate re-encoding differs");
      return 0;
    }
  }
}
