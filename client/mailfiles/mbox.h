// mbox files for `mailvault export --mbox` and `import --mbox`, in the mboxrd
// variant: on write, a line matching ^>*From  gets one more '>'; on read, a
// line matching ^>+From  loses one. Unlike mboxo, this is reversible, so any
// message survives the trip byte for byte, with one exception below.
//
// File layout, per message:
//   "From MAILER-DAEMON Tue Nov 14 22:13:20 2023\n"   (internal date, UTC)
//   the message bytes, escaped, as stored (CRLF stays CRLF; NUL and 8-bit
//   bytes pass through)
//   "\n" if the message does not already end with one
//   "\n"                                               (the separator)
//
// What mbox cannot keep:
// - A message that does not end with "\n" reads back with "\n" appended:
//   the format has no way to say where such a message ended. Mail delivered
//   over LMTP always ends with CRLF, so this touches only hand-made input.
//   The empty message is the exception and reads back empty.
// - Flags are not written. mbox has no standard place for them outside the
//   message ("Status:"/"X-Status:" headers would change the bytes we promise
//   to keep), so an export to mbox loses them; use Maildir to keep them.
// - An unknown internal date (0) is written as the epoch, which reads back
//   as 0 again.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace mailvault::mailfiles {

// One message with what an export or import needs beside its bytes. Shared
// by the mbox and Maildir code.
struct MailMessage {
  std::string bytes;  // RFC 5322 message, exactly as stored
  // IMAP system flags ("\\Seen", "\\Answered", "\\Flagged", "\\Deleted",
  // "\\Draft") and keywords ("$Forwarded", ...).
  std::vector<std::string> flags;
  int64_t internal_date = 0;  // unix seconds; 0 = unknown
};

// True when a file starting with these bytes looks like an mbox ("From ").
bool LooksLikeMbox(std::string_view first_bytes);

namespace internal {
struct FileCloser {
  void operator()(std::FILE* file) const;
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;
}  // namespace internal

class MboxWriter {
 public:
  // Creates or truncates `path`; a regular file gets mode 0600 (mail is
  // private, even when the file existed with a wider mode).
  static Result<MboxWriter> Create(const std::string& path);

  // kIOError on a failed write; the file then ends in a partial message.
  Status Append(const MailMessage& message);

  // Flushes and fsyncs. Without it the destructor still closes the file, but
  // a failed flush would go unnoticed.
  Status Close();

 private:
  MboxWriter(std::string path, internal::FilePtr file)
      : path_(std::move(path)), file_(std::move(file)) {}

  Status WriteBytes(std::string_view bytes);

  std::string path_;
  internal::FilePtr file_;
};

class MboxReader {
 public:
  // kIOError if the file does not open; kMalformed if it is not empty and
  // does not start with "From ". An empty file is an mbox with no messages
  // (what MboxWriter leaves after no Append).
  static Result<MboxReader> Open(const std::string& path);

  // The next message, nullopt at the end. Holds one message in memory, not
  // the whole file. Every line starting "From " separates messages (mboxrd
  // writers escape the others). The "\n" just before it (or before the end
  // of the file) is the separator and is removed when the bytes read are
  // "\n" or end in "\n\n", as MboxWriter always leaves them; a file from a
  // writer that left out the blank line keeps each message's last "\n".
  // internal_date comes from the "From " line's asctime date (UTC unless it
  // names a numeric zone), 0 if it has none.
  Result<std::optional<MailMessage>> Next();

 private:
  MboxReader(std::string path, internal::FilePtr file);

  // Appends the next line, "\n" included, to `line`; false at end of file.
  Result<bool> ReadLine(std::string& line);

  std::string path_;
  internal::FilePtr file_;
  std::vector<char> buffer_;  // read-ahead: [buffer_pos_, buffer_end_)
  size_t buffer_pos_ = 0;
  size_t buffer_end_ = 0;
  std::optional<std::string> pending_from_line_;  // the next message's "From " line
};

}  // namespace mailvault::mailfiles
