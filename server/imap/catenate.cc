#include "server/imap/catenate.h"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "common/imap/imap_url.h"
#include "common/imap/mailbox_name.h"
#include "server/imap/mime/message_structure.h"
#include "server/imap/mime/nul_free_message.h"

namespace mailvault::imap {
namespace {

// What one join has read: the mailboxes' listings (an RFC 4469 message
// often names the same message for several parts) and the messages.
struct ReadCache {
  std::map<std::string, MailboxSnapshot> mailboxes;
  std::map<std::pair<std::string, uint32_t>, std::string> messages;

  ~ReadCache() {
    for (auto& [key, bytes] : messages) sodium_memzero(bytes.data(), bytes.size());
  }
};

Status Unresolved(std::string message) { return Status(ErrorCode::kNotFound, std::move(message)); }

Result<const std::string*> ReadMessage(MailBackend& backend, const std::string& mailbox,
                                       const ImapMessageUrl& url, ReadCache& cache) {
  auto listed = cache.mailboxes.find(mailbox);
  if (listed == cache.mailboxes.end()) {
    auto snapshot = backend.Snapshot(mailbox);
    if (!snapshot.ok()) {
      if (snapshot.code() == ErrorCode::kNotFound) return Unresolved("no mailbox " + mailbox);
      return Unresolved("mailbox " + mailbox + " cannot be read: " + snapshot.status().message());
    }
    listed = cache.mailboxes.emplace(mailbox, std::move(snapshot).value()).first;
  }
  const MailboxSnapshot& snapshot = listed->second;
  if (url.uidvalidity && *url.uidvalidity != snapshot.info.uidvalidity) {
    return Unresolved("the UIDVALIDITY of " + mailbox + " is " +
                      std::to_string(snapshot.info.uidvalidity) + ", not " +
                      std::to_string(*url.uidvalidity));
  }
  auto meta = std::lower_bound(snapshot.messages.begin(), snapshot.messages.end(), url.uid,
                               [](const MessageMeta& m, uint32_t uid) { return m.uid < uid; });
  if (meta == snapshot.messages.end() || meta->uid != url.uid) {
    return Unresolved("no message with UID " + std::to_string(url.uid) + " in " + mailbox);
  }
  const auto key = std::make_pair(mailbox, url.uid);
  auto read = cache.messages.find(key);
  if (read == cache.messages.end()) {
    auto bytes = backend.FetchMessage(mailbox, *meta);
    if (!bytes.ok()) {
      return Unresolved("message " + std::to_string(url.uid) + " of " + mailbox +
                        " cannot be read: " + bytes.status().message());
    }
    std::string stored = std::move(bytes).value();
    // A URL stands for what FETCH serves (BODY[section]<partial>, RFC
    // 4469 5.1), which for a message with NUL bytes is its NUL-free form:
    // PARTIAL offsets count in it.
    if (std::optional<std::string> served = mime::NulFreeMessage(stored)) {
      sodium_memzero(stored.data(), stored.size());
      stored = std::move(*served);
    }
    read = cache.messages.emplace(key, std::move(stored)).first;
  }
  return &read->second;
}

// The bytes a URL part stands for: the message, its section, the partial
// range of either.
Status AppendUrlPart(MailBackend& backend, std::string_view url_text, ReadCache& cache,
                     std::string& out) {
  MV_ASSIGN_OR_RETURN(ImapMessageUrl url, ParseImapMessageUrl(url_text));
  // RFC 5092 mailbox names are UTF-8, %-escaped.
  auto mailbox = MailboxNameFromWire(url.mailbox, MailboxNameEncoding::kUtf8);
  if (!mailbox.ok()) return Unresolved(mailbox.status().message());
  MV_ASSIGN_OR_RETURN(const std::string* message, ReadMessage(backend, *mailbox, url, cache));
  std::string section;
  std::string_view bytes = *message;
  if (url.section) {
    MV_ASSIGN_OR_RETURN(MessageStructure structure, MessageStructure::Parse(*message));
    section = structure.Section(*url.section);
    bytes = section;
  }
  if (url.partial) {
    const uint64_t offset = std::min<uint64_t>(url.partial->offset, bytes.size());
    const uint64_t length = url.partial->length == 0 ? bytes.size() - offset : url.partial->length;
    bytes = bytes.substr(offset, length);
  }
  out.append(bytes);
  sodium_memzero(section.data(), section.size());
  return Status::Ok();
}

}  // namespace

std::string BadUrlCode(std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string code = "BADURL ";
  for (char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == ']' || byte < 0x20 || byte == 0x7f) {
      code += '%';
      code += kHex[byte >> 4];
      code += kHex[byte & 15];
    } else {
      code += c;
    }
  }
  return code;
}

std::optional<CatenateFailure> JoinCatenateParts(MailBackend& backend,
                                                 std::vector<CatenatePart>& parts,
                                                 uint64_t max_size, std::string& message) {
  ReadCache cache;
  message.clear();
  for (CatenatePart& part : parts) {
    if (part.kind == CatenatePart::Kind::kText) {
      message += part.text;
      sodium_memzero(part.text.data(), part.text.size());
    } else if (Status added = AppendUrlPart(backend, part.text, cache, message); !added.ok()) {
      sodium_memzero(message.data(), message.size());
      return CatenateFailure{BadUrlCode(part.text), added.message()};
    }
    if (message.size() > max_size) {
      sodium_memzero(message.data(), message.size());
      return CatenateFailure{"TOOBIG", "The joined message exceeds the limit of " +
                                           std::to_string(max_size) + " bytes"};
    }
  }
  return std::nullopt;
}

}  // namespace mailvault::imap
