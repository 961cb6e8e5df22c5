// A cursor over a command's token tree for the per-command parsers. Every
// failure is a Status whose message is ready for "tag BAD <message>" and
// names the command and what was expected: "SELECT: missing mailbox name".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/imap/sequence_set.h"
#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

// mod-sequence-valzer (RFC 7162): 0 .. 2^63 - 1.
inline constexpr uint64_t kMaxModSeq = (uint64_t{1} << 63) - 1;

std::string UpperAscii(std::string_view text);
// True for an atom (not a quoted string) equal to `upper` in any case.
bool IsAtomNamed(const ImapToken& token, std::string_view upper);

class ArgReader {
 public:
  ArgReader(std::string_view command, const std::vector<ImapToken>& args)
      : command_(command), args_(args) {}

  bool AtEnd() const { return next_ >= args_.size(); }
  const ImapToken* Peek() const { return AtEnd() ? nullptr : &args_[next_]; }
  // Precondition: !AtEnd().
  const ImapToken& Take() { return args_[next_++]; }
  // Index of the next token in the argument vector.
  size_t position() const { return next_; }

  // astring: atom, number, quoted string or literal (not literal8).
  Result<std::string> Astring(std::string_view what);
  // An atom (not a string), returned upper-cased.
  Result<std::string> Keyword(std::string_view what);
  Result<uint64_t> Number(std::string_view what, uint64_t max = UINT64_MAX);
  Result<SequenceSet> Sequence(std::string_view what);
  Result<const ImapToken*> List(std::string_view what);
  Status ExpectEnd();

  // "<COMMAND>: <message>".
  Status Error(std::string_view message) const;
  Status Missing(std::string_view what) const;
  Status Unexpected(std::string_view what, const ImapToken& got) const;
  std::string_view command() const { return command_; }

 private:
  std::string_view command_;
  const std::vector<ImapToken>& args_;
  size_t next_ = 0;
};

// The same conversions for tokens inside lists. `command` prefixes errors.
Result<std::string> TokenAsAstring(const ImapToken& token, std::string_view command,
                                   std::string_view what);
Result<uint64_t> TokenAsNumber(const ImapToken& token, std::string_view command,
                               std::string_view what, uint64_t max = UINT64_MAX);
Result<SequenceSet> TokenAsSequenceSet(const ImapToken& token, std::string_view command,
                                       std::string_view what);

}  // namespace mailvault::imap
