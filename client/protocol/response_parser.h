// The client's side of IMAP framing: bytes from the server in, whole
// responses (tagged, untagged, continuation) out.
//
// Pure, like the server's receiver in common/imap: no I/O; the caller feeds
// whatever arrived and asks for complete responses, so it is testable and
// fuzzable without a socket. It lexes with the server's token type
// (imap::ImapToken) but with the server's grammar for responses, which is
// more lenient than a client's command grammar (flags like \*, base64 with
// '+', '/' and '=' in atoms, NAMESPACE's "((...)(...))" without spaces).
//
// Limits are checked early: a literal's announced size against max_literal
// when the announcement arrives, before any of its bytes, and a line against
// max_line while it is still arriving, so one that never ends is refused.
// The server may be hostile, so what a run of responses (those to one
// command) may cost is bounded too: max_batch counts their line bytes,
// literal sizes (when announced) and the memory of each token and response,
// and is checked before that memory is taken.
// Errors never quote literal or string contents (they may be message bodies
// or passwords).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::client {

struct Response {
  enum class Kind { kTagged, kUntagged, kContinuation };
  Kind kind = Kind::kUntagged;
  std::string tag;  // kTagged only
  // Status responses, tagged or untagged (OK, NO, BAD, BYE, PREAUTH), upper-cased;
  // empty for untagged data responses (* 3 EXISTS, * FETCH, * LIST, * XKEY ...).
  std::string status;
  // The response code inside [...], raw, without the brackets, e.g.
  // "APPENDUID 38505 3955"; empty if none.
  std::string code;
  // The human-readable text after the code (status responses), or the whole
  // rest of line after "+ " (kContinuation; may be empty).
  std::string text;
  // Untagged data responses: every token after "* ", e.g. for
  // "* 12 FETCH (UID 7 FLAGS (\Seen) BINARY[1] {3}\r\nabc)":
  // NUM(12) ATOM(FETCH) LIST(ATOM(UID) NUM(7) ATOM(FLAGS) LIST(ATOM(\Seen))
  // SECTION(BINARY[NUM(1)]) LIT(3:abc))
  std::vector<imap::ImapToken> data;
};

class ResponseParser {
 public:
  // max_literal bounds each literal's size; max_line bounds the bytes of one
  // response outside its literals (all its line pieces, without line ends);
  // max_batch bounds the cost of all responses since StartBatch().
  explicit ResponseParser(uint64_t max_literal = 64ull << 20, size_t max_line = 1 << 20,
                          uint64_t max_batch = 512ull << 20);

  // Any split of the byte stream. Bytes fed after an error are dropped.
  void Feed(std::string_view bytes);

  // A new run of responses (the caller sent a command): max_batch starts
  // afresh.
  void StartBatch() { batch_cost_ = 0; }

  // The next complete response; std::nullopt when more bytes are needed.
  // Errors: kMalformed for a response that does not parse, kInvalidArgument
  // for one over a limit (max_literal, max_line, list depth, max_batch). The message
  // names the problem and where ("IMAP response line 2: unbalanced ')' at
  // offset 14": the pieces of one response between literals are counted
  // from 1, offsets are within the piece).
  // After an error the parser is unusable and repeats the error: the stream
  // cannot be resynchronised, so the caller drops the connection.
  Result<std::optional<Response>> Next();

 private:
  enum class State { kLine, kLiteral };

  // Lexes one line piece (without its line end) into response_. On success
  // state_ says whether a literal follows.
  Status ParsePiece(std::string_view piece);
  Status ParseHead(std::string_view piece);
  Status ParseStatusRest(std::string_view piece, size_t pos);
  Status ParseTokens(std::string_view piece, size_t pos);
  // Appends a finished token to the innermost open list or to data.
  void AddToken(imap::ImapToken token);
  Status Fail(ErrorCode code, const std::string& what);
  // Adds to the batch's cost; an error once it passes max_batch_.
  Status Charge(uint64_t cost);
  // Drops consumed input, moving what is left only when that is cheap
  // compared with what was consumed, so the total cost stays linear.
  void Compact();
  void ResetResponse();

  const uint64_t max_literal_;
  const size_t max_line_;
  const uint64_t max_batch_;
  uint64_t batch_cost_ = 0;

  std::string buffer_;
  size_t consumed_ = 0;  // buffer_[0, consumed_) is parsed
  size_t scanned_ = 0;   // no '\n' in buffer_[consumed_, scanned_)
  Status error_;         // sticky once set

  State state_ = State::kLine;
  Response response_;
  size_t pieces_ = 0;                        // line pieces of response_ parsed so far
  size_t line_bytes_ = 0;                    // their total size, against max_line_
  std::vector<imap::ImapToken> open_lists_;  // innermost last
  bool need_space_ = false;                  // a token just ended
  bool after_list_ = false;                  // ... and it was a list (so '(' may follow)
  std::string literal_;
  uint64_t literal_left_ = 0;
  bool literal8_ = false;
};

}  // namespace mailvault::client
