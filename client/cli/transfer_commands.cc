// `mailvault export | import`: mail out of the vault as plaintext files on
// this device (mbox or Maildir), and files into it, sealed here before they
// are uploaded. An import that is interrupted is run again: each message's
// blob id is derived from its bytes under a key of this device, so the
// vault answers ALREADYEXISTS for the ones it holds and they are skipped.
#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <map>

#include "client/cli/cli_context.h"
#include "client/cli/progress.h"
#include "client/cli/terminal_text.h"
#include "client/device/device.h"
#include "client/device/trusted_key_log.h"
#include "client/mailfiles/export_folder.h"
#include "client/mailfiles/maildir.h"
#include "client/mailfiles/mbox.h"
#include "client/vault/opened_mailbox.h"
#include "common/big_endian.h"
#include "common/crypto/hash.h"
#include "common/crypto/sealed_message.h"
#include "common/crypto/subkeys.h"
#include "common/mail/header_summary.h"

namespace mailvault::client {
namespace {

using mailfiles::MailMessage;

struct TransferArgs {
  std::string mbox;
  std::string maildir;
  std::vector<std::string> mailboxes;
};

// Flags a file can carry back: \Recent is the server's, not the message's.
std::vector<std::string> PortableFlags(const std::vector<std::string>& flags) {
  std::vector<std::string> out;
  for (const std::string& f : flags) {
    if (f != "\\Recent") out.push_back(f);
  }
  return out;
}

Status RunExport(const CliOptions& options, const TransferArgs& args) {
  MV_ASSIGN_OR_RETURN(Device device, UnlockDevice(options.profile_dir(), options.passphrase));
  MV_ASSIGN_OR_RETURN(auto vault, OpenVault(device));
  std::vector<std::string> names = args.mailboxes;
  uint64_t total = 0;
  MV_ASSIGN_OR_RETURN(auto all, vault->ListMailboxes());
  if (names.empty()) {
    if (!args.mbox.empty()) names.push_back("INBOX");
    for (const VaultMailbox& box : all) {
      if (args.mbox.empty() && box.selectable) names.push_back(box.name);
    }
  }
  for (const VaultMailbox& box : all) {
    if (std::find(names.begin(), names.end(), box.name) != names.end()) total += box.messages;
  }
  if (!args.mbox.empty() && names.size() != 1) {
    return Status(ErrorCode::kInvalidArgument, "an mbox file holds one mailbox: give one --mailbox");
  }
  // The names come from the vault: each must be a folder inside the export
  // folder, and all are checked before anything is written.
  if (!args.maildir.empty()) {
    for (const std::string& name : names) {
      if (Status fits = mailfiles::CheckMailboxFolderName(name); !fits.ok()) {
        return Status(fits.code(), "mailbox \"" + EscapeForTerminal(name) +
                                       "\" cannot be exported as a folder: " + fits.message());
      }
    }
  }
  std::optional<mailfiles::MboxWriter> mbox;
  if (!args.mbox.empty()) {
    MV_ASSIGN_OR_RETURN(mbox, mailfiles::MboxWriter::Create(args.mbox));
  }

  Progress progress("Exporting", total);
  uint64_t written = 0, present = 0, unreadable = 0;
  for (const std::string& name : names) {
    MV_ASSIGN_OR_RETURN(OpenedMailbox box,
                        OpenedMailbox::Open(*vault, device.profile.account, name,
                                            EncryptionKeysOf(device.keys.keys),
                                            device.profile.cache_dir()));
    std::optional<mailfiles::MaildirWriter> maildir;
    if (!args.maildir.empty()) {
      auto folder = mailfiles::CreateMailboxFolder(args.maildir, name);
      if (!folder.ok()) {
        return Status(folder.code(), "mailbox \"" + EscapeForTerminal(name) +
                                         "\" cannot be exported: " + folder.status().message());
      }
      MV_ASSIGN_OR_RETURN(maildir, mailfiles::MaildirWriter::Create(*folder));
    }
    for (const OpenedMessage& message : box.messages()) {
      if (!message.readable()) {
        ++unreadable;
        progress.Advance();
        continue;
      }
      MailMessage out;
      MV_ASSIGN_OR_RETURN(out.bytes, box.ReadBody(message));
      out.flags = PortableFlags(message.meta.flags);
      out.internal_date = message.meta.internal_date;
      const uint64_t size = out.bytes.size();
      if (mbox) {
        MV_RETURN_IF_ERROR(mbox->Append(out));
        ++written;
      } else {
        // Named after the blob: exporting again into the same place skips it.
        auto path = maildir->Write(out, message.wrap->blob_id.ToHex());
        if (path.ok()) {
          ++written;
        } else if (path.code() == ErrorCode::kAlreadyExists) {
          ++present;
        } else {
          return path.status();
        }
      }
      sodium_memzero(out.bytes.data(), out.bytes.size());
      progress.Advance(1, size);
    }
  }
  if (mbox) MV_RETURN_IF_ERROR(mbox->Close());
  progress.Finish();
  std::printf("Exported %llu messages to %s", static_cast<unsigned long long>(written),
              (args.mbox.empty() ? args.maildir : args.mbox).c_str());
  if (present) std::printf(" (%llu were there already)", static_cast<unsigned long long>(present));
  std::printf("\n");
  if (unreadable) {
    std::fprintf(stderr, "note: %llu messages have no wrap for this device's keys and were skipped\n",
                 static_cast<unsigned long long>(unreadable));
  }
  return Status::Ok();
}

// A blob id that is the same each time this device imports the same bytes
// into the same mailbox (the n-th identical copy gets its own), and that
// says nothing about the bytes to anyone without the device's key.
class ImportIds {
 public:
  explicit ImportIds(const EncryptionKeyPair& keys) : key_(kSubkeySize) {
    DeriveSubkey(keys.secret_key, 1, "MVimport", key_.data());
  }
  BlobId Next(const std::string& mailbox, std::string_view bytes) {
    const std::string content = Blake2b256(bytes);
    const uint64_t occurrence = seen_[mailbox + '\0' + content]++;
    std::string input = mailbox;
    input.push_back('\0');
    input += content;
    AppendBigEndian<uint64_t>(input, occurrence);
    unsigned char id[BlobId::kSize];
    crypto_generichash(id, sizeof id, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size(), key_.data(), key_.size());
    return *BlobId::FromBytes(std::string_view(reinterpret_cast<const char*>(id), sizeof id));
  }

