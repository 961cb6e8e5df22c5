#include "common/imap/receiver.h"

#include <algorithm>
#include <utility>

#include "common/base64.h"
#include "common/crypto/wiping_string.h"

namespace mailvault::imap {
namespace {

// Enough trailing bytes of a skipped line to recognise "~{<20 digits>+}".
constexpr size_t kTailBytes = 32;

void KeepTail(std::string& tail, std::string_view more) {
  if (more.size() >= kTailBytes) {
    tail.assign(more.substr(more.size() - kTailBytes));
    return;
  }
  tail.append(more);
  if (tail.size() > kTailBytes) tail.erase(0, tail.size() - kTailBytes);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto upper = [](char c) {
             return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
           };
           return upper(x) == upper(y);
         });
}

}  // namespace

ImapReceiver::ImapReceiver(ReceiverLimits limits)
    : limits_(limits), pending_limits_(limits), tokenizer_(limits.max_list_depth) {}

ImapReceiver::~ImapReceiver() {
  WipeAndRelease(buffer_);
  WipeAndRelease(literal_);
}

void ImapReceiver::Feed(std::string_view bytes) {
  if (state_ == State::kClosed) return;
  // Fast path: the bytes of a literal go straight to it, never through the
  // line buffer.
  if (pos_ == buffer_.size()) {
    if (state_ == State::kLiteral) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(bytes.size(), literal_missing_));
      if (literal_.capacity() < literal_.size() + take) {
        // Grow with the data rather than reserving the announced size up
        // front: a client announcing 50 MiB and sending nothing costs nothing.
        const uint64_t wanted = std::max<uint64_t>(literal_.capacity() * 2, literal_.size() + take);
        ReserveWiping(literal_, static_cast<size_t>(
                                    std::min<uint64_t>(wanted, literal_.size() + literal_missing_)));
      }
      literal_.append(bytes.substr(0, take));
      literal_missing_ -= take;
      bytes.remove_prefix(take);
    } else if (state_ == State::kDiscardLiteral) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(bytes.size(), discard_missing_));
      discard_missing_ -= take;
      bytes.remove_prefix(take);
    }
  }
  AppendWiping(buffer_, bytes);
}

void ImapReceiver::SetLimits(const ReceiverLimits& limits) {
  pending_limits_ = limits;
  if (state_ == State::kLine && !tokenizer_.started()) StartCommand();
}

void ImapReceiver::SetMode(ReceiverMode mode) {
  if (state_ == State::kLine && !tokenizer_.started()) mode_ = mode;
}

uint64_t ImapReceiver::literal_bytes_missing() const {
  return state_ == State::kLiteral ? literal_missing_ : 0;
}

bool ImapReceiver::HasPartialInput() const {
  return state_ == State::kLiteral || state_ == State::kDiscardLine ||
         state_ == State::kDiscardLiteral || tokenizer_.started() || pos_ < buffer_.size();
}

void ImapReceiver::StartCommand() {
  limits_ = pending_limits_;
  tokenizer_.Reset(limits_.max_list_depth);
  line_used_ = 0;
  literal_used_ = 0;
}

size_t ImapReceiver::LineBudget() const {
  const size_t limit = (mode_ == ReceiverMode::kAuthenticate && !tokenizer_.started())
                           ? limits_.max_authenticate_line_length
                           : limits_.max_line_length;
  return limit > line_used_ ? limit - line_used_ : 0;
}

std::string ImapReceiver::CurrentTag() const {
  if (tokenizer_.started()) return tokenizer_.tag();
  if (mode_ != ReceiverMode::kCommand) return std::string();
  return LeadingTag(std::string_view(buffer_).substr(pos_));
}

void ImapReceiver::Compact() {
  if (pos_ == 0) return;
  if (pos_ == buffer_.size()) {
    // Give back the memory of an unusually long line.
    if (buffer_.capacity() > 64 * 1024) {
      WipeAndRelease(buffer_);
    } else {
      WipeAndClear(buffer_);
    }
    scan_ = 0;
    pos_ = 0;
  } else if (pos_ >= buffer_.size() / 2) {
    EraseFrontWiping(buffer_, pos_);
    scan_ -= pos_;
    pos_ = 0;
  }
}

