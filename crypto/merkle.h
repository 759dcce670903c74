// RFC 6962 Merkle trees (section 2.1): leaf hash = SHA-256(0x00 || data), node hash =
// SHA-256(0x01 || left || right), the tree splits at the largest power of two below n, and the
// root of the empty tree is SHA-256 of the empty string. Proofs are RFC 6962 audit paths.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/sha256.h"

namespace mbl::crypto {

Hash256 MerkleLeafHash(std::string_view leaf_data);
Hash256 MerkleNodeHash(const Hash256& left, const Hash256& right);

// Root over leaf hashes (each already MerkleLeafHash of its data).
Hash256 MerkleRoot(std::span<const Hash256> leaf_hashes);

// Audit path for leaf `index` of a tree of leaf_hashes.size() leaves; index must be in range.
std::vector<Hash256> MerkleInclusionProof(std::span<const Hash256> leaf_hashes,
                                          std::uint64_t index);

// RFC 9162 section 2.1.3.2 verification: true when `proof` leads from leaf_hash at `index` of a
// tree of `tree_size` leaves to `root`.
bool VerifyMerkleInclusion(const Hash256& leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                           std::span<const Hash256> proof, const Hash256& root);

}  // namespace mbl::crypto
