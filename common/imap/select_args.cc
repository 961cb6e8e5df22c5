#include "common/imap/select_args.h"

#include "common/imap/arg_reader.h"

namespace mailvault::imap {
namespace {

Status CommandError(std::string_view command, std::string_view message) {
  return Status(ErrorCode::kInvalidArgument, std::string(command) + ": " + std::string(message));
}

Result<QresyncParams> ParseQresync(const ImapToken& list, std::string_view command) {
  const std::vector<ImapToken>& items = list.children;
  if (items.size() < 2 || items.size() > 4) {
    return CommandError(command, "QRESYNC takes (uidvalidity modseq [known-uids [seq-match]])");
  }
  QresyncParams params;
  MV_ASSIGN_OR_RETURN(uint64_t uidvalidity,
                      TokenAsNumber(items[0], command, "uidvalidity", UINT32_MAX));
  MV_ASSIGN_OR_RETURN(params.modseq, TokenAsNumber(items[1], command, "mod-sequence"));
  if (uidvalidity == 0 || params.modseq == 0) {
    return CommandError(command, "QRESYNC uidvalidity and mod-sequence must not be 0");
  }
  params.uidvalidity = static_cast<uint32_t>(uidvalidity);
  if (items.size() >= 3) {
    MV_ASSIGN_OR_RETURN(params.known_uids, TokenAsSequenceSet(items[2], command, "known uids"));
  }
  if (items.size() == 4 && (items[3].kind != TokenKind::kList || items[3].children.size() != 2)) {
    return CommandError(command, "QRESYNC sequence match data is (sequence-set uid-set)");
  }
  return params;
}

}  // namespace

Result<SelectArgs> ParseSelectArgs(const ImapCommand& command) {
  ArgReader reader(command.name, command.args);
  SelectArgs args;
  MV_ASSIGN_OR_RETURN(args.mailbox, reader.Astring("mailbox name"));
  if (!reader.AtEnd()) {
    MV_ASSIGN_OR_RETURN(const ImapToken* params, reader.List("select parameter list"));
    const std::vector<ImapToken>& list = params->children;
    for (size_t i = 0; i < list.size(); ++i) {
      if (IsAtomNamed(list[i], "CONDSTORE")) {
        args.condstore = true;
      } else if (IsAtomNamed(list[i], "QRESYNC")) {
        if (args.qresync || i + 1 >= list.size() || list[i + 1].kind != TokenKind::kList) {
          return reader.Error("QRESYNC needs one list (uidvalidity modseq [known-uids])");
        }
        MV_ASSIGN_OR_RETURN(args.qresync, ParseQresync(list[++i], command.name));
      } else {
        return reader.Error("unknown select parameter " + TokenKindForError(list[i]));
      }
    }
  }
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return args;
}

}  // namespace mailvault::imap
