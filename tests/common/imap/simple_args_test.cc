// STATUS, SELECT/EXAMINE and the commands with little grammar.
#include "common/imap/simple_args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/imap/select_args.h"
#include "common/imap/status_args.h"
#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap {
namespace {

template <typename T>
std::string ErrorOf(const Result<T>& result) {
  return result.ok() ? "ok" : result.status().message();
}

ImapCommand Cmd(std::string_view line) { return testing::ReceiveCommand(line); }

TEST(StatusArgsTest, ParsesItems) {
  Result<StatusArgs> args =
      ParseStatusArgs(Cmd("a STATUS INBOX (MESSAGES uidnext UIDVALIDITY "
                          "UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ UNSEEN)"));
  ASSERT_TRUE(args.ok()) << args.status().message();
  EXPECT_EQ(args->mailbox, "INBOX");
  std::string names;
  for (StatusItem item : args->items) names += std::string(StatusItemName(item)) + " ";
  EXPECT_EQ(names, "MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ ");

  const std::vector<std::pair<std::string, std::string>> errors = {
      {"a STATUS", "STATUS: missing mailbox name"},
      {"a STATUS INBOX", "STATUS: missing status item list"},
      {"a STATUS INBOX MESSAGES",
       "STATUS: expected a parenthesised status item list, got atom "
       "MESSAGES"},
      {"a STATUS INBOX ()", "STATUS: empty status item list"},
      {"a STATUS INBOX (MESSAGES BOGUS)", "STATUS: unknown status item atom BOGUS"},
      {"a STATUS INBOX (MESSAGES) x", "STATUS: unexpected extra argument (atom x)"},
  };
  for (const auto& [line, message] : errors)
    EXPECT_EQ(ErrorOf(ParseStatusArgs(Cmd(line))), message);
}

TEST(SelectArgsTest, ParsesCondstoreParameter) {
  Result<SelectArgs> args = ParseSelectArgs(Cmd("a SELECT INBOX"));
  ASSERT_TRUE(args.ok());
  EXPECT_FALSE(args->condstore);
  args = ParseSelectArgs(Cmd("a EXAMINE \"Sent Mail\" (condstore)"));
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->mailbox, "Sent Mail");
  EXPECT_TRUE(args->condstore);

  const std::vector<std::pair<std::string, std::string>> errors = {
      {"a SELECT", "SELECT: missing mailbox name"},
      {"a SELECT (INBOX)", "SELECT: expected mailbox name, got parenthesised list"},
      {"a SELECT INBOX CONDSTORE", "SELECT: expected select parameter list, got atom CONDSTORE"},
      {"a SELECT INBOX (QRESYNC)",
       "SELECT: QRESYNC needs one list (uidvalidity modseq [known-uids])"},
      {"a SELECT INBOX (QRESYNC (1))",
       "SELECT: QRESYNC takes (uidvalidity modseq [known-uids [seq-match]])"},
      {"a SELECT INBOX (QRESYNC (0 5))",
       "SELECT: QRESYNC uidvalidity and mod-sequence must not be 0"},
      {"a SELECT INBOX (QRESYNC (1 5 1:x))", "SELECT: invalid character 'x' in sequence set"},
      {"a SELECT INBOX (QRESYNC (1 5 1:9 (1)))",
       "SELECT: QRESYNC sequence match data is (sequence-set uid-set)"},
      {"a EXAMINE INBOX (FOO)", "EXAMINE: unknown select parameter atom FOO"},
  };
  for (const auto& [line, message] : errors)
    EXPECT_EQ(ErrorOf(ParseSelectArgs(Cmd(line))), message);
}

TEST(SelectArgsTest, ParsesQresyncParameter) {
  // RFC 7162 3.2.5.2's example.
  auto args = ParseSelectArgs(
      Cmd("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))"));
  ASSERT_TRUE(args.ok()) << args.status().message();
  ASSERT_TRUE(args->qresync.has_value());
  EXPECT_EQ(args->qresync->uidvalidity, 67890007u);
  EXPECT_EQ(args->qresync->modseq, 20050715194045000u);
  ASSERT_TRUE(args->qresync->known_uids.has_value());
  args = ParseSelectArgs(Cmd("B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 "
                             "1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,"
                             "29976,29979,29982,29985,29988,29991,29994,29997)) CONDSTORE)"));
  ASSERT_TRUE(args.ok()) << args.status().message();
  EXPECT_TRUE(args->condstore);
  EXPECT_EQ(args->qresync->modseq, 90060115194045000u);
  args = ParseSelectArgs(Cmd("a SELECT INBOX (QRESYNC (1 2))"));
  ASSERT_TRUE(args.ok());
  EXPECT_FALSE(args->qresync->known_uids.has_value());
}

