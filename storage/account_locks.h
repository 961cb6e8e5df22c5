// A fixed table of mutexes striped by account number.
//
// Per-account read-modify-write (uidnext, modseq, refcounts, the account
// record's counters) must be serialised, and the lock must be held until the
// batch is durable: otherwise two appends could read the same uidnext, or a
// later batch could reach the WAL before an earlier one and make uidnext on
// disk go backwards. A fixed table bounds memory for millions of accounts;
// two accounts that share a stripe only lose some concurrency, and writers of
// different stripes still share RocksDB's group commit.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

namespace mailvault {

class AccountLocks {
 public:
  static constexpr size_t kStripes = 256;

  std::mutex& For(uint64_t account_number) { return stripes_[account_number % kStripes]; }

 private:
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace mailvault
