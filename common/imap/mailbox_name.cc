#include "common/imap/mailbox_name.h"

#include <algorithm>
#include <cstdio>

#include "common/imap/modified_utf7.h"
#include "common/imap/utf8.h"

namespace mailvault::imap {
namespace {

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

bool StartsWithInbox(std::string_view name) {
  if (name.size() < 5) return false;
  static constexpr char kInbox[] = "INBOX";
  for (size_t i = 0; i < 5; ++i) {
    char c = name[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (c != kInbox[i]) return false;
  }
  return name.size() == 5 || name[5] == kHierarchyDelimiter;
}

}  // namespace

bool IsInboxName(std::string_view name) { return name.size() == 5 && StartsWithInbox(name); }

std::string NormalizeInbox(std::string name) {
  if (StartsWithInbox(name)) name.replace(0, 5, "INBOX");
  return name;
}

Status ValidateMailboxName(std::string_view name) {
  if (name.empty()) return Invalid("empty mailbox name");
  if (name.size() > kMaxMailboxNameBytes) {
    return Invalid("mailbox name longer than " + std::to_string(kMaxMailboxNameBytes) + " bytes");
  }
  if (!IsValidUtf8(name)) return Invalid("mailbox name is not valid UTF-8");
  size_t levels = 1;
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "control character 0x%02X in mailbox name", c);
      return Invalid(buf);
    }
    if (c == '%' || c == '*') {
      return Invalid(std::string("wildcard '") + static_cast<char>(c) +
                     "' is not allowed in a mailbox name");
    }
    if (c == kHierarchyDelimiter) {
      if (i == 0) return Invalid("mailbox name must not start with the hierarchy delimiter '/'");
      if (i + 1 == name.size()) {
        return Invalid("mailbox name must not end with the hierarchy delimiter '/'");
      }
      if (name[i + 1] == kHierarchyDelimiter)
        return Invalid("empty hierarchy level in mailbox name");
      if (++levels > kMaxMailboxNameLevels) {
        return Invalid("mailbox name has more than " + std::to_string(kMaxMailboxNameLevels) +
                       " hierarchy levels");
      }
    }
  }
  return Status::Ok();
}

Status ValidateNewMailboxName(std::string_view name) {
  size_t begin = 0;
  for (;;) {
    const size_t end = std::min(name.find(kHierarchyDelimiter, begin), name.size());
    const std::string_view level = name.substr(begin, end - begin);
    if (level == "." || level == "..") {
      return Invalid("hierarchy level \"" + std::string(level) +
                     "\" is not allowed in a new mailbox name");
    }
    if (end == name.size()) return Status::Ok();
    begin = end + 1;
  }
}

Result<std::string> MailboxNameFromWire(std::string_view wire, MailboxNameEncoding encoding,
                                        MailboxNameUse use) {
  std::string name;
  if (encoding == MailboxNameEncoding::kModifiedUtf7) {
    MV_ASSIGN_OR_RETURN(name, DecodeModifiedUtf7(wire));
  } else {
    name.assign(wire);
  }
  if (use == MailboxNameUse::kCreate && name.size() > 1 && name.back() == kHierarchyDelimiter) {
    name.pop_back();
  }
  MV_RETURN_IF_ERROR(ValidateMailboxName(name));
  return NormalizeInbox(std::move(name));
}

Result<std::string> MailboxNameToWire(std::string_view name, MailboxNameEncoding encoding) {
  if (encoding == MailboxNameEncoding::kUtf8) {
    if (!IsValidUtf8(name)) return Invalid("mailbox name is not valid UTF-8");
    return std::string(name);
  }
  return EncodeModifiedUtf7(name);
}

}  // namespace mailvault::imap
