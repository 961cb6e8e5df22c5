// What every Directory must do alike, embedded or in etcd: checks that
// each implementation's tests run on its own instances.
#pragma once

#include <gtest/gtest.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "storage/directory.h"

namespace mailvault::testing {

// Rehome moves only from the current region; otherwise it names that
// region (kWrongRegion), or the account is unknown (kNotFound).
inline void ExpectRehomeMovesOnlyFromTheCurrentRegion(Directory& directory) {
  ASSERT_TRUE(directory.Place("alice@example.org", "eu").ok());
  ASSERT_TRUE(directory.Rehome("alice@example.org", "eu", "us").ok());
  EXPECT_EQ(directory.Lookup("alice@example.org")->home_region, "us");

  Status wrong = directory.Rehome("alice@example.org", "eu", "ap");
  EXPECT_EQ(wrong.code(), ErrorCode::kWrongRegion);
  EXPECT_EQ(wrong.message(), "us");
  EXPECT_EQ(directory.Lookup("alice@example.org")->home_region, "us");
  Status from_empty = directory.Rehome("alice@example.org", "", "ap");
  EXPECT_EQ(from_empty.code(), ErrorCode::kWrongRegion);
  EXPECT_EQ(from_empty.message(), "us");

  EXPECT_EQ(directory.Rehome("nobody@example.org", "eu", "us").code(), ErrorCode::kNotFound);
  EXPECT_EQ(directory.Lookup("nobody@example.org").code(), ErrorCode::kNotFound);
  EXPECT_EQ(directory.Rehome("", "eu", "us").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(directory.Rehome("alice@example.org", "us", "").code(), ErrorCode::kInvalidArgument);
}

// Two callers (two nodes' Directory objects over one store, or one object
// on two threads) race to re-home the same accounts: exactly one wins.
inline void ExpectConcurrentRehomesHaveOneWinner(Directory& first_node, Directory& second_node) {
  for (int round = 0; round < 20; ++round) {
    const std::string account = "race" + std::to_string(round) + "@example.org";
    ASSERT_TRUE(first_node.Place(account, "eu").ok());
    std::latch start(2);
    Status results[2];
    const auto race = [&](Directory* directory, int i, const char* to) {
      start.arrive_and_wait();
      results[i] = directory->Rehome(account, "eu", to);
    };
    std::thread first(race, &first_node, 0, "us");
    std::thread second(race, &second_node, 1, "ap");
    first.join();
    second.join();
    ASSERT_NE(results[0].ok(), results[1].ok())
        << results[0].ToString() << " / " << results[1].ToString();
    const int winner = results[0].ok() ? 0 : 1;
    const std::string winning_region = winner == 0 ? "us" : "ap";
    EXPECT_EQ(results[1 - winner].code(), ErrorCode::kWrongRegion);
    EXPECT_EQ(results[1 - winner].message(), winning_region);
    EXPECT_EQ(first_node.Lookup(account)->home_region, winning_region);
  }
}

// Walks the whole directory `page` placements at a time, as
// ForEachPlacement does: the accounts in the order listed, and the size of
// every page (the last one empty).
inline std::vector<std::string> ListInPages(Directory& directory, size_t page,
                                            std::vector<size_t>& page_sizes) {
  std::vector<std::string> seen;
  std::string after;
  for (;;) {
    Result<std::vector<Placement>> listed = directory.List(after, page);
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    if (!listed.ok()) return seen;
    page_sizes.push_back(listed->size());
    if (listed->empty()) return seen;
    for (const Placement& placement : *listed) seen.push_back(placement.account_id);
    after = listed->back().account_id;
  }
}

}  // namespace mailvault::testing
