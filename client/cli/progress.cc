#include "client/cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace mailvault::client {
namespace {

using Clock = std::chrono::steady_clock;

// A terminal gets redrawn often; a log gets a line now and then.
constexpr auto kTerminalInterval = std::chrono::milliseconds(100);
constexpr auto kPlainInterval = std::chrono::seconds(5);

std::string Megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

}  // namespace

Progress::Progress(std::string label, uint64_t total)
    : label_(std::move(label)),
      total_(total),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(Clock::now()),
      last_draw_(start_) {}

// Without Finish() the work failed: its error is the one line that follows,
// so only a bar left open on a terminal is ended.
Progress::~Progress() {
  if (!finished_ && terminal_ && last_draw_ != start_) std::fprintf(stderr, "\n");
}

void Progress::Advance(uint64_t items, uint64_t bytes) {
  done_ += items;
  bytes_ += bytes;
  const auto now = Clock::now();
  if (now - last_draw_ >= (terminal_ ? kTerminalInterval : kPlainInterval)) {
    last_draw_ = now;
    Draw(false);
  }
}

void Progress::Finish(const std::string& outcome) {
  if (finished_) return;
  finished_ = true;
  Draw(true);
  if (!outcome.empty()) std::fprintf(stderr, "%s\n", outcome.c_str());
}

void Progress::Draw(bool final_line) {
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
  std::string line = label_ + ": " + std::to_string(done_);
  if (total_ > 0) {
    constexpr int kWidth = 30;
    const uint64_t shown = done_ > total_ ? total_ : done_;
    const int filled = static_cast<int>(kWidth * shown / total_);
    line += "/" + std::to_string(total_);
    if (terminal_) {
      line = label_ + " [" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] " +
             std::to_string(done_) + "/" + std::to_string(total_);
    }
  }
  char rate_text[48];
  std::snprintf(rate_text, sizeof rate_text, ", %.0f/s", rate);
  line += rate_text;
  if (bytes_ > 0) {
    line += ", " + Megabytes(bytes_);
    if (seconds > 0) {
      char mb_rate[32];
      std::snprintf(mb_rate, sizeof mb_rate, " (%.1f MB/s)", static_cast<double>(bytes_) / 1e6 / seconds);
      line += mb_rate;
    }
  }
  if (final_line) {
    char elapsed[32];
    std::snprintf(elapsed, sizeof elapsed, " in %.1f s", seconds);
    line += elapsed;
  }
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace mailvault::client
