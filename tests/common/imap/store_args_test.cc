#include "common/imap/store_args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap {
namespace {

std::string Parse(std::string_view line) {
  const ImapCommand command = testing::ReceiveCommand(line);
  Result<StoreArgs> args = ParseStoreArgs(command);
  if (!args.ok()) return "error: " + args.status().message();
  std::string out = "set=" + args->set.ToString() + " mode=";
  out += args->mode == StoreMode::kReplace ? "replace"
         : args->mode == StoreMode::kAdd   ? "add"
                                           : "remove";
  if (args->silent) out += " silent";
  if (args->unchanged_since.has_value())
    out += " unchangedsince=" + std::to_string(*args->unchanged_since);
  out += " flags=";
  for (size_t i = 0; i < args->flags.size(); ++i) out += (i > 0 ? "," : "") + args->flags[i];
  return out;
}

struct Case {
  std::string line;
  std::string expected;
};

TEST(StoreArgsTest, ParsesModesFlagsAndUnchangedSince) {
  const std::vector<Case> cases = {
      {"a STORE 1 FLAGS (\\Seen)", "set=1 mode=replace flags=\\Seen"},
      {"a STORE 1:3 +FLAGS (\\seen \\DELETED $Junk)",
       "set=1:3 mode=add flags=\\Seen,\\Deleted,$Junk"},
      {"a STORE 1 -flags.silent (\\Flagged)", "set=1 mode=remove silent flags=\\Flagged"},
      {"a STORE 1 FLAGS ()", "set=1 mode=replace flags="},
      {"a STORE 1 +FLAGS \\Answered \\Draft", "set=1 mode=add flags=\\Answered,\\Draft"},
      {"a STORE 1 +FLAGS (\\Seen \\SEEN $a $A)", "set=1 mode=add flags=\\Seen,$a"},
      {"a STORE 1 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)",
       "set=1 mode=add silent unchangedsince=320162338 flags=\\Deleted"},
      {"a UID STORE 1:* FLAGS (Label[1)", "set=1:* mode=replace flags=Label[1"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

TEST(StoreArgsTest, RefusesInvalidStoresPrecisely) {
  const std::vector<Case> cases = {
      {"a STORE", "error: STORE: missing sequence set"},
      {"a STORE 1", "error: STORE: missing FLAGS, +FLAGS or -FLAGS"},
      {"a STORE 1 FLAGS", "error: STORE: missing flags"},
      {"a STORE 1 *FLAGS (\\Seen)",
       "error: STORE: expected FLAGS, +FLAGS or -FLAGS (optionally .SILENT), got atom *FLAGS"},
      {"a STORE 1 FLAGS.LOUD (\\Seen)",
       "error: STORE: expected FLAGS, +FLAGS or -FLAGS (optionally .SILENT), got atom FLAGS.LOUD"},
      {"a STORE 1 \"FLAGS\" (\\Seen)",
       "error: STORE: expected FLAGS, +FLAGS or -FLAGS, got quoted string"},
      {"a STORE 1 FLAGS (\\Recent)", "error: STORE: \\Recent cannot be set by a client"},
      {"a STORE 1 FLAGS (\\Important)", "error: STORE: unknown system flag \\Important"},
      {"a STORE 1 FLAGS (\"quoted\")", "error: STORE: expected a flag, got quoted string"},
      {"a STORE 1 FLAGS (a%b)", "error: STORE: invalid character '%' in keyword a%b"},
      {"a STORE 1 FLAGS (a]b)", "error: STORE: invalid character ']' in keyword a]b"},
      {"a STORE 1 FLAGS (" + std::string(251, 'k') + ")",
       "error: STORE: keyword longer than 250 bytes"},
      {"a STORE 1 FLAGS (\\Seen) x", "error: STORE: unexpected extra argument (atom x)"},
      {"a STORE 1 FLAGS (Label[1])", "error: STORE: expected a flag, got atom Label[1]"},
      {"a STORE 1 FLAGS (\\Seen) (x)",
       "error: STORE: unexpected extra argument (parenthesised list)"},
      {"a STORE 1 (UNCHANGEDSINCE) FLAGS ()",
       "error: STORE: missing mod-sequence after UNCHANGEDSINCE"},
      {"a STORE 1 (CHANGEDSINCE 5) FLAGS ()",
       "error: STORE: unknown STORE modifier atom CHANGEDSINCE"},
      {"a STORE 1 () FLAGS ()", "error: STORE: empty STORE modifier list"},
      {"a UID STORE 0 FLAGS ()", "error: UID STORE: 0 is not a valid message number or UID"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

}  // namespace
}  // namespace mailvault::imap
