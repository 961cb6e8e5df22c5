#include "common/imap/list_args.h"

#include "common/imap/arg_reader.h"

namespace mailvault::imap {
namespace {

// list-mailbox = 1*list-char / string. The tokenizer already allows the
// wildcards in atoms, so an astring reading is the whole rule.
Result<std::string> Pattern(const ImapToken& token, std::string_view command) {
  return TokenAsAstring(token, command, "mailbox pattern");
}

}  // namespace

Result<ListArgs> ParseListArgs(const ImapCommand& command) {
  ArgReader reader("LIST", command.args);
  ListArgs args;

  if (reader.Peek() != nullptr && reader.Peek()->kind == TokenKind::kList) {
    args.extended = true;
    for (const ImapToken& option : reader.Take().children) {
      const std::string upper = option.kind == TokenKind::kAtom ? UpperAscii(option.text) : "";
      if (upper == "SUBSCRIBED") {
        args.selection.subscribed = true;
      } else if (upper == "REMOTE") {
        args.selection.remote = true;
      } else if (upper == "RECURSIVEMATCH") {
        args.selection.recursive_match = true;
      } else if (upper == "SPECIAL-USE") {
        args.selection.special_use = true;
      } else {
        // RFC 5258 3: an unrecognised selection option is a BAD.
        return reader.Error("unknown selection option " + TokenKindForError(option));
      }
    }
    if (args.selection.recursive_match && !args.selection.subscribed &&
        !args.selection.special_use) {
      return reader.Error("RECURSIVEMATCH requires another selection option");
    }
  }

  MV_ASSIGN_OR_RETURN(args.reference, reader.Astring("reference name"));
  if (reader.AtEnd()) return reader.Missing("mailbox pattern");
  const ImapToken& patterns = reader.Take();
  if (patterns.kind == TokenKind::kList) {
    args.extended = true;
    if (patterns.children.empty()) return reader.Error("empty mailbox pattern list");
    for (const ImapToken& pattern : patterns.children) {
      MV_ASSIGN_OR_RETURN(std::string text, Pattern(pattern, "LIST"));
      args.patterns.push_back(std::move(text));
    }
  } else {
    MV_ASSIGN_OR_RETURN(std::string text, Pattern(patterns, "LIST"));
    args.patterns.push_back(std::move(text));
  }

  if (!reader.AtEnd()) {
    if (!IsAtomNamed(*reader.Peek(), "RETURN")) {
      return reader.Error("expected RETURN after the mailbox pattern, got " +
                          TokenKindForError(*reader.Peek()));
    }
    reader.Take();
    args.extended = true;
    MV_ASSIGN_OR_RETURN(const ImapToken* options, reader.List("RETURN option list"));
    const std::vector<ImapToken>& list = options->children;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string upper = list[i].kind == TokenKind::kAtom ? UpperAscii(list[i].text) : "";
      if (upper == "SUBSCRIBED") {
        args.returns.subscribed = true;
      } else if (upper == "CHILDREN") {
        args.returns.children = true;
      } else if (upper == "SPECIAL-USE") {
        args.returns.special_use = true;
      } else if (upper == "STATUS") {
        if (args.returns.status) return reader.Error("RETURN STATUS given twice");
        if (i + 1 >= list.size()) return reader.Missing("status item list after RETURN STATUS");
        MV_ASSIGN_OR_RETURN(args.returns.status_items, ParseStatusItemList(list[++i], "LIST"));
        args.returns.status = true;
      } else {
        return reader.Error("unknown RETURN option " + TokenKindForError(list[i]));
      }
    }
  }
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return args;
}

Result<ListArgs> ParseLsubArgs(const ImapCommand& command) {
  ArgReader reader("LSUB", command.args);
  ListArgs args;
  args.selection.subscribed = true;
  MV_ASSIGN_OR_RETURN(args.reference, reader.Astring("reference name"));
  if (reader.AtEnd()) return reader.Missing("mailbox pattern");
  MV_ASSIGN_OR_RETURN(std::string pattern, Pattern(reader.Take(), "LSUB"));
  args.patterns.push_back(std::move(pattern));
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return args;
}

}  // namespace mailvault::imap
