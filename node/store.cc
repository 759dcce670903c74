#include "node/store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "base/limits.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "node/fault_points.h"

namespace mbl::node {

using formats::Block;
using formats::BlockHeader;
using formats::DecodeBlock;
using formats::RecordsRoot;

namespace {

constexpr const char* kFamilies[] = {"default", "blocks",  "records", "results",
                                     "state",   "indexes", "safety",  "meta"};
constexpr std::string_view kTipKey = "tip";
constexpr std::string_view kChecksumKey = "state_checksum";
constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kFormat = "mbl-store-v1";
constexpr std::string_view kWipeAdvice =
    " The data directory cannot be trusted: restore it from a backup, or stop the node, move the "
    "data directory away and let it start empty (with several validators it catches up from "
    "its peers; see docs/operations.md).";
constexpr std::string_view kWritableAdvice =
    "the node writes nothing and has stopped committing; make it writable again (remount it "
    "read-write, fix its permissions) and it resumes by itself";

std::string HeightKey(std::uint64_t height) {
  std::string key(8, '\0');
  for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(height >> (56 - 8 * i));
  return key;
}

std::string ResultKey(std::uint64_t height, std::uint32_t index) {
  std::string key = HeightKey(height);
  for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<char>(index >> shift));
  return key;
}

std::uint64_t ReadU64(std::string_view bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<std::uint8_t>(bytes[i]);
  return value;
}

std::uint32_t ReadU32(std::string_view bytes) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<std::uint8_t>(bytes[i]);
  return value;
}

std::string_view AsView(const crypto::Hash256& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

crypto::Hash256 HashFrom(std::string_view bytes) {
  crypto::Hash256 hash{};
  MBL_CHECK_EQ(bytes.size(), hash.size());
  std::memcpy(hash.data(), bytes.data(), hash.size());
  return hash;
}

std::string EncodeTip(const Tip& tip) {
  std::string out = HeightKey(tip.height);
  out.append(AsView(tip.hash));
  out.append(AsView(tip.state_root));
  out.append(HeightKey(static_cast<std::uint64_t>(tip.time_ms)));
  return out;
}

Result<Tip> DecodeTip(std::string_view bytes) {
  if (bytes.size() != 80)
    return DataLoss("the stored tip is " + std::to_string(bytes.size()) + " bytes, expected 80");
  Tip tip;
  tip.empty = false;
  tip.height = ReadU64(bytes);
  tip.hash = HashFrom(bytes.substr(8, 32));
  tip.state_root = HashFrom(bytes.substr(40, 32));
  tip.time_ms = static_cast<std::int64_t>(ReadU64(bytes.substr(72)));
  return tip;
}

std::string WithWipeAdvice(const std::string& message) {
  if (message.find(kWipeAdvice) != std::string::npos) return message;
  return message + "." + std::string(kWipeAdvice);
}

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return Status::Ok();
  if (status.IsCorruption()) {
    return DataLoss(WithWipeAdvice(std::string(what) + ": " + status.ToString()));
  }
  if (status.IsNoSpace()) {
    return ResourceExhausted(std::string(what) + ": disk full (" + status.ToString() +
                             "); free space; the node resumes by itself");
  }
  return Internal(std::string(what) + ": " + status.ToString());
}

// A write RocksDB failed. With a fatal severity (it could not create its next log file, for
// instance) it refuses every later write until the database is opened again.
bool IsFatalForWrites(const rocksdb::Status& status) {
  return !status.ok() && status.severity() >= rocksdb::Status::Severity::kFatalError;
}

}  // namespace

crypto::Hash256 AddEntryToChecksum(const crypto::Hash256& sum, std::string_view key,
                                   std::string_view value, bool subtract) {
  crypto::Hash256 entry =
      crypto::Sha256Hasher().UpdateLengthPrefixed(key).UpdateLengthPrefixed(value).Final();
  crypto::Hash256 out{};
  int carry = 0;
  for (int i = 31; i >= 0; --i) {  // big-endian 256-bit add or subtract, modulo 2^256
    int digit = subtract ? sum[i] - entry[i] - carry : sum[i] + entry[i] + carry;
    carry = subtract ? (digit < 0 ? 1 : 0) : (digit > 255 ? 1 : 0);
    out[i] = static_cast<std::uint8_t>(digit & 0xff);
  }
  return out;
}

