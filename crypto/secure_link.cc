#include "crypto/secure_link.h"

#include <sodium.h>

#include <cstring>

#include "base/check.h"
#include "crypto/encoding.h"

namespace mbl::crypto {
namespace {

constexpr std::string_view kMagic = "MBL1";
constexpr std::uint8_t kVersion = 1;
constexpr std::string_view kResponderTag{"mbl.link.responder.v1\0", 22};
constexpr std::string_view kInitiatorTag{"mbl.link.initiator.v1\0", 22};
constexpr std::size_t kM1Bytes = 4 + 1 + 32 + 32;
constexpr std::size_t kM2Bytes = 4 + 1 + 32 + 32 + 64;
constexpr std::size_t kM3Bytes = 32 + 64;

template <std::size_t N>
void Append(std::string& out, const std::array<std::uint8_t, N>& bytes) {
  out.append(reinterpret_cast<const char*>(bytes.data()), N);
}

template <std::size_t N>
std::array<std::uint8_t, N> Take(std::string_view& in) {
  std::array<std::uint8_t, N> out{};
  std::memcpy(out.data(), in.data(), N);
  in.remove_prefix(N);
  return out;
}

std::array<std::uint8_t, 12> Nonce(std::uint64_t counter) {
  std::array<std::uint8_t, 12> nonce{};
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<std::uint8_t>(counter >> (56 - 8 * i));
  return nonce;
}

Status CheckHeader(std::string_view& in, std::string_view what) {
  if (in.substr(0, kMagic.size()) != kMagic) {
    return InvalidArgument(std::string(what) + ": not an mbl validator link (bad magic)");
  }
  in.remove_prefix(kMagic.size());
  if (static_cast<std::uint8_t>(in[0]) != kVersion) {
    return InvalidArgument(std::string(what) + ": link protocol version " +
                           std::to_string(static_cast<std::uint8_t>(in[0])) +
                           " is not supported (this node speaks 1)");
  }
  in.remove_prefix(1);
  return Status::Ok();
}

}  // namespace

// ---- SecureSession
// -------------------------------------------------------------------------------

SecureSession::SecureSession(std::array<std::uint8_t, 32> send_key,
                             std::array<std::uint8_t, 32> receive_key)
    : send_key_(send_key), receive_key_(receive_key) {}

SecureSession::~SecureSession() {
  sodium_memzero(send_key_.data(), send_key_.size());
  sodium_memzero(receive_key_.data(), receive_key_.size());
}

std::string SecureSession::Seal(std::string_view plaintext) {
  std::string out(plaintext.size() + kLinkFrameOverheadBytes, '\0');
  unsigned long long written = 0;
  auto nonce = Nonce(sent_++);
  crypto_aead_chacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out.data()), &written,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), nullptr, 0,
      nullptr, nonce.data(), send_key_.data());
  MBL_CHECK_EQ(written, out.size());
  return out;
}

Result<std::string> SecureSession::Open(std::string_view ciphertext) {
  if (ciphertext.size() < kLinkFrameOverheadBytes) {
    return InvalidArgument("link frame shorter than its authentication tag");
  }
  std::string out(ciphertext.size() - kLinkFrameOverheadBytes, '\0');
  unsigned long long written = 0;
  auto nonce = Nonce(received_);
  if (crypto_aead_chacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &written, nullptr,
          reinterpret_cast<const unsigned char*>(ciphertext.data()), ciphertext.size(), nullptr, 0,
          nonce.data(), receive_key_.data()) != 0) {
    return Unauthenticated("link frame " + std::to_string(received_) +
                           " failed authentication (altered, replayed or out of order)");
  }
  ++received_;
  out.resize(written);
  return out;
}

// ---- LinkHandshake
// -------------------------------------------------------------------------------

LinkHandshake::LinkHandshake(bool initiator, const Hash256& chain_id, const KeyPair& key)
    : initiator_(initiator), chain_id_(chain_id), key_(&key) {
  crypto_kx_keypair(ephemeral_public_.data(), ephemeral_secret_.data());
}

LinkHandshake::~LinkHandshake() {
  sodium_memzero(ephemeral_secret_.data(), ephemeral_secret_.size());
}

LinkHandshake LinkHandshake::Initiator(const Hash256& chain_id, const KeyPair& key,
                                       const PublicKey& expected_peer) {
  LinkHandshake handshake(true, chain_id, key);
  handshake.expected_peer_ = expected_peer;
  return handshake;
}

LinkHandshake LinkHandshake::Responder(const Hash256& chain_id, const KeyPair& key,
                                       LinkKeyAllowed allowed) {
  LinkHandshake handshake(false, chain_id, key);
  handshake.allowed_ = std::move(allowed);
  return handshake;
}

