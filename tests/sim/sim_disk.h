// The disk of one simulated node: an in-memory filesystem for RocksDB (rocksdb::NewMemEnv) that
// knows which bytes of each file were synced. A crash keeps what a machine keeps after power
// loss: each file as it was synced, and of the write-ahead log's unsynced tail a prefix of any
// length (a torn write of the last batch). The crash can be armed to strike inside a sync, so
// the simulator crashes nodes in the middle of the commit path, not only between steps.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "tests/sim/prng.h"

namespace rocksdb {
class Env;
class FileSystem;
}  // namespace rocksdb

namespace mbl::sim {

class SimDisk {
 public:
  // `directory`: where the node's store lives on this disk.
  explicit SimDisk(std::string directory);
  ~SimDisk();
  SimDisk(const SimDisk&) = delete;
  SimDisk& operator=(const SimDisk&) = delete;

  rocksdb::Env* env() const { return env_.get(); }
  const std::string& directory() const { return directory_; }

  // The `syncs`-th sync from now (1: the next) never completes: the machine loses power while
  // the data is on its way to the disk. From then on nothing written reaches the disk.
  void ArmCrash(std::uint32_t syncs);
  // Power is lost now, between two syncs.
  void CrashNow();
  // An armed crash that has not struck will not.
  void Disarm();
  bool crashed() const;
  std::uint64_t syncs() const;

  // Once everything that used the disk is gone: the files as the machine finds them when it
  // boots. Synced bytes survive; of each log file's unsynced tail, a prefix chosen by `prng`.
  void Reboot(Prng& prng);

  // Called by the filesystem wrapper (sim_disk.cc) for every change.
  struct File {
    std::string data;        // everything appended so far
    std::size_t synced = 0;  // bytes known durable
  };
  void OnAppend(const std::string& path, std::uint64_t offset, std::string_view data);
  void OnTruncate(const std::string& path, std::uint64_t size);
  void OnSync(const std::string& path);
  void OnCreate(const std::string& path);
  void OnDelete(const std::string& path);
  void OnRename(const std::string& from, const std::string& to);

 private:
  void FreezeLocked();

  const std::string directory_;
  std::unique_ptr<rocksdb::Env> mem_env_;
  std::shared_ptr<rocksdb::FileSystem> file_system_;
  std::unique_ptr<rocksdb::Env> env_;
  mutable std::mutex mutex_;  // RocksDB may call from its own threads
  std::map<std::string, File> files_;
  std::optional<std::map<std::string, File>> frozen_;  // the disk at the crash
  std::optional<std::uint32_t> crash_in_syncs_;
  std::uint64_t syncs_ = 0;
};

}  // namespace mbl::sim