StateSnapshot::StateSnapshot(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* state)
    : db_(db), state_(state), snapshot_(db->GetSnapshot()) {}

StateSnapshot::~StateSnapshot() { db_->ReleaseSnapshot(snapshot_); }

std::optional<std::string> StateSnapshot::Get(std::string_view key) const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  std::string value;
  rocksdb::Status status =
      db_->Get(options, state_, rocksdb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::nullopt;
  MBL_CHECK_MSG(status.ok(), "state read failed: " + status.ToString());
  return value;
}

void StateSnapshot::Scan(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, state_));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (!key.starts_with(prefix)) break;
    if (!visit(key, std::string_view(it->value().data(), it->value().size()))) break;
  }
  MBL_CHECK_MSG(it->status().ok(), "state scan failed: " + it->status().ToString());
}

// RocksDB's own files in a data directory (docs/operations.md, "The data directory").
bool IsRocksDbFile(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  const std::string extension = path.extension().string();
  return extension == ".sst" || extension == ".log" || name.starts_with("MANIFEST-") ||
         name.starts_with("OPTIONS-") || name == "IDENTITY" || name == "CURRENT";
}

// What RocksDB would treat as a new, empty database (no CURRENT) or report without naming the
// file (CURRENT naming a missing MANIFEST) is checked here first, so that a damaged data
// directory is never silently replaced by an empty one.
Status CheckExistingFiles(const std::filesystem::path& directory) {
  std::error_code error;
  bool holds_database = false;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    holds_database = holds_database || IsRocksDbFile(entry.path());
  }
  if (error) {
    return Internal("cannot list data directory " + directory.string() + ": " + error.message());
  }
  if (!holds_database) return Status::Ok();  // a new data directory
  const std::string where = " in data directory " + directory.string();
  const std::filesystem::path current = directory / "CURRENT";
  if (!std::filesystem::exists(current)) {
    return DataLoss(
        "RocksDB files are present but CURRENT, which names the MANIFEST listing the database's "
        "files, is missing" +
        where + "." + std::string(kWipeAdvice));
  }
  std::ifstream in(current, std::ios::binary);
  std::string manifest;
  std::getline(in, manifest);
  if (!in || manifest.empty() || !manifest.starts_with("MANIFEST-")) {
    return DataLoss("CURRENT is empty or damaged (it should name a MANIFEST-NNNNNN file)" + where +
                    "." + std::string(kWipeAdvice));
  }
  const std::filesystem::path manifest_path = directory / manifest;
  if (!std::filesystem::exists(manifest_path, error)) {
    return DataLoss("CURRENT names " + manifest + ", which is missing" + where + "." +
                    std::string(kWipeAdvice));
  }
  if (std::filesystem::file_size(manifest_path, error) == 0) {
    return DataLoss(manifest + " is empty" + where + "." + std::string(kWipeAdvice));
  }
  return Status::Ok();
}

