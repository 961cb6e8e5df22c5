#include "client/mailfiles/mbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace mailvault::mailfiles {
namespace {

constexpr std::string_view kFromPrefix = "From ";
constexpr size_t kReadChunk = 64 * 1024;

constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

Status IoError(const std::string& path, std::string_view what, int error) {
  return Status(ErrorCode::kIOError, path + ": " + std::string(what) + ": " + std::strerror(error));
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// ^>*From  : the lines the writer escapes.
bool NeedsEscape(std::string_view line) {
  size_t quotes = line.find_first_not_of('>');
  return quotes != std::string_view::npos && StartsWith(line.substr(quotes), kFromPrefix);
}

// ^>+From  : the lines the reader unescapes.
bool IsEscaped(std::string_view line) {
  return !line.empty() && line[0] == '>' && NeedsEscape(line);
}

// Calendar arithmetic on days since 1970-01-01 (H. Hinnant's algorithms),
// done by hand because gmtime/timegm are limited to time_t and strftime's
// names follow the locale, while the "From " line is always English.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

struct Civil {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

Civil CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const unsigned day = static_cast<unsigned>(day_of_year - (153 * mp + 2) / 5 + 1);
  const unsigned month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  return {year_of_era + era * 400 + (month <= 2), month, day};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// "From MAILER-DAEMON Thu Nov 14 22:13:20 2023\n": asctime layout, UTC.
std::string FromLine(int64_t internal_date) {
  const int64_t days = FloorDiv(internal_date, 86400);
  const int64_t seconds = internal_date - days * 86400;
  const Civil civil = CivilFromDays(days);
  const int64_t weekday = ((days % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday
  char text[96];
  std::snprintf(text, sizeof text, "From MAILER-DAEMON %s %s %2u %02d:%02d:%02d %lld\n",
                kWeekdays[weekday], kMonths[civil.month - 1], civil.day,
                static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
                static_cast<int>(seconds % 60), static_cast<long long>(civil.year));
  return text;
}

std::vector<std::string_view> SplitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (true) {
    pos = text.find_first_not_of(" \t\r\n", pos);
    if (pos == std::string_view::npos) break;
    size_t end = text.find_first_of(" \t\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    words.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return words;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

template <size_t N>
int IndexOfName(const char* const (&names)[N], std::string_view word) {
  for (size_t i = 0; i < N; ++i) {
    if (EqualsIgnoringCase(names[i], word)) return static_cast<int>(i);
  }
  return -1;
}

std::optional<int64_t> ParseNumber(std::string_view text, size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// "+0100" or "-0530" as seconds east of UTC.
std::optional<int64_t> ParseNumericZone(std::string_view word) {
  if (word.size() != 5 || (word[0] != '+' && word[0] != '-')) return std::nullopt;
  auto hours = ParseNumber(word.substr(1, 2), 2);
  auto minutes = ParseNumber(word.substr(3, 2), 2);
  if (!hours || !minutes) return std::nullopt;
  const int64_t offset = *hours * 3600 + *minutes * 60;
  return word[0] == '-' ? -offset : offset;
}

// The date of a "From " line, whatever the sender part holds: the words
// "Www Mmm dd hh:mm[:ss] [zone] yyyy [zone]" anywhere after "From ". Other
// programs vary in the zone and in seconds; a zone that is not numeric is
// taken as UTC. 0 when no date is found: the message still imports.
int64_t ParseFromLineDate(std::string_view line) {
  const std::vector<std::string_view> words = SplitWords(line.substr(kFromPrefix.size()));
  for (size_t i = 0; i + 4 < words.size(); ++i) {
    if (IndexOfName(kWeekdays, words[i]) < 0) continue;
    const int month = IndexOfName(kMonths, words[i + 1]);
    auto day = ParseNumber(words[i + 2], 2);
    if (month < 0 || !day || *day < 1 || *day > 31) continue;

    const std::string_view time = words[i + 3];
    if (time.size() != 5 && time.size() != 8) continue;
    auto hour = ParseNumber(time.substr(0, 2), 2);
    auto minute = time[2] == ':' ? ParseNumber(time.substr(3, 2), 2) : std::nullopt;
    std::optional<int64_t> second = 0;
    if (time.size() == 8)
      second = time[5] == ':' ? ParseNumber(time.substr(6, 2), 2) : std::nullopt;
    if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60) continue;

    size_t next = i + 4;
    int64_t zone = 0;
    if (auto numeric = ParseNumericZone(words[next])) {
      zone = *numeric;
      if (++next >= words.size()) continue;
    } else if (!ParseNumber(words[next], 6) && next + 1 < words.size()) {
      ++next;  // an alphabetic zone such as "UTC" or "PST" before the year
    }
    auto year = ParseNumber(words[next], 6);
    if (!year) continue;
    if (next + 1 < words.size()) {
      if (auto numeric = ParseNumericZone(words[next + 1])) zone = *numeric;
    }
    const int64_t days =
        DaysFromCivil(*year, static_cast<unsigned>(month + 1), static_cast<unsigned>(*day));
    return days * 86400 + *hour * 3600 + *minute * 60 + *second - zone;
  }
  return 0;
}

}  // namespace

bool LooksLikeMbox(std::string_view first_bytes) { return StartsWith(first_bytes, kFromPrefix); }

namespace internal {
void FileCloser::operator()(std::FILE* file) const { std::fclose(file); }
}  // namespace internal

// ---- MboxWriter ----

Result<MboxWriter> MboxWriter::Create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError(path, "cannot create mbox", errno);
  // O_CREAT's mode applies only to a new file. Not on a device or pipe
  // (`--mbox /dev/stdout`): chmod there would change the terminal's mode.
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && (info.st_mode & 07777) != 0600) {
    if (::fchmod(fd, 0600) != 0) {
      const int error = errno;
      ::close(fd);
      return IoError(path, "cannot set mode 0600", error);
    }
  }
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    const int error = errno;
    ::close(fd);
    return IoError(path, "cannot open mbox", error);
  }
  return MboxWriter(path, internal::FilePtr(file));
}

Status MboxWriter::WriteBytes(std::string_view bytes) {
  if (bytes.empty()) return Status::Ok();
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size()) {
    return IoError(path_, "write failed", errno);
  }
  return Status::Ok();
}

Status MboxWriter::Append(const MailMessage& message) {
  if (!file_) return Status(ErrorCode::kInvalidArgument, path_ + ": mbox already closed");
  MV_RETURN_IF_ERROR(WriteBytes(FromLine(message.internal_date)));
  const std::string_view bytes = message.bytes;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t end = bytes.find('\n', pos);
    end = end == std::string_view::npos ? bytes.size() : end + 1;
    const std::string_view line = bytes.substr(pos, end - pos);
    if (NeedsEscape(line)) MV_RETURN_IF_ERROR(WriteBytes(">"));
    MV_RETURN_IF_ERROR(WriteBytes(line));
    pos = end;
  }
  // The empty message gets no line of its own, so it reads back empty.
  if (!bytes.empty() && bytes.back() != '\n') MV_RETURN_IF_ERROR(WriteBytes("\n"));
  return WriteBytes("\n");
}

Status MboxWriter::Close() {
  if (!file_) return Status::Ok();
  std::FILE* file = file_.release();
  Status status;
  if (std::fflush(file) != 0) status = IoError(path_, "write failed", errno);
  // A pipe or terminal cannot be synced (EINVAL); there is nothing to lose.
  if (status.ok() && ::fsync(::fileno(file)) != 0 && errno != EINVAL && errno != ENOTSUP) {
    status = IoError(path_, "fsync failed", errno);
  }
  if (std::fclose(file) != 0 && status.ok()) status = IoError(path_, "close failed", errno);
  return status;
}

// ---- MboxReader ----

MboxReader::MboxReader(std::string path, internal::FilePtr file)
    : path_(std::move(path)), file_(std::move(file)), buffer_(kReadChunk) {}

Result<MboxReader> MboxReader::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(path, "cannot open mbox", errno);
  std::FILE* file = ::fdopen(fd, "rb");
  if (file == nullptr) {
    const int error = errno;
    ::close(fd);
    return IoError(path, "cannot open mbox", error);
  }
  MboxReader reader(path, internal::FilePtr(file));
  std::string first;
  MV_ASSIGN_OR_RETURN(bool have_line, reader.ReadLine(first));
  if (have_line) {
    if (!LooksLikeMbox(first)) {
      return Status(ErrorCode::kMalformed,
                    path + ": not an mbox file (it does not start with \"From \")");
    }
    reader.pending_from_line_ = std::move(first);
  }
  return reader;
}

