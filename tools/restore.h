// `mailvault-admin restore`: puts a backup (mailvault-admin backup) into the
// data directories a configuration names, while mailvaultd is stopped.
#pragma once

#include <string>

namespace mailvault {

// Throws std::runtime_error with one clear line: mailvaultd still running,
// a region of the configuration missing from the backup, a data directory
// that is not empty.
void RestoreBackup(const std::string& backup_dir, const std::string& config_path,
                   const std::string& admin_socket);

}  // namespace mailvault
