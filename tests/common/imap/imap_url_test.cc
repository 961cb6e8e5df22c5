#include "common/imap/imap_url.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mailvault::imap {
namespace {

std::string Describe(std::string_view url) {
  Result<ImapMessageUrl> parsed = ParseImapMessageUrl(url);
  if (!parsed.ok()) return "error: " + parsed.status().message();
  std::string out = "mailbox=" + parsed->mailbox;
  if (parsed->uidvalidity) out += " uidvalidity=" + std::to_string(*parsed->uidvalidity);
  out += " uid=" + std::to_string(parsed->uid);
  if (parsed->section) {
    out += " section=";
    for (uint32_t part : parsed->section->part) out += std::to_string(part) + ".";
    out += std::to_string(static_cast<int>(parsed->section->text));
    for (const std::string& field : parsed->section->header_fields) out += "," + field;
  }
  if (parsed->partial) {
    out += " partial=" + std::to_string(parsed->partial->offset) + "." +
           std::to_string(parsed->partial->length);
  }
  return out;
}

struct Case {
  std::string url;
  std::string expected;
};

// SectionText: 0 all, 1 header, 2 header.fields, 3 header.fields.not, 4 text, 5 mime.
TEST(ImapUrlTest, ParsesTheServerRelativeFormsOfRfc5092) {
  const std::vector<Case> cases = {
      // The URLs of RFC 4469's example.
      {"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER",
       "mailbox=Drafts uidvalidity=385759045 uid=20 section=1"},
      {"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME",
       "mailbox=Drafts uidvalidity=385759045 uid=20 section=1.5"},
      {"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1",
       "mailbox=Drafts uidvalidity=385759045 uid=20 section=1.0"},
      {"/Drafts;UIDVALIDITY=385759045/;UID=30", "mailbox=Drafts uidvalidity=385759045 uid=30"},
      // Without UIDVALIDITY, with PARTIAL, %-escapes, a hierarchy.
      {"/INBOX/;UID=7", "mailbox=INBOX uid=7"},
      {"/INBOX/;UID=7/;PARTIAL=10.20", "mailbox=INBOX uid=7 partial=10.20"},
      {"/INBOX/;UID=7/;SECTION=2.TEXT/;PARTIAL=5", "mailbox=INBOX uid=7 section=2.4 partial=5.0"},
      {"/Lists/Caf%C3%A9%20club;uidvalidity=9/;uid=1",
       "mailbox=Lists/Caf\xC3\xA9 club uidvalidity=9 uid=1"},
      {"/INBOX/;UID=1/;SECTION=HEADER.FIELDS%20(From%20To)",
       "mailbox=INBOX uid=1 section=2,From,To"},
  };
  for (const Case& c : cases) EXPECT_EQ(Describe(c.url), c.expected) << c.url;
}

TEST(ImapUrlTest, RefusesWhatItCannotResolvePrecisely) {
  const std::vector<Case> cases = {
      {"imap://joe@example.com/INBOX/;UID=1",
       "error: only server-relative URLs (/mailbox;UIDVALIDITY=n/;UID=m) are accepted"},
      {"INBOX/;UID=1",
       "error: expected a URL of the form /mailbox;UIDVALIDITY=n/;UID=m[/;SECTION=s]"},
      {"/INBOX", "error: the URL names no message (;UID=)"},
      {"/INBOX;UIDVALIDITY=5", "error: the URL names no message (;UID=)"},
      {"/;UID=1", "error: the URL names no mailbox"},
      {"/INBOX/;UID=0", "error: UID must not be 0"},
      {"/INBOX/;UID=x", "error: invalid UID \"x\""},
      {"/INBOX/;UID=99999999999", "error: invalid UID \"99999999999\""},
      {"/IN%ZZBOX/;UID=1", "error: invalid %-escape in the mailbox name"},
      {"/INBOX/;UID=1/;SECTION=1.BOGUS", "error: URL: unknown section text BOGUS"},
      {"/INBOX/;UID=1/;PARTIAL=1.0", "error: PARTIAL length must not be 0"},
      {"/INBOX/;UID=1/;PARTIAL=1/;SECTION=1", "error: unexpected ;SECTION in the URL"},
      {"/INBOX/;UID=1;URLAUTH=anonymous:internal:0",
       "error: URLAUTH is not supported: name a message of your own account"},
      {"/INBOX/;UID=1/;SECTION=1;EXPIRE=2026-01-01T00:00:00Z;URLAUTH=anonymous:internal:0",
       "error: URLAUTH is not supported: name a message of your own account"},
      {"/INBOX/;UID=1;X=1", "error: unexpected \";X=1\" in the URL"},
      {"/INBOX/;UID=1/;FOO=1", "error: unexpected ;FOO in the URL"},
  };
  for (const Case& c : cases) EXPECT_EQ(Describe(c.url), c.expected) << c.url;
}

// Found by the imap_names fuzz target: the error text quoted the URL's
// bytes raw, and becomes the text of CATENATE's NO [BADURL ...] line.
TEST(ImapUrlTest, ErrorsNeverCarryALineEndOrNul) {
  for (std::string_view url : {"/INBOX;UID=1/;SECTION=%0D%0A* BYE x",
                               "/INBOX;UID=1\r\n* BYE/;SECTION=1",
                               "/INBOX;UID=1/;X\r\n=1"}) {
    const std::string described = Describe(url);
    ASSERT_TRUE(described.starts_with("error: ")) << described;
    EXPECT_EQ(described.find_first_of(std::string_view("\r\n\0", 3)), std::string::npos)
        << described;
  }
}

}  // namespace
}  // namespace mailvault::imap
