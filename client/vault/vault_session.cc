#include "client/vault/vault_session.h"

#include <algorithm>
#include <charconv>

#include "common/crypto/account_log.h"
#include "common/mail/account_id.h"
#include "common/crypto/key_statements.h"
#include "common/crypto/sealed_upload.h"
#include "common/imap/imap_date.h"
#include "common/base64.h"
#include "common/imap/sequence_set.h"

namespace mailvault::client {
namespace {

using imap::ImapToken;
using imap::TokenKind;

// XWRAPS PUT takes at most 1000 pairs, but inline each takes 142 bytes of a
// 64 KiB command line (docs/PROTOCOL.md): 400 leave room to spare.
constexpr size_t kWrapsPerPut = 400;

bool Is(const ImapToken& t, std::string_view word) {
  if (!t.IsAtomLike() || t.text.size() != word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.text[i])) != word[i]) return false;
  }
  return true;
}

Status Malformed(std::string_view what) {
  return Status(ErrorCode::kMalformed, "the vault sent a malformed " + std::string(what));
}

uint64_t NumberOr(const ImapToken& t, uint64_t fallback) {
  return t.kind == TokenKind::kNumber ? t.number : fallback;
}

std::vector<std::string> FlagsOf(const ImapToken& list) {
  std::vector<std::string> flags;
  for (const ImapToken& f : list.children) flags.push_back(f.text);
  return flags;
}

// "3 7:9" → {3, 7, 8, 9}, in order.
std::vector<uint32_t> ExpandSet(std::string_view text) {
  std::vector<uint32_t> out;
  auto set = imap::SequenceSet::Parse(text);
  if (!set.ok()) return out;
  set->Resolve(0).ForEach([&](uint32_t n) {
    out.push_back(n);
    return true;
  });
  return out;
}

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// STATUS items into `box` ("(MESSAGES 3 UIDNEXT 4 ...)").
void ReadStatusItems(const ImapToken& list, VaultMailbox& box) {
  const auto& items = list.children;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    const uint64_t value = NumberOr(items[i + 1], 0);
    if (Is(items[i], "MESSAGES")) box.messages = static_cast<uint32_t>(value);
    if (Is(items[i], "UNSEEN")) box.unseen = static_cast<uint32_t>(value);
    if (Is(items[i], "DELETED")) box.deleted = static_cast<uint32_t>(value);
    if (Is(items[i], "UIDVALIDITY")) box.uidvalidity = static_cast<uint32_t>(value);
    if (Is(items[i], "UIDNEXT")) box.uidnext = static_cast<uint32_t>(value);
    if (Is(items[i], "HIGHESTMODSEQ")) box.highest_modseq = value;
  }
}

// The message attributes of "* n FETCH (...)".
Result<VaultMessage> ParseFetch(const Response& response) {
  if (response.data.size() < 3 || response.data[2].kind != TokenKind::kList) {
    return Malformed("FETCH response");
  }
  VaultMessage message;
  const auto& items = response.data[2].children;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    const ImapToken& name = items[i];
    const ImapToken& value = items[i + 1];
    if (Is(name, "UID")) {
      message.uid = static_cast<uint32_t>(NumberOr(value, 0));
    } else if (Is(name, "FLAGS") && value.kind == TokenKind::kList) {
      message.flags = FlagsOf(value);
    } else if (Is(name, "MODSEQ") && value.kind == TokenKind::kList && !value.children.empty()) {
      message.modseq = NumberOr(value.children[0], 0);
    } else if (Is(name, "INTERNALDATE") && value.IsString()) {
      auto date = imap::ParseDateTime(value.text);
      if (date.ok()) message.internal_date = date->unix_seconds;
    }
  }
  if (message.uid == 0) return Malformed("FETCH response (no UID)");
  return message;
}

}  // namespace

std::string UidSetOf(const std::vector<uint32_t>& uids) {
  return imap::NumberSet::FromNumbers(uids).ToString();
}

