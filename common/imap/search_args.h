// SEARCH and UID SEARCH arguments: the RFC 9051 search-key grammar as a
// tree, RETURN options (ESEARCH, RFC 4731 / RFC 9051; SAVE from RFC 5182),
// CHARSET, and MODSEQ (RFC 7162).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/imap/arg_reader.h"
#include "common/imap/imap_date.h"
#include "common/imap/partial_range.h"
#include "common/imap/sequence_set.h"
#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

// NOT, OR and parentheses nested deeper than this are refused: the
// receiver's list depth limit does not bound "NOT NOT NOT ...".
inline constexpr size_t kMaxSearchDepth = 32;

enum class SearchKeyKind {
  kAll,
  // Flags. RECENT, NEW and OLD are IMAP4rev1 only but harmless to accept.
  kAnswered,
  kDeleted,
  kDraft,
  kFlagged,
  kSeen,
  kRecent,
  kNew,
  kOld,
  kUnanswered,
  kUndeleted,
  kUndraft,
  kUnflagged,
  kUnseen,
  kKeyword,
  kUnkeyword,  // text = the keyword
  // Dates: date. BEFORE/ON/SINCE compare the internal date, SENT* the
  // Date: header, both by calendar date.
  kBefore,
  kOn,
  kSince,
  kSentBefore,
  kSentOn,
  kSentSince,
  kLarger,
  kSmaller,      // number = size in octets
  kUid,          // set (UIDs)
  kSequenceSet,  // set (message numbers)
  kModSeq,       // number; text = entry name, value = entry type, if given
  kNot,          // children[0]
  kOr,           // children[0], children[1]
  kAnd,          // children (a parenthesised list, or the top level)
  // Content keys: they need the message itself (on the vault: a clear NO).
  kBcc,
  kBody,
  kCc,
  kFrom,
  kHeader,
  kSubject,
  kText,
  kTo,  // text; HEADER: text=field, value
};

struct SearchKey {
  SearchKeyKind kind = SearchKeyKind::kAll;
  std::string text;
  std::string value;
  ImapDate date;
  uint64_t number = 0;
  SequenceSet set;
  std::vector<SearchKey> children;

  bool IsContentKey() const;
};

struct SearchReturnOptions {
  bool min = false;
  bool max = false;
  bool all = false;
  bool count = false;
  bool save = false;  // RFC 5182: remember the result as "$"
  // RFC 5267 section 4 (CONTEXT=SEARCH, CONTEXT=SORT). CONTEXT is a hint
  // the server may ignore; UPDATE asks for ADDTO/REMOVEFROM as the results
  // change while the mailbox stays selected.
  bool context = false;
  bool update = false;
  // RFC 5465 7 (with NOTIFY): "UPDATE (fetch-att ...)", fetched for each
  // new message that joins the results, before its ADDTO.
  std::optional<ImapToken> update_fetch;
  // RFC 9394: a window of the results instead of ALL.
  std::optional<PartialRange> partial;

  // No result was asked for but ALL is implied: "RETURN ()", or only
  // CONTEXT or UPDATE (SAVE alone asks for nothing, RFC 5182 2.1).
  bool ImpliesAll() const;
};

struct SearchArgs {
  // RETURN was given: the answer is ESEARCH (RFC 9051 7.3.4). "RETURN ()"
  // means RETURN (ALL).
  bool esearch = false;
  SearchReturnOptions returns;
  // Upper-cased, empty when not given. The parser accepts any name; the
  // session answers NO [BADCHARSET (UTF-8 US-ASCII)] for one that
  // IsSupportedSearchCharset rejects.
  std::string charset;
  SearchKey key;  // kAnd of the top-level keys

  bool has_content_keys = false;   // somewhere in the tree
  bool uses_modseq = false;        // a MODSEQ key: CONDSTORE becomes enabled
  bool uses_saved_result = false;  // some set is "$"
};

bool IsSupportedSearchCharset(std::string_view charset);

Result<SearchArgs> ParseSearchArgs(const ImapCommand& command);

// The parts SORT and THREAD (RFC 5256) share with SEARCH. A RETURN option
// list: MIN MAX ALL COUNT SAVE CONTEXT UPDATE and PARTIAL range, each at
// most once, PARTIAL not with ALL; "()" means ALL (RFC 4731, RFC 5267,
// RFC 9394).
Status ParseSearchReturnOptions(std::string_view command, const ImapToken& list,
                                SearchReturnOptions& returns);
// The search keys from tokens[start] to the end, ANDed into args.key, with
// the flags (content keys, MODSEQ, "$") set on `args`.
Status ParseSearchKeys(std::string_view command, const std::vector<ImapToken>& tokens, size_t start,
                       SearchArgs& args);
// SORT's and THREAD's tail: the charset they require, then the search keys.
Status ParseCharsetAndSearchKeys(std::string_view command, ArgReader& reader,
                                 const std::vector<ImapToken>& tokens, SearchArgs& args);

}  // namespace mailvault::imap
