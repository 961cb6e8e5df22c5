// Memory for secret material: allocated with sodium_malloc (guard pages,
// mlock'd, excluded from core dumps where the OS allows) and wiped when freed.
// Move-only, so a secret is never copied by accident.
//
// sodium_malloc costs about 60 us here (mmap, mprotect, mlock, munmap), and
// every message needs a few small secrets (data key, subkeys, stream state),
// so small buffers are wiped and kept in a per-thread cache for reuse rather
// than returned to the system.
#pragma once

#include <cstddef>
#include <string_view>

namespace mailvault {

class SecretBytes {
 public:
  SecretBytes() = default;
  // Zero-filled secret buffer of `size` bytes. Aborts if sodium_malloc fails,
  // like operator new would: there is no safe way to go on without it.
  explicit SecretBytes(size_t size);
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // An explicit copy, for the rare place that needs two.
  SecretBytes Clone() const;

  unsigned char* data() { return data_; }
  const unsigned char* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

  // Constant-time comparison.
  bool Equals(const SecretBytes& other) const;

 private:
  void Release();

  unsigned char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;  // what sodium_malloc gave: a size class, or size_
};

}  // namespace mailvault
