#include "crypto/secure_link.h"

#include <gtest/gtest.h>

namespace mbl::crypto {
namespace {

class SecureLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitializeCrypto().ok());
    chain_.fill(7);
  }
  LinkKeyAllowed Allow(const PublicKey& key) {
    return [key](const PublicKey& candidate) { return candidate == key; };
  }
  // Runs the three messages; returns the first error, if any.
  Status Handshake(LinkHandshake& initiator, LinkHandshake& responder) {
    MBL_ASSIGN_OR_RETURN(std::string m2, responder.Receive(initiator.Start()));
    MBL_ASSIGN_OR_RETURN(std::string m3, initiator.Receive(m2));
    MBL_ASSIGN_OR_RETURN(std::string nothing, responder.Receive(m3));
    EXPECT_TRUE(nothing.empty());
    return Status::Ok();
  }

  Hash256 chain_{};
  KeyPair alice_ = KeyPair::Generate();
  KeyPair bob_ = KeyPair::Generate();
};

TEST_F(SecureLinkTest, BothEndsAuthenticateAndFramesFlowBothWays) {
  auto initiator = LinkHandshake::Initiator(chain_, alice_, bob_.public_key);
  auto responder = LinkHandshake::Responder(chain_, bob_, Allow(alice_.public_key));
  ASSERT_TRUE(Handshake(initiator, responder).ok());
  EXPECT_EQ(initiator.peer_key(), bob_.public_key);
  EXPECT_EQ(responder.peer_key(), alice_.public_key);
  SecureSession a = initiator.TakeSession();
  SecureSession b = responder.TakeSession();
  for (int i = 0; i < 3; ++i) {
    std::string frame = "vote " + std::to_string(i);
    std::string sealed = a.Seal(frame);
    EXPECT_EQ(sealed.find(frame), std::string::npos);  // encrypted
    auto opened = b.Open(sealed);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, frame);
    auto back = a.Open(b.Seal("ack " + std::to_string(i)));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, "ack " + std::to_string(i));
  }
}

TEST_F(SecureLinkTest, AKeyOutsideTheValidatorSetIsRefusedAtTheHandshake) {
  KeyPair stranger = KeyPair::Generate();
  auto initiator = LinkHandshake::Initiator(chain_, stranger, bob_.public_key);
  auto responder = LinkHandshake::Responder(chain_, bob_, Allow(alice_.public_key));
  Status status = Handshake(initiator, responder);
  EXPECT_EQ(status.code(), Code::kPermissionDenied) << status.ToString();
  EXPECT_FALSE(responder.done());
}

TEST_F(SecureLinkTest, TheDialerRefusesAResponderWithAnotherKey) {
  KeyPair impostor = KeyPair::Generate();
  auto initiator = LinkHandshake::Initiator(chain_, alice_, bob_.public_key);
  auto responder = LinkHandshake::Responder(chain_, impostor, Allow(alice_.public_key));
  Status status = Handshake(initiator, responder);
  EXPECT_EQ(status.code(), Code::kPermissionDenied) << status.ToString();
  EXPECT_FALSE(initiator.done());
}

TEST_F(SecureLinkTest, APeerOnAnotherChainIsRefused) {
  Hash256 other{};
  other.fill(9);
  auto initiator = LinkHandshake::Initiator(other, alice_, bob_.public_key);
  auto responder = LinkHandshake::Responder(chain_, bob_, Allow(alice_.public_key));
  EXPECT_EQ(Handshake(initiator, responder).code(), Code::kPermissionDenied);
}

TEST_F(SecureLinkTest, ATamperedOrReplayedHandshakeSignatureIsRefused) {
  auto initiator = LinkHandshake::Initiator(chain_, alice_, bob_.public_key);
  auto responder = LinkHandshake::Responder(chain_, bob_, Allow(alice_.public_key));
  auto m2 = responder.Receive(initiator.Start());
  ASSERT_TRUE(m2.ok());
  std::string tampered = *m2;
  tampered.back() ^= 1;
  EXPECT_EQ(initiator.Receive(tampered).status().code(), Code::kUnauthenticated);

  // An M3 recorded from one session does not authenticate another (fresh ephemerals).
  auto first_i = LinkHandshake::Initiator(chain_, alice_, bob_.public_key);
  auto first_r = LinkHandshake::Responder(chain_, bob_, Allow(alice_.public_key));
  auto first_m2 = first_r.Receive(first_i.Start());
  auto first_m3 = first_i.Receive(*first_m2);
  ASSERT_TRUE(first_m3.ok());
  auto second_i = LinkHandshake::Initiator(chain_, alice_, bob_.public_key);
  auto second_r = LinkHandshake::Responder(chain_, bob_, Allow(alice_.public_key));
  ASSERT_TRUE(second_r.Receive(second_i.Start()).ok());
  EXPECT_EQ(second_r.Receive(*first_m3).status().code(), Code::kUnauthenticated);
}

TEST_F(SecureLinkTest, TamperedReplayedOrReorderedFramesAreRefused) {
  auto initiator = LinkHandshake::Initiator(chain_, alice_, bob_.public_key);
  auto responder = LinkHandshake::Responder(chain_, bob_, Allow(alice_.public_key));
  ASSERT_TRUE(Handshake(initiator, responder).ok());
  SecureSession a = initiator.TakeSession();
  SecureSession b = responder.TakeSession();
  std::string first = a.Seal("one");
  std::string second = a.Seal("two");
  std::string altered = first;
  altered[0] ^= 1;
  EXPECT_EQ(b.Open(altered).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(b.Open(second).status().code(), Code::kUnauthenticated);  // out of order
  ASSERT_TRUE(b.Open(first).ok());
  EXPECT_EQ(b.Open(first).status().code(), Code::kUnauthenticated);  // replayed
  EXPECT_FALSE(b.Open("short").ok());
}

TEST_F(SecureLinkTest, TruncatedOrOversizedHandshakeMessagesAreErrorsNotCrashes) {
  auto responder = LinkHandshake::Responder(chain_, bob_, Allow(alice_.public_key));
  auto initiator = LinkHandshake::Initiator(chain_, alice_, bob_.public_key);
  std::string m1 = initiator.Start();
  for (std::size_t size = 0; size < m1.size(); ++size) {
    auto fresh = LinkHandshake::Responder(chain_, bob_, Allow(alice_.public_key));
    EXPECT_FALSE(fresh.Receive(m1.substr(0, size)).ok());
  }
  EXPECT_FALSE(responder.Receive(m1 + "x").ok());
  std::string garbage(300, '\xff');
  EXPECT_FALSE(initiator.Receive(garbage).ok());
}

}  // namespace
}  // namespace mbl::crypto
