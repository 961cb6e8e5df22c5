#include "server/imap/fetch_response.h"

namespace mailvault::imap {

void FetchResponse::AddLiteral(std::string_view bytes) {
  Piece& piece = pieces_.back();
  piece.literal = bytes;
  piece.has_literal = true;
  piece.literal8 = bytes.find('\0') != std::string_view::npos;
  // "~{" digits "}" CRLF, then the bytes.
  literal_size_ += (piece.literal8 ? 1 : 0) + 4 + std::to_string(bytes.size()).size() +
                   bytes.size();
  pieces_.emplace_back();
}

uint64_t FetchResponse::size() const {
  uint64_t size = literal_size_;
  for (const Piece& piece : pieces_) size += piece.text.size();
  return size;
}

}  // namespace mailvault::imap
