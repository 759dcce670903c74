// The validator links (DESIGN D6): one TCP connection per pair of validators, authenticated with
// both validators' Ed25519 keys and encrypted (crypto/secure_link.h), carrying length-prefixed
// frames with hard limits. Of two validators the one with the smaller public key (bytewise) dials
// the other and redials with exponential backoff: a rule that holds whatever epoch either is in
// (node/epoch.h), since indices change between epochs and keys do not. A node that is not a
// validator of its epoch (a follower catching up) dials every validator and listens for none.
// Each peer has a bounded send queue that drops (and counts) what does not fit, since consensus
// recovers from loss. Boost.Asio on one thread of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"
#include "node/bft_orderer.h"

namespace mbl::node {

struct PeerAddress {
  std::uint32_t index = 0;
  crypto::PublicKey key{};
  std::string host;
  std::uint16_t port = 0;
};

struct PeerLinksOptions {
  crypto::Hash256 chain_id{};
  bool follower = false;  // dial every peer, listen for none
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 0;     // 0: any free port (tests; see port())
  std::vector<PeerAddress> peers;    // the other validators
  std::size_t queue_frames_max = 0;  // per peer; 0: limits::kPeerQueueFramesMax
  std::size_t queue_bytes_max = 0;   // per peer; 0: limits::kPeerQueueBytesMax
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{2000};
  std::chrono::milliseconds handshake_timeout{5000};
  std::size_t pending_handshakes_max = 16;  // inbound connections not yet authenticated
};

class PeerLinks final : public PeerNetwork {
 public:
  // Binds the listener (unless a follower), then dials the peers it should. `on_frame` runs on
  // the link thread with frames from authenticated validators, in their sending order per peer.
  static Result<std::unique_ptr<PeerLinks>> Start(PeerLinksOptions options, crypto::KeyPair key,
                                                  FrameHandler on_frame);
  ~PeerLinks() override;
  // Closes every link and joins the link thread: no frame is delivered after it returns.
  void Stop();

  std::uint16_t port() const { return port_; }  // 0 for a follower
  // Tests start every node on port 0 first, then tell each where the others listen.
  void SetPeerAddress(std::uint32_t index, std::string host, std::uint16_t port);

  void Send(std::uint32_t to, std::string frame) override;
  void Broadcast(const std::string& frame) override;
  std::vector<PeerLink> Links() const override;
  // Inbound or outbound handshakes that failed (wrong key, wrong chain, garbage, timeout).
  std::uint64_t handshake_failures() const;

  struct State;  // the link thread's world (peer_links.cc)

 private:
  explicit PeerLinks(std::unique_ptr<State> state);
  static std::unique_ptr<PeerLinks> StartLinks(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  std::uint16_t port_ = 0;
};

// The NetworkFactory of mbl-node: links to the epoch's validators at the addresses the ledger
// holds for them, listening on this validator's own address (or `listen_address_override` with
// its port); a follower only dials.
NetworkFactory MakePeerLinksFactory(const crypto::KeyPair& key,
                                    std::string listen_address_override);

}  // namespace mbl::node
