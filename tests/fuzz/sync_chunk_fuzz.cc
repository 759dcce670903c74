// What a validator receives while catching up across validator-set epochs (formats/epoch.h): sync
// chunks (DecodeSyncChunk: blocks of an ended epoch and the proof that the last one committed)
// and commit proofs (DecodeCommitProof, also read back from the safety column). Input: a
// selector byte (% 2: sync chunk, commit proof), then the bytes.
// Invariant: whatever decodes re-encodes to the same bytes (one encoding).
#include "base/limits.h"
#include "formats/epoch.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mbl;
  std::string_view input = fuzz::AsText(data, size);
  const std::uint8_t selector = fuzz::TakeSelector(input);
  if (selector % 2 == 0) {
    auto chunk = formats::DecodeSyncChunk(input);
    if (!chunk.ok()) return 0;
    MBL_FUZZ_CHECK(!chunk->blocks.empty() && !chunk->proof.empty(), "empty chunk decoded");
    MBL_FUZZ_CHECK(formats::EncodeSyncChunk(*chunk) == input, "sync chunk re-encoding differs");
    return 0;
  }
  auto proof = formats::DecodeCommitProof(input);
  if (!proof.ok()) return 0;
  MBL_FUZZ_CHECK(proof->size() <= limits::kCommitProofQcsMax, "commit proof over its limit");
  MBL_FUZZ_CHECK(formats::EncodeCommitProof(*proof) == input, "commit proof re-encoding differs");
  return 0;
}
