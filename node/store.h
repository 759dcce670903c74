// The node's durable storage (DESIGN D5): RocksDB with one column family per kind of data and
// one synced WriteBatch per committed block. Thread safe: one writer (the commit path), any
// number of readers.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "base/status.h"
#include "chaincode/executor.h"
#include "chaincode/state.h"
#include "formats/block.h"

namespace rocksdb {
class DB;
class Env;
class Status;
class ColumnFamilyHandle;
class Snapshot;
}  // namespace rocksdb

namespace mbl::node {

struct Tip {
  bool empty = true;  // no block yet
  std::uint64_t height = 0;
  crypto::Hash256 hash{};
  crypto::Hash256 state_root{};
  std::int64_t time_ms = 0;
};

struct RecordLocation {
  std::uint64_t height = 0;
  std::uint32_t index = 0;
};

// A consistent view of the state at one moment (a RocksDB snapshot).
class StateSnapshot final : public chaincode::StateReader {
 public:
  StateSnapshot(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* state);
  ~StateSnapshot() override;
  StateSnapshot(const StateSnapshot&) = delete;
  StateSnapshot& operator=(const StateSnapshot&) = delete;
  std::optional<std::string> Get(std::string_view key) const override;
  void Scan(std::string_view prefix,
            const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const override;

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* state_;
  const rocksdb::Snapshot* snapshot_;
};

struct StoreOptions {
  // The filesystem RocksDB works on; null: the machine's. The simulator (tests/sim/) gives each
  // node an in-memory one that keeps, at a simulated crash, only what was synced (plus a torn
  // tail); the checks of the data directory on the machine's filesystem are then skipped, and
  // no background compaction runs, so that a run replays exactly.
  rocksdb::Env* env = nullptr;
};

class Store {
 public:
  // Opens (creating if needed) the store in `directory`. Damaged or missing RocksDB files are
  // kDataLoss with what to do. Does not check integrity: call CheckIntegrity before serving.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& directory,
                                             const StoreOptions& store_options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Tip tip() const;

  // Writes block, results, state changes, indexes and the new tip in one synced batch. The block
  // must extend the tip (height, parent hash): anything else is a broken invariant.
  Status CommitBlock(const formats::Block& block, const chaincode::BlockExecution& execution);

  Result<formats::Block> GetBlock(std::uint64_t height) const;
  std::optional<RecordLocation> FindRecord(const chaincode::RecordId& id) const;
  Result<chaincode::RecordResult> GetResult(std::uint64_t height, std::uint32_t index) const;

  std::unique_ptr<StateSnapshot> Snapshot() const;

  // Verifies the checksum of every table file, then walks the whole chain and checks that blocks,
  // results, record index, tip and state agree. kDataLoss says what disagrees and what to do.
  Status CheckIntegrity() const;

  // After a refused write (disk nearly full, data directory not writable) or a background error
  // of RocksDB (a flush that could not create its file), called before the caller retries its
  // write: resumes RocksDB's background work. An error while the cause persists.
  Status RecoverFromWriteError();

  // Consensus safety data (the BFT issue): stored and synced before it is acted on.
  Status PutSafetyData(std::string_view key, std::string_view value);
  std::optional<std::string> GetSafetyData(std::string_view key) const;

  // Test hook: changes raw bytes to simulate corruption. Never used by the node.
  Status CorruptForTest(std::string_view column_family, std::string_view key,
                        std::optional<std::string> value);

 private:
  Store() = default;
  Status CheckBlock(std::uint64_t height, const crypto::Hash256& parent_hash,
                    formats::Block* out) const;
  Status CheckStateChecksum() const;
  Status CheckWritable() const;
  Status FromRocksWrite(const rocksdb::Status& status, std::string_view what);
  rocksdb::ColumnFamilyHandle* Family(std::string_view name) const;

  std::filesystem::path directory_;
  bool machine_filesystem_ = true;  // false on a simulated Env: no access()/space() checks
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
  mutable std::mutex tip_mutex_;
  Tip tip_;
  crypto::Hash256 state_checksum_{};
  // Set (by the writer thread only) when RocksDB failed a write fatally: no write is tried again.
  std::optional<Status> fatal_write_error_;
};

// Decodes chaincode::EncodeRecordResult bytes.
Result<chaincode::RecordResult> DecodeRecordResult(std::string_view bytes);

// Order-independent checksum of the state: sum modulo 2^256 of SHA-256 over each entry.
// Detects a state column family that disagrees with the committed blocks.
crypto::Hash256 AddEntryToChecksum(const crypto::Hash256& sum, std::string_view key,
                                   std::string_view value, bool subtract);

}  // namespace mbl::node
