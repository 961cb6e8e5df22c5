#include "common/imap/mailbox_name.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mailvault::imap {
namespace {

struct Case {
  std::string wire;
  std::string expected;  // the internal name, or "error: ..."
};

std::string FromWire(std::string_view wire, MailboxNameEncoding encoding,
                     MailboxNameUse use = MailboxNameUse::kExisting) {
  Result<std::string> name = MailboxNameFromWire(wire, encoding, use);
  return name.ok() ? name.value() : "error: " + name.status().message();
}

TEST(MailboxNameTest, DecodesValidatesAndNormalisesModifiedUtf7Names) {
  const std::vector<Case> cases = {
      {"INBOX", "INBOX"},
      {"inbox", "INBOX"},
      {"InBoX/Sub", "INBOX/Sub"},
      {"inboxes", "inboxes"},
      {"Archive/2024", "Archive/2024"},
      {"Entw&APw-rfe", "Entw\xC3\xBCrfe"},
      {"[Gmail]/Sent Mail", "[Gmail]/Sent Mail"},
      {"", "error: empty mailbox name"},
      {"/Archive", "error: mailbox name must not start with the hierarchy delimiter '/'"},
      {"Archive/", "error: mailbox name must not end with the hierarchy delimiter '/'"},
      {"a//b", "error: empty hierarchy level in mailbox name"},
      {"a%b", "error: wildcard '%' is not allowed in a mailbox name"},
      {"a*", "error: wildcard '*' is not allowed in a mailbox name"},
      {"a&AAA-b", "error: control character 0x00 in mailbox name"},
      {"a&AA0-b", "error: control character 0x0D in mailbox name"},
      {"Entw\xC3\xBCrfe",
       "error: invalid modified UTF-7: byte 0xC3 must be encoded (only "
       "printable ASCII appears as itself)"},
      {"Entw&APw", "error: invalid modified UTF-7: unterminated &... shift (missing '-')"},
      {std::string(1025, 'a'), "error: mailbox name longer than 1024 bytes"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FromWire(c.wire, MailboxNameEncoding::kModifiedUtf7), c.expected) << c.wire;
  }
}

TEST(MailboxNameTest, TakesUtf8NamesVerbatimInUtf8Mode) {
  const std::vector<Case> cases = {
      {"Entw\xC3\xBCrfe", "Entw\xC3\xBCrfe"},
      {"Tom &AOQ-", "Tom &AOQ-"},  // '&' is just a character now
      {"inbox/x", "INBOX/x"},
      {"bad\xC3", "error: mailbox name is not valid UTF-8"},
      {"over\xC0\xAFlong", "error: mailbox name is not valid UTF-8"},
      {"a\x7f", "error: control character 0x7F in mailbox name"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FromWire(c.wire, MailboxNameEncoding::kUtf8), c.expected) << c.wire;
  }
}

TEST(MailboxNameTest, CreateMayEndWithTheDelimiter) {
  EXPECT_EQ(FromWire("Projects/", MailboxNameEncoding::kUtf8, MailboxNameUse::kCreate), "Projects");
  EXPECT_EQ(FromWire("Projects//", MailboxNameEncoding::kUtf8, MailboxNameUse::kCreate),
            "error: mailbox name must not end with the hierarchy delimiter '/'");
  EXPECT_EQ(FromWire("/", MailboxNameEncoding::kUtf8, MailboxNameUse::kCreate),
            "error: mailbox name must not start with the hierarchy delimiter '/'");
}

TEST(MailboxNameTest, NewNamesHaveNoDotLevels) {
  const std::vector<Case> cases = {
      {"Archive/2024", "ok"},
      {"...", "ok"},
      {".hidden/a..b", "ok"},
      {".", "error: hierarchy level \".\" is not allowed in a new mailbox name"},
      {"..", "error: hierarchy level \"..\" is not allowed in a new mailbox name"},
      {"../x", "error: hierarchy level \"..\" is not allowed in a new mailbox name"},
      {"a/../../b", "error: hierarchy level \"..\" is not allowed in a new mailbox name"},
      {"a/.", "error: hierarchy level \".\" is not allowed in a new mailbox name"},
      {"INBOX/./a", "error: hierarchy level \".\" is not allowed in a new mailbox name"},
  };
  for (const Case& c : cases) {
    const Status status = ValidateNewMailboxName(c.wire);
    EXPECT_EQ(status.ok() ? "ok" : "error: " + status.message(), c.expected) << c.wire;
  }
  // Existing names are not checked: such a mailbox can still be renamed away.
  EXPECT_EQ(FromWire("a/..", MailboxNameEncoding::kUtf8), "a/..");
}

TEST(MailboxNameTest, LimitsHierarchyDepth) {
  std::string name = "a";
  for (size_t i = 1; i < kMaxMailboxNameLevels; ++i) name += "/a";
  EXPECT_TRUE(ValidateMailboxName(name).ok());
  name += "/a";
  EXPECT_EQ(ValidateMailboxName(name).message(), "mailbox name has more than 64 hierarchy levels");
}

TEST(MailboxNameTest, EncodesForTheWire) {
  Result<std::string> wire =
      MailboxNameToWire("Entw\xC3\xBCrfe & Co", MailboxNameEncoding::kModifiedUtf7);
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(wire.value(), "Entw&APw-rfe &- Co");
  wire = MailboxNameToWire("Entw\xC3\xBCrfe", MailboxNameEncoding::kUtf8);
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(wire.value(), "Entw\xC3\xBCrfe");
}

TEST(MailboxNameTest, InboxIsCaseInsensitive) {
  EXPECT_TRUE(IsInboxName("iNbOx"));
  EXPECT_FALSE(IsInboxName("INBOX/a"));
  EXPECT_FALSE(IsInboxName("INBOXES"));
  EXPECT_EQ(NormalizeInbox("Inbox"), "INBOX");
  EXPECT_EQ(NormalizeInbox("Inboxes/a"), "Inboxes/a");
}

}  // namespace
}  // namespace mailvault::imap