TEST(SimpleArgsTest, ParsesLoginAndAuthenticate) {
  Result<LoginArgs> login = ParseLoginArgs(Cmd("a LOGIN alice@example.org {6}\r\np\"ss w"));
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->user, "alice@example.org");
  EXPECT_EQ(login->password, "p\"ss w");
  EXPECT_EQ(ErrorOf(ParseLoginArgs(Cmd("a LOGIN alice"))), "LOGIN: missing password");
  // The message must not repeat any part of what may be a password.
  EXPECT_EQ(ErrorOf(ParseLoginArgs(Cmd("a LOGIN alice correct horse"))),
            "LOGIN: too many arguments (quote a user name or password that contains spaces)");
  EXPECT_EQ(ErrorOf(ParseLoginArgs(Cmd("a LOGIN alice (x)"))),
            "LOGIN: expected password, got parenthesised list");

  Result<AuthenticateArgs> auth = ParseAuthenticateArgs(Cmd("a AUTHENTICATE plain"));
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->mechanism, "PLAIN");
  EXPECT_FALSE(auth->initial_response.has_value());
  auth = ParseAuthenticateArgs(Cmd("a AUTHENTICATE PLAIN AHVzZXIAcGFzcw=="));
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(*auth->initial_response, std::string("\0user\0pass", 10));
  auth = ParseAuthenticateArgs(Cmd("a AUTHENTICATE EXTERNAL ="));
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(*auth->initial_response, "");
  EXPECT_EQ(ErrorOf(ParseAuthenticateArgs(Cmd("a AUTHENTICATE PLAIN !!"))),
            "AUTHENTICATE: initial response: invalid character in base64");
  EXPECT_EQ(ErrorOf(ParseAuthenticateArgs(Cmd("a AUTHENTICATE \"PLAIN\""))),
            "AUTHENTICATE: expected SASL mechanism name, got quoted string");
}

TEST(SimpleArgsTest, ParsesMailboxCommands) {
  Result<CreateArgs> create = ParseCreateArgs(Cmd("a CREATE Archive/2024/"));
  ASSERT_TRUE(create.ok());
  EXPECT_EQ(create->mailbox, "Archive/2024/");
  create = ParseCreateArgs(Cmd("a CREATE MyDrafts (USE (\\Drafts))"));
  ASSERT_TRUE(create.ok());
  EXPECT_EQ(create->special_use, std::vector<std::string>{"\\Drafts"});
  EXPECT_EQ(ErrorOf(ParseCreateArgs(Cmd("a CREATE x (USE (Drafts))"))),
            "CREATE: expected a special-use attribute such as \\Drafts, got atom Drafts");
  EXPECT_EQ(ErrorOf(ParseCreateArgs(Cmd("a CREATE x (USE)"))),
            "CREATE: USE requires a parenthesised list of special-use attributes");

  Result<RenameArgs> rename = ParseRenameArgs(Cmd("a RENAME old \"new name\""));
  ASSERT_TRUE(rename.ok());
  EXPECT_EQ(rename->from, "old");
  EXPECT_EQ(rename->to, "new name");
  EXPECT_EQ(ErrorOf(ParseRenameArgs(Cmd("a RENAME old"))), "RENAME: missing new mailbox name");

  Result<std::string> mailbox = ParseMailboxArg(Cmd("a DELETE [Gmail]/Trash"));
  ASSERT_TRUE(mailbox.ok());
  EXPECT_EQ(mailbox.value(), "[Gmail]/Trash");
  EXPECT_EQ(ErrorOf(ParseMailboxArg(Cmd("a SUBSCRIBE a b"))),
            "SUBSCRIBE: unexpected extra argument (atom b)");
}

TEST(SimpleArgsTest, ParsesCopyMoveExpungeEnableAndNoArgs) {
  Result<CopyArgs> copy = ParseCopyArgs(Cmd("a UID MOVE 1:5,9 Trash"));
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy->set.ToString(), "1:5,9");
  EXPECT_EQ(copy->mailbox, "Trash");
  EXPECT_EQ(ErrorOf(ParseCopyArgs(Cmd("a COPY 1"))), "COPY: missing mailbox name");
  EXPECT_EQ(ErrorOf(ParseCopyArgs(Cmd("a UID COPY x Trash"))),
            "UID COPY: invalid character 'x' in sequence set");

  Result<SequenceSet> expunge = ParseUidExpungeArgs(Cmd("a UID EXPUNGE 3:5"));
  ASSERT_TRUE(expunge.ok());
  EXPECT_EQ(expunge->ToString(), "3:5");
  EXPECT_EQ(ErrorOf(ParseUidExpungeArgs(Cmd("a UID EXPUNGE"))), "UID EXPUNGE: missing UID set");

  Result<std::vector<std::string>> enable = ParseEnableArgs(Cmd("a ENABLE condstore IMAP4rev2"));
  ASSERT_TRUE(enable.ok());
  EXPECT_EQ(enable.value(), (std::vector<std::string>{"CONDSTORE", "IMAP4REV2"}));
  EXPECT_EQ(ErrorOf(ParseEnableArgs(Cmd("a ENABLE"))), "ENABLE: missing capability name");

  EXPECT_TRUE(ParseNoArgs(Cmd("a NOOP")).ok());
  EXPECT_EQ(ParseNoArgs(Cmd("a LOGOUT now")).message(), "LOGOUT: takes no arguments");
  EXPECT_EQ(ParseNoArgs(Cmd("a UID EXPUNGE 1")).message(), "UID EXPUNGE: takes no arguments");
}

TEST(SimpleArgsTest, ParsesId) {
  Result<IdParams> id = ParseIdArgs(Cmd("a ID NIL"));
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(id->empty());
  id = ParseIdArgs(Cmd("a ID (\"name\" \"Thunderbird\" \"version\" NIL)"));
  ASSERT_TRUE(id.ok());
  ASSERT_EQ(id->size(), 2u);
  EXPECT_EQ((*id)[0].first, "name");
  EXPECT_EQ(*(*id)[0].second, "Thunderbird");
  EXPECT_FALSE((*id)[1].second.has_value());
  EXPECT_EQ(ErrorOf(ParseIdArgs(Cmd("a ID (\"name\")"))),
            "ID: ID parameters must come in field/value pairs");
  EXPECT_EQ(ErrorOf(ParseIdArgs(Cmd("a ID (name \"x\")"))),
            "ID: expected ID field name string, got atom name");
}

}  // namespace
}  // namespace mailvault::imap
