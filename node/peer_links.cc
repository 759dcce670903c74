#include "node/peer_links.h"

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "base/limits.h"
#include "chaincode/validator_address.h"
#include "crypto/encoding.h"
#include "crypto/secure_link.h"
#include "node/log.h"

namespace mbl::node {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

// An established, authenticated link: the socket, its session, and the writer's wake-up timer.
struct Link {
  explicit Link(tcp::socket s) : socket(std::move(s)), wake(socket.get_executor()) {}
  tcp::socket socket;
  asio::steady_timer wake;
  crypto::SecureSession session;
  bool open = true;

  void Close() {
    open = false;
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    wake.cancel();
  }
};

struct Peer {
  PeerAddress address;
  mutable std::mutex mutex;  // guards the queue, the counters and `address` host/port
  std::deque<std::string> queue;
  std::size_t queued_bytes = 0;
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t frames_dropped = 0;
  std::shared_ptr<Link> link;  // link thread only
  bool connected = false;      // under mutex
};

awaitable<void> WriteFrame(tcp::socket& socket, std::string_view bytes) {
  std::array<std::uint8_t, 4> header{};
  const auto size = static_cast<std::uint32_t>(bytes.size());
  for (int i = 0; i < 4; ++i) header[i] = static_cast<std::uint8_t>(size >> (24 - 8 * i));
  std::array<asio::const_buffer, 2> buffers{asio::buffer(header),
                                            asio::buffer(bytes.data(), bytes.size())};
  co_await asio::async_write(socket, buffers, use_awaitable);
}

// Reads one frame of at most `bytes_max`; a larger announced length closes the link.
awaitable<std::string> ReadFrame(tcp::socket& socket, std::size_t bytes_max) {
  std::array<std::uint8_t, 4> header{};
  co_await asio::async_read(socket, asio::buffer(header), use_awaitable);
  std::uint32_t size = 0;
  for (auto byte : header) size = (size << 8) | byte;
  if (size > bytes_max) {
    throw std::runtime_error("frame of " + std::to_string(size) + " bytes exceeds the limit of " +
                             std::to_string(bytes_max));
  }
  std::string body(size, '\0');
  co_await asio::async_read(socket, asio::buffer(body.data(), body.size()), use_awaitable);
  co_return body;
}

}  // namespace

struct PeerLinks::State {
  PeerLinksOptions options;
  crypto::KeyPair node_key;
  FrameHandler on_frame;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::map<std::uint32_t, std::unique_ptr<Peer>> peers;
  std::atomic<std::uint64_t> handshake_failures{0};
  std::size_t pending_handshakes = 0;  // link thread only
  bool stopping = false;               // link thread only
  std::mt19937_64 jitter{std::random_device{}()};
  std::thread thread;

  Peer* PeerByKey(const crypto::PublicKey& key) {
    for (auto& [index, peer] : peers) {
      if (peer->address.key == key) return peer.get();
    }
    return nullptr;
  }

  void HandshakeFailed(std::string_view direction, std::uint32_t index, const std::string& why) {
    ++handshake_failures;
    Log(LogLevel::kWarn, "link_handshake_failed",
        {{"direction", direction}, {"peer", index}, {"error", why}});
  }

  // Runs an authenticated link until it fails; frames flow both ways meanwhile.
  awaitable<void> RunLink(Peer& peer, std::shared_ptr<Link> link) {
    if (peer.link) peer.link->Close();  // a redial replaces a link we had not seen die
    peer.link = link;
    {
      std::lock_guard lock(peer.mutex);
      peer.connected = true;
    }
    Log(LogLevel::kInfo, "link_up", {{"peer", peer.address.index}});
    asio::co_spawn(io, WriteLoop(peer, link), asio::detached);
    try {
      const std::size_t limit = limits::kFrameBytesMax + crypto::kLinkFrameOverheadBytes;
      while (link->open) {
        std::string sealed = co_await ReadFrame(link->socket, limit);
        auto frame = link->session.Open(sealed);
        if (!frame.ok()) throw std::runtime_error(frame.status().message());
        {
          std::lock_guard lock(peer.mutex);
          ++peer.frames_received;
        }
        on_frame(peer.address.index, std::move(*frame));
      }
    } catch (const std::exception& error) {
      if (link->open && !stopping) {
        Log(LogLevel::kInfo, "link_down", {{"peer", peer.address.index}, {"error", error.what()}});
      }
    }
    link->Close();
    if (peer.link == link) {
      peer.link.reset();
      std::lock_guard lock(peer.mutex);
      peer.connected = false;
    }
  }

