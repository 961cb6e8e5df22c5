// The command table: each command's handler and the states it is allowed in
// (RFC 9051 6.1-6.4).
#include <array>

#include "server/imap/session.h"

namespace mailvault::imap {

const Session::CommandSpec* Session::FindCommand(std::string_view name) {
  //  name, handler, allowed: before login, after login, with a mailbox selected; sync after
  static const std::array<CommandSpec, 34> kCommands = {{
      {"CAPABILITY", &Session::Capability, true, true, true},
      {"NOOP", &Session::Noop, true, true, true, false},
      {"LOGOUT", &Session::Logout, true, true, true},
      {"ID", &Session::Id, true, true, true},
      {"STARTTLS", &Session::StartTls, true, false, false},
      {"LOGIN", &Session::Login, true, false, false},
      {"AUTHENTICATE", &Session::Authenticate, true, false, false},
      {"ENABLE", &Session::Enable, false, true, true},
      {"NOTIFY", &Session::Notify, false, true, true},
      {"SELECT", &Session::Select, false, true, true},
      {"EXAMINE", &Session::Select, false, true, true},
      {"CREATE", &Session::Create, false, true, true},
      {"DELETE", &Session::Delete, false, true, true},
      {"RENAME", &Session::Rename, false, true, true},
      {"SUBSCRIBE", &Session::Subscribe, false, true, true},
      {"UNSUBSCRIBE", &Session::Subscribe, false, true, true},
      {"LIST", &Session::List, false, true, true},
      {"LSUB", &Session::Lsub, false, true, true},
      {"NAMESPACE", &Session::Namespace, false, true, true},
      {"STATUS", &Session::StatusCommand, false, true, true},
      {"APPEND", &Session::Append, false, true, true},
      {"IDLE", &Session::Idle, false, true, true, false},
      {"CHECK", &Session::Noop, false, false, true, false},
      {"CLOSE", &Session::Close, false, false, true},
      {"UNSELECT", &Session::Unselect, false, false, true},
      {"EXPUNGE", &Session::Expunge, false, false, true},
      {"SEARCH", &Session::Search, false, false, true, false},
      {"SORT", &Session::Sort, false, false, true, false},
      {"THREAD", &Session::Thread, false, false, true, false},
      {"CANCELUPDATE", &Session::CancelUpdate, false, false, true, false},
      {"FETCH", &Session::Fetch, false, false, true, false},
      {"STORE", &Session::Store, false, false, true, false},
      {"COPY", &Session::Copy, false, false, true},
      {"MOVE", &Session::Move, false, false, true},
  }};
  for (const CommandSpec& spec : kCommands) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace mailvault::imap
