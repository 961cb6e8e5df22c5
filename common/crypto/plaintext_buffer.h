// A buffer for one chunk of message plaintext, wiped when it is released.
//
// Plaintext is not key material: it lives in ordinary memory (mailvaultd
// makes itself non-dumpable, so it never reaches a core file), but no buffer
// of ours hands it back to the allocator unwiped. sodium_malloc would cost
// several system calls per message for no gain here.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <memory>

namespace mailvault {

class PlaintextBuffer {
 public:
  explicit PlaintextBuffer(size_t size)
      : data_(std::make_unique_for_overwrite<unsigned char[]>(size)), size_(size) {}
  ~PlaintextBuffer() { sodium_memzero(data_.get(), size_); }
  PlaintextBuffer(const PlaintextBuffer&) = delete;
  PlaintextBuffer& operator=(const PlaintextBuffer&) = delete;

  unsigned char* data() { return data_.get(); }
  size_t size() const { return size_; }

 private:
  std::unique_ptr<unsigned char[]> data_;
  size_t size_;
};

}  // namespace mailvault