ReceiverEvent ImapReceiver::Next() {
  for (;;) {
    switch (state_) {
      case State::kClosed:
        return NeedMoreInput{};

      case State::kLiteral: {
        const size_t take =
            static_cast<size_t>(std::min<uint64_t>(buffer_.size() - pos_, literal_missing_));
        AppendWiping(literal_, std::string_view(buffer_).substr(pos_, take));
        pos_ += take;
        literal_missing_ -= take;
        if (literal_missing_ > 0) {
          Compact();
          return NeedMoreInput{};
        }
        tokenizer_.AddLiteral(std::move(literal_), literal8_);
        literal_ = std::string();
        state_ = State::kLine;
        continue;
      }

      case State::kDiscardLiteral: {
        const size_t take =
            static_cast<size_t>(std::min<uint64_t>(buffer_.size() - pos_, discard_missing_));
        pos_ += take;
        discard_missing_ -= take;
        if (discard_missing_ > 0) {
          Compact();
          return NeedMoreInput{};
        }
        discard_tail_.clear();
        state_ = State::kDiscardLine;
        continue;
      }

      case State::kDiscardLine: {
        const size_t lf = buffer_.find('\n', pos_);
        if (lf == std::string::npos) {
          KeepTail(discard_tail_, std::string_view(buffer_).substr(pos_));
          pos_ = buffer_.size();
          Compact();
          return NeedMoreInput{};
        }
        // The CR may have come in an earlier read, so strip it from the
        // combined tail rather than from this piece.
        KeepTail(discard_tail_, std::string_view(buffer_).substr(pos_, lf - pos_));
        if (!discard_tail_.empty() && discard_tail_.back() == '\r') discard_tail_.pop_back();
        pos_ = lf + 1;
        scan_ = pos_;
        const std::string tail = discard_skips_literals_ ? std::move(discard_tail_) : std::string();
        discard_tail_.clear();
        discard_skips_literals_ = true;
        ReceiverEvent fatal;
        if (!ResyncAfter(tail, fatal)) return fatal;
        continue;
      }

      case State::kLine: {
        const size_t lf = buffer_.find('\n', std::max(scan_, pos_));
        if (lf == std::string::npos) {
          scan_ = buffer_.size();
          const size_t pending = buffer_.size() - pos_;
          // +1: the CR of the CRLF may already be here.
          if (pending > LineBudget() + 1) {
            std::string tag = CurrentTag();
            const bool mode_line = mode_ != ReceiverMode::kCommand && !tokenizer_.started();
            const size_t limit = mode_line && mode_ == ReceiverMode::kAuthenticate
                                     ? limits_.max_authenticate_line_length
                                     : limits_.max_line_length;
            discard_tail_.clear();
            KeepTail(discard_tail_, std::string_view(buffer_).substr(pos_));
            discard_skips_literals_ = !mode_line;
            pos_ = buffer_.size();
            Compact();
            mode_ = ReceiverMode::kCommand;
            StartCommand();
            state_ = State::kDiscardLine;
            ReceiverError error;
            error.tag = std::move(tag);
            error.message = "line too long (limit " + std::to_string(limit) + " bytes)";
            return error;
          }
          Compact();
          return NeedMoreInput{};
        }
        size_t end = lf;
        if (end > pos_ && buffer_[end - 1] == '\r') --end;
        // `segment` points into buffer_; OnLine frees buffer_ only on a fatal
        // error, after its last use of `segment`.
        const std::string_view segment(buffer_.data() + pos_, end - pos_);
        pos_ = lf + 1;
        scan_ = pos_;
        ReceiverEvent event = OnLine(segment);
        if (std::holds_alternative<NeedMoreInput>(event)) continue;  // an ignored empty line
        return event;
      }
    }
  }
}

ReceiverEvent ImapReceiver::OnLine(std::string_view segment) {
  if (!tokenizer_.started()) {
    if (mode_ != ReceiverMode::kCommand) return OnModeLine(segment);
    if (segment.empty()) return NeedMoreInput{};
  }
  line_used_ += segment.size();
  if (line_used_ > limits_.max_line_length) {
    std::string tag = tokenizer_.started() ? tokenizer_.tag() : LeadingTag(segment);
    return RecoverableError(
        std::move(tag),
        "line too long (limit " + std::to_string(limits_.max_line_length) + " bytes)", segment);
  }
  CommandTokenizer::SegmentResult result = tokenizer_.AddSegment(segment);
  switch (result.outcome) {
    case CommandTokenizer::Outcome::kComplete: {
      ImapCommand command = tokenizer_.TakeCommand();
      StartCommand();
      return command;
    }
    case CommandTokenizer::Outcome::kLiteral:
      return OnLiteralAnnounced(result.literal);
    case CommandTokenizer::Outcome::kError:
      break;
  }
  return RecoverableError(tokenizer_.tag(), std::move(result.error), segment);
}

