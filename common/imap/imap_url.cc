#include "common/imap/imap_url.h"

#include <charconv>

#include "common/imap/arg_reader.h"
#include "common/imap/lexical.h"

namespace mailvault::imap {
namespace {

Status UrlError(std::string_view message) {
  return Status(ErrorCode::kInvalidArgument, std::string(message));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view text, std::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return UrlError("invalid %-escape in the " + std::string(what));
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

Result<uint64_t> Digits(std::string_view text, std::string_view what, uint64_t max) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value > max) {
    return UrlError("invalid " + std::string(what) + " \"" + ErrorExcerpt(text, 24) +
                    "\"");
  }
  return value;
}

Result<uint32_t> NonZero32(std::string_view text, std::string_view what) {
  MV_ASSIGN_OR_RETURN(uint64_t value, Digits(text, what, UINT32_MAX));
  if (value == 0) return UrlError(std::string(what) + " must not be 0");
  return static_cast<uint32_t>(value);
}

// ";PARTIAL=" partial-range: number ["." nz-number].
Result<FetchPartial> ParsePartialRange(std::string_view text) {
  FetchPartial partial;
  const size_t dot = text.find('.');
  MV_ASSIGN_OR_RETURN(partial.offset, Digits(text.substr(0, dot), "PARTIAL offset", UINT64_MAX));
  if (dot != std::string_view::npos) {
    MV_ASSIGN_OR_RETURN(partial.length, Digits(text.substr(dot + 1), "PARTIAL length", UINT64_MAX));
    if (partial.length == 0) return UrlError("PARTIAL length must not be 0");
  }
  return partial;
}

}  // namespace

Result<ImapMessageUrl> ParseImapMessageUrl(std::string_view url) {
  if (url.substr(0, 7) == "imap://" || UpperAscii(url.substr(0, 7)) == "IMAP://") {
    return UrlError("only server-relative URLs (/mailbox;UIDVALIDITY=n/;UID=m) are accepted");
  }
  if (url.empty() || url.front() != '/') {
    return UrlError("expected a URL of the form /mailbox;UIDVALIDITY=n/;UID=m[/;SECTION=s]");
  }
  // enc-mailbox has no ';' (it may have '/', a hierarchy delimiter), so the
  // first ';' ends it; a '/' before it separates it from ";UID=".
  const size_t semicolon = url.find(';');
  if (semicolon == std::string_view::npos) return UrlError("the URL names no message (;UID=)");
  std::string_view mailbox = url.substr(1, semicolon - 1);
  const bool uid_follows = !mailbox.empty() && mailbox.back() == '/';
  if (uid_follows) mailbox.remove_suffix(1);
  if (mailbox.empty()) return UrlError("the URL names no mailbox");
  ImapMessageUrl parsed;
  MV_ASSIGN_OR_RETURN(parsed.mailbox, PercentDecode(mailbox, "mailbox name"));

  // Then ";KEY=value" parameters in the order RFC 5092 gives them, each
  // after the first introduced by "/" (URLAUTH, directly by ";").
  enum Step { kUidValidity, kUid, kSection, kPartial, kDone };
  Step next = uid_follows ? kUid : kUidValidity;
  std::string_view rest = url.substr(semicolon);
  for (bool first = true; !rest.empty(); first = false) {
    const std::string head = UpperAscii(rest.substr(0, 9));
    if (head == ";URLAUTH=" || head.substr(0, 8) == ";EXPIRE=") {
      return UrlError("URLAUTH is not supported: name a message of your own account");
    }
    if (!first) {
      if (rest.substr(0, 2) != "/;") {
        return UrlError("unexpected \"" + ErrorExcerpt(rest, 24) + "\" in the URL");
      }
      rest.remove_prefix(1);
    }
    rest.remove_prefix(1);  // ';'
    const size_t end = rest.find_first_of("/;");
    const std::string_view param = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    const size_t equals = param.find('=');
    const std::string key = UpperAscii(param.substr(0, equals));
    const std::string_view value =
        equals == std::string_view::npos ? std::string_view() : param.substr(equals + 1);
    if (key == "UIDVALIDITY" && next == kUidValidity) {
      MV_ASSIGN_OR_RETURN(parsed.uidvalidity, NonZero32(value, "UIDVALIDITY"));
      next = kUid;
    } else if (key == "UID" && next <= kUid) {
      MV_ASSIGN_OR_RETURN(parsed.uid, NonZero32(value, "UID"));
      next = kSection;
    } else if (key == "SECTION" && next == kSection) {
      MV_ASSIGN_OR_RETURN(std::string section, PercentDecode(value, "section"));
      MV_ASSIGN_OR_RETURN(parsed.section, ParseSectionSpec(section, "URL"));
      next = kPartial;
    } else if (key == "PARTIAL" && (next == kSection || next == kPartial)) {
      MV_ASSIGN_OR_RETURN(parsed.partial, ParsePartialRange(value));
      next = kDone;
    } else {
      return UrlError("unexpected ;" + ErrorExcerpt(key, 24) + " in the URL");
    }
  }
  if (parsed.uid == 0) return UrlError("the URL names no message (;UID=)");
  return parsed;
}

}  // namespace mailvault::imap