 private:
  SecretBytes key_;
  std::map<std::string, uint64_t> seen_;
};

Status RunImport(const CliOptions& options, const TransferArgs& args) {
  if (args.mailboxes.size() > 1) {
    return Status(ErrorCode::kInvalidArgument, "import goes into one --mailbox");
  }
  const std::string mailbox = args.mailboxes.empty() ? "INBOX" : args.mailboxes.front();
  MV_ASSIGN_OR_RETURN(Device device, UnlockDevice(options.profile_dir(), options.passphrase));
  MV_ASSIGN_OR_RETURN(auto vault, OpenVault(device));
  MV_ASSIGN_OR_RETURN(TrustedKeyLog key_log, FetchTrustedKeyLog(*vault, device));
  const std::vector<std::string> recipients = key_log.SealingKeys();
  const SigningKeyPair* signer = key_log.DeviceSigner(device);
  auto selected = vault->Select(mailbox, true);
  if (selected.code() == ErrorCode::kNotFound) {
    MV_RETURN_IF_ERROR(vault->CreateMailbox(mailbox));
  } else if (!selected.ok()) {
    return selected.status();
  }

  // Messages come one at a time from either source.
  std::optional<mailfiles::MboxReader> mbox;
  std::vector<std::string> files;
  size_t next_file = 0;
  if (!args.mbox.empty()) {
    MV_ASSIGN_OR_RETURN(mbox, mailfiles::MboxReader::Open(args.mbox));
  } else {
    if (!mailfiles::IsMaildir(args.maildir)) {
      return Status(ErrorCode::kInvalidArgument, args.maildir + " is not a Maildir (no cur/ and new/)");
    }
    MV_ASSIGN_OR_RETURN(files, mailfiles::ListMaildir(args.maildir));
  }
  auto next = [&]() -> Result<std::optional<MailMessage>> {
    if (mbox) return mbox->Next();
    if (next_file == files.size()) return std::optional<MailMessage>();
    MV_ASSIGN_OR_RETURN(MailMessage message, mailfiles::ReadMaildirMessage(files[next_file++]));
    return std::optional<MailMessage>(std::move(message));
  };

  ImportIds ids(device.current().encryption);
  Progress progress("Importing", files.size());
  uint64_t stored = 0, present = 0;
  for (;;) {
    MV_ASSIGN_OR_RETURN(auto message, next());
    if (!message) break;
    const BlobId blob = ids.Next(mailbox, message->bytes);
    MV_ASSIGN_OR_RETURN(SealedMessage sealed,
                        SealMessage(device.profile.account, blob, message->bytes,
                                    SummarizeMessage(message->bytes), recipients, signer));
    const uint64_t size = message->bytes.size();
    sodium_memzero(message->bytes.data(), message->bytes.size());
    auto uid = vault->AppendSealed(mailbox, sealed, PortableFlags(message->flags),
                                   message->internal_date);
    if (uid.ok()) {
      ++stored;
    } else if (uid.code() == ErrorCode::kAlreadyExists) {
      ++present;
    } else {
      return uid.status();
    }
    progress.Advance(1, size);
  }
  progress.Finish();
  std::printf("Imported %llu messages into %s", static_cast<unsigned long long>(stored), mailbox.c_str());
  if (present) std::printf(" (%llu were there already)", static_cast<unsigned long long>(present));
  std::printf("\n");
  return Status::Ok();
}

void AddTransfer(CLI::App& app, const char* name, const char* help, CliOptions& options,
                 CommandRunner& run, Status (*body)(const CliOptions&, const TransferArgs&)) {
  auto args = std::make_shared<TransferArgs>();
  CLI::App* command = app.add_subcommand(name, help);
  auto* mbox = command->add_option("--mbox", args->mbox, "an mbox file (mboxrd)");
  auto* maildir = command->add_option("--maildir", args->maildir, "a Maildir directory");
  mbox->excludes(maildir);
  command->add_option("--mailbox", args->mailboxes, "mailbox (default: INBOX; export: all)");
  command->callback([&options, &run, args, body, name] {
    if (args->mbox.empty() && args->maildir.empty()) {
      throw CLI::ValidationError(name, "give --mbox FILE or --maildir DIR");
    }
    run = [&options, args, body] { return body(options, *args); };
  });
}

}  // namespace

void AddTransferCommands(CLI::App& app, CliOptions& options, CommandRunner& run) {
  AddTransfer(app, "export", "write mail out as plaintext (mbox or Maildir, one per mailbox)",
              options, run, RunExport);
  AddTransfer(app, "import", "seal mail from an mbox or Maildir on this device and upload it",
              options, run, RunImport);
}

}  // namespace mailvault::client
