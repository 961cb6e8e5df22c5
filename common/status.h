// Status and Result<T>: how every library API in mailvault reports failure.
//
// Library code does not throw. A caller that ignores a Status does so on
// purpose (the types are [[nodiscard]]), which keeps ignored errors greppable.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mailvault {

enum class ErrorCode {
  kOk = 0,
  // General.
  kInvalidArgument,  // the caller passed something malformed
  kNotFound,
  kAlreadyExists,
  kIOError,    // the storage engine or the file system failed
  kCorruption, // stored data does not parse

  // Sealed messages and keys: each names exactly why opening failed.
  kUnknownVersion,  // a magic or version this build does not read
  kMalformed,       // the bytes do not have the documented structure
  kWrongKey,        // a wrap or key file does not open with the key given
  kNoWrapForKey,    // the message has no wrap for this key id
  kTampered,        // an authentication tag failed: bytes were changed
  kTruncated,       // the stream ended before its FINAL chunk
  kTrailingData,    // bytes follow the FINAL chunk
  kWrongBlob,       // the container belongs to another blob id
  kWrongAccount,    // the container belongs to another account
  kWrongPassphrase, // a key file does not open with this passphrase

  // Storage.
  kWrongRegion,   // the account's home region is not this shard's region
  kKeyNotActive,  // a wrap names a key id that is not registered or is revoked
  kNoSpace,       // the storage is full: nothing was written; try again once space returns

  // The customer's side talking to the vault.
  kUnavailable,    // the server cannot be reached, closed the connection or timed out
  kUntrustedPeer,  // the server's certificate is not the trusted one
  kRefused,        // the server answered NO or BAD
};

// The stable lower-case name of a code, used in messages and tests.
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "code_name: message", for logs and CLI errors.
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design
  Result(ErrorCode code, std::string message) : status_(code, std::move(message)) {}

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  ErrorCode code() const { return status_.code(); }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace mailvault

// Returns early from the enclosing function when `expr` is not ok.
#define MV_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::mailvault::Status mv_status_ = (expr);  \
    if (!mv_status_.ok()) return mv_status_;  \
  } while (0)

#define MV_CONCAT_INNER(a, b) a##b
#define MV_CONCAT(a, b) MV_CONCAT_INNER(a, b)
#define MV_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
// `MV_ASSIGN_OR_RETURN(auto x, Compute());` declares x from an ok Result or
// returns its Status.
#define MV_ASSIGN_OR_RETURN(lhs, expr) \
  MV_ASSIGN_OR_RETURN_IMPL(MV_CONCAT(mv_result_, __LINE__), lhs, expr)