Result<std::unique_ptr<VaultSession>> VaultSession::Connect(const VaultAddress& address) {
  MV_ASSIGN_OR_RETURN(auto client, ImapClient::Connect(address.endpoint, address.trust, address.timeout));
  return std::unique_ptr<VaultSession>(new VaultSession(std::move(client)));
}

Status VaultSession::Enroll(std::string_view account, std::string_view token,
                            std::string_view encryption_public_key,
                            std::string_view signing_public_key) {
  CommandBuilder command("XENROLL");
  command.String(account).String(token)
      .Atom(EncodeBase64(encryption_public_key))
      .Atom(EncodeBase64(signing_public_key));
  MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(command));
  if (result.tagged.code == "AUTHENTICATIONFAILED") {
    return Status(ErrorCode::kRefused,
                  "the vault refused the enrollment token (wrong, expired or used already; ask "
                  "the operator for a new one)");
  }
  return result.ToStatus("enrollment");
}

Status VaultSession::Login(std::string_view account, const SigningKeyPair& signing_key) {
  CommandBuilder command("AUTHENTICATE X-MAILVAULT-ED25519");
  command.Atom(EncodeBase64(account));
  const std::string normalized = NormalizeAccountId(account);
  MV_ASSIGN_OR_RETURN(
      CommandResult result,
      client_->Run(command, [&](const Response& challenge) -> Result<std::string> {
        auto bytes = DecodeBase64(challenge.text);
        if (!bytes.ok()) return Malformed("login challenge");
        const std::string binding = client_->channel_binding();
        if (binding.empty()) return Malformed("TLS connection (no channel binding)");
        const KeyId id = signing_key.id();
        return EncodeBase64(std::string(id.view()) +
                            signing_key.Sign(LoginStatement(normalized, binding, *bytes)));
      }));
  if (!result.ok()) {
    if (result.tagged.code.rfind("REFERRAL", 0) == 0) {
      return Status(ErrorCode::kRefused,
                    "the account now lives at another vault, " + result.tagged.code.substr(9) +
                        ": check its certificate with your provider and run `mailvault pin "
                        "FINGERPRINT --server HOST:PORT`");
    }
    if (result.tagged.code == "AUTHENTICATIONFAILED") {
      return Status(ErrorCode::kRefused,
                    "the vault does not accept this device's key for " + std::string(account) +
                        " (revoked, or not yet added with `mailvault key add-device`)");
    }
    return result.ToStatus("login");
  }
  account_ = normalized;
  MV_ASSIGN_OR_RETURN(CommandResult enabled,
                      client_->Run(CommandBuilder("ENABLE IMAP4rev2 CONDSTORE QRESYNC")));
  return enabled.ToStatus("ENABLE");
}

Result<std::vector<VaultKey>> VaultSession::ListKeys() {
  MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(CommandBuilder("XKEYS")));
  MV_RETURN_IF_ERROR(result.ToStatus("listing keys"));
  std::vector<VaultKey> keys;
  for (const Response* r : result.Data("XKEY")) {
    const auto& d = r->data;
    if (d.size() != 6) return Malformed("XKEY response");
    VaultKey key;
    auto id = KeyId::FromHex(d[1].text);
    auto public_key = DecodeBase64(d[3].text);
    if (!id || !public_key.ok()) return Malformed("XKEY response");
    key.id = *id;
    key.encryption = Is(d[2], "ENCRYPTION");
    key.public_key = std::move(public_key).value();
    key.registered_at = static_cast<int64_t>(NumberOr(d[4], 0));
    key.active = Is(d[5], "ACTIVE");
    keys.push_back(std::move(key));
  }
  return keys;
}

Status VaultSession::RegisterKey(bool encryption, std::string_view public_key,
                                 const SigningKeyPair& signer) {
  const uint8_t kind = encryption ? kStatementEncryptionKey : kStatementSigningKey;
  CommandBuilder command("XKEY REGISTER");
  command.Atom(encryption ? "ENCRYPTION" : "SIGNING")
      .Atom(EncodeBase64(public_key))
      .Atom(signer.id().ToHex())
      .Atom(EncodeBase64(signer.Sign(KeyRegisterStatement(account_, kind, public_key))));
  MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(command));
  if (result.tagged.code == "ALREADYEXISTS") {
    return Status(ErrorCode::kAlreadyExists, "the key " + KeyIdOf(public_key).ToHex() +
                                                 " is registered already (or was revoked)");
  }
  return result.ToStatus("registering a key");
}

