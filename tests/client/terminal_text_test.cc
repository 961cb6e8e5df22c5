// Text from the vault on the customer's terminal: (input, shown) tables.
#include "client/cli/terminal_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mailvault::client {
namespace {

struct Case {
  std::string input;
  std::string shown;
};

TEST(TerminalTextTest, EscapesControlSequences) {
  const std::vector<Case> cases = {
      {"INBOX/Archiv 2024", "INBOX/Archiv 2024"},
      {"Entw\xC3\xBC" "rfe \xE2\x9C\x89", "Entw\xC3\xBC" "rfe \xE2\x9C\x89"},
      {"C:\\path \\x1b", "C:\\path \\x1b"},  // backslashes are left alone
      {"\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"},
      {"a\r\nb\tc", "a\\x0d\\x0ab\\x09c"},
      {std::string("nul\0byte", 8), "nul\\x00byte"},
      {"del\x7f", "del\\x7f"},
      {"csi\xC2\x9B" "2J", "csi\\x9b2J"},                    // C1 CSI as UTF-8
      {"raw\x9B" "2J", "raw\\x9b2J"},                        // a byte that is not UTF-8
      {"cut\xE2\x9C", "cut\\xe2\\x9c"},                      // a sequence cut off
      {"over\xC0\xAF" "long", "over\\xc0\\xaflong"},         // overlong '/'
      {"evil\xE2\x80\xAE" "txt.exe", "evil\\u{202e}txt.exe"},  // right-to-left override
  };
  for (const Case& c : cases) EXPECT_EQ(EscapeForTerminal(c.input), c.shown) << c.shown;
}

TEST(TerminalTextTest, PrintableReplacesControlsAndCuts) {
  const std::vector<Case> cases = {
      {"Hello", "Hello"},
      {"\x1b[2Jwiped", "?[2Jwiped"},
      {"csi\xC2\x9B" "2J", "csi?2J"},
      {"bad\xFF", "bad?"},
      {"\xC3\xA1rv\xC3\xADzt\xC5\xB1r\xC5\x91 t\xC3\xBCk\xC3\xB6r", "\xC3\xA1rv\xC3\xADzt\xC5\xB1r\xC5\x91 t"},
  };
  for (const Case& c : cases) EXPECT_EQ(Printable(c.input, 11), c.shown) << c.shown;
}

}  // namespace
}  // namespace mailvault::client
