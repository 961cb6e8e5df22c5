#include "common/imap/list_args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap {
namespace {

std::string Describe(const ListArgs& args) {
  std::string out = args.extended ? "extended " : "";
  if (args.selection.subscribed) out += "sel:SUBSCRIBED ";
  if (args.selection.remote) out += "sel:REMOTE ";
  if (args.selection.recursive_match) out += "sel:RECURSIVEMATCH ";
  if (args.selection.special_use) out += "sel:SPECIAL-USE ";
  out += "ref=\"" + args.reference + "\" patterns=";
  for (size_t i = 0; i < args.patterns.size(); ++i) {
    out += (i > 0 ? "," : "") + ("\"" + args.patterns[i] + "\"");
  }
  if (args.returns.subscribed) out += " ret:SUBSCRIBED";
  if (args.returns.children) out += " ret:CHILDREN";
  if (args.returns.special_use) out += " ret:SPECIAL-USE";
  if (args.returns.status) {
    out += " ret:STATUS(";
    for (size_t i = 0; i < args.returns.status_items.size(); ++i) {
      out += (i > 0 ? " " : "") + std::string(StatusItemName(args.returns.status_items[i]));
    }
    out += ")";
  }
  return out;
}

std::string Parse(std::string_view line) {
  const ImapCommand command = testing::ReceiveCommand(line);
  Result<ListArgs> args = command.name == "LSUB" ? ParseLsubArgs(command) : ParseListArgs(command);
  return args.ok() ? Describe(args.value()) : "error: " + args.status().message();
}

struct Case {
  std::string line;
  std::string expected;
};

TEST(ListArgsTest, ParsesBasicAndExtendedLists) {
  const std::vector<Case> cases = {
      {"a LIST \"\" \"\"", "ref=\"\" patterns=\"\""},
      {"a LIST \"\" *", "ref=\"\" patterns=\"*\""},
      {"a LIST Archive/ %", "ref=\"Archive/\" patterns=\"%\""},
      {"a LIST \"\" INBOX/%/x*", "ref=\"\" patterns=\"INBOX/%/x*\""},
      {"a LIST \"\" {3}\r\nF%o", "ref=\"\" patterns=\"F%o\""},
      {"a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" *",
       "extended sel:SUBSCRIBED sel:RECURSIVEMATCH ref=\"\" patterns=\"*\""},
      {"a LIST (special-use) \"\" *", "extended sel:SPECIAL-USE ref=\"\" patterns=\"*\""},
      {"a LIST () \"\" *", "extended ref=\"\" patterns=\"*\""},
      {"a LIST \"\" (INBOX \"Sent*\" Drafts)",
       "extended ref=\"\" patterns=\"INBOX\",\"Sent*\",\"Drafts\""},
      {"a LIST \"\" % RETURN (CHILDREN SUBSCRIBED SPECIAL-USE)",
       "extended ref=\"\" patterns=\"%\" ret:SUBSCRIBED ret:CHILDREN ret:SPECIAL-USE"},
      {"a LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN messages))",
       "extended ref=\"\" patterns=\"%\" ret:STATUS(MESSAGES UNSEEN)"},
      {"a LIST \"\" % RETURN ()", "extended ref=\"\" patterns=\"%\""},
      {"a LSUB \"\" *", "sel:SUBSCRIBED ref=\"\" patterns=\"*\""},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

TEST(ListArgsTest, RefusesInvalidListsPrecisely) {
  const std::vector<Case> cases = {
      {"a LIST", "error: LIST: missing reference name"},
      {"a LIST \"\"", "error: LIST: missing mailbox pattern"},
      {"a LIST (FOO) \"\" *", "error: LIST: unknown selection option atom FOO"},
      {"a LIST (RECURSIVEMATCH) \"\" *",
       "error: LIST: RECURSIVEMATCH requires another selection option"},
      {"a LIST (REMOTE RECURSIVEMATCH) \"\" *",
       "error: LIST: RECURSIVEMATCH requires another selection option"},
      {"a LIST \"\" ()", "error: LIST: empty mailbox pattern list"},
      {"a LIST \"\" (INBOX (x))", "error: LIST: expected mailbox pattern, got parenthesised list"},
      {"a LIST \"\" % CHILDREN",
       "error: LIST: expected RETURN after the mailbox pattern, got atom "
       "CHILDREN"},
      {"a LIST \"\" % RETURN", "error: LIST: missing RETURN option list"},
      {"a LIST \"\" % RETURN (MYRIGHTS)", "error: LIST: unknown RETURN option atom MYRIGHTS"},
      {"a LIST \"\" % RETURN (STATUS)",
       "error: LIST: missing status item list after RETURN STATUS"},
      {"a LIST \"\" % RETURN (STATUS ())", "error: LIST: empty status item list"},
      {"a LIST \"\" % RETURN (STATUS (FOO))", "error: LIST: unknown status item atom FOO"},
      {"a LIST \"\" % RETURN (STATUS (UNSEEN) STATUS (SIZE))",
       "error: LIST: RETURN STATUS given twice"},
      {"a LIST \"\" % RETURN () x", "error: LIST: unexpected extra argument (atom x)"},
      {"a LSUB \"\" * x", "error: LSUB: unexpected extra argument (atom x)"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

}  // namespace
}  // namespace mailvault::imap
