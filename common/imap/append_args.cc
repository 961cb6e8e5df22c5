#include "common/imap/append_args.h"

#include <cstring>
#include <utility>

#include "common/imap/arg_reader.h"
#include "common/imap/flags.h"

namespace mailvault::imap {

Result<AppendArgs> ParseAppendArgs(ImapCommand command) {
  ArgReader reader("APPEND", command.args);
  AppendArgs args;
  MV_ASSIGN_OR_RETURN(args.mailbox, reader.Astring("mailbox name"));
  while (!reader.AtEnd() || args.messages.empty()) {
    AppendMessage message;
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
    if (data.kind != TokenKind::kLiteral) {
      return reader.Error("expected the message as a literal ({n} or ~{n}), got " +
                          TokenKindForError(data));
    }
    if (!data.literal8 && std::memchr(data.text.data(), '\0', data.text.size()) != nullptr) {
      return reader.Error("message contains a NUL byte; send it as literal8 (~{n}) with BINARY");
    }
    message.binary = data.literal8;
    message.data = std::move(data.text);
    args.messages.push_back(std::move(message));
  }
  return args;
}

}  // namespace mailvault::imap
