// THREAD and UID THREAD arguments (RFC 5256 section 3): the algorithm, a
// charset and the search program SEARCH parses.
#pragma once

#include "common/imap/search_args.h"
#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

enum class ThreadAlgorithm { kOrderedSubject, kReferences };

struct ThreadArgs {
  ThreadAlgorithm algorithm = ThreadAlgorithm::kReferences;
  SearchArgs search;  // charset (mandatory, upper-cased) and keys; no RETURN
};

// An algorithm other than ORDEREDSUBJECT and REFERENCES is an error (BAD):
// only those are advertised.
Result<ThreadArgs> ParseThreadArgs(const ImapCommand& command);

}  // namespace mailvault::imap
