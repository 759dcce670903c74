// Every queue, batch, frame, body, connection count and loop has a named limit here
// (DESIGN D8, TigerBeetle's constants.zig). Related limits are tied together by static_asserts.
// Units are last in every name.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mbl::limits {

// ---- Records -------------------------------------------------------------------------------
// Largest signed payload a record may carry. Records hold hashes of documents, never documents.
inline constexpr std::size_t kRecordPayloadBytesMax = 16 * 1024;
// Largest text field inside a record (names, descriptions, reasons).
inline constexpr std::size_t kRecordTextBytesMax = 1024;
// A validator's link address: a DNS name (253) with brackets, a colon and a port fit.
inline constexpr std::size_t kValidatorAddressBytesMax = 262;
static_assert(kValidatorAddressBytesMax <= kRecordTextBytesMax, "an address is a record text");
// Most repeated entries in one record (evidence hashes, lots listed, members in genesis).
inline constexpr std::size_t kRecordListEntriesMax = 256;
// A record must name a validity window ending at most this far after the block that commits it:
// a signed record cannot be replayed later (docs/decisions/0003-replay-protection.md).
inline constexpr std::int64_t kRecordValidityWindowMs = 24LL * 60 * 60 * 1000;

// ---- Blocks --------------------------------------------------------------------------------
inline constexpr std::size_t kBlockRecordsMax = 4096;
inline constexpr std::size_t kBlockBytesMax = 16 * 1024 * 1024;
inline constexpr std::int64_t kBlockIntervalMsDefault = 50;
static_assert(kBlockRecordsMax * kRecordPayloadBytesMax <= 4 * kBlockBytesMax,
              "a block of maximal records must stay within a few block-size limits");

// ---- Mempool -------------------------------------------------------------------------------
inline constexpr std::size_t kMempoolRecordsMax = 100'000;
inline constexpr std::size_t kMempoolBytesMax = 256 * 1024 * 1024;
static_assert(kMempoolRecordsMax >= 4 * kBlockRecordsMax, "mempool must hold several blocks");

// ---- HTTP API ------------------------------------------------------------------------------
inline constexpr std::size_t kHttpBodyBytesMax = 8 * 1024 * 1024;
// Request line and header fields together; and how many fields.
inline constexpr std::size_t kHttpHeaderBytesMax = 16 * 1024;
inline constexpr std::size_t kHttpHeaderFieldsMax = 100;
inline constexpr std::size_t kHttpConnectionsMax = 512;
// Connections from one client address: one address cannot take every connection.
inline constexpr std::size_t kHttpConnectionsPerClientMax = 128;
// Bodies being received or handled at once, all connections together (each counted at its
// Content-Length, a chunked one at kHttpBodyBytesMax): many large uploads cannot exhaust memory.
inline constexpr std::size_t kHttpBodyBytesInFlightMax = 128 * 1024 * 1024;
inline constexpr std::size_t kHttpBatchRecordsMax = 2048;
inline constexpr std::int64_t kHttpRequestTimeoutMs = 30'000;
inline constexpr std::int64_t kHttpIdleTimeoutMs = 60'000;
inline constexpr std::int64_t kHttpWaitCommitMsMax = 30'000;
// Token bucket per client address. Each request costs a token, and so does each record of a
// submission refused as bogus (malformed, bad signature, unknown signer, no role), so that a flood
// of bogus records costs at most about this many signature checks per second per address.
inline constexpr std::uint32_t kHttpRequestsPerSecondPerClient = 2'000;
inline constexpr std::uint32_t kHttpRequestBurstPerClient = 4'000;
// Client addresses the rate limiter tracks; when full it starts over (a flood of addresses
// costs bounded memory).
inline constexpr std::size_t kHttpClientsTrackedMax = 65'536;
// After a failed accept (out of file descriptors), the server waits this long before the next.
inline constexpr std::int64_t kHttpAcceptRetryMs = 50;
// Age window of a signed read request (Q1..Q3, Q5, Q6).
inline constexpr std::int64_t kSignedReadWindowMs = 5 * 60 * 1000;
static_assert(kHttpBatchRecordsMax <= kBlockRecordsMax, "a batch fits one block");
static_assert(kHttpConnectionsPerClientMax <= kHttpConnectionsMax, "a share of the connections");
static_assert(kHttpBodyBytesInFlightMax >= 8 * kHttpBodyBytesMax,
              "several full-size bodies can be received at once");
static_assert(kHttpBatchRecordsMax * kRecordPayloadBytesMax * 2 <= 8 * kHttpBodyBytesMax,
              "a full batch of hex/base64 records must be expressible in a few bodies");

// ---- Validator transport (issue 4) ---------------------------------------------------------
inline constexpr std::size_t kFrameBytesMax = kBlockBytesMax + 64 * 1024;
inline constexpr std::size_t kPeerQueueFramesMax = 1024;
// Bytes queued for one peer; beyond either bound new frames to it are dropped and counted.
inline constexpr std::size_t kPeerQueueBytesMax = 4 * kFrameBytesMax;
inline constexpr std::int64_t kReconnectBackoffMsMin = 50;
inline constexpr std::int64_t kReconnectBackoffMsMax = 5'000;
inline constexpr std::size_t kValidatorsMax = 64;
// Validator sets an exit proof's history may list (genesis plus this many changes, minus one); a
// ledger changing its set more often than that needs a checkpointed history (not built yet).
inline constexpr std::size_t kValidatorSetHistoryMax = 1024;
static_assert(kFrameBytesMax > kBlockBytesMax, "a frame carries a full block");

