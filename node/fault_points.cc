#include "node/fault_points.h"

#include <csignal>
#include <cstdlib>
#include <mutex>
#include <random>

#include "node/log.h"

namespace mbl::node {
namespace {

int CrashPercent() {
  static const int percent = [] {
    const char* text = std::getenv("MBL_FAULT_CRASH_PERCENT");
    if (text == nullptr) return 0;
    int value = std::atoi(text);
    return value < 0 ? 0 : (value > 100 ? 100 : value);
  }();
  return percent;
}

}  // namespace

void FaultPoint(std::string_view name) {
  const int percent = CrashPercent();
  if (percent == 0) return;
  static std::mutex mutex;
  static std::mt19937 random{std::random_device{}()};
  std::lock_guard lock(mutex);
  if (static_cast<int>(random() % 100) >= percent) return;
  Log(LogLevel::kWarn, "fault_point_crash", {{"point", name}});
  std::raise(SIGKILL);
}

}  // namespace mbl::node
