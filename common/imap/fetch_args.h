// FETCH and UID FETCH arguments (RFC 9051 6.4.5, RFC 3516 BINARY, RFC 7162
// CONDSTORE).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/imap/partial_range.h"
#include "common/imap/sequence_set.h"
#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

enum class FetchItemKind {
  kEnvelope,
  kFlags,
  kInternalDate,
  kRfc822,        // = BODY[], sets \Seen
  kRfc822Header,  // = BODY.PEEK[HEADER]
  kRfc822Size,
  kRfc822Text,  // = BODY[TEXT], sets \Seen
  kBody,        // BODYSTRUCTURE without extension data
  kBodyStructure,
  kUid,
  kBodySection,  // BODY[...] / BODY.PEEK[...]
  kBinary,       // BINARY[...] / BINARY.PEEK[...]
  kBinarySize,   // BINARY.SIZE[...]
  kModSeq,
};

enum class SectionText {
  kAll,              // BODY[] or BODY[1.2]: the whole message or part
  kHeader,           // HEADER
  kHeaderFields,     // HEADER.FIELDS (...)
  kHeaderFieldsNot,  // HEADER.FIELDS.NOT (...)
  kText,             // TEXT
  kMime,             // MIME (only after a part number)
};

struct FetchSection {
  std::vector<uint32_t> part;  // "1.2.3" -> {1, 2, 3}; empty for the message
  SectionText text = SectionText::kAll;
  std::vector<std::string> header_fields;  // as sent; compare case-insensitively
  bool operator==(const FetchSection&) const = default;
};

struct FetchPartial {
  uint64_t offset = 0;
  uint64_t length = 0;  // > 0
  bool operator==(const FetchPartial&) const = default;
};

struct FetchItem {
  FetchItemKind kind = FetchItemKind::kFlags;
  bool peek = false;                    // BODY.PEEK / BINARY.PEEK
  FetchSection section;                 // kBodySection, kBinary, kBinarySize
  std::optional<FetchPartial> partial;  // kBodySection, kBinary
};

struct FetchArgs {
  SequenceSet set;
  // Macros expanded (ALL, FAST, FULL). Implied items added: UID for UID
  // FETCH, MODSEQ with CHANGEDSINCE (RFC 7162 3.1.4.1).
  std::vector<FetchItem> items;
  std::optional<uint64_t> changed_since;
  // (VANISHED), RFC 7162 QRESYNC: the expunged uids of the set since
  // changed_since come first, as VANISHED (EARLIER).
  bool vanished = false;
  // RFC 9394 3.3, UID FETCH only: of the messages the set names (and
  // CHANGEDSINCE leaves), only those at these positions, -1 the last.
  std::optional<PartialRange> partial;
  // Some item implicitly sets \Seen (BODY[...], BINARY[...], RFC822,
  // RFC822.TEXT): a read-write mailbox must store the flag and report it.
  bool sets_seen = false;
  // MODSEQ requested or CHANGEDSINCE given: CONDSTORE becomes enabled.
  bool uses_condstore = false;

  bool Has(FetchItemKind kind) const;
};

// Items asked for more than once are answered once; more than this many
// different ones (sections and partials counted apart) are BAD.
inline constexpr size_t kMaxFetchItems = 64;

Result<FetchArgs> ParseFetchArgs(const ImapCommand& command);

// A section-spec as it appears between BODY[ and ] ("1.2", "HEADER",
// "1.MIME", "HEADER.FIELDS (From To)"), for IMAP URLs' ;SECTION=
// (RFC 5092), which use FETCH's grammar. Errors are prefixed `command`.
Result<FetchSection> ParseSectionSpec(std::string_view text, std::string_view command);

}  // namespace mailvault::imap
