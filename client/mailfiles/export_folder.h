// Where `mailvault export --maildir ROOT` puts each mailbox: ROOT/a/b for
// mailbox "a/b". Mailbox names come from the vault, and the vault must not
// be able to make the export write anywhere but inside ROOT.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mailvault::mailfiles {

// kInvalidArgument (the message says why, without the name) when `name`
// cannot be a folder under the export root: it is empty, holds a NUL, or a
// '/'-separated level is empty, "." or "..".
Status CheckMailboxFolderName(std::string_view name);

// Creates ROOT (as given, links and all: the user chose it) and then each
// level of `name` below it, mode 0700, and returns the folder's path. Below
// ROOT nothing is followed: a level, or the Maildir's cur/, new/ and tmp/,
// that is a symbolic link or not a directory is refused (kInvalidArgument),
// and the folder's resolved path must lie inside ROOT's resolved path.
Result<std::string> CreateMailboxFolder(const std::string& root, std::string_view name);

}  // namespace mailvault::mailfiles