Result<bool> MboxReader::ReadLine(std::string& line) {
  bool any = false;
  while (true) {
    if (buffer_pos_ == buffer_end_) {
      const size_t got = std::fread(buffer_.data(), 1, buffer_.size(), file_.get());
      if (got == 0) {
        if (std::ferror(file_.get())) return IoError(path_, "read failed", errno);
        return any;
      }
      buffer_pos_ = 0;
      buffer_end_ = got;
    }
    const char* start = buffer_.data() + buffer_pos_;
    const size_t available = buffer_end_ - buffer_pos_;
    const void* newline = std::memchr(start, '\n', available);
    const size_t take =
        newline == nullptr ? available : static_cast<const char*>(newline) - start + 1;
    line.append(start, take);
    buffer_pos_ += take;
    any = true;
    if (newline != nullptr) return true;
  }
}

Result<std::optional<MailMessage>> MboxReader::Next() {
  if (!pending_from_line_) return std::optional<MailMessage>();
  MailMessage message;
  message.internal_date = ParseFromLineDate(*pending_from_line_);
  pending_from_line_.reset();

  std::string line;
  while (true) {
    line.clear();
    MV_ASSIGN_OR_RETURN(bool have_line, ReadLine(line));
    if (!have_line) break;
    if (StartsWith(line, kFromPrefix)) {
      pending_from_line_ = std::move(line);
      break;
    }
    message.bytes.append(line, IsEscaped(line) ? 1 : 0);
  }
  // Drop the separator. Our writer always leaves "\n" alone (the empty
  // message) or "\n\n" at the end; anything else comes from a writer that
  // left out the blank line, and then the last "\n" is the message's own.
  std::string& bytes = message.bytes;
  if (bytes == "\n" || (bytes.size() >= 2 && bytes.compare(bytes.size() - 2, 2, "\n\n") == 0)) {
    bytes.pop_back();
  }
  return std::optional<MailMessage>(std::move(message));
}

}  // namespace mailvault::mailfiles
