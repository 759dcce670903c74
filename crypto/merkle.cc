#include "crypto/merkle.h"

#include "base/check.h"
#include "crypto/encoding.h"

namespace mbl::crypto {
namespace {

// Largest power of two strictly smaller than n (n >= 2): RFC 6962's split point k.
std::uint64_t SplitPoint(std::uint64_t n) {
  MBL_CHECK_GE(n, 2u);
  std::uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Hash256 SubtreeRoot(std::span<const Hash256> leaves) {
  if (leaves.size() == 1) return leaves[0];
  std::uint64_t k = SplitPoint(leaves.size());
  return MerkleNodeHash(SubtreeRoot(leaves.subspan(0, k)), SubtreeRoot(leaves.subspan(k)));
}

void AppendPath(std::span<const Hash256> leaves, std::uint64_t index, std::vector<Hash256>& path) {
  if (leaves.size() <= 1) return;
  std::uint64_t k = SplitPoint(leaves.size());
  if (index < k) {
    AppendPath(leaves.subspan(0, k), index, path);
    path.push_back(SubtreeRoot(leaves.subspan(k)));
  } else {
    AppendPath(leaves.subspan(k), index - k, path);
    path.push_back(SubtreeRoot(leaves.subspan(0, k)));
  }
}

}  // namespace

Hash256 MerkleLeafHash(std::string_view leaf_data) {
  return Sha256Hasher().UpdateU8(0x00).Update(leaf_data).Final();
}

Hash256 MerkleNodeHash(const Hash256& left, const Hash256& right) {
  return Sha256Hasher().UpdateU8(0x01).Update(left).Update(right).Final();
}

Hash256 MerkleRoot(std::span<const Hash256> leaf_hashes) {
  if (leaf_hashes.empty()) return Sha256(std::string_view());
  return SubtreeRoot(leaf_hashes);
}

std::vector<Hash256> MerkleInclusionProof(std::span<const Hash256> leaf_hashes,
                                          std::uint64_t index) {
  MBL_CHECK_LT(index, leaf_hashes.size());
  std::vector<Hash256> path;
  AppendPath(leaf_hashes, index, path);
  return path;
}

bool VerifyMerkleInclusion(const Hash256& leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                           std::span<const Hash256> proof, const Hash256& root) {
  if (index >= tree_size) return false;
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  Hash256 r = leaf_hash;
  for (const Hash256& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = MerkleNodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return false;
  return ConstantTimeEqual(r, root);
}

}  // namespace mbl::crypto
