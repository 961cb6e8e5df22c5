// SORT and THREAD arguments (RFC 5256, RFC 5957, RFC 5267) as
// (command, expected) pairs.
#include "common/imap/sort_args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/imap/thread_args.h"
#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap {
namespace {

struct Case {
  std::string line;
  std::string expected;
};

// "REVERSE DATE SUBJECT | UTF-8 | 2 keys [content] [RETURN MIN ...]"
std::string ParseSort(std::string_view line) {
  const ImapCommand command = testing::ReceiveCommand(line);
  Result<SortArgs> args = ParseSortArgs(command);
  if (!args.ok()) return "error: " + args.status().message();
  std::string out;
  for (const SortCriterion& c : args->criteria) {
    if (!out.empty()) out += ' ';
    if (c.reverse) out += "REVERSE ";
    out += SortKeyName(c.key);
  }
  out += " | " + args->search.charset + " | " + std::to_string(args->search.key.children.size()) +
         " keys";
  if (args->search.has_content_keys) out += " content";
  if (args->search.esearch) {
    out += " RETURN";
    if (args->search.returns.min) out += " MIN";
    if (args->search.returns.max) out += " MAX";
    if (args->search.returns.all) out += " ALL";
    if (args->search.returns.count) out += " COUNT";
    if (args->search.returns.update) out += " UPDATE";
    if (args->search.returns.partial) out += " PARTIAL " + args->search.returns.partial->as_sent;
  }
  return out;
}

TEST(SortArgsTest, ParsesCriteriaCharsetAndSearchKeys) {
  const std::vector<Case> cases = {
      // RFC 5256 section 3's examples.
      {"A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994", "SUBJECT | UTF-8 | 1 keys"},
      {"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL", "SUBJECT REVERSE DATE | UTF-8 | 1 keys"},
      {"A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"",
       "SUBJECT | US-ASCII | 1 keys content"},
      // What Roundcube sends.
      {"a UID SORT (REVERSE ARRIVAL) UTF-8 ALL", "REVERSE ARRIVAL | UTF-8 | 1 keys"},
      {"a SORT (arrival cc date from size subject to displayfrom displayto) utf-8 UNDELETED SEEN",
       "ARRIVAL CC DATE FROM SIZE SUBJECT TO DISPLAYFROM DISPLAYTO | UTF-8 | 2 keys"},
      {"a SORT (REVERSE SIZE REVERSE DISPLAYTO) \"UTF-8\" ALL",
       "REVERSE SIZE REVERSE DISPLAYTO | UTF-8 | 1 keys"},
      {"a SORT (DATE) ISO-8859-1 ALL", "DATE | ISO-8859-1 | 1 keys"},
      // RFC 5267 ESORT.
      {"a UID SORT RETURN (MIN MAX COUNT) (DATE) UTF-8 ALL",
       "DATE | UTF-8 | 1 keys RETURN MIN MAX COUNT"},
      {"a SORT RETURN () (DATE) UTF-8 ALL", "DATE | UTF-8 | 1 keys RETURN"},
      // RFC 5267 4.3.1's example, and a page of a sort (4.4).
      {"B02 UID SORT RETURN (UPDATE COUNT) (ARRIVAL) UTF-8 KEYWORD $Junk",
       "ARRIVAL | UTF-8 | 1 keys RETURN COUNT UPDATE"},
      {"a SORT RETURN (PARTIAL -1:-20) (DATE) UTF-8 ALL",
       "DATE | UTF-8 | 1 keys RETURN PARTIAL -1:-20"},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseSort(c.line), c.expected) << c.line;
}

TEST(SortArgsTest, RefusesMalformedSortsPrecisely) {
  const std::vector<Case> cases = {
      {"a SORT", "error: SORT: missing sort criteria"},
      {"a SORT DATE UTF-8 ALL", "error: SORT: expected a list of sort criteria, got atom DATE"},
      {"a SORT () UTF-8 ALL", "error: SORT: empty list of sort criteria"},
      {"a SORT (NAME) UTF-8 ALL", "error: SORT: unknown sort key NAME"},
      {"a SORT (REVERSE) UTF-8 ALL", "error: SORT: REVERSE must be followed by a sort key"},
      {"a SORT (REVERSE REVERSE DATE) UTF-8 ALL",
       "error: SORT: REVERSE must be followed by a sort key"},
      {"a SORT (DATE)", "error: SORT: missing charset"},
      {"a UID SORT (DATE) UTF-8", "error: UID SORT: missing search key"},
      {"a SORT (DATE) UTF-8 BOGUS", "error: SORT: unknown search key BOGUS"},
      {"a SORT RETURN (PARTIAL 1:10 ALL) (DATE) UTF-8 ALL",
       "error: SORT: RETURN cannot have both PARTIAL and ALL"},
      {"a SORT RETURN", "error: SORT: missing RETURN option list"},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseSort(c.line), c.expected) << c.line;
}

std::string ParseThread(std::string_view line) {
  const ImapCommand command = testing::ReceiveCommand(line);
  Result<ThreadArgs> args = ParseThreadArgs(command);
  if (!args.ok()) return "error: " + args.status().message();
  return std::string(args->algorithm == ThreadAlgorithm::kReferences ? "REFERENCES"
                                                                     : "ORDEREDSUBJECT") +
         " | " + args->search.charset + " | " + std::to_string(args->search.key.children.size()) +
         " keys";
}

TEST(ThreadArgsTest, ParsesAlgorithmCharsetAndSearchKeys) {
  const std::vector<Case> cases = {
      {"A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000", "ORDEREDSUBJECT | UTF-8 | 1 keys"},
      {"A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"", "ORDEREDSUBJECT | US-ASCII | 1 keys"},
      {"a UID THREAD references utf-8 ALL UNDELETED", "REFERENCES | UTF-8 | 2 keys"},
      {"a THREAD", "error: THREAD: missing threading algorithm"},
      {"a THREAD REFS UTF-8 ALL", "error: THREAD: unknown threading algorithm REFS"},
      {"a THREAD (REFERENCES) UTF-8 ALL",
       "error: THREAD: expected threading algorithm, got parenthesised list"},
      {"a THREAD REFERENCES", "error: THREAD: missing charset"},
      {"a UID THREAD REFERENCES UTF-8", "error: UID THREAD: missing search key"},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseThread(c.line), c.expected) << c.line;
}

}  // namespace
}  // namespace mailvault::imap
