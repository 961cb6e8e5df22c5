#include "client/device/passphrase.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mailvault::client {
namespace {

constexpr size_t kMaxPassphrase = 1024;
constexpr size_t kMinNewPassphrase = 8;

// Reads one line (without its end) from `fd` into locked memory.
Result<SecretBytes> ReadLine(int fd, std::string_view what) {
  SecretBytes buffer(kMaxPassphrase);
  size_t size = 0;
  for (;;) {
    char c = 0;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Result<SecretBytes>(ErrorCode::kIOError, "cannot read the passphrase from " + std::string(what) + ": " + std::strerror(errno));
    if (n == 0 || c == '\n') break;
    if (size == kMaxPassphrase) return Result<SecretBytes>(ErrorCode::kInvalidArgument, "the passphrase is longer than 1024 bytes");
    buffer.data()[size++] = static_cast<unsigned char>(c);
  }
  if (size > 0 && buffer.data()[size - 1] == '\r') --size;
  SecretBytes out(size);
  std::memcpy(out.data(), buffer.data(), size);
  return out;
}

Result<SecretBytes> ReadFromTerminal(std::string_view prompt, bool echo = false,
                                     std::string_view no_terminal =
                                         "no terminal to ask for the passphrase: give "
                                         "--passphrase-file or --passphrase-fd") {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) return Result<SecretBytes>(ErrorCode::kInvalidArgument, std::string(no_terminal));
  termios old_mode{};
  const bool is_terminal = ::tcgetattr(tty, &old_mode) == 0;
  if (is_terminal && !echo) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  std::string text = std::string(prompt) + ": ";
  (void)!::write(tty, text.data(), text.size());
  auto line = ReadLine(tty, "the terminal");
  if (is_terminal && !echo) ::tcsetattr(tty, TCSAFLUSH, &old_mode);
  ::close(tty);
  return line;
}

}  // namespace

Result<SecretBytes> ReadPassphrase(const PassphraseSource& source, std::string_view prompt) {
  if (!source.file.empty()) {
    int fd = ::open(source.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Result<SecretBytes>(ErrorCode::kIOError, "cannot read the passphrase file " + source.file + ": " + std::strerror(errno));
    }
    auto line = ReadLine(fd, source.file);
    ::close(fd);
    return line;
  }
  if (source.fd >= 0) return ReadLine(source.fd, "descriptor " + std::to_string(source.fd));
  return ReadFromTerminal(prompt);
}

Result<std::string> AskOnTerminal(std::string_view question, std::string_view no_terminal) {
  MV_ASSIGN_OR_RETURN(SecretBytes answer, ReadFromTerminal(question, /*echo=*/true, no_terminal));
  return std::string(reinterpret_cast<const char*>(answer.data()), answer.size());
}

Result<SecretBytes> ReadNewPassphrase(const PassphraseSource& source, std::string_view prompt) {
  MV_ASSIGN_OR_RETURN(SecretBytes first, ReadPassphrase(source, prompt));
  if (first.size() < kMinNewPassphrase) {
    return Result<SecretBytes>(ErrorCode::kInvalidArgument, "a passphrase needs at least 8 characters");
  }
  if (source.file.empty() && source.fd < 0) {
    MV_ASSIGN_OR_RETURN(SecretBytes again, ReadFromTerminal("Repeat it"));
    if (!first.Equals(again)) {
      return Result<SecretBytes>(ErrorCode::kInvalidArgument, "the two passphrases differ");
    }
  }
  return first;
}

}  // namespace mailvault::client
