#include "common/mail/header_summary.h"

#include <algorithm>
#include <cctype>

namespace mailvault {
namespace {

constexpr size_t kMaxFieldSize = 2048;  // a summary is for listing, not archiving

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IContains(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char x, char y) {
                       return std::tolower(static_cast<unsigned char>(x)) ==
                              std::tolower(static_cast<unsigned char>(y));
                     }) != haystack.end();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Unfolds a header value (RFC 5322 2.2.3): CRLF followed by WSP is removed.
// Built in place, with no temporary: the value is plaintext, and a freed
// copy would not be wiped (SealMessage wipes the summary it seals).
std::string Unfold(std::string_view raw) {
  raw = Trim(raw);
  std::string out;
  out.reserve(std::min(raw.size(), kMaxFieldSize));
  for (char c : raw) {
    if (c == '\r' || c == '\n') continue;
    if (out.size() == kMaxFieldSize) break;
    out.push_back(c);
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  return out;
}

}  // namespace

MessageSummary SummarizeMessage(std::string_view message) {
  MessageSummary summary;
  summary.size = message.size();
  std::string_view rest = message;
  std::string_view content_type;
  while (!rest.empty()) {
    // One header field: a line and its continuation lines.
    size_t end = 0;
    for (;;) {
      const size_t lf = rest.find('\n', end);
      if (lf == std::string_view::npos) {
        end = rest.size();
        break;
      }
      end = lf + 1;
      if (end >= rest.size() || (rest[end] != ' ' && rest[end] != '\t')) break;
    }
    const std::string_view field = rest.substr(0, end);
    rest.remove_prefix(end);
    if (Trim(field).empty()) break;  // the blank line that ends the header section
    const size_t colon = field.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = Trim(field.substr(0, colon));
    const std::string_view value = field.substr(colon + 1);
    struct Slot {
      std::string_view name;
      std::string* out;
    };
    for (const Slot& slot : {Slot{"From", &summary.from}, Slot{"To", &summary.to},
                             Slot{"Subject", &summary.subject}, Slot{"Date", &summary.date},
                             Slot{"Message-ID", &summary.message_id}}) {
      if (IEquals(name, slot.name) && slot.out->empty()) *slot.out = Unfold(value);
    }
    if (IEquals(name, "Content-Type")) content_type = value;
  }
  // A listing hint, not a MIME parse: the customer's side parses for real.
  summary.has_attachment = IContains(content_type, "multipart/mixed") ||
                           IContains(message, "Content-Disposition: attachment");
  return summary;
}

}  // namespace mailvault