// ---- Storage ------------------------------------------------------------------------------
// Free space a node keeps on its data directory's filesystem: below it, it stops writing (and
// committing) until space returns, rather than letting RocksDB fail mid-write.
inline constexpr std::uint64_t kStorageReserveBytes = 32ULL * 1024 * 1024;
// Table files RocksDB keeps open. With the API's connections and the validator links they must
// fit the process's open-file limit, which mbl-node raises at start (node/main.cc).
inline constexpr std::size_t kStorageOpenFilesMax = 512;
// Descriptors besides those: logs, pipes, RocksDB's log and lock files, the listeners.
inline constexpr std::size_t kProcessSpareFilesMin = 64;
// How often a node stalled by a refused or failed write (disk nearly full, data directory not
// writable) retries it.
inline constexpr std::int64_t kStorageRetryIntervalMs = 1'000;

// ---- Catch-up ------------------------------------------------------------------------------
inline constexpr std::size_t kCatchUpBlocksPerRequestMax = 64;

// ---- Consensus (consensus/) ----------------------------------------------------------------
// Blocks kept in the tree of uncommitted blocks; a proposal beyond this is refused (a long
// stretch without commits costs liveness, never memory).
inline constexpr std::size_t kConsensusPendingBlocksMax = 1024;
// Votes and timeouts are kept for rounds up to this far ahead of the current round.
inline constexpr std::uint64_t kConsensusRoundsAheadMax = 64;
// Verified certificates remembered so that each is checked once (cleared when full).
inline constexpr std::size_t kConsensusVerifiedCacheEntriesMax = 4096;
// Round timer: base duration, growth x1.5 per round without commit, at most this many times.
inline constexpr std::int64_t kConsensusRoundTimeoutMsDefault = 1'000;
inline constexpr std::uint32_t kConsensusRoundTimeoutExponentMax = 6;
// Largest opaque block payload (the host's encoded records).
inline constexpr std::size_t kConsensusPayloadBytesMax = kBlockBytesMax;
static_assert(kConsensusPendingBlocksMax >= 4 * kCatchUpBlocksPerRequestMax,
              "the block tree holds several catch-up chunks");
static_assert(kConsensusPayloadBytesMax + 64 * 1024 <= kFrameBytesMax,
              "a proposal with its certificates fits one frame");

// ---- Validator ordering (node/bft_orderer.h, node/epoch.h) ---------------------------------
// Frames queued for the ordering thread; beyond this, frames are dropped (the protocol recovers
// from loss, and a flood cannot exhaust memory).
inline constexpr std::size_t kOrderingQueueBytesMax = 4 * kFrameBytesMax;
// A node behind an epoch asks a peer again this often while it gets no answer, and tells a peer
// behind at most this often that it is behind.
inline constexpr std::int64_t kEpochSyncRetryMs = 500;
inline constexpr std::int64_t kEpochNoticeIntervalMs = 500;
// How far a proposed block time may run ahead of a validator's clock (clocks differ a little).
inline constexpr std::int64_t kBlockClockAllowanceMs = 5'000;
// Quorum certificates in one commit proof; a sync chunk's proof uses at most half of them.
inline constexpr std::size_t kCommitProofQcsMax = 256;
// Blocks of an ended epoch in one sync chunk (each also adds a QC to the chunk's proof).
inline constexpr std::size_t kSyncChunkBlocksMax = 256;
static_assert(kOrderingQueueBytesMax >= 2 * kFrameBytesMax, "the queue holds full frames");
static_assert(kEpochSyncRetryMs < kConsensusRoundTimeoutMsDefault,
              "a node behind asks again within one round");
static_assert(kBlockClockAllowanceMs > kConsensusRoundTimeoutMsDefault,
              "clock skew allowance is not smaller than a round");
static_assert(kCommitProofQcsMax / 2 >= 2, "a sync chunk's proof holds a 2-chain");
static_assert(kSyncChunkBlocksMax <= kCommitProofQcsMax, "a chunk's blocks can be proven");

// ---- Exit proofs (Q4) ----------------------------------------------------------------------
// Blocks whose Merkle trees and exit records a node keeps for exit proofs (least recently used
// first out), and the bytes they may hold: a block of maximal records costs about
// 2 trees * 2 * kBlockRecordsMax hashes (0.5 MiB) plus its exit records.
inline constexpr std::size_t kExitProofCacheBlocksMax = 64;
inline constexpr std::size_t kExitProofCacheBytesMax = 64 * 1024 * 1024;
static_assert(kExitProofCacheBytesMax >= 8 * (4 * kBlockRecordsMax * 32 + 4 * 1024 * 1024),
              "the exit proof cache holds several maximal blocks");

// ---- Queries -------------------------------------------------------------------------------
inline constexpr std::size_t kQueryResultsMax = 10'000;
inline constexpr std::size_t kLineageDepthMax = 1'000;
inline constexpr std::size_t kLineageNodesMax = 100'000;

// ---- Scenarios -----------------------------------------------------------------------------
inline constexpr std::size_t kScenarioStepsMax = 100'000;
inline constexpr std::size_t kScenarioFileBytesMax = 64 * 1024 * 1024;

// ---- Config --------------------------------------------------------------------------------
inline constexpr std::size_t kConfigFileBytesMax = 1024 * 1024;
// The verification page's list of recognized ledgers (node/recognized_ledgers.h): entries, and
// the bytes of a scheme's or publisher's name.
inline constexpr std::size_t kRecognizedLedgersMax = 64;
inline constexpr std::size_t kRecognizedLedgerNameBytesMax = 200;

}  // namespace mbl::limits
