// Progress of long CLI work (rotate, add-device, import, export) on stderr:
// a bar redrawn in place on a terminal, a plain line every few seconds
// otherwise (logs, CI), and always a final line with the count and rate.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mailvault::client {

class Progress {
 public:
  // `total` 0 when unknown (an mbox being read).
  Progress(std::string label, uint64_t total);
  ~Progress();

  void Advance(uint64_t items = 1, uint64_t bytes = 0);
  void set_total(uint64_t total) { total_ = total; }
  // Prints the final line, once the work succeeded.
  void Finish(const std::string& outcome = "");

 private:
  void Draw(bool final_line);

  std::string label_;
  uint64_t total_;
  uint64_t done_ = 0;
  uint64_t bytes_ = 0;
  bool terminal_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace mailvault::client
