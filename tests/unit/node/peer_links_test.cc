// Validator links over real sockets on 127.0.0.1.
#include "node/peer_links.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <mutex>
#include <thread>

namespace mbl::node {
namespace {

namespace asio = boost::asio;

class PeerLinksTest : public ::testing::Test {
 protected:
  static constexpr std::uint32_t kNodes = 3;

  PeerLinksTest() {
    EXPECT_TRUE(crypto::InitializeCrypto().ok());
    chain_.fill(3);
    for (std::uint32_t i = 0; i < kNodes; ++i) keys_.push_back(crypto::KeyPair::Generate());
    // Index order is key order here, so that "node 0 dials node 2" holds (the smaller key dials).
    std::sort(keys_.begin(), keys_.end(), [](const crypto::KeyPair& a, const crypto::KeyPair& b) {
      return a.public_key < b.public_key;
    });
    links_.resize(kNodes);
    received_.resize(kNodes);
  }
  ~PeerLinksTest() override {
    for (auto& link : links_) link.reset();
  }

  // Starts node `index` on a free port with `key` (its own unless given), peers on port 0 until
  // Connect() tells everyone where the others listen.
  void StartNode(std::uint32_t index, const crypto::KeyPair* key = nullptr, bool follower = false) {
    PeerLinksOptions options;
    options.chain_id = chain_;
    options.follower = follower;
    options.queue_frames_max = 8;
    options.reconnect_max = std::chrono::milliseconds(200);
    for (std::uint32_t i = 0; i < kNodes; ++i) {
      if (i != index) options.peers.push_back({i, keys_[i].public_key, "127.0.0.1", 0});
    }
    const crypto::KeyPair& own = key != nullptr ? *key : keys_[index];
    auto links = PeerLinks::Start(options, crypto::KeyPair::FromSeed(own.secret_key.seed()),
                                  [this, index](std::uint32_t from, std::string frame) {
                                    std::lock_guard lock(mutex_);
                                    received_[index].emplace_back(from, std::move(frame));
                                  });
    ASSERT_TRUE(links.ok()) << links.status().ToString();
    links_[index] = std::move(*links);
  }
  void Connect() {
    for (std::uint32_t a = 0; a < kNodes; ++a) {
      for (std::uint32_t b = 0; b < kNodes; ++b) {
        if (a != b && links_[a] && links_[b] && links_[b]->port() != 0)
          links_[a]->SetPeerAddress(b, "127.0.0.1", links_[b]->port());
      }
    }
  }
  bool Eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 500; ++i) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  bool Got(std::uint32_t node, std::uint32_t from, const std::string& frame) {
    std::lock_guard lock(mutex_);
    for (const auto& [sender, bytes] : received_[node]) {
      if (sender == from && bytes == frame) return true;
    }
    return false;
  }
  bool Connected(std::uint32_t node, std::uint32_t peer) {
    for (const auto& link : links_[node]->Links()) {
      if (link.index == peer) return link.connected;
    }
    return false;
  }

