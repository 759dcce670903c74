// Damage done to the real files of a stopped node's data directory (RocksDB's table files, write-
// ahead log, MANIFEST and CURRENT), for the start-up integrity tests, and a read-only bind mount
// laid over a running node's data directory. Header only; used by unit and process tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace mbl::test_support {

// The largest file in `directory` whose name ends with `suffix` (".sst", ".log") or starts with
// `prefix` ("MANIFEST-"); empty when there is none.
inline std::filesystem::path LargestFile(const std::filesystem::path& directory,
                                         const std::string& suffix,
                                         const std::string& prefix = "") {
  std::filesystem::path largest;
  std::uintmax_t largest_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    bool matches = prefix.empty() ? name.ends_with(suffix) : name.starts_with(prefix);
    if (!matches || !entry.is_regular_file()) continue;
    if (largest.empty() || entry.file_size() > largest_bytes) {
      largest = entry.path();
      largest_bytes = entry.file_size();
    }
  }
  return largest;
}

// Flips the bits of one byte at `fraction` (0..1) of the file's length.
inline void FlipByte(const std::filesystem::path& file, double fraction) {
  const auto size = std::filesystem::file_size(file);
  const auto offset = static_cast<std::streamoff>(static_cast<double>(size - 1) * fraction);
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  char byte = 0;
  stream.seekg(offset);
  stream.read(&byte, 1);
  byte = static_cast<char>(~byte);
  stream.seekp(offset);
  stream.write(&byte, 1);
}

inline void TruncateTo(const std::filesystem::path& file, std::uintmax_t bytes) {
  std::filesystem::resize_file(file, bytes);
}

// The MANIFEST that CURRENT names.
inline std::filesystem::path CurrentManifest(const std::filesystem::path& directory) {
  std::ifstream in(directory / "CURRENT");
  std::string name;
  std::getline(in, name);
  return directory / name;
}

// A bind mount of a directory onto itself, which can be made read-only and writable again while
// a node runs there: Linux refuses `mount -o remount,ro` of a filesystem with files open for
// writing (EBUSY), but a bind mount laid over the directory after the node opened its files has
// no writers of its own. Every path lookup then goes through it, so access(2) and new files see a
// read-only directory. Needs the right to mount (root): mounted() says whether it worked.
class ReadOnlyBindMount {
 public:
  explicit ReadOnlyBindMount(std::filesystem::path at) : at_(std::move(at)) {
    mounted_ = Run("mount --bind " + at_.string() + " " + at_.string());
  }
  ~ReadOnlyBindMount() {
    if (mounted_) Run("umount -l " + at_.string());
  }
  ReadOnlyBindMount(const ReadOnlyBindMount&) = delete;
  ReadOnlyBindMount& operator=(const ReadOnlyBindMount&) = delete;

  bool mounted() const { return mounted_; }
  bool SetReadOnly(bool read_only) {
    return Run("mount -o remount,bind," + std::string(read_only ? "ro " : "rw ") + at_.string());
  }

 private:
  static bool Run(const std::string& command) {
    return std::system((command + " 2>/dev/null").c_str()) == 0;
  }
  std::filesystem::path at_;
  bool mounted_ = false;
};

}  // namespace mbl::test_support
