#include "common/lmtp/lmtp_command.h"

#include <gtest/gtest.h>

namespace mailvault::lmtp {
namespace {

struct Case {
  std::string_view line;
  bool ok;
  Verb verb;
  std::string_view address;
  uint64_t size;
  std::string_view reply_prefix;  // for failures
};

TEST(LmtpCommandTest, ParsesTheTable) {
  const Case cases[] = {
      {"LHLO mx.example.org", true, Verb::kLhlo, "", 0, ""},
      {"lhlo mx", true, Verb::kLhlo, "", 0, ""},
      {"LHLO", false, Verb::kUnknown, "", 0, "501 5.5.4"},
      {"MAIL FROM:<bob@example.org>", true, Verb::kMail, "bob@example.org", 0, ""},
      {"MAIL FROM:<>", true, Verb::kMail, "", 0, ""},
      {"mail from: <bob@example.org> SIZE=1234 BODY=8BITMIME", true, Verb::kMail,
       "bob@example.org", 1234, ""},
      {"MAIL FROM:<@relay.example:bob@example.org>", true, Verb::kMail, "bob@example.org", 0, ""},
      {"MAIL FROM:bob@example.org", false, Verb::kUnknown, "", 0, "501 5.1.7"},
      {"MAIL FROM:<bob@example.org> SIZE=12x", false, Verb::kUnknown, "", 0, "501 5.5.4"},
      {"MAIL FROM:<bob@example.org> SMTPUTF8=yes", false, Verb::kUnknown, "", 0, "555 5.5.4"},
      {"MAIL TO:<x@y>", false, Verb::kUnknown, "", 0, "501 5.5.4"},
      {"RCPT TO:<alice@example.com>", true, Verb::kRcpt, "alice@example.com", 0, ""},
      {"RCPT TO:<>", false, Verb::kUnknown, "", 0, "501 5.1.3"},
      {"RCPT TO:<a b@example.com>", false, Verb::kUnknown, "", 0, "501 5.1.3"},
      {"RCPT TO:<alice@example.com> NOTIFY=NEVER", false, Verb::kUnknown, "", 0, "555"},
      {"DATA", true, Verb::kData, "", 0, ""},
      {"DATA now", false, Verb::kUnknown, "", 0, "501"},
      {"RSET", true, Verb::kRset, "", 0, ""},
      {"NOOP anything", true, Verb::kNoop, "", 0, ""},
      {"QUIT", true, Verb::kQuit, "", 0, ""},
      {"EHLO mx", true, Verb::kEhlo, "", 0, ""},
      {"STARTTLS", false, Verb::kUnknown, "", 0, "500 5.5.2"},
      {"", false, Verb::kUnknown, "", 0, "500 5.5.2"},
  };
  for (const Case& c : cases) {
    const ParseResult r = ParseCommand(c.line);
    EXPECT_EQ(r.ok, c.ok) << c.line;
    if (c.ok) {
      EXPECT_EQ(r.command.verb, c.verb) << c.line;
      EXPECT_EQ(r.command.address, c.address) << c.line;
      EXPECT_EQ(r.command.size, c.size) << c.line;
    } else {
      EXPECT_EQ(r.error_reply.substr(0, c.reply_prefix.size()), c.reply_prefix) << c.line;
    }
  }
}

}  // namespace
}  // namespace mailvault::lmtp
