#include "common/crypto/secret_bytes.h"

#include <sodium.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "common/crypto/sodium_init.h"

namespace mailvault {
namespace {

constexpr std::array<size_t, 2> kSizeClasses = {64, 512};
constexpr size_t kCachedPerClass = 32;

size_t CapacityFor(size_t size) {
  for (size_t size_class : kSizeClasses) {
    if (size <= size_class) return size_class;
  }
  return size;
}

int ClassIndex(size_t capacity) {
  for (size_t i = 0; i < kSizeClasses.size(); ++i) {
    if (kSizeClasses[i] == capacity) return static_cast<int>(i);
  }
  return -1;
}

// Set once this thread's cache is destroyed: a SecretBytes that outlives it
// (a static destroyed after thread-locals) then frees its buffer directly.
thread_local bool cache_destroyed = false;

// Wiped sodium_malloc'd buffers of one thread, ready for reuse.
struct SecretCache {
  std::array<std::vector<unsigned char*>, kSizeClasses.size()> free;
  ~SecretCache() {
    cache_destroyed = true;
    for (auto& list : free) {
      for (unsigned char* p : list) sodium_free(p);
    }
  }
};

thread_local SecretCache cache;

// The list for `capacity`, or nullptr when that size is not cached here.
std::vector<unsigned char*>* FreeList(size_t capacity) {
  const int index = ClassIndex(capacity);
  if (index < 0 || cache_destroyed) return nullptr;
  return &cache.free[index];  // the first use constructs the cache
}

}  // namespace

SecretBytes::SecretBytes(size_t size) : size_(size), capacity_(CapacityFor(size)) {
  EnsureSodiumInitialized();
  if (size == 0) return;
  if (auto* list = FreeList(capacity_); list != nullptr && !list->empty()) {
    data_ = list->back();  // already zero: wiped when released
    list->pop_back();
    return;
  }
  data_ = static_cast<unsigned char*>(sodium_malloc(capacity_));
  if (data_ == nullptr) std::abort();
  sodium_memzero(data_, capacity_);
}

void SecretBytes::Release() {
  if (data_ == nullptr) return;
  if (auto* list = FreeList(capacity_); list != nullptr && list->size() < kCachedPerClass) {
    sodium_memzero(data_, capacity_);
    list->push_back(data_);
  } else {
    sodium_free(data_);  // wipes before freeing
  }
  data_ = nullptr;
}

SecretBytes::~SecretBytes() { Release(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

SecretBytes SecretBytes::Clone() const {
  SecretBytes copy(size_);
  if (size_ > 0) std::memcpy(copy.data_, data_, size_);
  return copy;
}

bool SecretBytes::Equals(const SecretBytes& other) const {
  return size_ == other.size_ && (size_ == 0 || sodium_memcmp(data_, other.data_, size_) == 0);
}

}  // namespace mailvault
