#include "node/committer.h"

#include "node/log.h"

namespace mbl::node {

using formats::Block;
using formats::RecordsRoot;

Status Committer::Commit(std::vector<chaincode::SignedRecord>& records, std::int64_t time_ms,
                         const chaincode::BlockExecution& execution,
                         const crypto::PublicKey& proposer, const CertifyFn& certify) {
  const Tip tip = store_.tip();
  Block block;
  block.header.height = tip.empty ? 0 : tip.height + 1;
  block.header.parent_hash = tip.empty ? crypto::Hash256{} : tip.hash;
  block.header.time_ms = time_ms;
  block.header.record_count = static_cast<std::uint32_t>(records.size());
  block.header.records_root = RecordsRoot(records);
  block.header.results_root = execution.results_root;
  block.header.state_root = execution.state_root;
  block.header.proposer = proposer;
  if (certify) block.certificate = certify(block.header);
  block.records = std::move(records);
  if (Status status = store_.CommitBlock(block, execution); !status.ok()) {
    records = std::move(block.records);
    return status;
  }
  std::vector<chaincode::RecordId> ids;
  ids.reserve(execution.results.size());
  std::size_t accepted = 0;
  for (const auto& result : execution.results) {
    ids.push_back(result.record_id);
    accepted += result.accepted ? 1 : 0;
  }
  Log(LogLevel::kDebug, "block_committed",
      {{"height", block.header.height}, {"records", ids.size()}, {"accepted", accepted}});
  mempool_.Remove(ids);
  if (on_committed_) on_committed_(ids);
  return Status::Ok();
}

}  // namespace mbl::node