ReceiverEvent ImapReceiver::OnModeLine(std::string_view line) {
  const ReceiverMode mode = mode_;
  mode_ = ReceiverMode::kCommand;
  const size_t limit = mode == ReceiverMode::kAuthenticate ? limits_.max_authenticate_line_length
                                                           : limits_.max_line_length;
  ReceiverError error;
  if (line.size() > limit) {
    error.message = "line too long (limit " + std::to_string(limit) + " bytes)";
    return error;
  }
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\0' || line[i] == '\r') {
      error.message = std::string(line[i] == '\0' ? "NUL byte" : "bare CR") + " at offset " +
                      std::to_string(i) + " in line";
      return error;
    }
  }
  if (mode == ReceiverMode::kIdle) {
    if (EqualsIgnoreCase(line, "DONE")) return IdleDone{};
    error.message = "expected DONE to end IDLE";
    return error;
  }
  AuthenticateResponse response;
  if (line == "*") {
    response.cancelled = true;
    return response;
  }
  Result<std::string> decoded = DecodeBase64(line);
  if (!decoded.ok()) {
    error.message = "invalid AUTHENTICATE response: " + decoded.status().message();
    return error;
  }
  response.data = std::move(decoded).value();
  return response;
}

ReceiverEvent ImapReceiver::OnLiteralAnnounced(const LiteralSpec& spec) {
  std::string tag = tokenizer_.tag();
  const bool append = tokenizer_.name() == "APPEND";
  const uint64_t command_budget = limits_.max_command_literal_bytes > literal_used_
                                      ? limits_.max_command_literal_bytes - literal_used_
                                      : 0;
  const uint64_t limit = std::min(limits_.max_literal_size, command_budget);
  const std::string size_text = spec.size_overflows ? "a size that does not fit in 64 bits"
                                                    : std::to_string(spec.size) + " bytes";
  if (!spec.synchronizing) {
    const uint64_t nonsync_limit = std::min(limit, limits_.max_nonsync_literal_size);
    if (spec.size_overflows || spec.size > nonsync_limit) {
      // The client is already sending the bytes; we will not buffer them and
      // cannot tell where they end, so the connection cannot go on.
      ReceiverEvent event =
          FatalError(std::move(tag),
                     "non-synchronizing literal of " + size_text + " exceeds the limit of " +
                         std::to_string(nonsync_limit) + " bytes",
                     "TOOBIG");
      if (append) std::get<ReceiverError>(event).reply = ErrorReply::kNo;
      return event;
    }
  } else if (spec.size_overflows || spec.size > limit) {
    // No "+" goes out, so the client sends nothing more for this command.
    ReceiverError error;
    error.tag = std::move(tag);
    error.message =
        "literal of " + size_text + " exceeds the limit of " + std::to_string(limit) + " bytes";
    error.response_code = "TOOBIG";
    error.reply = append ? ErrorReply::kNo : ErrorReply::kBad;
    StartCommand();
    state_ = State::kLine;
    return error;
  }
  literal_used_ += spec.size;
  literal_missing_ = spec.size;
  literal8_ = spec.literal8;
  WipeAndClear(literal_);
  state_ = State::kLiteral;
  LiteralAnnounced announced;
  announced.size = spec.size;
  announced.synchronizing = spec.synchronizing;
  announced.literal8 = spec.literal8;
  return announced;
}

ReceiverEvent ImapReceiver::RecoverableError(std::string tag, std::string message,
                                             std::string_view segment_tail) {
  StartCommand();
  ReceiverEvent fatal;
  if (!ResyncAfter(segment_tail, fatal)) {
    return FatalError(std::move(tag),
                      std::move(message) + "; a LITERAL+ literal too large to skip follows", "");
  }
  ReceiverError error;
  error.tag = std::move(tag);
  error.message = std::move(message);
  return error;
}

bool ImapReceiver::ResyncAfter(std::string_view segment_tail, ReceiverEvent& fatal) {
  const std::optional<LiteralSpec> spec = TrailingLiteral(segment_tail);
  // A synchronizing literal is never sent: the client waits for a "+" that
  // does not come and sees the error instead.
  if (!spec.has_value() || spec->synchronizing) {
    state_ = State::kLine;
    return true;
  }
  // A LITERAL+ literal is on its way; skip it without buffering it, then
  // the rest of its command.
  if (spec->size_overflows || spec->size > limits_.max_literal_size) {
    fatal =
        FatalError(std::string(),
                   "non-synchronizing literal of a refused command is too large to skip", "TOOBIG");
    return false;
  }
  discard_missing_ = spec->size;
  state_ = State::kDiscardLiteral;
  return true;
}

ReceiverEvent ImapReceiver::FatalError(std::string tag, std::string message,
                                       std::string response_code) {
  state_ = State::kClosed;
  WipeAndRelease(buffer_);
  WipeAndRelease(literal_);
  pos_ = 0;
  scan_ = 0;
  ReceiverError error;
  error.tag = std::move(tag);
  error.message = std::move(message);
  error.response_code = std::move(response_code);
  error.close_connection = true;
  return error;
}

}  // namespace mailvault::imap
