// Runs a fuzz target over files without libFuzzer, for the normal (g++) build: every file of each
// directory argument (sorted, so runs are reproducible) or each file argument goes through
// LLVMFuzzerTestOneInput once. A crash or broken invariant aborts with the input's path on stderr.
// Registered as the ctest tests `fuzz_<target>` (label `fuzz`) over the kept corpus
// (tests/fuzz/corpus/<target>/) and the crash reproducers (tests/fuzz/<target>/crashes/).
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

char g_current[4096] = "";

void PrintCurrentAndDie(int signal_number) {
  const char prefix[] = "\nfuzz replay: crashed on input ";
  (void)!write(STDERR_FILENO, prefix, sizeof prefix - 1);
  (void)!write(STDERR_FILENO, g_current, std::strlen(g_current));
  (void)!write(STDERR_FILENO, "\n", 1);
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

bool RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz replay: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::snprintf(g_current, sizeof g_current, "%s", path.c_str());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  for (int signal_number : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) {
    std::signal(signal_number, PrintCurrentAndDie);
  }
  std::size_t ran = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg = argv[i];
    std::error_code error;
    if (std::filesystem::is_directory(arg, error)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) ran += RunFile(file) ? 1 : 0;
      std::printf("fuzz replay: %zu inputs of %s\n", files.size(), arg.c_str());
    } else if (std::filesystem::is_regular_file(arg, error)) {
      ran += RunFile(arg) ? 1 : 0;
    } else {
      std::printf("fuzz replay: %s does not exist, skipped\n", arg.c_str());
    }
  }
  if (ran == 0) {
    std::fprintf(stderr, "fuzz replay: no input ran (is the corpus missing?)\n");
    return 1;
  }
  std::printf("fuzz replay: %zu inputs, no crash\n", ran);
  return 0;
}
