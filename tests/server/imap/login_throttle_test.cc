#include "server/imap/login_throttle.h"

#include <gtest/gtest.h>

namespace mailvault::imap {
namespace {

using std::chrono::milliseconds;

TEST(LoginThrottleTest, DelayDoublesPerAccountAcrossAddressesAndIsCapped) {
  LoginThrottle throttle(milliseconds(100));
  EXPECT_EQ(throttle.Fail("alice@example.com", "10.0.0.1"), milliseconds(100));
  EXPECT_EQ(throttle.Fail("Alice@Example.com", "10.0.0.2"), milliseconds(200));
  EXPECT_EQ(throttle.Fail("alice@example.com", "10.0.0.3"), milliseconds(400));
  for (int i = 0; i < 10; ++i) throttle.Fail("alice@example.com", "10.0.0.4");
  EXPECT_EQ(throttle.Fail("alice@example.com", "10.0.0.5"), milliseconds(1600));
}

TEST(LoginThrottleTest, OneAddressGuessingManyAccountsSlowsDown) {
  LoginThrottle throttle(milliseconds(100));
  EXPECT_EQ(throttle.Fail("a@example.com", "192.0.2.7"), milliseconds(100));
  EXPECT_EQ(throttle.Fail("b@example.com", "192.0.2.7"), milliseconds(200));
  EXPECT_EQ(throttle.Fail("c@example.com", "192.0.2.7"), milliseconds(400));
}

TEST(LoginThrottleTest, SuccessClearsTheAccountsCount) {
  LoginThrottle throttle(milliseconds(100));
  throttle.Fail("alice@example.com", "10.0.0.1");
  throttle.Fail("alice@example.com", "10.0.0.2");
  throttle.Succeed("ALICE@example.com");
  EXPECT_EQ(throttle.Fail("alice@example.com", "10.0.0.3"), milliseconds(100));
}

}  // namespace
}  // namespace mailvault::imap