// An error of DB::Open, classified: damaged or missing files are data loss (exit 3, with what to
// do); a lock held by another process and other I/O errors say so.
Status FromRocksOpen(const rocksdb::Status& status, const std::filesystem::path& directory) {
  if (status.ok()) return Status::Ok();
  const std::string where = directory.string();
  if (status.IsCorruption()) {
    return DataLoss(
        "RocksDB found damaged files (write-ahead log *.log, MANIFEST, CURRENT or a "
        "table file *.sst) while opening " +
        where + ": " + status.ToString() + "." + std::string(kWipeAdvice));
  }
  if (status.IsPathNotFound()) {
    return DataLoss("a file RocksDB needs is missing from " + where + ": " + status.ToString() +
                    "." + std::string(kWipeAdvice));
  }
  if (status.ToString().find("lock") != std::string::npos) {
    return FailedPrecondition("another process has the data directory " + where +
                              " open (RocksDB: " + status.ToString() +
                              "); is another mbl-node running with it? Stop it first");
  }
  return Internal("cannot open RocksDB in " + where + ": " + status.ToString() +
                  "; check that the data directory is on a local, writable filesystem");
}

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& directory,
                                           const StoreOptions& store_options) {
  const bool machine_filesystem = store_options.env == nullptr;
  if (machine_filesystem) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) {
      return Internal("cannot create data directory " + directory.string() + ": " +
                      error.message());
    }
    MBL_RETURN_IF_ERROR(CheckExistingFiles(directory));
  }
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.paranoid_checks = true;
  // Every block is one synced write, so only the write in flight at a crash can be incomplete:
  // an incomplete last record is tolerated, any other damage in the log refuses the open. (The
  // default, point-in-time recovery, silently drops everything after a damaged record,
  // acknowledged blocks and consensus safety data included.)
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  options.max_open_files = static_cast<int>(limits::kStorageOpenFilesMax);
  options.keep_log_file_num = 5;
  options.IncreaseParallelism(2);
  if (!machine_filesystem) {
    options.env = store_options.env;
    options.disable_auto_compactions = true;  // no background work whose timing a run sees
  }

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kFamilies) {
    rocksdb::ColumnFamilyOptions family_options(options);
    // Both are read by key only. Admission asks the record index for every record it sees,
    // almost always for an id that is not there: bloom filters answer that without a search.
    if (std::string_view(name) == "state") family_options.OptimizeForPointLookup(64);
    if (std::string_view(name) == "records") family_options.OptimizeForPointLookup(16);
    descriptors.emplace_back(name, family_options);
  }
  std::unique_ptr<Store> store(new Store());
  store->directory_ = directory;
  store->machine_filesystem_ = machine_filesystem;
  rocksdb::DB* raw = nullptr;
  MBL_RETURN_IF_ERROR(
      FromRocksOpen(rocksdb::DB::Open(rocksdb::DBOptions(options), directory.string(), descriptors,
                                      &store->families_, &raw),
                    directory));
  store->db_.reset(raw);
  std::string value;
  rocksdb::Status status = raw->Get({}, store->Family("meta"), std::string(kFormatKey), &value);
  if (status.IsNotFound()) {
    MBL_RETURN_IF_ERROR(FromRocks(
        raw->Put({}, store->Family("meta"), std::string(kFormatKey), std::string(kFormat)),
        "writing store format"));
  } else if (!status.ok() || value != kFormat) {
    return DataLoss("data directory " + directory.string() + " is not an mbl store of format " +
                    std::string(kFormat) + (status.ok() ? "" : ": " + status.ToString()) + "." +
                    std::string(kWipeAdvice));
  }
  if (raw->Get({}, store->Family("meta"), std::string(kTipKey), &value).ok()) {
    auto tip = DecodeTip(value);
    if (!tip.ok()) return DataLoss(tip.status().message() + "." + std::string(kWipeAdvice));
    store->tip_ = *tip;
  }
  if (raw->Get({}, store->Family("meta"), std::string(kChecksumKey), &value).ok() &&
      value.size() == 32) {
    store->state_checksum_ = HashFrom(value);
  }
  return store;
}

