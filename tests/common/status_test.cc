#include "common/status.h"

#include <gtest/gtest.h>

namespace mailvault {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Result<int>(ErrorCode::kInvalidArgument, "odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  MV_ASSIGN_OR_RETURN(int half, Half(n));
  return Half(half);
}

TEST(StatusTest, ToStringNamesTheCode) {
  EXPECT_EQ(Status().ToString(), "ok");
  EXPECT_EQ(Status(ErrorCode::kWrongRegion, "home region is us").ToString(),
            "wrong_region: home region is us");
}

TEST(StatusTest, AssignOrReturnPropagatesTheFirstError) {
  ASSERT_TRUE(Quarter(8).ok());
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).code(), ErrorCode::kInvalidArgument);  // 6 -> 3 -> odd
  EXPECT_EQ(Quarter(5).status().message(), "odd");
}

}  // namespace
}  // namespace mailvault
