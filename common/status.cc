#include "common/status.h"

namespace mailvault {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kIOError: return "io_error";
    case ErrorCode::kCorruption: return "corruption";
    case ErrorCode::kUnknownVersion: return "unknown_version";
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kWrongKey: return "wrong_key";
    case ErrorCode::kNoWrapForKey: return "no_wrap_for_key";
    case ErrorCode::kTampered: return "tampered";
    case ErrorCode::kTruncated: return "truncated";
    case ErrorCode::kTrailingData: return "trailing_data";
    case ErrorCode::kWrongBlob: return "wrong_blob";
    case ErrorCode::kWrongAccount: return "wrong_account";
    case ErrorCode::kWrongPassphrase: return "wrong_passphrase";
    case ErrorCode::kWrongRegion: return "wrong_region";
    case ErrorCode::kKeyNotActive: return "key_not_active";
    case ErrorCode::kNoSpace: return "no_space";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kUntrustedPeer: return "untrusted_peer";
    case ErrorCode::kRefused: return "refused";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(ErrorCodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace mailvault
