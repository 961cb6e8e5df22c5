// Where streaming sealers and openers put their output.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mailvault {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Append(std::string_view bytes) = 0;
};

// Appends to a caller-owned string. Reserve the final size first (see
// SealedBodySize) and the string is never reallocated while it grows.
class StringSink final : public ByteSink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  Status Append(std::string_view bytes) override {
    out_.append(bytes);
    return Status::Ok();
  }

 private:
  std::string& out_;
};

}  // namespace mailvault
