#include "common/imap/thread_args.h"

#include <string>

#include "common/imap/arg_reader.h"

namespace mailvault::imap {

Result<ThreadArgs> ParseThreadArgs(const ImapCommand& command) {
  const std::string_view name = command.uid ? "UID THREAD" : "THREAD";
  ArgReader reader(name, command.args);
  ThreadArgs args;
  // thread = ["UID" SP] "THREAD" SP thread-alg SP search-charset SP search-criteria
  MV_ASSIGN_OR_RETURN(const std::string algorithm, reader.Keyword("threading algorithm"));
  if (algorithm == "ORDEREDSUBJECT") {
    args.algorithm = ThreadAlgorithm::kOrderedSubject;
  } else if (algorithm == "REFERENCES") {
    args.algorithm = ThreadAlgorithm::kReferences;
  } else {
    return reader.Error("unknown threading algorithm " + algorithm.substr(0, 40));
  }
  MV_RETURN_IF_ERROR(ParseCharsetAndSearchKeys(name, reader, command.args, args.search));
  return args;
}

}  // namespace mailvault::imap
