// The validators' secure links (DESIGN D6): a three-message handshake that authenticates both ends
// with their Ed25519 validator keys and agrees fresh X25519 session keys (forward secrecy), then
// ChaCha20-Poly1305 frames with per-direction counters, so a frame that is altered, replayed,
// reordered or dropped ends the link. Pure byte functions: the sockets are in node/peer_links.
//
//   M1  initiator -> responder   magic "MBL1" || u8 version || chain id (32) || ephemeral_i (32)
//   M2  responder -> initiator   magic || version || static_r (32) || ephemeral_r (32) || sig_r
//   (64) M3  initiator -> responder   static_i (32) || sig_i (64) sig_r = Ed25519(static_r,
//   "mbl.link.responder.v1\0" || chain id || ephemeral_i || ephemeral_r
//                              || static_r)
//   sig_i = Ed25519(static_i, "mbl.link.initiator.v1\0" || chain id || ephemeral_i || ephemeral_r
//                              || static_i || static_r)
// Session keys: crypto_kx client/server session keys over the two ephemerals (docs/transport.md).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"

namespace mbl::crypto {

inline constexpr std::size_t kLinkHandshakeMessageBytesMax = 256;
inline constexpr std::size_t kLinkFrameOverheadBytes = 16;  // the Poly1305 tag

// An established link's keys and counters. Seal and Open must see frames in sending order.
class SecureSession {
 public:
  SecureSession() = default;
  SecureSession(std::array<std::uint8_t, 32> send_key, std::array<std::uint8_t, 32> receive_key);
  SecureSession(SecureSession&&) noexcept = default;
  SecureSession& operator=(SecureSession&&) noexcept = default;
  ~SecureSession();

  std::string Seal(std::string_view plaintext);
  // Refuses a frame that fails authentication: altered, replayed, reordered, or from another link.
  Result<std::string> Open(std::string_view ciphertext);

 private:
  std::array<std::uint8_t, 32> send_key_{};
  std::array<std::uint8_t, 32> receive_key_{};
  std::uint64_t sent_ = 0;
  std::uint64_t received_ = 0;
};

// Decides whether a static key may connect (the validator set).
using LinkKeyAllowed = std::function<bool(const PublicKey& key)>;

class LinkHandshake {
 public:
  // `expected_peer`: the initiator knows whom it dials and refuses anyone else.
  static LinkHandshake Initiator(const Hash256& chain_id, const KeyPair& key,
                                 const PublicKey& expected_peer);
  static LinkHandshake Responder(const Hash256& chain_id, const KeyPair& key,
                                 LinkKeyAllowed allowed);
  LinkHandshake(LinkHandshake&&) noexcept = default;
  ~LinkHandshake();

  // Initiator only: M1.
  std::string Start();
  // Takes the peer's next message; returns the reply to send (empty when there is none). Any
  // error ends the handshake.
  Result<std::string> Receive(std::string_view message);

  bool done() const { return done_; }
  const PublicKey& peer_key() const { return peer_static_; }
  // After done(): the session. Call once.
  SecureSession TakeSession();

 private:
  LinkHandshake(bool initiator, const Hash256& chain_id, const KeyPair& key);
  Result<std::string> ReceiveM1(std::string_view message);
  Result<std::string> ReceiveM2(std::string_view message);
  Result<std::string> ReceiveM3(std::string_view message);
  std::string Transcript(std::string_view tag, const PublicKey& signer) const;
  Status DeriveSession();

  bool initiator_;
  Hash256 chain_id_;
  const KeyPair* key_;
  PublicKey expected_peer_{};
  LinkKeyAllowed allowed_;
  std::array<std::uint8_t, 32> ephemeral_public_{};
  std::array<std::uint8_t, 32> ephemeral_secret_{};
  std::array<std::uint8_t, 32> peer_ephemeral_{};
  PublicKey peer_static_{};
  int step_ = 0;
  bool done_ = false;
  std::optional<SecureSession> session_;
};

}  // namespace mbl::crypto