  awaitable<void> WriteLoop(Peer& peer, std::shared_ptr<Link> link) {
    try {
      while (link->open) {
        std::string frame;
        {
          std::lock_guard lock(peer.mutex);
          if (!peer.queue.empty()) {
            frame = std::move(peer.queue.front());
            peer.queue.pop_front();
            peer.queued_bytes -= frame.size();
          }
        }
        if (frame.empty()) {
          link->wake.expires_at(asio::steady_timer::time_point::max());
          boost::system::error_code ignored;
          co_await link->wake.async_wait(asio::redirect_error(use_awaitable, ignored));
          continue;
        }
        co_await WriteFrame(link->socket, link->session.Seal(frame));
        std::lock_guard lock(peer.mutex);
        ++peer.frames_sent;
      }
    } catch (const std::exception&) {
      link->Close();  // the reader sees it and cleans up
    }
  }

  // Closes `socket` unless the handshake finishes before the deadline.
  std::shared_ptr<asio::steady_timer> Deadline(tcp::socket& socket) {
    auto timer = std::make_shared<asio::steady_timer>(io, options.handshake_timeout);
    timer->async_wait([&socket](boost::system::error_code error) {
      if (!error) {
        boost::system::error_code ignored;
        socket.close(ignored);
      }
    });
    return timer;
  }

  awaitable<void> Dial(Peer& peer) {
    auto backoff = options.reconnect_min;
    while (!stopping) {
      std::string host;
      std::uint16_t port = 0;
      {
        std::lock_guard lock(peer.mutex);
        host = peer.address.host;
        port = peer.address.port;
      }
      auto link = std::make_shared<Link>(tcp::socket(io));
      bool connected = false;
      try {
        if (port != 0) {
          tcp::resolver resolver(io);
          auto endpoints =
              co_await resolver.async_resolve(host, std::to_string(port), use_awaitable);
          co_await asio::async_connect(link->socket, endpoints, use_awaitable);
          connected = true;
          auto deadline = Deadline(link->socket);
          auto handshake =
              crypto::LinkHandshake::Initiator(options.chain_id, node_key, peer.address.key);
          co_await WriteFrame(link->socket, handshake.Start());
          std::string reply =
              co_await ReadFrame(link->socket, crypto::kLinkHandshakeMessageBytesMax);
          auto finish = handshake.Receive(reply);
          if (!finish.ok()) throw std::runtime_error(finish.status().message());
          co_await WriteFrame(link->socket, *finish);
          deadline->cancel();
          link->session = handshake.TakeSession();
          backoff = options.reconnect_min;
          co_await RunLink(peer, link);
        }
      } catch (const std::exception& error) {
        if (connected && !stopping) HandshakeFailed("outbound", peer.address.index, error.what());
        link->Close();
      }
      if (stopping) break;
      // Exponential backoff with jitter, so peers that restart together do not redial in step.
      std::uniform_int_distribution<std::int64_t> spread(0, backoff.count() / 2);
      asio::steady_timer timer(io, backoff + std::chrono::milliseconds(spread(jitter)));
      boost::system::error_code ignored;
      co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
      backoff = std::min(backoff * 2, options.reconnect_max);
    }
  }