Status VaultSession::RevokeKey(const KeyId& key_id, const SigningKeyPair& signer) {
  CommandBuilder command("XKEY REVOKE");
  command.Atom(key_id.ToHex())
      .Atom(signer.id().ToHex())
      .Atom(EncodeBase64(signer.Sign(KeyRevokeStatement(account_, key_id))));
  MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(command));
  return result.ToStatus("revoking key " + key_id.ToHex());
}

Result<std::vector<std::string>> VaultSession::FetchLog(LogKind log) {
  MV_ASSIGN_OR_RETURN(CommandResult result,
                      client_->Run(CommandBuilder(log == LogKind::kKeys        ? "XLOG KEYS"
                                                  : log == LogKind::kPlacement ? "XLOG PLACEMENT"
                                                                               : "XLOG DISCLOSURE")));
  MV_RETURN_IF_ERROR(result.ToStatus("reading the account's log"));
  std::vector<std::string> entries;
  for (const Response* r : result.Data("XLOG")) {
    const auto& d = r->data;
    auto bytes = d.size() == 3 ? DecodeBase64(d[2].text) : Result<std::string>(Malformed("XLOG"));
    if (d.size() != 3 || d[1].kind != TokenKind::kNumber || d[1].number != entries.size() ||
        !bytes.ok()) {
      return Malformed("XLOG response");
    }
    entries.push_back(std::move(bytes).value());
  }
  return entries;
}

Result<std::vector<VaultMailbox>> VaultSession::ListMailboxes() {
  MV_ASSIGN_OR_RETURN(
      CommandResult result,
      client_->Run(CommandBuilder(
          "LIST \"\" \"*\" RETURN (SUBSCRIBED SPECIAL-USE STATUS (MESSAGES UIDVALIDITY UIDNEXT "
          "HIGHESTMODSEQ))")));
  MV_RETURN_IF_ERROR(result.ToStatus("listing mailboxes"));
  std::vector<VaultMailbox> boxes;
  for (const Response* r : result.Data("LIST")) {
    const auto& d = r->data;
    if (d.size() < 4 || d[1].kind != TokenKind::kList) return Malformed("LIST response");
    VaultMailbox box;
    box.name = d[3].text;
    for (const ImapToken& attr : d[1].children) {
      if (Is(attr, "\\SUBSCRIBED")) {
        box.subscribed = true;
      } else if (Is(attr, "\\NOSELECT") || Is(attr, "\\NONEXISTENT")) {
        box.selectable = false;
      } else if (Is(attr, "\\SENT") || Is(attr, "\\DRAFTS") || Is(attr, "\\TRASH") ||
                 Is(attr, "\\JUNK") || Is(attr, "\\ARCHIVE") || Is(attr, "\\ALL") ||
                 Is(attr, "\\FLAGGED")) {
        box.special_use = attr.text;
      }
    }
    boxes.push_back(std::move(box));
  }
  for (const Response* r : result.Data("STATUS")) {
    const auto& d = r->data;
    if (d.size() < 3 || d[2].kind != TokenKind::kList) return Malformed("STATUS response");
    auto box = std::find_if(boxes.begin(), boxes.end(),
                            [&](const VaultMailbox& b) { return b.name == d[1].text; });
    if (box != boxes.end()) ReadStatusItems(d[2], *box);
  }
  return boxes;
}

