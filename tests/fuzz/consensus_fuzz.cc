// The consensus codec (consensus/codec.h): messages between validators, the persisted safety
// data, quorum certificates (also inside BFT block certificates) and consensus blocks. Input: a
// selector byte, then the bytes. Selector % 4: 0 DecodeMessage, 1 DecodeSafetyData,
// 2 DecodeQuorumCertificate, 3 DecodeBlock; (selector / 4) % 4 is the validator a message comes
// from. Invariants: whatever decodes re-encodes to the same bytes (codec.h: one encoding per
// value). A decoded message then goes to a fresh consensus core of validator 3 of the 4 of the
// consensus unit tests' fixture (whose keys signed the seeds), which must verify it before it
// changes anything and never crash on it.
#include "consensus/certificates.h"
#include "consensus/codec.h"
#include "consensus/core.h"
#include "consensus/interfaces.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/unit/consensus/fixture.h"

namespace {

using namespace mbl;
using namespace mbl::consensus;

const testing::Fixture& SharedFixture() {
  static const testing::Fixture* fixture = new testing::Fixture(4);
  return *fixture;
}

void Deliver(ValidatorIndex from, const Message& message) {
  const testing::Fixture& f = SharedFixture();
  constexpr ValidatorIndex kSelf = 3;
  testing::TestHost host;
  KeyPairSigner signer(f.key(kSelf));
  ConsensusCore core(f.Config(kSelf), ConsensusDependencies{host, host, signer, host}, {});
  (void)core.Start();
  (void)core.OnMessage(from, message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::AsText(data, size);
  const std::uint8_t selector = fuzz::TakeSelector(input);
  switch (selector % 4) {
    case 0: {
      auto message = DecodeMessage(input);
      if (!message.ok()) return 0;
      MBL_FUZZ_CHECK(EncodeMessage(*message) == input, "message re-encoding differs");
      Deliver(static_cast<ValidatorIndex>(selector / 4 % 4), *message);
      return 0;
    }
    case 1: {
      auto safety = DecodeSafetyData(input);
      if (!safety.ok()) return 0;
      MBL_FUZZ_CHECK(EncodeSafetyData(*safety) == input, "safety data re-encoding differs");
      return 0;
    }
    case 2: {
      auto qc = DecodeQuorumCertificate(input);
      if (!qc.ok()) return 0;
      MBL_FUZZ_CHECK(EncodeQuorumCertificate(*qc) == input, "QC re-encoding differs");
      const testing::Fixture& f = SharedFixture();
      CertificateVerifier verifier(f.validators(), f.chain_id(), f.genesis_qc());
      (void)verifier.VerifyQc(*qc);
      return 0;
    }
    default: {
      auto block = DecodeBlock(input);
      if (!block.ok()) return 0;
      MBL_FUZZ_CHECK(EncodeBlock(*block) == input, "block re-encoding differs");
      MBL_FUZZ_CHECK(block->id == ComputeBlockId(*block), "block id is computed");
      return 0;
    }
  }
}
