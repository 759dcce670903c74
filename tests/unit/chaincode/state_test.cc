#include "chaincode/state.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace mbl::chaincode
