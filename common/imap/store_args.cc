#include "common/imap/store_args.h"

#include "common/imap/arg_reader.h"
#include "common/imap/flags.h"

namespace mailvault::imap {

Result<StoreArgs> ParseStoreArgs(const ImapCommand& command) {
  const std::string_view name = command.uid ? "UID STORE" : "STORE";
  ArgReader reader(name, command.args);
  StoreArgs args;
  MV_ASSIGN_OR_RETURN(args.set, reader.Sequence("sequence set"));

  if (reader.Peek() != nullptr && reader.Peek()->kind == TokenKind::kList) {
    const std::vector<ImapToken>& modifiers = reader.Take().children;
    if (modifiers.empty()) return reader.Error("empty STORE modifier list");
    for (size_t i = 0; i < modifiers.size(); ++i) {
      if (!IsAtomNamed(modifiers[i], "UNCHANGEDSINCE")) {
        return reader.Error("unknown STORE modifier " + TokenKindForError(modifiers[i]));
      }
      if (args.unchanged_since.has_value()) return reader.Error("UNCHANGEDSINCE given twice");
      if (i + 1 >= modifiers.size()) return reader.Missing("mod-sequence after UNCHANGEDSINCE");
      MV_ASSIGN_OR_RETURN(args.unchanged_since,
                          TokenAsNumber(modifiers[++i], name, "mod-sequence", kMaxModSeq));
    }
  }

  if (reader.AtEnd()) return reader.Missing("FLAGS, +FLAGS or -FLAGS");
  const ImapToken& item = reader.Take();
  if (item.kind != TokenKind::kAtom) {
    return reader.Unexpected("FLAGS, +FLAGS or -FLAGS", item);
  }
  std::string_view upper_view;
  const std::string upper = UpperAscii(item.text);
  upper_view = upper;
  if (!upper_view.empty() && (upper_view[0] == '+' || upper_view[0] == '-')) {
    args.mode = upper_view[0] == '+' ? StoreMode::kAdd : StoreMode::kRemove;
    upper_view.remove_prefix(1);
  }
  if (upper_view == "FLAGS.SILENT") {
    args.silent = true;
  } else if (upper_view != "FLAGS") {
    return reader.Error("expected FLAGS, +FLAGS or -FLAGS (optionally .SILENT), got " +
                        TokenKindForError(item));
  }

  if (reader.AtEnd()) return reader.Missing("flags");
  if (reader.Peek()->kind == TokenKind::kList) {
    MV_ASSIGN_OR_RETURN(args.flags, ParseFlagList(reader.Take(), name));
  } else {
    // RFC 9051 also allows the flags without parentheses.
    while (!reader.AtEnd()) {
      MV_ASSIGN_OR_RETURN(std::string flag, ParseSettableFlag(reader.Take(), name));
      AddFlagOnce(args.flags, std::move(flag));
    }
  }
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return args;
}

}  // namespace mailvault::imap
