// Structured logs: one JSON object per line on stderr, {"ts","level","event",...fields}.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace mbl::node {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Parses "debug", "info", "warn", "error".
bool ParseLogLevel(std::string_view text, LogLevel* level);
void SetLogLevel(LogLevel level);
void Log(LogLevel level, std::string_view event, nlohmann::json fields = nlohmann::json::object());

}  // namespace mbl::node
