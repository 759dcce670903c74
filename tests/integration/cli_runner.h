// Runs the real `mbl` binary (MBL_CLI_BINARY, set by CMake) for the process-level tests.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace mbl::testing {

// Runs `mbl ARGUMENTS`; returns its exit code and, if asked, what it printed (stdout and stderr).
inline int Mbl(const std::string& arguments, std::string* output = nullptr) {
  std::string command = std::string(MBL_CLI_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string text;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) text += buffer;
  int status = pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace mbl::testing
