// Where the key file's passphrase comes from: the terminal without echo, or,
// for scripts, a file (--passphrase-file) or an inherited descriptor
// (--passphrase-fd). Never the command line, where `ps` and shell history
// would show it.
#pragma once

#include <string>
#include <string_view>

#include "common/crypto/secret_bytes.h"
#include "common/status.h"

namespace mailvault::client {

struct PassphraseSource {
  std::string file;
  int fd = -1;
};

// The first line of the file or descriptor, or what is typed at the prompt.
// kInvalidArgument when there is no terminal and no other source.
Result<SecretBytes> ReadPassphrase(const PassphraseSource& source, std::string_view prompt);

// A question answered on the terminal with echo (a confirmation code);
// kInvalidArgument with `no_terminal` as its text when there is none.
Result<std::string> AskOnTerminal(std::string_view question, std::string_view no_terminal);

// A new passphrase: typed twice on a terminal (they must match); at least 8
// characters.
Result<SecretBytes> ReadNewPassphrase(const PassphraseSource& source, std::string_view prompt);

}  // namespace mailvault::client