Store::~Store() {
  if (!db_) return;
  for (auto* family : families_) db_->DestroyColumnFamilyHandle(family).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

rocksdb::ColumnFamilyHandle* Store::Family(std::string_view name) const {
  for (std::size_t i = 0; i < std::size(kFamilies); ++i) {
    if (name == kFamilies[i]) return families_[i];
  }
  MBL_CHECK_MSG(false, "unknown column family " + std::string(name));
  return nullptr;
}

Tip Store::tip() const {
  std::lock_guard lock(tip_mutex_);
  return tip_;
}

// RocksDB must never see a write fail: in RocksDB 7.8 a failed write to its log aborts the
// process (an assertion the Debian build keeps) and, without paranoid checks, a later write can
// be lost. So the node refuses the write itself, and stalls, while the data directory is not
// writable or its filesystem is below the reserve, and goes on by itself once that is fixed
// (docs/operations.md, "Disk full, read-only data directory").
Status Store::CheckWritable() const {
  if (fatal_write_error_) return *fatal_write_error_;  // never write after it
  if (!machine_filesystem_) return Status::Ok();
  // access() says EROFS for a read-only mount (also a read-only bind mount laid over the
  // directory) and EACCES when permissions forbid writing; it costs one system call.
  if (::access(directory_.c_str(), W_OK) != 0) {
    const int error = errno;
    return Unavailable("data directory " + directory_.string() + " is not writable (" +
                       std::strerror(error) + "): " + std::string(kWritableAdvice));
  }
  std::error_code error;
  auto space = std::filesystem::space(directory_, error);
  if (error) return Status::Ok();  // cannot tell: let the write say
  if (space.available < limits::kStorageReserveBytes) {
    return ResourceExhausted(
        "disk nearly full: " + std::to_string(space.available >> 20) + " MiB free in " +
        directory_.string() + ", the node keeps " +
        std::to_string(limits::kStorageReserveBytes >> 20) +
        " MiB in reserve and writes nothing more; free space and it resumes by itself");
  }
  return Status::Ok();
}

Status Store::CommitBlock(const Block& block, const chaincode::BlockExecution& execution) {
  MBL_RETURN_IF_ERROR(CheckWritable());
  const BlockHeader& header = block.header;
  Tip current = tip();
  // Pair assertions: the block extends the tip and matches its execution (TigerStyle).
  MBL_CHECK_EQ(header.height, current.empty ? 0 : current.height + 1);
  MBL_CHECK(header.parent_hash == (current.empty ? crypto::Hash256{} : current.hash));
  MBL_CHECK(header.state_root == execution.state_root);
  MBL_CHECK(header.results_root == execution.results_root);
  MBL_CHECK_EQ(execution.results.size(), block.records.size());

  rocksdb::WriteBatch batch;
  crypto::Hash256 checksum = state_checksum_;
  auto* state = Family("state");
  for (const auto& [key, value] : execution.writes) {
    std::string old;
    if (db_->Get({}, state, key, &old).ok())
      checksum = AddEntryToChecksum(checksum, key, old, true);
    if (value) {
      checksum = AddEntryToChecksum(checksum, key, *value, false);
      batch.Put(state, key, *value);
    } else {
      batch.Delete(state, key);
    }
  }
  crypto::Hash256 hash = BlockHash(header);
  batch.Put(Family("blocks"), HeightKey(header.height), EncodeBlock(block));
  batch.Put(Family("indexes"), "hash/" + std::string(AsView(hash)), HeightKey(header.height));
  for (std::uint32_t i = 0; i < block.records.size(); ++i) {
    const auto& result = execution.results[i];
    batch.Put(Family("records"), std::string(AsView(result.record_id)),
              ResultKey(header.height, i));
    batch.Put(Family("results"), ResultKey(header.height, i),
              chaincode::EncodeRecordResult(result));
  }
  Tip next{false, header.height, hash, header.state_root, header.time_ms};
  batch.Put(Family("meta"), std::string(kTipKey), EncodeTip(next));
  batch.Put(Family("meta"), std::string(kChecksumKey), std::string(AsView(checksum)));
  rocksdb::WriteOptions options;
  options.sync = true;
  FaultPoint("before_block_write");
  MBL_RETURN_IF_ERROR(FromRocksWrite(db_->Write(options, &batch),
                                     "writing block " + std::to_string(header.height)));
  FaultPoint("after_block_write");
  state_checksum_ = checksum;
  std::lock_guard lock(tip_mutex_);
  tip_ = next;
  return Status::Ok();
}

Result<Block> Store::GetBlock(std::uint64_t height) const {
  std::string bytes;
  rocksdb::Status status = db_->Get({}, Family("blocks"), HeightKey(height), &bytes);
  if (status.IsNotFound()) return NotFound("no block at height " + std::to_string(height));
  MBL_RETURN_IF_ERROR(FromRocks(status, "reading block " + std::to_string(height)));
  auto block = DecodeBlock(bytes);
  if (!block.ok()) return block.status().WithContext("block " + std::to_string(height));
  if (block->header.height != height) {  // pair assertion on read
    return DataLoss("block stored at height " + std::to_string(height) + " says height " +
                    std::to_string(block->header.height));
  }
  return block;
}

std::optional<RecordLocation> Store::FindRecord(const chaincode::RecordId& id) const {
  std::string value;
  if (!db_->Get({}, Family("records"), std::string(AsView(id)), &value).ok()) return std::nullopt;
  MBL_CHECK_EQ(value.size(), 12u);
  return RecordLocation{ReadU64(value), ReadU32(std::string_view(value).substr(8))};
}

Result<chaincode::RecordResult> Store::GetResult(std::uint64_t height, std::uint32_t index) const {
  std::string bytes;
  rocksdb::Status status = db_->Get({}, Family("results"), ResultKey(height, index), &bytes);
  if (status.IsNotFound()) {
    return NotFound("no result for record " + std::to_string(index) + " of block " +
                    std::to_string(height));
  }
  MBL_RETURN_IF_ERROR(FromRocks(status, "reading a result"));
  return DecodeRecordResult(bytes);
}

std::unique_ptr<StateSnapshot> Store::Snapshot() const {
  return std::make_unique<StateSnapshot>(db_.get(), Family("state"));
}

Status Store::FromRocksWrite(const rocksdb::Status& status, std::string_view what) {
  if (!IsFatalForWrites(status)) return FromRocks(status, what);
  fatal_write_error_ = Unavailable(
      std::string(what) + ": " + status.ToString() +
      "; RocksDB refuses every write after this failure until the node is restarted: make the "
      "data directory writable (or free space), then restart the node, which goes on from its "
      "last synced block");
  return *fatal_write_error_;
}

Status Store::RecoverFromWriteError() {
  if (fatal_write_error_) return *fatal_write_error_;
  rocksdb::Status status = db_->Resume();
  // Busy: RocksDB's own recovery is under way (waiting for space); the caller retries later.
  if (status.IsBusy()) return Unavailable("storage is recovering from a write error");
  return FromRocks(status, "resuming writes");
}

Status Store::PutSafetyData(std::string_view key, std::string_view value) {
  MBL_RETURN_IF_ERROR(CheckWritable());
  FaultPoint("before_safety_write");
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocksWrite(db_->Put(options, Family("safety"), rocksdb::Slice(key.data(), key.size()),
                                 rocksdb::Slice(value.data(), value.size())),
                        "writing consensus safety data");
}

std::optional<std::string> Store::GetSafetyData(std::string_view key) const {
  std::string value;
  if (!db_->Get({}, Family("safety"), rocksdb::Slice(key.data(), key.size()), &value).ok()) {
    return std::nullopt;
  }
  return value;
}

Status Store::CorruptForTest(std::string_view column_family, std::string_view key,
                             std::optional<std::string> value) {
  rocksdb::Slice slice(key.data(), key.size());
  if (value) return FromRocks(db_->Put({}, Family(column_family), slice, *value), "test write");
  return FromRocks(db_->Delete({}, Family(column_family), slice), "test delete");
}

Status Store::CheckBlock(std::uint64_t height, const crypto::Hash256& parent_hash,
                         Block* out) const {
  auto block = GetBlock(height);
  if (!block.ok()) return DataLoss(WithWipeAdvice(block.status().message()));
  const BlockHeader& header = block->header;
  std::string where = "block " + std::to_string(height);
  auto fail = [&](const std::string& what) {
    return DataLoss(WithWipeAdvice(where + ": " + what));
  };
  if (header.parent_hash != parent_hash)
    return fail("its parent hash does not match block " + std::to_string(height - 1));
  if (header.record_count != block->records.size())
    return fail("record count disagrees with its records");
  if (RecordsRoot(block->records) != header.records_root)
    return fail("its records do not match the records root in its header");
  std::vector<crypto::Hash256> result_leaves;
  for (std::uint32_t i = 0; i < block->records.size(); ++i) {
    chaincode::RecordId id = chaincode::ComputeRecordId(block->records[i].payload);
    auto location = FindRecord(id);
    if (!location || location->height != height || location->index != i) {
      return fail("the record index has no correct entry for record " + std::to_string(i) + " (" +
                  crypto::ToHex(id) + ")");
    }
    auto result = GetResult(height, i);
    if (!result.ok()) return fail(result.status().message());
    result_leaves.push_back(crypto::MerkleLeafHash(chaincode::EncodeRecordResult(*result)));
  }
  if (crypto::MerkleRoot(result_leaves) != header.results_root)
    return fail("its stored results do not match the results root in its header");
  *out = std::move(*block);
  return Status::Ok();
}

Status Store::CheckStateChecksum() const {
  crypto::Hash256 sum{};
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, Family("state")));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    sum = AddEntryToChecksum(sum, std::string_view(it->key().data(), it->key().size()),
                             std::string_view(it->value().data(), it->value().size()), false);
  }
  MBL_RETURN_IF_ERROR(FromRocks(it->status(), "scanning the state"));
  if (sum != state_checksum_) {
    return DataLoss(
        "the state column family does not match the checksum committed with the last "
        "block (the state was changed outside the commit path or is corrupt)." +
        std::string(kWipeAdvice));
  }
  return Status::Ok();
}

