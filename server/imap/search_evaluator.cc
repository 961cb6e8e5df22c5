#include "server/imap/search_evaluator.h"

#include <algorithm>
#include <cctype>

#include "common/imap/imap_date.h"
#include "server/imap/mime/address_list.h"
#include "server/imap/mime/message_structure.h"

namespace mailvault::imap {
namespace {

bool HasFlag(const MessageMeta& m, std::string_view flag) {
  return std::any_of(m.flags.begin(), m.flags.end(), [&](const std::string& f) {
    return f.size() == flag.size() &&
           std::equal(f.begin(), f.end(), flag.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) ==
                    std::tolower(static_cast<unsigned char>(b));
           });
  });
}

// Case-insensitive substring match with Unicode case folding (RFC 9051
// leaves the comparator to the server; i;unicode-casemap is what clients
// expect of non-ASCII text).
bool ContainsText(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  return FoldCase(haystack).find(FoldCase(needle)) != std::string::npos;
}

bool HeaderContains(const SearchContext& c, std::string_view field, std::string_view text) {
  if (c.content == nullptr) return false;
  const auto values = c.content->HeaderValues(field);
  // HEADER field "": the message has the field at all.
  if (text.empty()) return !values.empty();
  return std::any_of(values.begin(), values.end(),
                     [&](const std::string& v) { return ContainsText(v, text); });
}

// FROM, TO, CC, BCC: the field as written, or any of its addresses as an
// RFC 5322 parser reads them, comments and folding whitespace gone, so that
// "user@domain.org" finds "<user (comment)@ (comment) domain.org>".
bool AddressContains(const SearchContext& c, std::string_view field, std::string_view text) {
  if (HeaderContains(c, field, text)) return true;
  if (c.content == nullptr) return false;
  for (const std::string& value : c.content->HeaderValues(field)) {
    for (const mime::EnvelopeAddress& address : mime::ParseAddressList(value)) {
      if (!address.mailbox || !address.host) continue;  // a group's start or end
      if (ContainsText(*address.mailbox + "@" + *address.host, text)) return true;
      if (address.name && ContainsText(*address.name, text)) return true;
    }
  }
  return false;
}

int64_t InternalDay(const MessageMeta& m) { return DateInZone(m.internal_date, 0).DaysSinceEpoch(); }

std::optional<int64_t> SentDay(const SearchContext& c) {
  if (c.content == nullptr) return std::nullopt;
  // RFC 9051: the date as the sender wrote it, in the sender's zone.
  auto sent = c.content->SentDateWithZone();
  if (!sent) return std::nullopt;
  return DateInZone(sent->unix_seconds, sent->zone_minutes).DaysSinceEpoch();
}

}  // namespace

bool Matches(const SearchKey& key, const SearchContext& c) {
  const MessageMeta& m = *c.meta;
  switch (key.kind) {
    case SearchKeyKind::kAll: return true;
    case SearchKeyKind::kAnswered: return HasFlag(m, "\\Answered");
    case SearchKeyKind::kDeleted: return HasFlag(m, "\\Deleted");
    case SearchKeyKind::kDraft: return HasFlag(m, "\\Draft");
    case SearchKeyKind::kFlagged: return HasFlag(m, "\\Flagged");
    case SearchKeyKind::kSeen: return HasFlag(m, "\\Seen");
    case SearchKeyKind::kRecent: return c.recent;
    case SearchKeyKind::kNew: return c.recent && !HasFlag(m, "\\Seen");
    case SearchKeyKind::kOld: return !c.recent;
    case SearchKeyKind::kUnanswered: return !HasFlag(m, "\\Answered");
    case SearchKeyKind::kUndeleted: return !HasFlag(m, "\\Deleted");
    case SearchKeyKind::kUndraft: return !HasFlag(m, "\\Draft");
    case SearchKeyKind::kUnflagged: return !HasFlag(m, "\\Flagged");
    case SearchKeyKind::kUnseen: return !HasFlag(m, "\\Seen");
    case SearchKeyKind::kKeyword: return HasFlag(m, key.text);
    case SearchKeyKind::kUnkeyword: return !HasFlag(m, key.text);
    case SearchKeyKind::kBefore: return InternalDay(m) < key.date.DaysSinceEpoch();
    case SearchKeyKind::kOn: return InternalDay(m) == key.date.DaysSinceEpoch();
    case SearchKeyKind::kSince: return InternalDay(m) >= key.date.DaysSinceEpoch();
    case SearchKeyKind::kSentBefore: {
      auto day = SentDay(c);
      return day && *day < key.date.DaysSinceEpoch();
    }
    case SearchKeyKind::kSentOn: {
      auto day = SentDay(c);
      return day && *day == key.date.DaysSinceEpoch();
    }
    case SearchKeyKind::kSentSince: {
      auto day = SentDay(c);
      return day && *day >= key.date.DaysSinceEpoch();
    }
    case SearchKeyKind::kLarger: return m.size > key.number;
    case SearchKeyKind::kSmaller: return m.size < key.number;
    case SearchKeyKind::kUid:
      if (key.set.is_saved_result()) {
        return c.saved_uids != nullptr &&
               std::binary_search(c.saved_uids->begin(), c.saved_uids->end(), m.uid);
      }
      return key.set.Resolve(c.max_uid).Contains(m.uid);
    case SearchKeyKind::kSequenceSet:
      if (key.set.is_saved_result()) {
        return c.saved_uids != nullptr &&
               std::binary_search(c.saved_uids->begin(), c.saved_uids->end(), m.uid);
      }
      return key.set.Resolve(c.message_count).Contains(c.seq);
    case SearchKeyKind::kModSeq: return m.modseq >= key.number;
    case SearchKeyKind::kNot: return !Matches(key.children[0], c);
    case SearchKeyKind::kOr: return Matches(key.children[0], c) || Matches(key.children[1], c);
    case SearchKeyKind::kAnd:
      return std::all_of(key.children.begin(), key.children.end(),
                         [&](const SearchKey& k) { return Matches(k, c); });
    case SearchKeyKind::kBcc: return AddressContains(c, "Bcc", key.text);
    case SearchKeyKind::kCc: return AddressContains(c, "Cc", key.text);
    case SearchKeyKind::kFrom: return AddressContains(c, "From", key.text);
    case SearchKeyKind::kTo: return AddressContains(c, "To", key.text);
    case SearchKeyKind::kSubject: return HeaderContains(c, "Subject", key.text);
    case SearchKeyKind::kHeader: return HeaderContains(c, key.text, key.value);
    case SearchKeyKind::kBody:
      return c.content != nullptr && ContainsText(c.content->BodyText(), key.text);
    case SearchKeyKind::kText:
      return c.content != nullptr &&
             (ContainsText(c.content->BodyText(), key.text) ||
              ContainsText(c.content->Section(FetchSection{{}, SectionText::kHeader, {}}), key.text));
  }
  return false;
}

}  // namespace mailvault::imap
