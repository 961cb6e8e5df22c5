// Big-endian integer encoding, used by every on-disk and wire format so that
// byte order equals numeric order (a mailbox's uids are one range scan).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace mailvault {

template <typename T>
void AppendBigEndian(std::string& out, T value) {
  static_assert(std::is_unsigned_v<T>);
  for (int shift = (sizeof(T) - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

// Reads sizeof(T) bytes at `in`; the caller checks the length first.
template <typename T>
T ReadBigEndian(const char* in) {
  static_assert(std::is_unsigned_v<T>);
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value = static_cast<T>((value << 8) | static_cast<uint8_t>(in[i]));
  }
  return value;
}

// A forward-only reader over a byte string that fails softly: after the first
// short read every later read fails too, and ok() tells the caller once.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  template <typename T>
  bool Read(T& value) {
    if (!ok_ || in_.size() < sizeof(T)) return ok_ = false;
    value = ReadBigEndian<T>(in_.data());
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool ReadBytes(size_t n, std::string_view& out) {
    if (!ok_ || in_.size() < n) return ok_ = false;
    out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  // A string prefixed with its length as a big-endian uint32.
  bool ReadLengthPrefixed(std::string_view& out) {
    uint32_t n = 0;
    return Read(n) && ReadBytes(n, out);
  }

  bool ok() const { return ok_; }
  bool empty() const { return in_.empty(); }
  std::string_view rest() const { return in_; }

 private:
  std::string_view in_;
  bool ok_ = true;
};

inline void AppendLengthPrefixed(std::string& out, std::string_view bytes) {
  AppendBigEndian<uint32_t>(out, static_cast<uint32_t>(bytes.size()));
  out.append(bytes);
}

}  // namespace mailvault