  crypto::Hash256 chain_{};
  std::vector<crypto::KeyPair> keys_;
  std::vector<std::unique_ptr<PeerLinks>> links_;
  std::mutex mutex_;
  std::vector<std::vector<std::pair<std::uint32_t, std::string>>> received_;
};

TEST_F(PeerLinksTest, EveryPairExchangesFramesInOrder) {
  for (std::uint32_t i = 0; i < kNodes; ++i) StartNode(i);
  Connect();
  for (std::uint32_t a = 0; a < kNodes; ++a) {
    for (std::uint32_t b = 0; b < kNodes; ++b) {
      if (a == b) continue;
      ASSERT_TRUE(Eventually([&] { return Connected(a, b); })) << a << "->" << b;
    }
  }
  for (std::uint32_t a = 0; a < kNodes; ++a) {
    links_[a]->Broadcast("hello from " + std::to_string(a));
    links_[a]->Send((a + 1) % kNodes, "direct " + std::to_string(a));
  }
  for (std::uint32_t a = 0; a < kNodes; ++a) {
    for (std::uint32_t b = 0; b < kNodes; ++b) {
      if (a == b) continue;
      EXPECT_TRUE(Eventually([&] { return Got(b, a, "hello from " + std::to_string(a)); }));
    }
    EXPECT_TRUE(
        Eventually([&] { return Got((a + 1) % kNodes, a, "direct " + std::to_string(a)); }));
  }
}

TEST_F(PeerLinksTest, AKeyOutsideTheValidatorSetIsRefusedAndItsFramesNeverDelivered) {
  StartNode(2);
  crypto::KeyPair stranger = crypto::KeyPair::Generate();
  while (!(stranger.public_key < keys_[2].public_key)) stranger = crypto::KeyPair::Generate();
  StartNode(0, &stranger);  // claims index 0, dials node 2 with a key not in the set
  Connect();
  ASSERT_TRUE(Eventually([&] { return links_[2]->handshake_failures() > 0; }));
  links_[0]->Send(2, "let me in");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(Got(2, 0, "let me in"));
  EXPECT_FALSE(Connected(2, 0));
}

TEST_F(PeerLinksTest, TheSmallerKeyDialsWhateverIndexEachSideGivesTheOther) {
  // Two nodes in different epochs number each other differently; the links still form once.
  for (std::uint32_t i = 0; i < kNodes; ++i) StartNode(i);
  Connect();
  for (std::uint32_t a = 0; a < kNodes; ++a) {
    for (std::uint32_t b = 0; b < kNodes; ++b) {
      if (a == b) continue;
      ASSERT_TRUE(Eventually([&] { return Connected(a, b); })) << a << "->" << b;
    }
  }
  // Node 0 has the smallest key: it dialled both others and listens for nobody it knows.
  EXPECT_EQ(links_[0]->handshake_failures(), 0u);
  EXPECT_EQ(links_[2]->handshake_failures(), 0u);
}

TEST_F(PeerLinksTest, AFollowerDialsEveryValidatorAndListensForNone) {
  StartNode(0);
  StartNode(1);
  StartNode(2, nullptr, /*follower=*/true);  // key 2 is the largest: validators 0 and 1 dial it
  EXPECT_EQ(links_[2]->port(), 0);
  Connect();
  ASSERT_TRUE(Eventually([&] { return Connected(2, 0) && Connected(2, 1); }));
  links_[2]->Broadcast("catching up");
  links_[0]->Send(2, "blocks for you");
  EXPECT_TRUE(Eventually([&] { return Got(0, 2, "catching up") && Got(1, 2, "catching up"); }));
  EXPECT_TRUE(Eventually([&] { return Got(2, 0, "blocks for you"); }));
}

TEST_F(PeerLinksTest, ARestartedPeerIsRedialledAndFramesFlowAgain) {
  for (std::uint32_t i = 0; i < kNodes; ++i) StartNode(i);
  Connect();
  ASSERT_TRUE(Eventually([&] { return Connected(0, 2); }));
  links_[2].reset();
  ASSERT_TRUE(Eventually([&] { return !Connected(0, 2); }));
  StartNode(2);
  Connect();
  ASSERT_TRUE(Eventually([&] { return Connected(0, 2); }));
  links_[0]->Send(2, "after restart");
  EXPECT_TRUE(Eventually([&] { return Got(2, 0, "after restart"); }));
}

TEST_F(PeerLinksTest, FramesForADownPeerAreBoundedAndDroppedBeyondTheQueue) {
  StartNode(0);
  for (int i = 0; i < 20; ++i) links_[0]->Send(1, "frame " + std::to_string(i));
  std::uint64_t dropped = 0;
  for (const auto& link : links_[0]->Links()) {
    if (link.index == 1) dropped = link.frames_dropped;
  }
  EXPECT_EQ(dropped, 12u);  // queue_frames_max = 8
}

TEST_F(PeerLinksTest, GarbageAndOversizedFramesCloseOnlyThatConnection) {
  for (std::uint32_t i = 0; i < kNodes; ++i) StartNode(i);
  Connect();
  ASSERT_TRUE(Eventually([&] { return Connected(0, 2) && Connected(1, 2); }));
  asio::io_context io;
  for (const std::string& bytes : {std::string("\x00\x00\x00\x05hello", 9),
                                   std::string("\xff\xff\xff\xff", 4), std::string(1000, 'x')}) {
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), links_[2]->port()});
    asio::write(socket, asio::buffer(bytes));
    boost::system::error_code error;
    char byte = 0;
    asio::read(socket, asio::buffer(&byte, 1), error);  // the node closes it
    EXPECT_TRUE(error) << "connection stayed open after " << bytes.size() << " bytes";
  }
  EXPECT_GE(links_[2]->handshake_failures(), 3u);
  links_[0]->Send(2, "still fine");
  EXPECT_TRUE(Eventually([&] { return Got(2, 0, "still fine"); }));
}

}  // namespace
}  // namespace mbl::node
