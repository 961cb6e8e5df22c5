#include "server/imap/login_throttle.h"

#include <gtest/gtest.h>

namespace mailvault::imap {
namespace {

using std::chrono::milliseconds;

// A throttle on a clock the test moves by hand.
struct ThrottleOnTestClock {
  explicit ThrottleOnTestClock(size_t max_entries = 100000)
      : throttle([&] {
          LoginThrottle::Options options;
          options.base_delay = milliseconds(100);
          options.max_entries = max_entries;
          options.now = [this] { return now; };
          return options;
        }()) {}
  LoginThrottle::Clock::time_point now{};
  LoginThrottle throttle;

  milliseconds Wait(const std::string& account, const std::string& address) {
    const LoginThrottle::Admission admission = throttle.Admit(account, address);
    EXPECT_TRUE(admission.allowed);
    return admission.wait;
  }
};

TEST(LoginThrottleTest, FirstAttemptsWaitForNothingAndMakeNoEntry) {
  ThrottleOnTestClock t;
  EXPECT_EQ(t.Wait("alice@example.com", "10.0.0.1"), milliseconds(0));
  EXPECT_EQ(t.Wait("alice@example.com", "10.0.0.1"), milliseconds(0));
  EXPECT_EQ(t.throttle.size(), 0u);
}

TEST(LoginThrottleTest, DelayDoublesPerAccountAcrossAddressesAndIsCapped) {
  ThrottleOnTestClock t;
  t.throttle.Fail("alice@example.com", "10.0.0.1");
  EXPECT_EQ(t.Wait("Alice@Example.com", "10.0.0.2"), milliseconds(100));
  t.now += milliseconds(100);
  t.throttle.Fail("alice@example.com", "10.0.0.2");
  EXPECT_EQ(t.Wait("alice@example.com", "10.0.0.3"), milliseconds(200));
  t.now += milliseconds(200);
  t.throttle.Fail("alice@example.com", "10.0.0.3");
  EXPECT_EQ(t.Wait("alice@example.com", "10.0.0.4"), milliseconds(400));
  for (int i = 0; i < 10; ++i) {
    t.now += milliseconds(10000);
    t.throttle.Fail("alice@example.com", "10.0.0.5");
  }
  EXPECT_EQ(t.Wait("alice@example.com", "10.0.0.6"), milliseconds(1600));
  EXPECT_EQ(t.throttle.max_delay(), milliseconds(1600));
}

TEST(LoginThrottleTest, OneAddressGuessingManyAccountsSlowsDown) {
  ThrottleOnTestClock t;
  t.throttle.Fail("a@example.com", "192.0.2.7");
  t.throttle.Fail("b@example.com", "192.0.2.7");
  t.throttle.Fail("c@example.com", "192.0.2.7");
  EXPECT_EQ(t.Wait("d@example.com", "192.0.2.7"), milliseconds(400));
  EXPECT_EQ(t.Wait("d@example.com", "192.0.2.8"), milliseconds(0));
}

// The point of checking before verifying: attempts sent together on many
// connections queue one delay apart instead of all being verified at once,
// and those whose turn is further than the longest delay are refused.
TEST(LoginThrottleTest, SimultaneousAttemptsQueueOneDelayApartThenAreRefused) {
  ThrottleOnTestClock t;
  t.throttle.Fail("alice@example.com", "192.0.2.7");
  t.throttle.Fail("alice@example.com", "192.0.2.7");  // 200 ms apart now
  std::vector<milliseconds> waits;
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    const LoginThrottle::Admission admission = t.throttle.Admit("alice@example.com", "192.0.2.7");
    if (admission.allowed) {
      waits.push_back(admission.wait);
    } else {
      ++refused;
    }
  }
  EXPECT_EQ(waits, (std::vector<milliseconds>{milliseconds(200), milliseconds(400),
                                              milliseconds(600), milliseconds(800),
                                              milliseconds(1000), milliseconds(1200),
                                              milliseconds(1400), milliseconds(1600)}));
  EXPECT_EQ(refused, 12);
  // Other accounts from other addresses are not held up by it.
  EXPECT_EQ(t.Wait("bob@example.com", "198.51.100.1"), milliseconds(0));
}

TEST(LoginThrottleTest, SuccessClearsTheAccountsCount) {
  ThrottleOnTestClock t;
  t.throttle.Fail("alice@example.com", "10.0.0.1");
  t.throttle.Fail("alice@example.com", "10.0.0.2");
  t.throttle.Succeed("ALICE@example.com");
  EXPECT_EQ(t.Wait("alice@example.com", "10.0.0.3"), milliseconds(0));
}

TEST(LoginThrottleTest, FailuresAreForgottenAfterFifteenMinutes) {
  ThrottleOnTestClock t;
  t.throttle.Fail("alice@example.com", "10.0.0.1");
  EXPECT_EQ(t.throttle.size(), 2u);
  t.now += std::chrono::minutes(15) + milliseconds(1);
  EXPECT_EQ(t.Wait("alice@example.com", "10.0.0.1"), milliseconds(0));
  EXPECT_EQ(t.throttle.size(), 0u);
}

// A guesser naming a new account in every attempt cannot grow the map
// without bound: beyond max_entries the oldest failures go first.
TEST(LoginThrottleTest, TheMapIsBoundedAndForgetsTheOldestFirst) {
  ThrottleOnTestClock t(/*max_entries=*/100);
  t.throttle.Fail("target@example.com", "10.0.0.1");
  for (int i = 0; i < 10000; ++i) {
    t.now += milliseconds(1);
    t.throttle.Fail("guess" + std::to_string(i) + "@example.com", "192.0.2." + std::to_string(i % 200));
    ASSERT_LE(t.throttle.size(), 100u);
  }
  // The newest are still counted.
  EXPECT_GT(t.throttle.Admit("x@example.com", "192.0.2.199").wait, milliseconds(0));
}

}  // namespace
}  // namespace mailvault::imap