Result<VaultMailbox> VaultSession::MailboxStatus(std::string_view mailbox) {
  MV_ASSIGN_OR_RETURN(CommandResult result,
                      client_->Run(CommandBuilder("STATUS").String(mailbox).Raw(
                          "(MESSAGES UNSEEN DELETED UIDVALIDITY UIDNEXT HIGHESTMODSEQ)")));
  if (result.tagged.code == "NONEXISTENT") {
    return Result<VaultMailbox>(ErrorCode::kNotFound, "there is no mailbox " + std::string(mailbox));
  }
  MV_RETURN_IF_ERROR(result.ToStatus("reading the status of " + std::string(mailbox)));
  VaultMailbox box;
  box.name = mailbox;
  for (const Response* r : result.Data("STATUS")) {
    const auto& d = r->data;
    if (d.size() < 3 || d[2].kind != TokenKind::kList) return Malformed("STATUS response");
    ReadStatusItems(d[2], box);
  }
  return box;
}

Result<VaultChanges> VaultSession::FetchChangedSince(uint64_t modseq, uint32_t max_uid) {
  MV_ASSIGN_OR_RETURN(CommandResult result,
                      client_->Run(CommandBuilder("UID FETCH 1:* (UID FLAGS INTERNALDATE MODSEQ)")
                                       .Raw("(CHANGEDSINCE " + std::to_string(modseq) +
                                            " VANISHED)")));
  MV_RETURN_IF_ERROR(result.ToStatus("reading changes"));
  VaultChanges changes;
  std::vector<imap::NumberRange> vanished;
  for (const Response* r : result.Data("VANISHED")) {
    // "* VANISHED (EARLIER) uids"; without EARLIER, an expunge reported
    // by the way, which the uids counted here cover as well.
    const ImapToken& uids = r->data.back();
    auto set = uids.IsAtomLike() || uids.kind == TokenKind::kNumber
                   ? imap::SequenceSet::Parse(uids.text)
                   : Result<imap::SequenceSet>(Malformed("VANISHED response"));
    if (r->data.size() < 2 || !set.ok()) return Malformed("VANISHED response");
    // Only uids the mailbox can have had, kept as ranges: the vault chooses
    // the set, and "1:4294967295" must cost a range, not 16 GiB.
    const imap::NumberSet within = set->Resolve(max_uid).ClampedTo(max_uid);
    vanished.insert(vanished.end(), within.ranges().begin(), within.ranges().end());
  }
  changes.vanished = imap::NumberSet::FromRanges(std::move(vanished));
  for (const Response* r : result.Data("FETCH")) {
    MV_ASSIGN_OR_RETURN(VaultMessage message, ParseFetch(*r));
    changes.changed.push_back(std::move(message));
  }
  std::sort(changes.changed.begin(), changes.changed.end(),
            [](const VaultMessage& a, const VaultMessage& b) { return a.uid < b.uid; });
  return changes;
}

Status VaultSession::CreateMailbox(std::string_view name) {
  MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(CommandBuilder("CREATE").String(name)));
  return result.ToStatus("creating mailbox " + std::string(name));
}

Status VaultSession::DeleteMailbox(std::string_view name) {
  MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(CommandBuilder("DELETE").String(name)));
  return result.ToStatus("deleting mailbox " + std::string(name));
}

Status VaultSession::RenameMailbox(std::string_view from, std::string_view to) {
  MV_ASSIGN_OR_RETURN(CommandResult result,
                      client_->Run(CommandBuilder("RENAME").String(from).String(to)));
  return result.ToStatus("renaming mailbox " + std::string(from));
}

Result<std::vector<std::string>> VaultSession::ListSubscriptions() {
  MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(CommandBuilder("LIST (SUBSCRIBED) \"\" \"*\"")));
  MV_RETURN_IF_ERROR(result.ToStatus("listing subscriptions"));
  std::vector<std::string> names;
  for (const Response* r : result.Data("LIST")) {
    if (r->data.size() < 4) return Malformed("LIST response");
    names.push_back(r->data[3].text);
  }
  return names;
}

Status VaultSession::Subscribe(std::string_view name, bool subscribed) {
  MV_ASSIGN_OR_RETURN(CommandResult result,
                      client_->Run(CommandBuilder(subscribed ? "SUBSCRIBE" : "UNSUBSCRIBE").String(name)));
  return result.ToStatus("subscribing to " + std::string(name));
}

