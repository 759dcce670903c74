// The simulators' agenda: events in virtual-time order, ties in the order they were scheduled,
// so that a run is a pure function of its seed.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

namespace mbl::sim {

template <typename Body>
class EventQueue {
 public:
  struct Event {
    std::int64_t time_ms = 0;
    std::uint64_t sequence = 0;  // ties broken by scheduling order: deterministic
    Body body;
    bool operator>(const Event& other) const {
      return time_ms != other.time_ms ? time_ms > other.time_ms : sequence > other.sequence;
    }
  };

  void At(std::int64_t time_ms, Body body) {
    queue_.push(Event{time_ms, next_sequence_++, std::move(body)});
  }
  bool empty() const { return queue_.empty(); }
  Event Pop() {
    Event event = queue_.top();
    queue_.pop();
    return event;
  }

 private:
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  std::uint64_t next_sequence_ = 0;
};

// MBL_SIM_SEEDS, the seeds a gtest sweep runs; `default_count` when unset or not a number.
inline std::uint64_t SeedCountFromEnvironment(std::uint64_t default_count) {
  const char* text = std::getenv("MBL_SIM_SEEDS");
  if (text == nullptr) return default_count;
  const std::uint64_t count = std::strtoull(text, nullptr, 10);
  return count == 0 ? default_count : count;
}

}  // namespace mbl::sim
