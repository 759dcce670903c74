#include "chaincode/state.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>

#include "crypto/encoding.h"

namespace mbl::chaincode {
namespace {

std::vector<std::string> ScanAll(const StateReader& state, std::string_view prefix) {
  std::vector<std::string> seen;
  state.Scan(prefix, [&](std::string_view key, std::string_view value) {
    seen.push_back(std::string(key) + "=" + std::string(value));
    return true;
  });
  return seen;
}

TEST(OverlayState, ReadsThroughWritesShadowAndDeletionsHide) {
  MemoryState base;
  base.Apply({{"a/1", "base1"}, {"a/3", "base3"}, {"a/5", "base5"}, {"b/1", "other"}});
  OverlayState overlay(base);
  overlay.Put("a/2", "new2");
  overlay.Put("a/3", "new3");
  overlay.Delete("a/5");
  overlay.Put("a/6", "new6");
  EXPECT_EQ(overlay.Get("a/1"), "base1");
  EXPECT_EQ(overlay.Get("a/3"), "new3");
  EXPECT_EQ(overlay.Get("a/5"), std::nullopt);
  EXPECT_EQ(ScanAll(overlay, "a/"),
            (std::vector<std::string>{"a/1=base1", "a/2=new2", "a/3=new3", "a/6=new6"}));
  EXPECT_EQ(ScanAll(base, "a/").size(), 3u) << "the base is untouched";
}

TEST(OverlayState, ScanStopsWhenVisitorSaysSo) {
  MemoryState base;
  base.Apply({{"k1", "1"}, {"k3", "3"}});
  OverlayState overlay(base);
  overlay.Put("k2", "2");
  int visited = 0;
  overlay.Scan("k", [&](std::string_view, std::string_view) { return ++visited < 2; });
  EXPECT_EQ(visited, 2);
}

TEST(OverlayState, NestedOverlaysMergeInOrder) {
  MemoryState base;
  OverlayState block(base);
  block.Put("x", "1");
  OverlayState record(static_cast<const StateReader&>(block));
  record.Put("x", "2");
  record.Delete("y");
  EXPECT_EQ(block.Get("x"), "1");
  block.Merge(record.writes());
  EXPECT_EQ(block.Get("x"), "2");
  EXPECT_TRUE(block.writes().at("y") == std::nullopt);
}

// A node executes a block over its uncommitted ancestors as layers of their write sets; that must
// read and scan exactly as the write sets merged in order into one overlay.
TEST(WriteSetLayer, LayersReadAndScanAsTheirWriteSetsMergedInOrder) {
  std::mt19937 random(5);
  auto key = [&] { return "k/" + std::to_string(random() % 300); };
  MemoryState base;
  WriteSet stored;
  for (int i = 0; i < 200; ++i) stored[key()] = "base" + std::to_string(i);
  base.Apply(stored);
  std::vector<WriteSet> blocks(3);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    for (int i = 0; i < 120; ++i) {
      if (random() % 3 == 0) {
        blocks[b][key()] = std::nullopt;
      } else {
        blocks[b][key()] = "b" + std::to_string(b) + "." + std::to_string(i);
      }
    }
  }
  OverlayState merged(base);
  for (const WriteSet& writes : blocks) merged.Merge(writes);
  std::deque<WriteSetLayer> layers;
  const StateReader* layered = &base;
  for (const WriteSet& writes : blocks) layered = &layers.emplace_back(*layered, writes);
  for (int k = 0; k < 300; ++k) {
    const std::string probe = "k/" + std::to_string(k);
    ASSERT_EQ(layered->Get(probe), merged.Get(probe)) << probe;
    ASSERT_EQ(layered->Contains(probe), merged.Contains(probe)) << probe;
  }
  for (const char* prefix : {"k/", "k/1", "k/29", "k/7/", "z"}) {
    EXPECT_EQ(ScanAll(*layered, prefix), ScanAll(merged, prefix)) << prefix;
  }
}

// Write sets are ordered by KeyLess; state roots hash them in that order, so it must be exactly
// the byte order of std::string: bytes above 0x7f, zero bytes, prefixes, every length mod 8.
TEST(KeyLess, OrdersKeysExactlyAsStdStringDoes) {
  std::mt19937 random(3);
  const std::string alphabet("\x00\x01/09afz\x7f\x80\xfe\xff", 12);
  std::vector<std::string> keys = {"", "c", "c/", "c/rec/", "c/shipment/", "c/shipment/0"};
  for (int i = 0; i < 600; ++i) {
    std::string key = i % 3 == 0 ? "c/shipment/" : "";
    const std::size_t length = random() % 20;
    for (std::size_t j = 0; j < length; ++j) key.push_back(alphabet[random() % alphabet.size()]);
    keys.push_back(key);
  }
  const KeyLess less;
  for (const std::string& a : keys) {
    for (const std::string& b : keys) {
      ASSERT_EQ(less(a, b), a < b) << crypto::ToHex(a) << " vs " << crypto::ToHex(b);
    }
  }
}

// The index of MemoryState rebuilds itself after thousands of writes: a random mix of puts,
// overwrites and deletions across several rebuilds must read and scan as an ordered map does.
TEST(MemoryState, ReadsAndScansAsAnOrderedMapAcrossIndexRebuilds) {
  MemoryState state;
  std::map<std::string, std::string> expected;
  std::mt19937 random(7);
  for (int block = 0; block < 60; ++block) {
    WriteSet writes;
    for (int i = 0; i < 500; ++i) {
      std::string key = "k/" + std::to_string(random() % 4000) + "/" + std::to_string(random() % 3);
      if (random() % 4 == 0) {
        writes[key] = std::nullopt;
      } else {
        writes[key] = std::to_string(block) + "." + std::to_string(i);
      }
    }
    for (const auto& [key, value] : writes) {
      if (value) {
        expected[key] = *value;
      } else {
        expected.erase(key);
      }
    }
    if (block % 2 == 0) {
      state.Apply(writes);
    } else {
      state.Apply(std::move(writes));
    }
    ASSERT_EQ(state.size(), expected.size()) << "after block " << block;
    for (const char* prefix : {"k/", "k/1", "k/39", "k/2/"}) {
      std::vector<std::string> want;
      for (auto it = expected.lower_bound(prefix);
           it != expected.end() && it->first.starts_with(prefix); ++it) {
        want.push_back(it->first + "=" + it->second);
      }
      ASSERT_EQ(ScanAll(state, prefix), want) << "prefix " << prefix << " after block " << block;
    }
    for (int probe = 0; probe < 50; ++probe) {
      std::string key = "k/" + std::to_string(random() % 4000) + "/" + std::to_string(random() % 3);
      auto it = expected.find(key);
      EXPECT_EQ(state.Get(key),
                it == expected.end() ? std::nullopt : std::optional<std::string>(it->second));
      EXPECT_EQ(state.Contains(key), it != expected.end());
    }
  }
}

// Deleted entries leave the hash table when the index drops them (a full merge): half of the
// writes below are deletions, so every rebuild removes thousands of entries from the probe runs,
// and their numbers are reused by the keys written next. Every key must stay findable.
TEST(MemoryState, EntriesRemovedFromTheHashTableLeaveEveryOtherKeyFindable) {
  MemoryState state;
  std::map<std::string, std::string> expected;
  std::mt19937 random(11);
  constexpr int kKeys = 9000;
  for (int block = 0; block < 24; ++block) {
    WriteSet writes;
    for (int i = 0; i < 6000; ++i) {
      std::string key = "r/" + std::to_string(random() % kKeys);
      if (random() % 2 == 0) {
        writes[key] = std::nullopt;
      } else {
        writes[key] = std::to_string(block);
      }
    }
    for (const auto& [key, value] : writes) {
      if (value) {
        expected[key] = *value;
      } else {
        expected.erase(key);
      }
    }
    state.Apply(std::move(writes));
    ASSERT_EQ(state.size(), expected.size()) << "after block " << block;
    for (int k = 0; k < kKeys; ++k) {
      std::string key = "r/" + std::to_string(k);
      auto it = expected.find(key);
      ASSERT_EQ(state.Get(key),
                it == expected.end() ? std::nullopt : std::optional<std::string>(it->second))
          << key << " after block " << block;
    }
  }
  std::vector<std::string> want;
  for (const auto& [key, value] : expected) want.push_back(key + "=" + value);
  EXPECT_EQ(ScanAll(state, "r/"), want);
}

TEST(MemoryState, AKeyDeletedAndWrittenAgainReadsItsNewValue) {
  MemoryState state;
  WriteSet many;
  for (int i = 0; i < 5000; ++i) many["a/" + std::to_string(i)] = "v";  // past one rebuild
  state.Apply(many);
  state.Apply({{"a/42", std::nullopt}});
  EXPECT_FALSE(state.Contains("a/42"));
  state.Apply({{"a/42", "again"}});
  EXPECT_EQ(state.Get("a/42"), "again");
  EXPECT_EQ(ScanAll(state, "a/42").front(), "a/42=again");
  EXPECT_EQ(ScanAll(state, "a/42").size(), 111u) << "a/42, a/420..a/429 and a/4200..a/4299";
  EXPECT_EQ(state.size(), 5000u);
}

}  // namespace
}  // namespace mbl::chaincode
