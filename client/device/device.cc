#include "client/device/device.h"

namespace mailvault::client {

Status Device::SaveKeys() const {
  MV_ASSIGN_OR_RETURN(std::string file, EncryptKeyFile(keys, passphrase.view(), limits));
  return WriteFileAtomically(profile.key_file_path(), file, 0600);
}

Result<Device> UnlockDevice(const std::string& profile_dir, const PassphraseSource& source) {
  Device device;
  MV_ASSIGN_OR_RETURN(device.profile, LoadProfile(profile_dir));
  if (device.profile.enrollment_pending) {
    return Result<Device>(ErrorCode::kInvalidArgument,
                          "the enrollment of " + device.profile.account +
                              " is unfinished: run `mailvault init` again with your token");
  }
  MV_ASSIGN_OR_RETURN(std::string file, ReadWholeFile(device.profile.key_file_path()));
  MV_ASSIGN_OR_RETURN(device.limits, KeyFileLimits(file));
  MV_ASSIGN_OR_RETURN(device.passphrase,
                      ReadPassphrase(source, "Passphrase for " + device.profile.account));
  auto keys = DecryptKeyFile(file, device.passphrase.view());
  if (!keys.ok()) {
    if (keys.code() == ErrorCode::kWrongPassphrase) {
      return Result<Device>(ErrorCode::kWrongPassphrase,
                            "wrong passphrase for " + device.profile.key_file_path());
    }
    return keys.status();
  }
  device.keys = std::move(keys).value();
  if (device.keys.keys.empty()) {
    return Result<Device>(ErrorCode::kMalformed, device.profile.key_file_path() + " holds no keys");
  }
  return device;
}

Result<std::unique_ptr<VaultSession>> OpenVault(const Device& device, size_t* generation) {
  MV_ASSIGN_OR_RETURN(auto session, VaultSession::Connect(device.profile.address()));
  Status first_error;
  for (size_t i = device.keys.keys.size(); i-- > 0;) {
    Status login = session->Login(device.profile.account, device.keys.keys[i].signing);
    if (login.ok()) {
      if (generation) *generation = i;
      return session;
    }
    if (login.code() != ErrorCode::kRefused) return login;
    if (first_error.ok()) first_error = login;
  }
  return first_error;
}

}  // namespace mailvault::client
