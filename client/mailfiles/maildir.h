// Maildir (https://cr.yp.to/proto/maildir.html) for `mailvault export
// --maildir` and `import --maildir`. A message file holds the message bytes
// and nothing else, so they survive byte for byte; flags live in the file
// name's info suffix (":2,DFPRST") and the internal date in the file's mtime,
// which is where mail programs (Dovecot, mutt, offlineimap) keep them.
//
// Flag letters, written in ASCII order:
//   D \Draft   F \Flagged   P $Forwarded (the spec's "passed")
//   R \Answered   S \Seen   T \Deleted
// Other keywords have no letter in the spec (Dovecot's lower-case letters
// need its own dovecot-keywords file) and are not kept; \Recent is a session
// state, not a stored flag, and is not kept either.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/mailfiles/mbox.h"  // MailMessage
#include "common/status.h"

namespace mailvault::mailfiles {

// True when `dir` has cur/ and new/ subdirectories.
bool IsMaildir(const std::string& dir);

// The info flag letters for `flags`, in ASCII order, without ":2,"
// ("\\Seen" + "\\Answered" -> "RS"). System flags match case-insensitively,
// as IMAP compares them.
std::string MaildirFlagLetters(const std::vector<std::string>& flags);

// The flags a file name's ":2," suffix names, in letter order; none when the
// name has no such suffix. Unknown letters are skipped.
std::vector<std::string> FlagsFromMaildirName(std::string_view file_name);

// The host name as the spec wants it in a file name: '/' becomes "\057" and
// ':' becomes "\072"; an empty name becomes "localhost".
std::string MaildirHostName(std::string_view host_name);

class MaildirWriter {
 public:
  // Creates `dir` and its cur/, new/ and tmp/ (mode 0700) where missing.
  static Result<MaildirWriter> Create(const std::string& dir);

  // Writes the message into tmp/, sets its mtime to internal_date (when not
  // 0), fsyncs, then moves it into new/ when it has no flag letters (a
  // message nobody has seen) or into cur/ with ":2,<letters>" otherwise, and
  // fsyncs that directory. Returns the path written.
  //
  // The unique part of the name is "<sec>.M<usec>P<pid>Q<counter>.<host>"
  // (usec zero-padded to six digits, so names sort in write order), unless
  // `unique_hint` is given: then the hint is the unique part as is (so a
  // caller can name files after something stable, such as a UID);
  // kAlreadyExists when the file it would write (or its tmp/ file) exists,
  // and kInvalidArgument when the hint is not a plain file name ('/', ':',
  // NUL, a leading '.'). An existing file is never replaced.
  Result<std::string> Write(const MailMessage& message, std::string_view unique_hint = {});

 private:
  MaildirWriter(std::string dir, std::string host) : dir_(std::move(dir)), host_(std::move(host)) {}

  std::string dir_;
  std::string host_;  // already escaped by MaildirHostName
};

// The messages of a Maildir: every regular file in new/ and cur/ (never
// tmp/, where files are still being written, nor names starting with '.'),
// as paths sorted by file name, then by path. Names start with the delivery
// time, so this is roughly delivery order, and it is stable across runs.
// kNotFound when `dir` does not exist, kMalformed when it is not a Maildir.
Result<std::vector<std::string>> ListMaildir(const std::string& dir);

// The bytes of one message file, its flags from the name's ":2," suffix and
// internal_date from its mtime. kNotFound when the file is gone (a mail
// program may have moved it from new/ to cur/ since ListMaildir: list again);
// kIOError for other failures.
Result<MailMessage> ReadMaildirMessage(const std::string& path);

}  // namespace mailvault::mailfiles