std::string LinkHandshake::Start() {
  MBL_CHECK(initiator_ && step_ == 0);
  step_ = 1;
  std::string m1(kMagic);
  m1.push_back(static_cast<char>(kVersion));
  Append(m1, chain_id_);
  Append(m1, ephemeral_public_);
  return m1;
}

Result<std::string> LinkHandshake::Receive(std::string_view message) {
  if (done_) return FailedPrecondition("link handshake already finished");
  if (!initiator_ && step_ == 0) return ReceiveM1(message);
  if (initiator_ && step_ == 1) return ReceiveM2(message);
  if (!initiator_ && step_ == 1) return ReceiveM3(message);
  return FailedPrecondition("unexpected link handshake message");
}

std::string LinkHandshake::Transcript(std::string_view tag, const PublicKey& signer) const {
  const auto& eph_i = initiator_ ? ephemeral_public_ : peer_ephemeral_;
  const auto& eph_r = initiator_ ? peer_ephemeral_ : ephemeral_public_;
  std::string out(tag);
  Append(out, chain_id_);
  Append(out, eph_i);
  Append(out, eph_r);
  Append(out, signer);
  if (tag == kInitiatorTag) {
    Append(out, initiator_ ? peer_static_ : key_->public_key);  // the responder's static key
  }
  return out;
}

Result<std::string> LinkHandshake::ReceiveM1(std::string_view in) {
  if (in.size() != kM1Bytes) return InvalidArgument("link hello has the wrong size");
  MBL_RETURN_IF_ERROR(CheckHeader(in, "link hello"));
  if (Take<32>(in) != chain_id_) {
    return PermissionDenied("the peer is on another chain (chain id differs)");
  }
  peer_ephemeral_ = Take<32>(in);
  step_ = 1;
  std::string m2(kMagic);
  m2.push_back(static_cast<char>(kVersion));
  Append(m2, key_->public_key);
  Append(m2, ephemeral_public_);
  Append(m2, Sign(key_->secret_key, Transcript(kResponderTag, key_->public_key)));
  return m2;
}

Result<std::string> LinkHandshake::ReceiveM2(std::string_view in) {
  if (in.size() != kM2Bytes) return InvalidArgument("link reply has the wrong size");
  MBL_RETURN_IF_ERROR(CheckHeader(in, "link reply"));
  peer_static_ = Take<32>(in);
  peer_ephemeral_ = Take<32>(in);
  Signature signature = Take<64>(in);
  if (peer_static_ != expected_peer_) {
    return PermissionDenied("the peer answered with key " + ToHex(peer_static_) +
                            ", not the validator key " + ToHex(expected_peer_) + " dialled");
  }
  if (!Verify(peer_static_, Transcript(kResponderTag, peer_static_), signature)) {
    return Unauthenticated("the peer's link signature does not verify");
  }
  std::string m3;
  Append(m3, key_->public_key);
  Append(m3, Sign(key_->secret_key, Transcript(kInitiatorTag, key_->public_key)));
  MBL_RETURN_IF_ERROR(DeriveSession());
  return m3;
}

Result<std::string> LinkHandshake::ReceiveM3(std::string_view in) {
  if (in.size() != kM3Bytes) return InvalidArgument("link authentication has the wrong size");
  peer_static_ = Take<32>(in);
  Signature signature = Take<64>(in);
  if (!allowed_(peer_static_)) {
    return PermissionDenied("key " + ToHex(peer_static_) + " is not a validator of this chain");
  }
  if (!Verify(peer_static_, Transcript(kInitiatorTag, peer_static_), signature)) {
    return Unauthenticated("the peer's link signature does not verify");
  }
  MBL_RETURN_IF_ERROR(DeriveSession());
  return std::string();
}

Status LinkHandshake::DeriveSession() {
  std::array<std::uint8_t, 32> receive{}, send{};
  int failed =
      initiator_
          ? crypto_kx_client_session_keys(receive.data(), send.data(), ephemeral_public_.data(),
                                          ephemeral_secret_.data(), peer_ephemeral_.data())
          : crypto_kx_server_session_keys(receive.data(), send.data(), ephemeral_public_.data(),
                                          ephemeral_secret_.data(), peer_ephemeral_.data());
  if (failed != 0) return Unauthenticated("the peer's ephemeral key is unacceptable");
  session_.emplace(send, receive);
  sodium_memzero(send.data(), send.size());
  sodium_memzero(receive.data(), receive.size());
  done_ = true;
  return Status::Ok();
}

SecureSession LinkHandshake::TakeSession() {
  MBL_CHECK(done_ && session_.has_value());
  SecureSession session = std::move(*session_);
  session_.reset();
  return session;
}

}  // namespace mbl::crypto