Result<VaultMailbox> VaultSession::Select(std::string_view mailbox, bool read_only) {
  MV_ASSIGN_OR_RETURN(CommandResult result,
                      client_->Run(CommandBuilder(read_only ? "EXAMINE" : "SELECT").String(mailbox)));
  if (result.tagged.code == "NONEXISTENT") {
    return Result<VaultMailbox>(ErrorCode::kNotFound, "there is no mailbox " + std::string(mailbox));
  }
  MV_RETURN_IF_ERROR(result.ToStatus("opening mailbox " + std::string(mailbox)));
  VaultMailbox box;
  box.name = mailbox;
  for (const Response& r : result.untagged) {
    const auto words = Words(r.code);
    if (words.size() == 2 && words[0] == "UIDVALIDITY") std::from_chars(words[1].begin(), words[1].end(), box.uidvalidity);
    if (words.size() == 2 && words[0] == "UIDNEXT") std::from_chars(words[1].begin(), words[1].end(), box.uidnext);
    if (words.size() == 2 && words[0] == "HIGHESTMODSEQ") std::from_chars(words[1].begin(), words[1].end(), box.highest_modseq);
    if (r.status.empty() && r.data.size() == 2 && Is(r.data[1], "EXISTS")) {
      box.messages = static_cast<uint32_t>(NumberOr(r.data[0], 0));
    }
  }
  return box;
}

Result<std::vector<VaultMessage>> VaultSession::FetchMessages(std::string_view uid_set) {
  MV_ASSIGN_OR_RETURN(CommandResult result,
                      client_->Run(CommandBuilder("UID FETCH").Atom(uid_set).Atom(
                          "(UID FLAGS INTERNALDATE MODSEQ)")));
  MV_RETURN_IF_ERROR(result.ToStatus("listing messages"));
  std::vector<VaultMessage> messages;
  for (const Response* r : result.Data("FETCH")) {
    MV_ASSIGN_OR_RETURN(VaultMessage message, ParseFetch(*r));
    messages.push_back(std::move(message));
  }
  std::sort(messages.begin(), messages.end(),
            [](const VaultMessage& a, const VaultMessage& b) { return a.uid < b.uid; });
  return messages;
}

Result<std::string> VaultSession::FetchSealedBody(uint32_t uid) {
  MV_ASSIGN_OR_RETURN(CommandResult result,
                      client_->Run(CommandBuilder("UID FETCH").Atom(std::to_string(uid)).Atom(
                          "(UID BINARY.PEEK[1])")));
  MV_RETURN_IF_ERROR(result.ToStatus("fetching message " + std::to_string(uid)));
  for (Response& r : result.untagged) {  // the body is moved out, not copied
    if (!r.status.empty() || r.data.size() < 3 || !Is(r.data[1], "FETCH")) continue;
    auto& items = r.data[2].children;
    for (size_t i = 0; i + 1 < items.size(); i += 2) {
      if (items[i].kind == TokenKind::kSection && items[i].SectionPrefix() == "BINARY" &&
          items[i + 1].IsString()) {
        return std::move(items[i + 1].text);
      }
    }
  }
  return Result<std::string>(ErrorCode::kNotFound,
                             "message " + std::to_string(uid) + " is no longer in the mailbox");
}

namespace {

Result<std::vector<VaultBlobItem>> ParseBlobItems(const CommandResult& result,
                                                  std::string_view name) {
  std::vector<VaultBlobItem> items;
  for (const Response* r : result.Data(name)) {
    const auto& d = r->data;
    if (d.size() != 4) return Malformed(std::string(name) + " response");
    auto blob = BlobId::FromHex(d[2].text);
    auto bytes = DecodeBase64(d[3].text);
    if (d[1].kind != TokenKind::kNumber || !blob || !bytes.ok()) {
      return Malformed(std::string(name) + " response");
    }
    items.push_back({static_cast<uint32_t>(d[1].number), *blob, std::move(bytes).value()});
  }
  return items;
}

}  // namespace

