// Slows down password and key guessing, before any verification runs: every
// failed login counts against the account named and the address it came
// from, across connections, and each further attempt on either must wait
// for its turn (spaced by a delay that doubles with the failures, capped).
// Attempts that arrive together queue one delay apart, so opening many
// connections at once buys a guesser nothing; an attempt whose turn is
// further away than the longest delay is refused without verifying. A
// success clears the account's count. Thread-safe.
//
// Memory is bounded: only failures that were verified make entries (at most
// two each), entries are forgotten 15 minutes after their last failure, and
// beyond max_entries the entry whose last failure is oldest goes first.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mailvault::imap {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::chrono::milliseconds base_delay{1500};  // after the first failure; doubles
    uint32_t max_doublings = 4;                  // 1.5 s .. 24 s
    std::chrono::minutes memory{15};             // a key's failures are forgotten after this
    size_t max_entries = 100000;                 // about 10 MiB at most
    std::function<Clock::time_point()> now = [] { return Clock::now(); };  // tests own time
  };

  // What to do with a login attempt, decided before its credentials are
  // looked at.
  struct Admission {
    bool allowed = true;                // false: refuse at once, without verifying
    std::chrono::milliseconds wait{0};  // allowed: verify only after this long
  };

  explicit LoginThrottle(std::chrono::milliseconds base_delay);
  explicit LoginThrottle(Options options);

  // Called before verifying: takes the attempt's turn on the account's and
  // the address's queues.
  Admission Admit(const std::string& account, const std::string& address);
  // A verified failure: counted against both.
  void Fail(const std::string& account, const std::string& address);
  void Succeed(const std::string& account);

  size_t size() const;
  // The longest any admitted attempt waits; beyond it Admit refuses.
  std::chrono::milliseconds max_delay() const;

 private:
  struct Entry {
    uint32_t failures = 0;
    Clock::time_point last_failure;
    Clock::time_point next_turn;               // no attempt starts before it
    std::list<std::string>::iterator in_order;  // its place in order_
  };

  std::chrono::milliseconds DelayAfter(uint32_t failures) const;
  // Drops entries not failed for `memory`, then the oldest beyond max_entries.
  void Forget(Clock::time_point now);
  void Touch(const std::string& key, Clock::time_point now);

  const Options options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> order_;  // keys by last failure, oldest first
};

}  // namespace mailvault::imap
