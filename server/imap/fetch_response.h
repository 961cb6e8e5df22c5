// One message's FETCH response, put together before any of it is sent:
// text, and literals that refer to the parsed message's bytes instead of
// copying them. Its whole size is known first, so a response over the
// limit is refused before a byte of it goes out, and then it is sent piece
// by piece: a large section goes from the parsed message to the socket
// without another copy (Session::SendFetchResponse).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace mailvault::imap {

class FetchResponse {
 public:
  struct Piece {
    std::string text;          // sent first
    std::string_view literal;  // then, when has_literal, as {n} or ~{n}
    bool has_literal = false;
    bool literal8 = false;
  };

  FetchResponse() : pieces_(1) {}

  // The text after the last literal, to append to.
  std::string& text() { return pieces_.back().text; }
  // A literal of `bytes`, which must stay valid until the response is sent
  // (a view into the parsed message, or a string given to Keep). literal8
  // (~{n}) when they hold NUL, which only BINARY may.
  void AddLiteral(std::string_view bytes);
  // Keeps bytes built for this response (BINARY's decoding, HEADER.FIELDS)
  // for as long as it lives; the view stays valid.
  std::string_view Keep(std::string bytes) { return kept_.emplace_back(std::move(bytes)); }

  // Octets on the wire, literal headers included.
  uint64_t size() const;
  const std::vector<Piece>& pieces() const { return pieces_; }

 private:
  std::vector<Piece> pieces_;
  std::deque<std::string> kept_;  // a deque: growing it moves no string
  uint64_t literal_size_ = 0;  // the literals with their {n}CRLF
};

}  // namespace mailvault::imap
