#include "server/vault_commands.h"

#include <sodium.h>

#include <algorithm>
#include <optional>

#include "common/crypto/keys.h"
#include "common/imap/mailbox_name.h"
#include "common/imap/sequence_set.h"
#include "server/account_id.h"

namespace mailvault {
namespace {

imap::ExtensionReply Bad(std::string text) { return {{}, "BAD", "", std::move(text)}; }
imap::ExtensionReply No(std::string code, std::string text) {
  return {{}, "NO", std::move(code), std::move(text)};
}

std::optional<std::string> Base64Decode(std::string_view text, size_t expected_size) {
  std::string out(expected_size, '\0');
  size_t size = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &size, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      size != expected_size) {
    return std::nullopt;
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

bool IsStringArg(const imap::ImapToken& t) { return t.IsString() || t.kind == imap::TokenKind::kAtom; }

}  // namespace

bool VaultCommands::Handles(std::string_view name) const {
  return name == "XENROLL" || name == "XKEYS" || name == "XWRAPS" || name == "XSUMMARIES";
}

imap::ExtensionReply VaultCommands::Execute(const imap::ImapCommand& command,
                                            imap::MailBackend* backend) {
  if (command.uid) return Bad("UID is not valid with " + command.name);
  if (command.name == "XENROLL") {
    if (backend != nullptr) return Bad("XENROLL is for an account that is not logged in");
    return Enroll(command);
  }
  if (backend == nullptr) return Bad("Log in first");
  if (command.name == "XKEYS") return ListKeys(backend);
  return FetchSealedParts(command, backend);
}

// XENROLL account token encryption-public-key signing-public-key
// (keys in base64): registers the first device's keys with the one-time
// enrollment token, which is burnt.
imap::ExtensionReply VaultCommands::Enroll(const imap::ImapCommand& command) {
  const auto& args = command.args;
  if (args.size() != 4 || !std::all_of(args.begin(), args.end(), IsStringArg)) {
    return Bad("Syntax: XENROLL account token encryption-key signing-key");
  }
  const auto encryption = Base64Decode(args[2].text, kEncryptionPublicKeySize);
  const auto signing = Base64Decode(args[3].text, kSigningPublicKeySize);
  if (!encryption || !signing) return Bad("Keys must be 32 bytes in base64");
  const std::string& account = args[0].text;
  if (Status s = accounts_.ConsumeEnrollmentToken(account, args[1].text); !s.ok()) {
    // One answer for an unknown account and a bad token.
    return No("AUTHENTICATIONFAILED", "Enrollment refused: unknown account or invalid token");
  }
  auto shard = accounts_.ShardFor(account);
  if (!shard.ok()) return No("UNAVAILABLE", "The account is not served here");
  const std::string id = NormalizeAccountId(account);
  Status s = (*shard)->RegisterPublicKey(id, PublicKeyKind::kEncryption, *encryption);
  if (s.ok()) s = (*shard)->RegisterPublicKey(id, PublicKeyKind::kSigning, *signing);
  if (!s.ok()) return No("CANNOT", "Keys not registered: " + s.message());
  return {{}, "OK", "", "Enrolled: encryption key " + KeyIdOf(*encryption).ToHex() +
                            ", signing key " + KeyIdOf(*signing).ToHex()};
}

// XWRAPS mailbox key-id uid-set: "* XWRAP uid blob-id base64-wrap" for each
// message that has a wrap for the key.
// XSUMMARIES mailbox uid-set: "* XSUMMARY uid blob-id base64-summary".
imap::ExtensionReply VaultCommands::FetchSealedParts(const imap::ImapCommand& command,
                                                     imap::MailBackend* backend) {
  const bool wraps = command.name == "XWRAPS";
  const auto& args = command.args;
  const size_t expected = wraps ? 3 : 2;
  if (args.size() != expected || !std::all_of(args.begin(), args.end(), IsStringArg)) {
    return Bad(wraps ? "Syntax: XWRAPS mailbox key-id uid-set"
                     : "Syntax: XSUMMARIES mailbox uid-set");
  }
  auto mailbox = imap::MailboxNameFromWire(args[0].text, imap::MailboxNameEncoding::kUtf8);
  if (!mailbox.ok()) return Bad(mailbox.status().message());
  std::optional<KeyId> key_id;
  if (wraps) {
    key_id = KeyId::FromHex(args[1].text);
    if (!key_id) return Bad("The key id must be 32 hex digits");
  }
  auto set = imap::SequenceSet::Parse(args.back().text);
  if (!set.ok() || set->is_saved_result()) return Bad("Invalid uid set");
  auto shard = accounts_.ShardFor(backend->account());
  if (!shard.ok()) return No("UNAVAILABLE", "The account is not served here");
  const std::string& account = backend->account();
  auto entries = (*shard)->ListMessages(account, *mailbox, 1, UINT32_MAX);
  if (!entries.ok()) {
    if (entries.code() == ErrorCode::kNotFound) return No("NONEXISTENT", "No such mailbox");
    return No("SERVERBUG", "Messages could not be read; try again");
  }
  const uint32_t max_uid = entries->empty() ? 0 : entries->back().uid;
  const imap::NumberSet uids = set->Resolve(max_uid);
  imap::ExtensionReply reply;
  for (const MessageEntry& entry : *entries) {
    if (!uids.Contains(entry.uid)) continue;
    std::string line = (wraps ? "XWRAP " : "XSUMMARY ") + std::to_string(entry.uid) + " " +
                       entry.blob_id.ToHex() + " ";
    if (wraps) {
      auto wrap = (*shard)->FetchWrap(account, entry.blob_id, *key_id);
      if (!wrap.ok()) continue;  // no wrap for this key: nothing to say
      line += Base64Encode(wrap->sealed_key);
    } else {
      auto summary = (*shard)->FetchSummary(account, entry.blob_id);
      if (!summary.ok()) continue;
      line += Base64Encode(*summary);
    }
    reply.untagged.push_back(std::move(line));
  }
  reply.text = command.name + " completed";
  return reply;
}

// XKEYS: "* XKEY keyid ENCRYPTION|SIGNING base64-key registered-at ACTIVE|REVOKED"
imap::ExtensionReply VaultCommands::ListKeys(imap::MailBackend* backend) {
  auto shard = accounts_.ShardFor(backend->account());
  if (!shard.ok()) return No("UNAVAILABLE", "The account is not served here");
  auto keys = (*shard)->ListPublicKeys(backend->account());
  if (!keys.ok()) return No("SERVERBUG", "Keys could not be read; try again");
  imap::ExtensionReply reply;
  for (const PublicKeyRecord& key : *keys) {
    reply.untagged.push_back(
        "XKEY " + key.key_id.ToHex() +
        (key.kind == PublicKeyKind::kEncryption ? " ENCRYPTION " : " SIGNING ") +
        Base64Encode(key.public_key) + " " + std::to_string(key.registered_at) +
        (key.revoked ? " REVOKED" : " ACTIVE"));
  }
  reply.text = "XKEYS completed";
  return reply;
}

}  // namespace mailvault
