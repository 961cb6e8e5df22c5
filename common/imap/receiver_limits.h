// Limits the IMAP receiver enforces before it buffers anything. They are
// plain data so the session can swap them at login, as Dovecot does:
// a client that has not authenticated gets far less memory to play with.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mailvault::imap {

struct ReceiverLimits {
  // Bytes of command text in one command, summed over the line pieces
  // between literals, literal contents excluded.
  size_t max_line_length = 64 * 1024;
  // One literal's announced size; larger ones are refused before a byte of
  // them is buffered.
  uint64_t max_literal_size = 50 * 1024 * 1024;
  // A LITERAL+ ({n+}) literal cannot be refused in time (the client sends
  // it without waiting), so above this size the connection is closed.
  uint64_t max_nonsync_literal_size = 50 * 1024 * 1024;
  // All literals of one command together (MULTIAPPEND, many small literals).
  uint64_t max_command_literal_bytes = 64 * 1024 * 1024;
  // Parenthesised lists nested deeper than this are refused.
  size_t max_list_depth = 16;
  // One AUTHENTICATE continuation line (base64 SASL data). GSSAPI tokens
  // can exceed the pre-login command line limit, so this is separate.
  size_t max_authenticate_line_length = 16 * 1024;

  // Before login: what LOGIN and the largest ID command need, nothing more.
  // RFC 2971 allows 30 fields of up to 30 bytes with values of up to 1024,
  // which quoted with every byte escaped come to about 62 KiB of line, or
  // 30 KiB as literals; literals stay at 8 KiB each (a user name and a
  // password), LITERAL+ at 4096 bytes as RFC 7888's LITERAL- says.
  static ReceiverLimits PreAuth() {
    ReceiverLimits limits;
    limits.max_line_length = 64 * 1024;
    limits.max_literal_size = 8 * 1024;
    limits.max_nonsync_literal_size = 4096;
    limits.max_command_literal_bytes = 32 * 1024;
    return limits;
  }
  static ReceiverLimits PostAuth() { return ReceiverLimits(); }
};

}  // namespace mailvault::imap
