#include "common/imap/simple_args.h"

#include "common/imap/arg_reader.h"
#include "common/base64.h"

namespace mailvault::imap {
namespace {

std::string CommandName(const ImapCommand& command) {
  return command.uid ? "UID " + command.name : command.name;
}

// RFC 2971 limits: 30 pairs, field names up to 30 octets, values up to 1024.
constexpr size_t kMaxIdPairs = 30;
constexpr size_t kMaxIdField = 30;
constexpr size_t kMaxIdValue = 1024;

}  // namespace

Status ParseNoArgs(const ImapCommand& command) {
  const std::string name = CommandName(command);
  ArgReader reader(name, command.args);
  if (!reader.AtEnd()) return reader.Error("takes no arguments");
  return Status::Ok();
}

Result<LoginArgs> ParseLoginArgs(const ImapCommand& command) {
  ArgReader reader("LOGIN", command.args);
  LoginArgs args;
  MV_ASSIGN_OR_RETURN(args.user, reader.Astring("user name"));
  MV_ASSIGN_OR_RETURN(args.password, reader.Astring("password"));
  // Not ExpectEnd(): its message quotes the extra atom, which here is most
  // likely the rest of a password with a space in it.
  if (!reader.AtEnd()) {
    return reader.Error("too many arguments (quote a user name or password that contains spaces)");
  }
  return args;
}

Result<AuthenticateArgs> ParseAuthenticateArgs(const ImapCommand& command) {
  ArgReader reader("AUTHENTICATE", command.args);
  AuthenticateArgs args;
  MV_ASSIGN_OR_RETURN(args.mechanism, reader.Keyword("SASL mechanism name"));
  if (!reader.AtEnd()) {
    const ImapToken& token = reader.Take();
    if (token.kind != TokenKind::kAtom && token.kind != TokenKind::kNumber) {
      return reader.Unexpected("base64 initial response", token);
    }
    if (token.text == "=") {
      args.initial_response = std::string();
    } else {
      Result<std::string> decoded = DecodeBase64(token.text);
      if (!decoded.ok()) return reader.Error("initial response: " + decoded.status().message());
      args.initial_response = std::move(decoded).value();
    }
  }
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return args;
}

Result<std::vector<std::string>> ParseEnableArgs(const ImapCommand& command) {
  ArgReader reader("ENABLE", command.args);
  std::vector<std::string> capabilities;
  if (reader.AtEnd()) return reader.Missing("capability name");
  while (!reader.AtEnd()) {
    MV_ASSIGN_OR_RETURN(std::string capability, reader.Keyword("capability name"));
    capabilities.push_back(std::move(capability));
  }
  return capabilities;
}

Result<std::string> ParseMailboxArg(const ImapCommand& command) {
  ArgReader reader(command.name, command.args);
  MV_ASSIGN_OR_RETURN(std::string mailbox, reader.Astring("mailbox name"));
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return mailbox;
}

Result<CreateArgs> ParseCreateArgs(const ImapCommand& command) {
  ArgReader reader("CREATE", command.args);
  CreateArgs args;
  MV_ASSIGN_OR_RETURN(args.mailbox, reader.Astring("mailbox name"));
  if (!reader.AtEnd()) {
    MV_ASSIGN_OR_RETURN(const ImapToken* params, reader.List("create parameter list"));
    const std::vector<ImapToken>& list = params->children;
    for (size_t i = 0; i < list.size(); ++i) {
      if (!IsAtomNamed(list[i], "USE")) {
        return reader.Error("unknown create parameter " + TokenKindForError(list[i]));
      }
      if (i + 1 >= list.size() || list[i + 1].kind != TokenKind::kList) {
        return reader.Error("USE requires a parenthesised list of special-use attributes");
      }
      for (const ImapToken& use : list[++i].children) {
        if (use.kind != TokenKind::kAtom || use.text.size() < 2 || use.text[0] != '\\') {
          return reader.Error("expected a special-use attribute such as \\Drafts, got " +
                              TokenKindForError(use));
        }
        args.special_use.push_back(use.text);
      }
    }
  }
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return args;
}

Result<RenameArgs> ParseRenameArgs(const ImapCommand& command) {
  ArgReader reader("RENAME", command.args);
  RenameArgs args;
  MV_ASSIGN_OR_RETURN(args.from, reader.Astring("existing mailbox name"));
  MV_ASSIGN_OR_RETURN(args.to, reader.Astring("new mailbox name"));
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return args;
}

Result<CopyArgs> ParseCopyArgs(const ImapCommand& command) {
  const std::string name = CommandName(command);
  ArgReader reader(name, command.args);
  CopyArgs args;
  MV_ASSIGN_OR_RETURN(args.set, reader.Sequence("sequence set"));
  MV_ASSIGN_OR_RETURN(args.mailbox, reader.Astring("mailbox name"));
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return args;
}

Result<SequenceSet> ParseUidExpungeArgs(const ImapCommand& command) {
  ArgReader reader("UID EXPUNGE", command.args);
  MV_ASSIGN_OR_RETURN(SequenceSet set, reader.Sequence("UID set"));
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return set;
}

Result<IdParams> ParseIdArgs(const ImapCommand& command) {
  ArgReader reader("ID", command.args);
  IdParams params;
  if (reader.AtEnd()) return reader.Missing("NIL or parameter list");
  const ImapToken& arg = reader.Take();
  if (arg.kind == TokenKind::kNil) {
    MV_RETURN_IF_ERROR(reader.ExpectEnd());
    return params;
  }
  if (arg.kind != TokenKind::kList) return reader.Unexpected("NIL or parameter list", arg);
  const std::vector<ImapToken>& list = arg.children;
  if (list.size() % 2 != 0) return reader.Error("ID parameters must come in field/value pairs");
  if (list.size() / 2 > kMaxIdPairs) return reader.Error("more than 30 ID parameters");
  for (size_t i = 0; i < list.size(); i += 2) {
    if (!list[i].IsString()) return reader.Unexpected("ID field name string", list[i]);
    MV_ASSIGN_OR_RETURN(std::string field, TokenAsAstring(list[i], "ID", "ID field name"));
    if (field.size() > kMaxIdField) return reader.Error("ID field name longer than 30 bytes");
    std::optional<std::string> value;
    if (list[i + 1].kind != TokenKind::kNil) {
      if (!list[i + 1].IsString()) return reader.Unexpected("ID value string or NIL", list[i + 1]);
      MV_ASSIGN_OR_RETURN(value, TokenAsAstring(list[i + 1], "ID", "ID value"));
      if (value->size() > kMaxIdValue) return reader.Error("ID value longer than 1024 bytes");
    }
    params.emplace_back(std::move(field), std::move(value));
  }
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return params;
}

}  // namespace mailvault::imap
