// The customer's key file: every device key pair of one account, encrypted
// under a key derived from a passphrase with Argon2id. The KDF parameters are
// stored in the file, so stronger defaults later still read old files, and a
// passphrase change rewrites this file only. Layout: docs/FORMAT.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/keys.h"
#include "common/status.h"

namespace mailvault {

struct KdfLimits {
  uint64_t opslimit = 0;
  uint64_t memlimit = 0;  // bytes

  static KdfLimits Moderate();     // the default: 3 passes, 256 MiB
  static KdfLimits Interactive();  // 2 passes, 64 MiB: tests and weak devices
};

struct KeyFileContents {
  std::string account_id;
  // The device's key generations, newest last: rotation appends a new one and
  // keeps the old until the server has no wrap left for it.
  std::vector<DeviceKeys> keys;
  // Bytes sealed with the keys under the same passphrase: a key backup puts
  // the device profile here (server, pinned fingerprint, log pins), so
  // nobody can change them without the passphrase. Empty in a key file.
  std::string attachment;
};

Result<std::string> EncryptKeyFile(const KeyFileContents& contents, std::string_view passphrase,
                                   KdfLimits limits = KdfLimits::Moderate());

// kWrongPassphrase if the passphrase is wrong or the file was altered (the two
// cannot be told apart); kUnknownVersion / kMalformed for other files.
Result<KeyFileContents> DecryptKeyFile(std::string_view file, std::string_view passphrase);

// Re-encrypts under a new passphrase (fresh salt, same KDF limits).
Result<std::string> ChangeKeyFilePassphrase(std::string_view file, std::string_view old_passphrase,
                                            std::string_view new_passphrase);

// The KDF limits a key file was written with (so a rewrite keeps them).
Result<KdfLimits> KeyFileLimits(std::string_view file);

}  // namespace mailvault
