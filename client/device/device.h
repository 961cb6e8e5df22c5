// An unlocked device: its profile and its key generations, decrypted from
// the key file with the passphrase, which is kept (in locked memory) only
// for as long as the command may need to write the key file again.
#pragma once

#include <string>

#include "client/device/passphrase.h"
#include "client/device/profile.h"
#include "common/crypto/key_file.h"
#include "common/crypto/secret_bytes.h"

namespace mailvault::client {

struct Device {
  Profile profile;
  KeyFileContents keys;  // generations, newest last
  SecretBytes passphrase;
  KdfLimits limits;

  const DeviceKeys& current() const { return keys.keys.back(); }
  // Rewrites the key file (atomically) with `keys`.
  Status SaveKeys() const;
};

// Loads the profile and decrypts the key file: "wrong passphrase" is one line.
Result<Device> UnlockDevice(const std::string& profile_dir, const PassphraseSource& source);

// Connects to the vault and logs in with the device's newest signing key the
// vault accepts (an older one while a rotation is unfinished); `generation`
// gets the index of the one used.
Result<std::unique_ptr<VaultSession>> OpenVault(const Device& device, size_t* generation = nullptr);

}  // namespace mailvault::client