Status Store::CheckIntegrity() const {
  // Every block checksum of every table file, whichever column family it holds: damage in data
  // the chain walk below does not read (indexes, safety data) is found too, with the file named.
  rocksdb::Status checksums = db_->VerifyChecksum();
  if (!checksums.ok()) {
    return DataLoss("a RocksDB table file failed its checksum check: " + checksums.ToString() +
                    "." + std::string(kWipeAdvice));
  }
  Tip expected = tip();
  std::unique_ptr<rocksdb::Iterator> last(db_->NewIterator({}, Family("blocks")));
  last->SeekToLast();
  if (!last->status().ok()) {
    return DataLoss("reading the last block failed: " + last->status().ToString() + "." +
                    std::string(kWipeAdvice));
  }
  if (!last->Valid()) {
    if (!expected.empty)
      return DataLoss("the store records a tip at height " + std::to_string(expected.height) +
                      " but holds no block." + std::string(kWipeAdvice));
    return CheckStateChecksum();
  }
  std::uint64_t stored_top = ReadU64(std::string_view(last->key().data(), last->key().size()));
  if (expected.empty || stored_top != expected.height) {
    return DataLoss("the highest stored block is " + std::to_string(stored_top) +
                    " but the tip says " +
                    (expected.empty ? std::string("no block") : std::to_string(expected.height)) +
                    "." + std::string(kWipeAdvice));
  }
  crypto::Hash256 parent{};
  Block block;
  for (std::uint64_t height = 0; height <= expected.height; ++height) {
    MBL_RETURN_IF_ERROR(CheckBlock(height, parent, &block));
    parent = BlockHash(block.header);
  }
  if (parent != expected.hash || block.header.state_root != expected.state_root) {
    return DataLoss("the tip's hash or state root disagrees with block " +
                    std::to_string(expected.height) + "." + std::string(kWipeAdvice));
  }
  return CheckStateChecksum();
}

Result<chaincode::RecordResult> DecodeRecordResult(std::string_view bytes) {
  chaincode::RecordResult result;
  if (bytes.size() < 33) return DataLoss("stored result is truncated");
  result.record_id = HashFrom(bytes.substr(0, 32));
  result.accepted = bytes[32] == '\x01';
  std::size_t offset = 33;
  std::string* fields[] = {&result.rejection.rule, &result.rejection.message, &result.details_json};
  for (std::string* field : fields) {
    if (offset + 4 > bytes.size()) return DataLoss("stored result is truncated");
    std::uint32_t length = ReadU32(bytes.substr(offset));
    offset += 4;
    if (offset + length > bytes.size()) return DataLoss("stored result is truncated");
    field->assign(bytes.substr(offset, length));
    offset += length;
  }
  if (offset != bytes.size()) return DataLoss("stored result has trailing bytes");
  return result;
}

}  // namespace mbl::node
