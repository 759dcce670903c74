#include "crypto/merkle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/encoding.h"

namespace mbl::crypto {
namespace {

// The RFC 6962 reference test data (certificate-transparency merkle_tree_test): eight leaves and
// the root of the tree made of the first n of them.
std::vector<Hash256> ReferenceLeafHashes() {
  const char* leaves[] = {"",
                          "00",
                          "10",
                          "2021",
                          "3031",
                          "40414243",
                          "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"};
  std::vector<Hash256> hashes;
  for (const char* hex : leaves) hashes.push_back(MerkleLeafHash(FromHex(hex).value()));
  return hashes;
}

TEST(Merkle, Rfc6962ReferenceRoots) {
  const char* roots[] = {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  std::vector<Hash256> leaves = ReferenceLeafHashes();
  for (std::size_t n = 1; n <= leaves.size(); ++n) {
    EXPECT_EQ(ToHex(MerkleRoot(std::span(leaves).subspan(0, n))), roots[n - 1]) << "size " << n;
  }
}

TEST(Merkle, EmptyTreeIsHashOfEmptyString) {
  EXPECT_EQ(ToHex(MerkleRoot({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Merkle, Rfc6962ReferenceAuditPath) {
  std::vector<Hash256> leaves = ReferenceLeafHashes();
  // Leaf 0 of the 8-leaf tree: the path of the reference data.
  std::vector<Hash256> path = MerkleInclusionProof(leaves, 0);
  ASSERT_EQ(path.size(), 3u);
  EXPECT_EQ(ToHex(path[0]), "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  EXPECT_EQ(ToHex(path[1]), "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  EXPECT_EQ(ToHex(path[2]), "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
}

TEST(Merkle, EveryProofOfEveryTreeUpTo33LeavesVerifies) {
  std::vector<Hash256> leaves;
  for (int i = 0; i < 33; ++i) leaves.push_back(MerkleLeafHash(std::to_string(i)));
  for (std::size_t size = 1; size <= leaves.size(); ++size) {
    auto tree = std::span(leaves).subspan(0, size);
    Hash256 root = MerkleRoot(tree);
    for (std::size_t i = 0; i < size; ++i) {
      std::vector<Hash256> proof = MerkleInclusionProof(tree, i);
      EXPECT_TRUE(VerifyMerkleInclusion(tree[i], i, size, proof, root)) << size << "/" << i;
    }
  }
}

TEST(Merkle, WrongLeafIndexSizeRootOrPathFails) {
  std::vector<Hash256> leaves;
  for (int i = 0; i < 13; ++i) leaves.push_back(MerkleLeafHash(std::to_string(i)));
  Hash256 root = MerkleRoot(leaves);
  std::vector<Hash256> proof = MerkleInclusionProof(leaves, 5);
  ASSERT_TRUE(VerifyMerkleInclusion(leaves[5], 5, 13, proof, root));
  EXPECT_FALSE(VerifyMerkleInclusion(leaves[6], 5, 13, proof, root));
  EXPECT_FALSE(VerifyMerkleInclusion(leaves[5], 4, 13, proof, root));
  // A size whose tree has a different shape on this leaf's path (the size itself is bound by
  // the signed block header, which carries the record count).
  EXPECT_FALSE(VerifyMerkleInclusion(leaves[5], 5, 7, proof, root));
  EXPECT_FALSE(VerifyMerkleInclusion(leaves[5], 13, 13, proof, root));
  EXPECT_FALSE(VerifyMerkleInclusion(leaves[5], 5, 13, proof, leaves[0]));
  std::vector<Hash256> shorter(proof.begin(), proof.end() - 1);
  EXPECT_FALSE(VerifyMerkleInclusion(leaves[5], 5, 13, shorter, root));
  std::vector<Hash256> longer = proof;
  longer.push_back(root);
  EXPECT_FALSE(VerifyMerkleInclusion(leaves[5], 5, 13, longer, root));
  std::vector<Hash256> altered = proof;
  altered[1][0] ^= 1;
  EXPECT_FALSE(VerifyMerkleInclusion(leaves[5], 5, 13, altered, root));
}

}  // namespace
}  // namespace mbl::crypto
