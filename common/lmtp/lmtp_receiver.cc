#include "common/lmtp/lmtp_receiver.h"

#include <algorithm>
#include <utility>

#include "common/crypto/wiping_string.h"

namespace mailvault::lmtp {

Receiver::~Receiver() {
  WipeAndRelease(buffer_);
  WipeAndRelease(message_);
}

void Receiver::Feed(std::string_view bytes) { AppendWiping(buffer_, bytes); }

void Receiver::StartData(uint64_t expected_size) {
  in_data_ = true;
  WipeAndClear(message_);
  // MAIL FROM's SIZE, when given and sane, saves every regrowth.
  if (expected_size > 0 && expected_size <= limits_.max_message) message_.reserve(expected_size);
  message_bytes_ = 0;
  message_too_big_ = false;
  message_bare_lf_ = false;
  at_line_start_ = true;
  after_cr_ = false;
}

std::string Receiver::TakeMessage() { return std::exchange(message_, std::string()); }

// Drops parsed bytes from the front once they are a large part of the buffer,
// so a long pipelined session does not grow it without bound. Message bytes
// that pass through it are wiped first: they are plaintext.
void Receiver::Compact() {
  if (consumed_ == 0 || consumed_ < buffer_.size() / 2) return;
  EraseFrontWiping(buffer_, consumed_);
  consumed_ = 0;
}

Receiver::Event Receiver::Next() {
  const Event event = in_data_ ? NextDataLine() : NextLine();
  Compact();
  return event;
}

Receiver::Event Receiver::NextLine() {
  for (;;) {
    const size_t lf = buffer_.find('\n', consumed_);
    if (lf == std::string::npos) {
      // max_line bytes and the CR of their CRLF are still a line within
      // the limit: however the stream is split, the same lines pass.
      if (buffer_.size() - consumed_ > limits_.max_line + 1) {
        consumed_ = buffer_.size();  // drop it; keep skipping until the LF
        skipping_line_ = true;
      }
      return Event::kNeedMore;
    }
    std::string_view line(buffer_.data() + consumed_, lf - consumed_);
    consumed_ = lf + 1;
    if (skipping_line_) {
      skipping_line_ = false;
      return Event::kLineTooLong;
    }
    // CRLF is the rule; a bare LF is accepted as the end of a command line
    // because nothing is lost by it, unlike in message data.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > limits_.max_line) return Event::kLineTooLong;
    if (line.find('\0') != std::string_view::npos || line.find('\r') != std::string_view::npos) {
      return Event::kBadLine;
    }
    line_.assign(line);
    return Event::kLine;
  }
}

Receiver::Event Receiver::NextDataLine() {
  for (;;) {
    const size_t lf = buffer_.find('\n', consumed_);
    std::string_view piece;
    if (lf != std::string::npos) {
      piece = std::string_view(buffer_.data() + consumed_, lf + 1 - consumed_);  // with its LF
    } else if (buffer_.size() - consumed_ > limits_.max_line) {
      // A very long line (or a peer that never sends LF): take it in part, so
      // the buffer stays bounded. It cannot be the "." line.
      piece = std::string_view(buffer_.data() + consumed_, buffer_.size() - consumed_);
    } else {
      return Event::kNeedMore;
    }
    consumed_ += piece.size();
    if (at_line_start_ && piece == ".\r\n") {
      in_data_ = false;
      if (message_too_big_) return Event::kMessageTooBig;
      return message_bare_lf_ ? Event::kMessageBareLf : Event::kMessage;
    }
    // A line ends with CRLF; an LF without its CR (here or, for a line
    // taken in parts, at the end of the part before) is a bare LF.
    const bool ends_with_lf = piece.back() == '\n';
    const bool cr_before_lf =
        ends_with_lf && (piece.size() >= 2 ? piece[piece.size() - 2] == '\r' : after_cr_);
    if (ends_with_lf && !cr_before_lf) DropMessage(message_bare_lf_);
    if (at_line_start_ && piece.front() == '.') piece.remove_prefix(1);  // dot-unstuffing
    at_line_start_ = cr_before_lf;
    after_cr_ = !piece.empty() && piece.back() == '\r';
    message_bytes_ += piece.size();
    if (message_bytes_ > limits_.max_message) DropMessage(message_too_big_);
    if (message_too_big_ || message_bare_lf_) continue;
    AppendWiping(message_, piece);
  }
}

void Receiver::DropMessage(bool& reason) {
  reason = true;
  WipeAndClear(message_);
  message_.shrink_to_fit();
}

}  // namespace mailvault::lmtp
