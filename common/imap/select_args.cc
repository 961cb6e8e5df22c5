#include "common/imap/select_args.h"

#include "common/imap/arg_reader.h"

namespace mailvault::imap {

Result<SelectArgs> ParseSelectArgs(const ImapCommand& command) {
  ArgReader reader(command.name, command.args);
  SelectArgs args;
  MV_ASSIGN_OR_RETURN(args.mailbox, reader.Astring("mailbox name"));
  if (!reader.AtEnd()) {
    MV_ASSIGN_OR_RETURN(const ImapToken* params, reader.List("select parameter list"));
    for (const ImapToken& param : params->children) {
      if (IsAtomNamed(param, "CONDSTORE")) {
        args.condstore = true;
      } else if (IsAtomNamed(param, "QRESYNC")) {
        return reader.Error("QRESYNC is not supported");
      } else {
        return reader.Error("unknown select parameter " + TokenKindForError(param));
      }
    }
  }
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return args;
}

}  // namespace mailvault::imap
