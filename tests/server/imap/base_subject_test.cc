// Base-subject extraction (RFC 5256 section 2.1) as (subject, base,
// reply-or-forward) rows.
#include "server/imap/base_subject.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mailvault::imap {
namespace {

struct Case {
  std::string subject;
  std::string base;
  bool reply_or_forward;
};

TEST(BaseSubjectTest, ExtractsTheBaseSubjectAsRfc5256Defines) {
  const std::vector<Case> cases = {
      {"Lunch", "Lunch", false},
      {"", "", false},
      // Step 1: tabs and runs of blanks become one space.
      {"Lunch \t  on\tFriday", "Lunch on Friday", false},
      // Step 2: trailing "(fwd)" and blanks, repeatedly, any case.
      {"Lunch (fwd)", "Lunch", true},
      {"Lunch (FWD) (fwd)  ", "Lunch", true},
      {"Lunch(fwd)", "Lunch", true},
      {"Lunch (fwd) x", "Lunch (fwd) x", false},
      // Step 3: subj-refwd leaders: re, fw, fwd, blanks before ":", a blob
      // inside ("Re[2]:").
      {"Re: Lunch", "Lunch", true},
      {"RE: re: Lunch", "Lunch", true},
      {"Fw: Lunch", "Lunch", true},
      {"FWD: Lunch", "Lunch", true},
      {"Re : Lunch", "Lunch", true},
      {"Re[2]: Lunch", "Lunch", true},
      {"Re [2] : Lunch", "Lunch", true},
      {"   Re:Lunch", "Lunch", true},
      // Blobs before a refwd go with it.
      {"[list] Re: Lunch", "Lunch", true},
      {"[a][b] Fwd: Lunch", "Lunch", true},
      {"Re: [list] Fwd: Lunch", "Lunch", true},
      // Step 4: a leading blob alone is removed when something is left...
      {"[list] Lunch", "Lunch", false},
      {"[list] [other] Lunch", "Lunch", false},
      {"[list]Lunch", "Lunch", false},
      // ... but not when it is all there is.
      {"[list]", "[list]", false},
      {"Re: [list]", "[list]", true},
      {"[a] [b]", "[b]", false},
      // Not leaders: "Re" without a colon, "Reply:", an unclosed blob.
      {"Re Lunch", "Re Lunch", false},
      {"Reply: Lunch", "Reply: Lunch", false},
      {"Answer: Lunch", "Answer: Lunch", false},
      {"[list Re: Lunch", "[list Re: Lunch", false},
      // Step 6: "[fwd: ...]" unwraps and extraction starts again.
      {"[Fwd: Lunch]", "Lunch", true},
      {"[fwd: Re: [list] Lunch (fwd)]", "Lunch", true},
      {"Re: [Fwd: [Fwd: Lunch]]", "Lunch", true},
      {"[Fwd: Lunch] x", "x", false},  // a leading blob (step 4), not a wrapper
      {"[fwd:]", "", true},
      // Only leaders: the base subject is empty.
      {"Re:", "", true},
      {"Re: Fwd:  ", "", true},
      // UTF-8 is carried through (RFC 2047 words were decoded before).
      {"Re: [Liste] Gr\xC3\xBC\xC3\x9F"
       "e",
       "Gr\xC3\xBC\xC3\x9F"
       "e",
       true},
  };
  for (const Case& c : cases) {
    const BaseSubject base = ExtractBaseSubject(c.subject);
    EXPECT_EQ(base.text, c.base) << '"' << c.subject << '"';
    EXPECT_EQ(base.reply_or_forward, c.reply_or_forward) << '"' << c.subject << '"';
  }
}

}  // namespace
}  // namespace mailvault::imap
