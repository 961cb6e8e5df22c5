// Growing, shrinking and releasing a std::string that holds plaintext
// (a message arriving over LMTP or in an IMAP literal) without leaving a
// copy behind in freed memory.
//
// std::string's own growth copies into a new buffer and frees the old one
// as it is; erase() moves the tail forward and leaves its old bytes past the
// new end; a destroyed string hands its bytes to the allocator. Each of
// these leaves plaintext that a later bug, a core file or a swap page could
// give away. These helpers do the same work and wipe what they leave
// (plaintext_wipe_test.py scans mailvaultd's memory for it).
#pragma once

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

namespace mailvault {

// Makes room for `capacity` bytes; the buffer left behind is wiped.
inline void ReserveWiping(std::string& s, size_t capacity) {
  if (capacity <= s.capacity()) return;
  std::string grown;
  grown.reserve(capacity);
  grown.append(s);
  sodium_memzero(s.data(), s.size());
  s.swap(grown);
}

// Appends, doubling the capacity when it must grow, as std::string does.
inline void AppendWiping(std::string& s, std::string_view bytes) {
  if (s.size() + bytes.size() > s.capacity()) {
    ReserveWiping(s, std::max(s.capacity() * 2, s.size() + bytes.size()));
  }
  s.append(bytes);
}

// Drops the first `n` bytes; neither they nor the moved tail's old copy stay.
inline void EraseFrontWiping(std::string& s, size_t n) {
  n = std::min(n, s.size());
  const size_t kept = s.size() - n;
  std::memmove(s.data(), s.data() + n, kept);
  sodium_memzero(s.data() + kept, n);
  s.resize(kept);
}

// Wipes the bytes and empties the string, keeping its buffer for reuse.
inline void WipeAndClear(std::string& s) {
  sodium_memzero(s.data(), s.size());
  s.clear();
}

// Wipes the bytes and gives the buffer back to the allocator.
inline void WipeAndRelease(std::string& s) {
  sodium_memzero(s.data(), s.size());
  std::string().swap(s);
}

}  // namespace mailvault