Result<std::vector<VaultBlobItem>> VaultSession::FetchWraps(std::string_view mailbox,
                                                            const KeyId& key,
                                                            std::string_view uid_set) {
  MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(CommandBuilder("XWRAPS")
                                                             .String(mailbox)
                                                             .Atom(key.ToHex())
                                                             .Atom(uid_set)));
  MV_RETURN_IF_ERROR(result.ToStatus("fetching wraps of " + std::string(mailbox)));
  return ParseBlobItems(result, "XWRAP");
}

Result<std::vector<VaultBlobItem>> VaultSession::FetchSummaries(std::string_view mailbox,
                                                                std::string_view uid_set) {
  MV_ASSIGN_OR_RETURN(CommandResult result,
                      client_->Run(CommandBuilder("XSUMMARIES").String(mailbox).Atom(uid_set)));
  MV_RETURN_IF_ERROR(result.ToStatus("fetching summaries of " + std::string(mailbox)));
  return ParseBlobItems(result, "XSUMMARY");
}

Status VaultSession::PutWraps(const KeyId& key,
                              const std::vector<std::pair<BlobId, std::string>>& wraps) {
  for (size_t start = 0; start < wraps.size(); start += kWrapsPerPut) {
    const size_t end = std::min(wraps.size(), start + kWrapsPerPut);
    CommandBuilder command("XWRAPS PUT");
    command.Atom(key.ToHex());
    std::string list = "(";
    for (size_t i = start; i < end; ++i) {
      if (i > start) list += ' ';
      list += wraps[i].first.ToHex() + " " + EncodeBase64(wraps[i].second);
    }
    list += ')';
    command.Raw(list);
    MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(command));
    MV_RETURN_IF_ERROR(result.ToStatus("storing wraps for key " + key.ToHex()));
  }
  return Status::Ok();
}

Result<VaultAppend> VaultSession::AppendSealed(std::string_view mailbox, const SealedMessage& message,
                                            const std::vector<std::string>& flags,
                                            int64_t internal_date) {
  MV_ASSIGN_OR_RETURN(VaultAppendAll appended,
                      AppendSealedAll(mailbox, {SealedAppend{&message, flags, internal_date}}));
  VaultAppend one;
  one.uidvalidity = appended.uidvalidity;
  if (appended.uids.size() == 1) one.uid = appended.uids.front();
  return one;
}

Result<VaultAppendAll> VaultSession::AppendSealedAll(std::string_view mailbox,
                                                     const std::vector<SealedAppend>& messages) {
  CommandBuilder command("APPEND");
  command.String(mailbox);
  for (const SealedAppend& append : messages) {
    // The RFC 5322 carrier the vault recognises as a sealed upload
    // (docs/PROTOCOL.md, APPEND): nothing in it is plaintext of the message.
    const std::string container = EncodeSealedUpload(*append.message);
    std::string carrier =
        "From: mailvault <vault@localhost>\r\nSubject: sealed upload\r\nMIME-Version: 1.0\r\n"
        "Content-Type: application/vnd.mailvault.sealed\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n";
    const std::string encoded = EncodeBase64(container);
    for (size_t pos = 0; pos < encoded.size(); pos += 76) {
      carrier.append(encoded, pos, 76);
      carrier += "\r\n";
    }
    std::string flag_list = "(";
    for (const std::string& f : append.flags) {
      if (flag_list.size() > 1) flag_list += ' ';
      flag_list += f;
    }
    command.Raw(flag_list + ")");
    if (append.internal_date > 0) {
      command.Raw("\"" + imap::FormatDateTime(append.internal_date, 0) + "\"");
    }
    command.Literal(carrier);
  }
  MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(command));
  if (result.tagged.code == "ALREADYEXISTS") {
    return Result<VaultAppendAll>(ErrorCode::kAlreadyExists,
                                  "the vault holds this message already");
  }
  MV_RETURN_IF_ERROR(result.ToStatus("uploading to " + std::string(mailbox)));
  const auto words = Words(result.tagged.code);
  VaultAppendAll appended;
  if (words.size() == 3 && words[0] == "APPENDUID") {
    std::from_chars(words[1].begin(), words[1].end(), appended.uidvalidity);
    appended.uids = ExpandSet(words[2]);
    if (appended.uids.size() != messages.size()) appended.uids.clear();
  }
  return appended;
}

