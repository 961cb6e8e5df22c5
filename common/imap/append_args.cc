#include "common/imap/append_args.h"

#include <cstring>
#include <utility>

#include "common/crypto/wiping_string.h"
#include "common/imap/arg_reader.h"
#include "common/imap/flags.h"

namespace mailvault::imap {
namespace {

// Message bytes (a literal, or a CATENATE TEXT part): moved out of `token`,
// which belongs to the command the parser took by value.
Status TakeLiteral(ImapToken& token, const ArgReader& reader, std::string_view what,
                   std::string& data, bool& binary) {
  if (token.kind != TokenKind::kLiteral) {
    return reader.Error("expected " + std::string(what) + " as a literal ({n} or ~{n}), got " +
                        TokenKindForError(token));
  }
  if (!token.literal8 && std::memchr(token.text.data(), '\0', token.text.size()) != nullptr) {
    return reader.Error(std::string(what) +
                        " contains a NUL byte; send it as literal8 (~{n}) with BINARY");
  }
  binary = token.literal8;
  data = std::move(token.text);
  return Status::Ok();
}

// CATENATE's list: ("TEXT" SP literal / "URL" SP astring) *(SP ...).
Status ParseCatenateParts(ImapToken& list, const ArgReader& reader,
                          std::vector<CatenatePart>& parts) {
  if (list.children.empty()) return reader.Error("CATENATE needs at least one TEXT or URL part");
  std::vector<ImapToken>& items = list.children;
  for (size_t i = 0; i < items.size(); i += 2) {
    const bool text = IsAtomNamed(items[i], "TEXT");
    if (!text && !IsAtomNamed(items[i], "URL")) {
      return reader.Error("expected TEXT or URL in CATENATE, got " + TokenKindForError(items[i]));
    }
    if (i + 1 == items.size()) {
      return reader.Error(text ? "CATENATE TEXT without its literal"
                               : "CATENATE URL without a URL");
    }
    CatenatePart part;
    if (text) {
      part.kind = CatenatePart::Kind::kText;
      MV_RETURN_IF_ERROR(
          TakeLiteral(items[i + 1], reader, "CATENATE TEXT", part.text, part.binary));
    } else {
      part.kind = CatenatePart::Kind::kUrl;
      MV_ASSIGN_OR_RETURN(part.text, TokenAsAstring(items[i + 1], reader.command(), "URL"));
    }
    parts.push_back(std::move(part));
  }
  return Status::Ok();
}

// Moves each message's bytes into `args` as it goes, so that a refusal
// part of the way leaves them where the caller wipes them.
Status TakeAppendArgs(ImapCommand& command, AppendArgs& args) {
  ArgReader reader("APPEND", command.args);
  MV_ASSIGN_OR_RETURN(args.mailbox, reader.Astring("mailbox name"));
  while (!reader.AtEnd() || args.messages.empty()) {
    AppendMessage& message = args.messages.emplace_back();
    if (reader.Peek() != nullptr && reader.Peek()->kind == TokenKind::kList) {
      MV_ASSIGN_OR_RETURN(message.flags, ParseFlagList(reader.Take(), "APPEND"));
    }
    if (reader.Peek() != nullptr && reader.Peek()->kind == TokenKind::kQuoted) {
      Result<ImapDateTime> date = ParseDateTime(reader.Take().text);
      if (!date.ok()) return reader.Error(date.status().message());
      message.internal_date = date.value();
    }
    if (reader.AtEnd()) return reader.Missing("message literal");
    // The command came by value, so its tokens are ours: move the bytes.
    ImapToken& data = command.args[reader.position()];
    reader.Take();
    if (IsAtomNamed(data, "CATENATE")) {
      if (reader.AtEnd() || reader.Peek()->kind != TokenKind::kList) {
        return reader.Error("CATENATE needs a parenthesised list of TEXT and URL parts");
      }
      ImapToken& list = command.args[reader.position()];
      reader.Take();
      MV_RETURN_IF_ERROR(ParseCatenateParts(list, reader, message.catenate));
    } else {
      MV_RETURN_IF_ERROR(TakeLiteral(data, reader, "the message", message.data, message.binary));
    }
  }
  return Status::Ok();
}

}  // namespace

void WipeMessages(std::vector<AppendMessage>& messages) {
  for (AppendMessage& message : messages) {
    WipeAndClear(message.data);
    for (CatenatePart& part : message.catenate) WipeAndClear(part.text);
  }
}

Result<AppendArgs> ParseAppendArgs(ImapCommand command) {
  AppendArgs args;
  const Status parsed = TakeAppendArgs(command, args);
  WipeStrings(command.args);  // what was not moved out: literals of a refused command
  if (!parsed.ok()) {
    WipeMessages(args.messages);
    return parsed;
  }
  return args;
}

}  // namespace mailvault::imap
