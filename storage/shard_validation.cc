#include "storage/shard_validation.h"

#include <algorithm>

namespace mailvault {
namespace {

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

// RFC 9051 ATOM-CHAR: any CHAR except atom-specials.
bool IsAtomChar(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte <= 0x20 || byte >= 0x7f) return false;
  return std::string_view("(){%*\"\\]").find(c) == std::string_view::npos;
}

}  // namespace

Status ValidateAccountId(std::string_view account_id) {
  if (account_id.empty()) return Invalid("account id is empty");
  if (account_id.size() > kMaxAccountIdSize) return Invalid("account id is too long");
  if (HasControlCharacter(account_id)) return Invalid("account id contains a control character");
  return Status::Ok();
}

Status ValidateRegion(std::string_view region) {
  if (region.empty()) return Invalid("region is empty");
  if (region.size() > kMaxRegionSize) return Invalid("region is too long");
  if (HasControlCharacter(region)) return Invalid("region contains a control character");
  return Status::Ok();
}

Status ValidateMailboxName(std::string_view name) {
  if (name.empty()) return Invalid("mailbox name is empty");
  if (name.size() > kMaxMailboxNameSize) return Invalid("mailbox name is too long");
  // NUL, CR and LF can never be part of an IMAP mailbox name (RFC 9051 5.1).
  if (name.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) {
    return Invalid("mailbox name contains NUL, CR or LF");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> NormalizeFlags(const std::vector<std::string>& flags) {
  if (flags.size() > kMaxFlagsPerMessage) return Invalid("too many flags");
  for (const std::string& flag : flags) {
    std::string_view atom = flag;
    if (!atom.empty() && atom.front() == '\\') atom.remove_prefix(1);
    if (atom.empty()) return Invalid("empty flag");
    if (flag.size() > kMaxFlagSize) return Invalid("flag is too long");
    if (!std::all_of(atom.begin(), atom.end(), IsAtomChar)) {
      return Invalid("flag is not an IMAP atom");
    }
  }
  std::vector<std::string> normalized = flags;
  std::sort(normalized.begin(), normalized.end());
  normalized.erase(std::unique(normalized.begin(), normalized.end()), normalized.end());
  return normalized;
}

}  // namespace mailvault