Result<std::vector<VaultMessage>> VaultSession::StoreFlags(
    const std::vector<uint32_t>& uids, std::string_view operation,
    const std::vector<std::string>& flags, std::optional<uint64_t> unchanged_since,
    std::vector<uint32_t>& modified) {
  CommandBuilder command("UID STORE");
  command.Atom(UidSetOf(uids));
  if (unchanged_since) command.Raw("(UNCHANGEDSINCE " + std::to_string(*unchanged_since) + ")");
  std::string flag_list = "(";
  for (const std::string& f : flags) {
    if (flag_list.size() > 1) flag_list += ' ';
    flag_list += f;
  }
  command.Atom(operation).Raw(flag_list + ")");
  MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(command));
  MV_RETURN_IF_ERROR(result.ToStatus("changing flags"));
  const auto words = Words(result.tagged.code);
  if (words.size() == 2 && words[0] == "MODIFIED") modified = ExpandSet(words[1]);
  std::vector<VaultMessage> changed;
  for (const Response* r : result.Data("FETCH")) {
    MV_ASSIGN_OR_RETURN(VaultMessage message, ParseFetch(*r));
    changed.push_back(std::move(message));
  }
  return changed;
}

Result<VaultCopy> VaultSession::Copy(const std::vector<uint32_t>& uids, std::string_view to,
                                     bool move) {
  CommandBuilder command(move ? "UID MOVE" : "UID COPY");
  command.Atom(UidSetOf(uids)).String(to);
  MV_ASSIGN_OR_RETURN(CommandResult result, client_->Run(command));
  if (result.tagged.code == "TRYCREATE") {
    return Result<VaultCopy>(ErrorCode::kNotFound, "there is no mailbox " + std::string(to));
  }
  MV_RETURN_IF_ERROR(result.ToStatus(move ? "moving messages" : "copying messages"));
  // COPYUID is in the tagged reply for COPY and in an untagged OK for MOVE.
  std::vector<std::string_view> words = Words(result.tagged.code);
  for (const Response& r : result.untagged) {
    if (r.code.rfind("COPYUID ", 0) == 0) words = Words(r.code);
  }
  VaultCopy copy;
  if (words.size() == 4 && words[0] == "COPYUID") {
    std::from_chars(words[1].begin(), words[1].end(), copy.uidvalidity);
    const auto source = ExpandSet(words[2]);
    const auto target = ExpandSet(words[3]);
    for (size_t i = 0; i < source.size() && i < target.size(); ++i) {
      copy.uids.emplace_back(source[i], target[i]);
    }
  }
  return copy;
}

Result<std::vector<uint32_t>> VaultSession::Expunge(const std::vector<uint32_t>& uids) {
  if (uids.empty()) return std::vector<uint32_t>();
  // Which uids exist before, so the expunged ones can be reported by uid
  // (the vault reports sequence numbers, or VANISHED with QRESYNC).
  MV_ASSIGN_OR_RETURN(auto before, FetchMessages(UidSetOf(uids)));
  MV_ASSIGN_OR_RETURN(CommandResult result,
                      client_->Run(CommandBuilder("UID EXPUNGE").Atom(UidSetOf(uids))));
  MV_RETURN_IF_ERROR(result.ToStatus("expunging"));
  MV_ASSIGN_OR_RETURN(auto after, FetchMessages(UidSetOf(uids)));
  std::vector<uint32_t> removed;
  for (const VaultMessage& m : before) {
    if (std::none_of(after.begin(), after.end(), [&](const VaultMessage& a) { return a.uid == m.uid; })) {
      removed.push_back(m.uid);
    }
  }
  return removed;
}

}  // namespace mailvault::client
