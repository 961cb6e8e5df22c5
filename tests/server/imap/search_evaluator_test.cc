// SEARCH keys evaluated against parsed messages, as the bridge runs them.
#include "server/imap/search_evaluator.h"

#include <gtest/gtest.h>

#include "server/imap/mime/message_structure.h"

namespace mailvault::imap {
namespace {

bool Finds(SearchKeyKind kind, std::string_view text, std::string_view message) {
  auto parsed = MessageStructure::Parse(message);
  EXPECT_TRUE(parsed.ok());
  MessageMeta meta;
  SearchContext context;
  context.seq = 1;
  context.message_count = 1;
  context.meta = &meta;
  context.content = &*parsed;
  SearchKey key;
  key.kind = kind;
  key.text = std::string(text);
  return Matches(key, context);
}

TEST(SearchEvaluatorTest, AddressKeysMatchTheAddressAsParsed) {
  const std::string commented =
      "From: <user-from (comment)@ (comment) domain.org>\r\n"
      "To: \"Team\" <team (the list) @example.net>, ann@example.com\r\n"
      "Cc: Friends: bob@example.com, \"Carl C.\" <carl@example.com>;\r\n"
      "Subject: s\r\n\r\nbody\r\n";
  EXPECT_TRUE(Finds(SearchKeyKind::kFrom, "user-from@domain.org", commented));
  EXPECT_TRUE(Finds(SearchKeyKind::kFrom, "USER-FROM@DOMAIN", commented));
  EXPECT_TRUE(Finds(SearchKeyKind::kFrom, "comment", commented));  // as written, too
  EXPECT_TRUE(Finds(SearchKeyKind::kTo, "team@example.net", commented));
  EXPECT_TRUE(Finds(SearchKeyKind::kTo, "ann@example.com", commented));
  EXPECT_TRUE(Finds(SearchKeyKind::kCc, "carl@example.com", commented));
  EXPECT_TRUE(Finds(SearchKeyKind::kCc, "Carl C.", commented));
  EXPECT_FALSE(Finds(SearchKeyKind::kFrom, "user-from@domain.com", commented));
  EXPECT_FALSE(Finds(SearchKeyKind::kBcc, "ann@example.com", commented));
  // Not an address field: as written only.
  EXPECT_FALSE(Finds(SearchKeyKind::kSubject, "user-from@domain.org", commented));
}

}  // namespace
}  // namespace mailvault::imap
