// NOTIFY's grammar and the RFC's rules on combining events (RFC 5465
// sections 5, 6 and 8), as a table.
#include "common/imap/notify_args.h"

#include <gtest/gtest.h>

#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap {
namespace {

std::string Describe(const NotifyGroup& group) {
  static const char* const kFilters[] = {"selected", "selected-delayed", "inboxes", "personal",
                                         "subscribed", "subtree",          "mailboxes"};
  std::string out = std::string("(") + kFilters[static_cast<int>(group.filter)];
  for (const std::string& name : group.mailboxes) out += " " + name;
  out += " " + std::to_string(group.events);
  if (group.fetch_attributes) out += " fetch=" + DescribeToken(*group.fetch_attributes);
  return out + ")";
}

std::string Parse(std::string_view line) {
  const ImapCommand command = testing::ReceiveCommand(line);
  Result<NotifyArgs> args = ParseNotifyArgs(command);
  if (!args.ok()) return "error: " + args.status().message();
  if (args->none) return "NONE";
  std::string out = args->status ? "SET STATUS" : "SET";
  for (const NotifyGroup& group : args->groups) out += " " + Describe(group);
  for (const std::string& name : args->unsupported) out += " unsupported=" + name;
  return out;
}

struct Case {
  std::string line;
  std::string expected;
};

TEST(NotifyArgsTest, ParsesEventGroups) {
  // Event bits: MessageNew 1, MessageExpunge 2, FlagChange 4, MailboxName 8,
  // SubscriptionChange 16.
  const std::vector<Case> cases = {
      {"a NOTIFY NONE", "NONE"},
      {"a NOTIFY SET (selected (MessageNew (uid body.peek[header.fields (from to subject)]) "
       "MessageExpunge)) (subtree Lists (MessageNew MessageExpunge)) (mailboxes misc NONE)",
       "SET (selected 3 fetch=LIST(ATOM(uid) SECTION(body.peek[ATOM(header.fields) "
       "LIST(ATOM(from) ATOM(to) ATOM(subject))]))) (subtree Lists 3) (mailboxes misc 0)"},
      {"a notify set status (SELECTED-DELAYED (FlagChange MessageExpunge MessageNew)) "
       "(personal (MailboxName SubscriptionChange)) (inboxes (messagenew messageexpunge))",
       "SET STATUS (selected-delayed 7) (personal 24) (inboxes 3)"},
      {"a NOTIFY SET (mailboxes (INBOX \"Sent Items\" {4}\r\nWork) (MessageNew MessageExpunge))",
       "SET (mailboxes INBOX Sent Items Work 3)"},
      {"a NOTIFY SET (subscribed (MessageNew MessageExpunge AnnotationChange Frobnicate))",
       "SET (subscribed 3) unsupported=AnnotationChange unsupported=Frobnicate"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

TEST(NotifyArgsTest, RefusesWhatTheRfcForbids) {
  const std::vector<Case> cases = {
      {"a NOTIFY", "error: NOTIFY: expected SET or NONE"},
      {"a NOTIFY NONE (personal NONE)", "error: NOTIFY NONE takes nothing"},
      {"a NOTIFY SET", "error: NOTIFY SET: missing event groups"},
      {"a NOTIFY SET STATUS", "error: NOTIFY SET: missing event groups"},
      {"a NOTIFY SET (personal (MessageNew))", "error: NOTIFY: MessageNew and MessageExpunge go together"},
      {"a NOTIFY SET (personal (FlagChange))",
       "error: NOTIFY: FlagChange needs MessageNew and MessageExpunge"},
      {"a NOTIFY SET (selected NONE) (selected-delayed NONE)",
       "error: NOTIFY: SELECTED or SELECTED-DELAYED may be given once"},
      {"a NOTIFY SET (personal (MessageNew (uid) MessageExpunge))",
       "error: NOTIFY: fetch attributes of MessageNew are for SELECTED only"},
      {"a NOTIFY SET (selected (MessageNew MessageExpunge MailboxName))",
       "error: NOTIFY: SELECTED and SELECTED-DELAYED take message events only"},
      {"a NOTIFY SET (everything (MessageNew MessageExpunge))",
       "error: NOTIFY: unknown mailbox filter atom everything"},
      {"a NOTIFY SET (subtree (MessageNew MessageExpunge))",
       "error: NOTIFY: an event group is a mailbox filter and one event list"},
      {"a NOTIFY SET (mailboxes () (MessageNew MessageExpunge))",
       "error: NOTIFY: MAILBOXES needs at least one mailbox"},
      {"a NOTIFY SET (personal ())", "error: NOTIFY: expected a list of events or NONE, got parenthesised list"},
      {"a NOTIFY SET personal", "error: NOTIFY: expected an event group like (personal "
                                "(MessageNew MessageExpunge)), got atom personal"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

}  // namespace
}  // namespace mailvault::imap