  awaitable<void> Accept() {
    while (!stopping) {
      boost::system::error_code error;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(use_awaitable, error));
      if (error) {
        if (stopping) break;
        continue;
      }
      if (pending_handshakes >= options.pending_handshakes_max) {
        HandshakeFailed("inbound", 0, "too many unauthenticated connections; dropped");
        socket.close(error);
        continue;
      }
      asio::co_spawn(io, Respond(std::make_shared<Link>(std::move(socket))), asio::detached);
    }
  }

  awaitable<void> Respond(std::shared_ptr<Link> link) {
    ++pending_handshakes;
    Peer* peer = nullptr;
    try {
      auto deadline = Deadline(link->socket);
      // Validators with a smaller key dial us, and followers dial everyone.
      auto allowed = [this](const crypto::PublicKey& key) { return PeerByKey(key) != nullptr; };
      auto handshake = crypto::LinkHandshake::Responder(options.chain_id, node_key, allowed);
      std::string hello = co_await ReadFrame(link->socket, crypto::kLinkHandshakeMessageBytesMax);
      auto reply = handshake.Receive(hello);
      if (!reply.ok()) throw std::runtime_error(reply.status().message());
      co_await WriteFrame(link->socket, *reply);
      std::string authentication =
          co_await ReadFrame(link->socket, crypto::kLinkHandshakeMessageBytesMax);
      auto done = handshake.Receive(authentication);
      if (!done.ok()) throw std::runtime_error(done.status().message());
      deadline->cancel();
      link->session = handshake.TakeSession();
      peer = PeerByKey(handshake.peer_key());
    } catch (const std::exception& error) {
      if (!stopping) HandshakeFailed("inbound", 0, error.what());
      link->Close();
    }
    --pending_handshakes;
    if (peer != nullptr) co_await RunLink(*peer, link);
  }

  void Enqueue(Peer& peer, std::string frame) {
    {
      std::lock_guard lock(peer.mutex);
      if (peer.queue.size() >= options.queue_frames_max ||
          peer.queued_bytes + frame.size() > options.queue_bytes_max) {
        ++peer.frames_dropped;
        return;
      }
      peer.queued_bytes += frame.size();
      peer.queue.push_back(std::move(frame));
    }
    asio::post(io, [&peer] {
      if (peer.link) peer.link->wake.cancel();
    });
  }
};

PeerLinks::PeerLinks(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<PeerLinks>> PeerLinks::Start(PeerLinksOptions options, crypto::KeyPair key,
                                                    FrameHandler on_frame) {
  auto state = std::make_unique<State>();
  if (options.queue_frames_max == 0) options.queue_frames_max = limits::kPeerQueueFramesMax;
  if (options.queue_bytes_max == 0) options.queue_bytes_max = limits::kPeerQueueBytesMax;
  state->options = std::move(options);
  state->node_key = std::move(key);
  state->on_frame = std::move(on_frame);
  for (const auto& address : state->options.peers) {
    if (address.key == state->node_key.public_key || state->peers.contains(address.index) ||
        state->PeerByKey(address.key) != nullptr) {
      return InvalidArgument("validator link " + std::to_string(address.index) +
                             " is listed twice or is this node");
    }
    auto peer = std::make_unique<Peer>();
    peer->address = address;
    state->peers.emplace(address.index, std::move(peer));
  }
  if (state->options.follower) return StartLinks(std::move(state));
  boost::system::error_code error;
  auto address = asio::ip::make_address(state->options.listen_address, error);
  if (error) {
    return InvalidArgument("validator link address '" + state->options.listen_address +
                           "' is not an IP address");
  }
  tcp::endpoint endpoint(address, state->options.listen_port);
  state->acceptor.open(endpoint.protocol(), error);
  if (!error) state->acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) state->acceptor.bind(endpoint, error);
  if (!error) state->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return Unavailable("cannot listen for validator links on " + state->options.listen_address +
                       ":" + std::to_string(state->options.listen_port) + ": " + error.message());
  }
  return StartLinks(std::move(state));
}

