// The validators' link handshake and frames (crypto/secure_link.h): what a peer sends before and
// after it is authenticated. Input: a selector byte, then the message. Selector % 4:
// 0 the responder's hello (M1) from a dialling peer; 1 the responder's reply (M2) to our hello;
// 2 the initiator's authentication (M3) after a genuine hello; 3 frames on an established
// session, split at each "\n--\n" (opened in order until one fails). Keys are fixed; the
// ephemeral keys are fresh, as on a real link.
#include <string>

#include "crypto/secure_link.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_ledger.h"

namespace {

using namespace mbl;

const crypto::Hash256& ChainId() {
  static const crypto::Hash256 chain_id = crypto::Sha256("mbl-fuzz-chain");
  return chain_id;
}

bool Allowed(const crypto::PublicKey& key) {
  for (std::size_t i = 0; i < 4; ++i) {
    if (key == fuzz::ValidatorKey(i).public_key) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::AsText(data, size);
  const std::uint8_t selector = fuzz::TakeSelector(input);
  const crypto::KeyPair& us = fuzz::ValidatorKey(0);
  const crypto::KeyPair& peer = fuzz::ValidatorKey(1);
  switch (selector % 4) {
    case 0: {
      auto responder = crypto::LinkHandshake::Responder(ChainId(), us, Allowed);
      auto reply = responder.Receive(input);
      MBL_FUZZ_CHECK(!responder.done(), "a hello alone never finishes a handshake");
      if (reply.ok()) (void)responder.Receive(input);  // the same bytes again as M3
      return 0;
    }
    case 1: {
      auto initiator = crypto::LinkHandshake::Initiator(ChainId(), us, peer.public_key);
      (void)initiator.Start();
      auto reply = initiator.Receive(input);
      // The reply must be signed by the dialled key over our fresh ephemeral key: no fixed input
      // can pass.
      MBL_FUZZ_CHECK(!reply.ok() && !initiator.done(), "a forged reply was accepted");
      return 0;
    }
    case 2: {
      auto initiator = crypto::LinkHandshake::Initiator(ChainId(), peer, us.public_key);
      auto responder = crypto::LinkHandshake::Responder(ChainId(), us, Allowed);
      auto m2 = responder.Receive(initiator.Start());
      MBL_FUZZ_CHECK(m2.ok(), m2.status().message());
      auto done = responder.Receive(input);
      MBL_FUZZ_CHECK(!done.ok() && !responder.done(), "a forged authentication was accepted");
      return 0;
    }
    default: {
      std::array<std::uint8_t, 32> send{}, receive{};
      send.fill(1);
      receive.fill(2);
      crypto::SecureSession session(send, receive);
      crypto::SecureSession sender(receive, send);
      // The first frame is genuine, so that the counters move before the fuzzed ones.
      auto first = session.Open(sender.Seal("hello"));
      MBL_FUZZ_CHECK(first.ok() && *first == "hello", "a genuine frame opens");
      while (true) {
        std::size_t split = input.find("\n--\n");
        auto frame = session.Open(input.substr(0, split));
        if (!frame.ok() || split == std::string_view::npos) break;
        input.remove_prefix(split + 4);
      }
      return 0;
    }
  }
}
