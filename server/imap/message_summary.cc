#include "server/imap/message_summary.h"

#include <optional>

#include "server/imap/base_subject.h"
#include "server/imap/mime/address_list.h"
#include "server/imap/mime/message_structure.h"
#include "server/imap/mime/unicode_casemap.h"

namespace mailvault::imap {
namespace {

// The envelope parser's stand-ins for missing parts are not text to sort by.
std::string Present(const std::optional<std::string>& part) {
  if (!part || *part == "MISSING_MAILBOX" || *part == "MISSING_DOMAIN") return "";
  return *part;
}

// The first address of the first field called `name`; group markers (no
// host) are skipped, so "team: a@b;" sorts by a@b.
std::optional<mime::EnvelopeAddress> FirstAddress(const MessageStructure& message,
                                                  std::string_view name) {
  const std::vector<std::string> values = message.RawHeaderValues(name);
  if (values.empty()) return std::nullopt;
  for (mime::EnvelopeAddress& address : mime::ParseAddressList(values.front())) {
    if (address.host) return std::move(address);
  }
  return std::nullopt;
}

std::string MailboxKey(const std::optional<mime::EnvelopeAddress>& address) {
  if (!address) return "";
  return UnicodeCasemapKey(Present(address->mailbox));
}

// RFC 5957: the display name, RFC 2047 decoded, when there is a non-empty
// one; else the addr-spec.
std::string DisplayKey(const std::optional<mime::EnvelopeAddress>& address) {
  if (!address) return "";
  if (address->name) {
    const std::string name = DecodeHeaderText(*address->name);
    if (!name.empty()) return UnicodeCasemapKey(name);
  }
  const std::string host = Present(address->host);
  const std::string mailbox = Present(address->mailbox);
  return UnicodeCasemapKey(host.empty() ? mailbox : mailbox + "@" + host);
}

std::string FirstMessageId(const MessageStructure& message, std::string_view field) {
  for (const std::string& value : message.RawHeaderValues(field)) {
    std::vector<std::string> ids = ParseMessageIds(value);
    if (!ids.empty()) return std::move(ids.front());
  }
  return "";
}

bool IsIdChar(char c) {
  return c != '<' && c != '>' && c != ' ' && c != '\t' && c != '"' && c != '(' && c != ')' &&
         c != '\0';
}

}  // namespace

std::vector<std::string> ParseMessageIds(std::string_view value) {
  std::vector<std::string> ids;
  size_t i = 0;
  while ((i = value.find('<', i)) != std::string_view::npos) {
    size_t j = i + 1;
    while (j < value.size() && IsIdChar(value[j])) ++j;
    if (j < value.size() && value[j] == '>') {
      const std::string_view inner = value.substr(i + 1, j - i - 1);
      const size_t at = inner.find('@');
      if (at != std::string_view::npos && at > 0 && at + 1 < inner.size() &&
          inner.find('@', at + 1) == std::string_view::npos) {
        ids.emplace_back(value.substr(i, j - i + 1));
      }
      i = j + 1;
    } else {
      i = j;  // a "<" inside or an unterminated id: look on from where it broke
    }
  }
  return ids;
}

MessageSummary SummarizeMeta(uint32_t seq, const MessageMeta& meta) {
  MessageSummary summary;
  summary.seq = seq;
  summary.uid = meta.uid;
  summary.modseq = meta.modseq;
  summary.arrival = meta.internal_date;
  summary.size = meta.size;
  summary.sent_date = meta.internal_date;
  return summary;
}

void SummarizeContent(const MessageStructure& message, MessageSummary& summary) {
  if (const auto sent = message.SentDate()) summary.sent_date = *sent;
  const std::vector<std::string> subjects = message.HeaderValues("Subject");
  if (!subjects.empty()) {
    BaseSubject base = ExtractBaseSubject(subjects.front());
    summary.subject = UnicodeCasemapKey(base.text);
    summary.reply_or_forward = base.reply_or_forward;
  }
  const auto from = FirstAddress(message, "From");
  const auto to = FirstAddress(message, "To");
  summary.from = MailboxKey(from);
  summary.to = MailboxKey(to);
  summary.cc = MailboxKey(FirstAddress(message, "Cc"));
  summary.display_from = DisplayKey(from);
  summary.display_to = DisplayKey(to);
  summary.message_id = FirstMessageId(message, "Message-ID");
  for (const std::string& value : message.RawHeaderValues("References")) {
    for (std::string& id : ParseMessageIds(value)) summary.references.push_back(std::move(id));
  }
  if (summary.references.empty()) {
    std::string parent = FirstMessageId(message, "In-Reply-To");
    if (!parent.empty()) summary.references.push_back(std::move(parent));
  }
}

}  // namespace mailvault::imap
