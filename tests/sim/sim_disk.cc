#include "tests/sim/sim_disk.h"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <utility>
#include <vector>

#include "base/check.h"

namespace mbl::sim {
namespace {

using rocksdb::FileOptions;
using rocksdb::FSWritableFile;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// A file RocksDB writes: every change is told to the disk, which keeps its own copy.
class TrackedFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<FSWritableFile> target, SimDisk& disk, std::string path)
      : FSWritableFileOwnerWrapper(std::move(target)), disk_(disk), path_(std::move(path)) {}

  IOStatus Append(const Slice& data, const IOOptions& options, IODebugContext* dbg) override {
    disk_.OnAppend(path_, UINT64_MAX, data.ToStringView());
    return target()->Append(data, options, dbg);
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
    disk_.OnAppend(path_, UINT64_MAX, data.ToStringView());
    return target()->Append(data, options, info, dbg);
  }
  IOStatus PositionedAppend(const Slice& data, std::uint64_t offset, const IOOptions& options,
                            IODebugContext* dbg) override {
    disk_.OnAppend(path_, offset, data.ToStringView());
    return target()->PositionedAppend(data, offset, options, dbg);
  }
  IOStatus PositionedAppend(const Slice& data, std::uint64_t offset, const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    disk_.OnAppend(path_, offset, data.ToStringView());
    return target()->PositionedAppend(data, offset, options, info, dbg);
  }
  IOStatus Truncate(std::uint64_t size, const IOOptions& options, IODebugContext* dbg) override {
    disk_.OnTruncate(path_, size);
    return target()->Truncate(size, options, dbg);
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    disk_.OnSync(path_);
    return target()->Sync(options, dbg);
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    disk_.OnSync(path_);
    return target()->Fsync(options, dbg);
  }

 private:
  SimDisk& disk_;
  const std::string path_;
};

class TrackedFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  TrackedFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target, SimDisk& disk)
      : FileSystemWrapper(target), disk_(disk) {}
  static const char* kClassName() { return "MblSimDisk"; }
  const char* Name() const override { return kClassName(); }

  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<FSWritableFile>* result, IODebugContext* dbg) override {
    std::unique_ptr<FSWritableFile> file;
    IOStatus status = target()->NewWritableFile(path, options, &file, dbg);
    if (status.ok()) {
      disk_.OnCreate(path);
      *result = std::make_unique<TrackedFile>(std::move(file), disk_, path);
    }
    return status;
  }
  IOStatus ReopenWritableFile(const std::string& path, const FileOptions& options,
                              std::unique_ptr<FSWritableFile>* result,
                              IODebugContext* dbg) override {
    std::unique_ptr<FSWritableFile> file;
    IOStatus status = target()->ReopenWritableFile(path, options, &file, dbg);
    if (status.ok()) *result = std::make_unique<TrackedFile>(std::move(file), disk_, path);
    return status;
  }
  IOStatus ReuseWritableFile(const std::string& path, const std::string& old_path,
                             const FileOptions& options, std::unique_ptr<FSWritableFile>* result,
                             IODebugContext* dbg) override {
    std::unique_ptr<FSWritableFile> file;
    IOStatus status = target()->ReuseWritableFile(path, old_path, options, &file, dbg);
    if (status.ok()) {
      disk_.OnRename(old_path, path);
      disk_.OnTruncate(path, 0);
      *result = std::make_unique<TrackedFile>(std::move(file), disk_, path);
    }
    return status;
  }
  IOStatus DeleteFile(const std::string& path, const IOOptions& options,
                      IODebugContext* dbg) override {
    IOStatus status = target()->DeleteFile(path, options, dbg);
    if (status.ok()) disk_.OnDelete(path);
    return status;
  }
  IOStatus RenameFile(const std::string& from, const std::string& to, const IOOptions& options,
                      IODebugContext* dbg) override {
    IOStatus status = target()->RenameFile(from, to, options, dbg);
    if (status.ok()) disk_.OnRename(from, to);
    return status;
  }
  IOStatus Truncate(const std::string& path, std::size_t size, const IOOptions& options,
                    IODebugContext* dbg) override {
    IOStatus status = target()->Truncate(path, size, options, dbg);
    if (status.ok()) disk_.OnTruncate(path, size);
    return status;
  }

 private:
  SimDisk& disk_;
};

