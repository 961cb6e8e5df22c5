// ImapReceiver: the resumable byte-level front of the IMAP server, in the
// manner of Dovecot's imap-parser and Stalwart's receiver. The session feeds
// it whatever it read, in any split, and asks for events until it gets
// NeedMoreInput:
//
//   receiver.Feed(bytes);
//   for (;;) {
//     ReceiverEvent event = receiver.Next();
//     if (std::holds_alternative<NeedMoreInput>(event)) break;
//     ...  // LiteralAnnounced: write "+ Ready" if synchronizing
//   }
//
// It performs no I/O and never writes: continuations, tagged replies, BYE
// and the count of bad commands are the session's job.
//
// Line ends: RFC 9051 requires CRLF, but a bare LF is accepted as a line end
// too, because test tools (nc, socat, hand-written scripts) send it and
// Dovecot and Cyrus accept it. A CR that is not followed by LF is refused.
// Empty lines between commands are ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/imap/command_tokenizer.h"
#include "common/imap/receiver_event.h"
#include "common/imap/receiver_limits.h"

namespace mailvault::imap {

enum class ReceiverMode {
  kCommand,       // tagged commands
  kIdle,          // one line, expected to be "DONE"
  kAuthenticate,  // one line: base64 SASL data or "*"
};

class ImapReceiver {
 public:
  explicit ImapReceiver(ReceiverLimits limits = ReceiverLimits::PreAuth());
  // Wipes what it holds: command lines and literals are plaintext.
  ~ImapReceiver();

  // Takes a copy of the bytes. Cheap to call with small reads: a literal in
  // progress is appended to directly.
  void Feed(std::string_view bytes);

  // The next event. Parses lazily, one event per call, so that the session
  // can switch modes or limits between commands that arrived in one read.
  ReceiverEvent Next();

  // Takes effect at the start of the next command (at once when between
  // commands). Call with PostAuth() after a successful login.
  void SetLimits(const ReceiverLimits& limits);
  const ReceiverLimits& limits() const { return limits_; }

  // IDLE and AUTHENTICATE: set after writing the "+" continuation. The mode
  // applies to the next line only and returns to kCommand by itself after
  // it (whether that line was valid or not). Ignored in the middle of a
  // command.
  void SetMode(ReceiverMode mode);
  ReceiverMode mode() const { return mode_; }

  // Bytes of the current literal that have not arrived. A literal that is
  // announced and never sent is simply "need more" forever: the session's
  // read timeout ends it.
  uint64_t literal_bytes_missing() const;
  // True when part of a command (or a line in IDLE/AUTHENTICATE mode) is
  // buffered; lets the session use a shorter timeout mid-command.
  bool HasPartialInput() const;
  // After an error with close_connection: everything fed is dropped.
  bool closed() const { return state_ == State::kClosed; }

 private:
  enum class State {
    kLine,            // reading a line piece of a command
    kLiteral,         // reading an accepted literal's bytes
    kDiscardLine,     // skipping the rest of a refused command's line piece
    kDiscardLiteral,  // skipping a LITERAL+ literal of a refused command
    kClosed,
  };

  ReceiverEvent OnLine(std::string_view segment);
  ReceiverEvent OnModeLine(std::string_view segment);
  ReceiverEvent OnLiteralAnnounced(const LiteralSpec& spec);
  // A recoverable error: reply and skip past the rest of the command, which
  // `segment_tail` (the last bytes of the refused line piece) may show to
  // continue with a LITERAL+ literal.
  ReceiverEvent RecoverableError(std::string tag, std::string message,
                                 std::string_view segment_tail);
  ReceiverEvent FatalError(std::string tag, std::string message, std::string response_code);
  // Decides what follows a skipped line piece. Returns an error event only
  // when the skipped piece announces a LITERAL+ literal too big to skip.
  bool ResyncAfter(std::string_view segment_tail, ReceiverEvent& fatal);
  void StartCommand();
  void Compact();
  size_t LineBudget() const;
  std::string CurrentTag() const;

  ReceiverLimits limits_;
  ReceiverLimits pending_limits_;
  ReceiverMode mode_ = ReceiverMode::kCommand;
  State state_ = State::kLine;

  std::string buffer_;
  size_t pos_ = 0;   // first unconsumed byte
  size_t scan_ = 0;  // where the search for LF resumes

  CommandTokenizer tokenizer_;
  size_t line_used_ = 0;       // command text of the current command so far
  uint64_t literal_used_ = 0;  // literal bytes of the current command so far

  std::string literal_;
  uint64_t literal_missing_ = 0;
  bool literal8_ = false;

  uint64_t discard_missing_ = 0;
  // The last bytes of the line being discarded: enough to see "{n+}".
  std::string discard_tail_;
  // False while discarding an IDLE or AUTHENTICATE line: those carry no
  // literals, so a "{n+}" at their end means nothing.
  bool discard_skips_literals_ = true;
};

}  // namespace mailvault::imap