std::unique_ptr<PeerLinks> PeerLinks::StartLinks(std::unique_ptr<State> state) {
  std::unique_ptr<PeerLinks> links(new PeerLinks(std::move(state)));
  State& s = *links->state_;
  if (!s.options.follower) {
    links->port_ = s.acceptor.local_endpoint().port();
    asio::co_spawn(s.io, s.Accept(), asio::detached);
  }
  for (auto& [index, peer] : s.peers) {
    if (s.options.follower || s.node_key.public_key < peer->address.key) {
      asio::co_spawn(s.io, s.Dial(*peer), asio::detached);
    }
  }
  s.thread = std::thread([&s] { s.io.run(); });
  if (s.options.follower) {
    Log(LogLevel::kInfo, "links_following", {{"peers", s.peers.size()}});
  } else {
    Log(LogLevel::kInfo, "links_listening",
        {{"address", s.options.listen_address}, {"port", links->port_}});
  }
  return links;
}

PeerLinks::~PeerLinks() { Stop(); }

void PeerLinks::Stop() {
  State& s = *state_;
  if (!s.thread.joinable()) return;
  asio::post(s.io, [&s] {
    s.stopping = true;
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    for (auto& [index, peer] : s.peers) {
      if (peer->link) peer->link->Close();
    }
    s.io.stop();  // handshakes and backoff timers in flight are abandoned
  });
  s.thread.join();
}

void PeerLinks::SetPeerAddress(std::uint32_t index, std::string host, std::uint16_t port) {
  auto it = state_->peers.find(index);
  if (it == state_->peers.end()) return;
  std::lock_guard lock(it->second->mutex);
  it->second->address.host = std::move(host);
  it->second->address.port = port;
}

void PeerLinks::Send(std::uint32_t to, std::string frame) {
  auto it = state_->peers.find(to);
  if (it == state_->peers.end()) return;
  state_->Enqueue(*it->second, std::move(frame));
}

void PeerLinks::Broadcast(const std::string& frame) {
  for (auto& [index, peer] : state_->peers) state_->Enqueue(*peer, frame);
}

std::vector<PeerNetwork::PeerLink> PeerLinks::Links() const {
  std::vector<PeerLink> links;
  for (const auto& [index, peer] : state_->peers) {
    std::lock_guard lock(peer->mutex);
    links.push_back(
        {index, peer->connected, peer->frames_sent, peer->frames_received, peer->frames_dropped});
  }
  return links;
}

std::uint64_t PeerLinks::handshake_failures() const { return state_->handshake_failures; }

NetworkFactory MakePeerLinksFactory(const crypto::KeyPair& key,
                                    std::string listen_address_override) {
  // Shared by the factory's copies; SecretKey wipes itself when the last copy goes.
  auto own_key =
      std::make_shared<crypto::KeyPair>(crypto::KeyPair::FromSeed(key.secret_key.seed()));
  return [own_key, listen_address_override](
             const NetworkSetup& setup,
             FrameHandler on_frame) -> Result<std::unique_ptr<PeerNetwork>> {
    PeerLinksOptions options;
    options.chain_id = setup.chain_id;
    options.follower = !setup.self.has_value();
    for (std::uint32_t i = 0; i < setup.validators.size(); ++i) {
      MBL_ASSIGN_OR_RETURN(auto address,
                           chaincode::ParseValidatorAddress(setup.validators[i].address));
      if (setup.self && i == *setup.self) {
        if (!address.host_is_ip && listen_address_override.empty()) {
          return InvalidArgument("this node's validator address '" + setup.validators[i].address +
                                 "' names a host, not an IP address; set validator_listen_address "
                                 "in the node config to the IP address to listen on (for example "
                                 "0.0.0.0)");
        }
        options.listen_address =
            listen_address_override.empty() ? address.host : listen_address_override;
        options.listen_port = address.port;
        continue;
      }
      options.peers.push_back({i, setup.validators[i].key, address.host, address.port});
    }
    MBL_ASSIGN_OR_RETURN(
        auto links,
        PeerLinks::Start(std::move(options), crypto::KeyPair::FromSeed(own_key->secret_key.seed()),
                         std::move(on_frame)));
    return std::unique_ptr<PeerNetwork>(std::move(links));
  };
}

}  // namespace mbl::node