bool IsLogFile(const std::string& path) { return path.ends_with(".log"); }

}  // namespace

SimDisk::SimDisk(std::string directory)
    : directory_(std::move(directory)), mem_env_(rocksdb::NewMemEnv(rocksdb::Env::Default())) {
  file_system_ = std::make_shared<TrackedFileSystem>(mem_env_->GetFileSystem(), *this);
  env_ = rocksdb::NewCompositeEnv(file_system_);
}

SimDisk::~SimDisk() = default;

void SimDisk::ArmCrash(std::uint32_t syncs) {
  std::lock_guard lock(mutex_);
  if (!frozen_) crash_in_syncs_ = std::max<std::uint32_t>(syncs, 1);
}

void SimDisk::CrashNow() {
  std::lock_guard lock(mutex_);
  FreezeLocked();
}

void SimDisk::Disarm() {
  std::lock_guard lock(mutex_);
  crash_in_syncs_.reset();
}

bool SimDisk::crashed() const {
  std::lock_guard lock(mutex_);
  return frozen_.has_value();
}

std::uint64_t SimDisk::syncs() const {
  std::lock_guard lock(mutex_);
  return syncs_;
}

void SimDisk::FreezeLocked() {
  if (!frozen_) frozen_ = files_;
  crash_in_syncs_.reset();
}

void SimDisk::OnCreate(const std::string& path) {
  std::lock_guard lock(mutex_);
  files_[path] = File{};
}

void SimDisk::OnAppend(const std::string& path, std::uint64_t offset, std::string_view data) {
  std::lock_guard lock(mutex_);
  File& file = files_[path];
  if (offset == UINT64_MAX || offset == file.data.size()) {
    file.data.append(data);
    return;
  }
  if (file.data.size() < offset + data.size()) file.data.resize(offset + data.size());
  file.data.replace(offset, data.size(), data);
  file.synced = std::min<std::size_t>(file.synced, offset);
}

void SimDisk::OnTruncate(const std::string& path, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  File& file = files_[path];
  file.data.resize(size);
  file.synced = std::min<std::size_t>(file.synced, size);
}

void SimDisk::OnSync(const std::string& path) {
  std::lock_guard lock(mutex_);
  ++syncs_;
  if (crash_in_syncs_ && --*crash_in_syncs_ == 0) FreezeLocked();  // this sync is lost
  File& file = files_[path];
  file.synced = file.data.size();
}

void SimDisk::OnDelete(const std::string& path) {
  std::lock_guard lock(mutex_);
  files_.erase(path);
}

void SimDisk::OnRename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(from);
  if (it == files_.end()) return;
  File file = std::move(it->second);
  files_.erase(it);
  files_[to] = std::move(file);
}

void SimDisk::Reboot(Prng& prng) {
  std::map<std::string, File> survivors;
  {
    std::lock_guard lock(mutex_);
    MBL_CHECK_MSG(frozen_.has_value(), "SimDisk::Reboot without a crash");
    survivors = std::move(*frozen_);
    frozen_.reset();
  }
  for (auto& [path, file] : survivors) {
    std::size_t kept = std::min(file.synced, file.data.size());
    if (IsLogFile(path) && file.data.size() > kept) {
      kept += static_cast<std::size_t>(
          prng.Uniform(0, static_cast<std::int64_t>(file.data.size() - kept)));
    }
    file.data.resize(kept);
    file.synced = kept;
  }
  rocksdb::FileSystem& memory = *mem_env_->GetFileSystem();
  const IOOptions io;
  std::vector<std::string> children;
  MBL_CHECK(memory.GetChildren(directory_, io, &children, nullptr).ok());
  for (const std::string& child : children) {
    const std::string path = directory_ + "/" + child;
    MBL_CHECK(memory.DeleteFile(path, io, nullptr).ok());
  }
  for (const auto& [path, file] : survivors) {
    std::unique_ptr<FSWritableFile> out;
    MBL_CHECK(memory.NewWritableFile(path, FileOptions(), &out, nullptr).ok());
    MBL_CHECK(out->Append(file.data, io, nullptr).ok());
    MBL_CHECK(out->Close(io, nullptr).ok());
  }
  std::lock_guard lock(mutex_);
  files_ = std::move(survivors);
}

}  // namespace mbl::sim
