#include "server/imap/mime/message_structure.h"

#include <algorithm>

#include "server/imap/mime/body_structure_writer.h"
#include "server/imap/mime/envelope_writer.h"
#include "server/imap/mime/gmime_runtime.h"
#include "server/imap/mime/nul_free_message.h"

namespace mailvault::imap {

Result<MessageStructure> MessageStructure::Parse(std::string_view rfc822) {
  return ParseOwned(std::string(rfc822));
}

Result<MessageStructure> MessageStructure::ParseOwned(std::string&& rfc822) {
  mime::EnsureGMimeInitialized();
  MessageStructure structure;
  if (std::optional<std::string> served = mime::NulFreeMessage(rfc822)) {
    structure.bytes_ = std::move(*served);
  } else {
    structure.bytes_ = std::move(rfc822);
  }
  structure.root_ = mime::ScanMessage(structure.bytes_);
  return structure;
}

std::string MessageStructure::Envelope(Charset charset) const {
  std::string out;
  mime::AppendEnvelope(out, root_.Header(bytes_), charset);
  return out;
}

std::string MessageStructure::BodyStructure(Charset charset, bool extensible) const {
  std::string out;
  mime::AppendBodyStructure(out, root_, bytes_, charset, extensible);
  return out;
}

std::string_view ApplyPartial(std::string_view bytes, const std::optional<FetchPartial>& partial) {
  if (!partial) return bytes;
  if (partial->offset >= bytes.size()) return {};
  return bytes.substr(
      static_cast<size_t>(partial->offset),
      static_cast<size_t>(std::min<uint64_t>(partial->length, bytes.size() - partial->offset)));
}

}  // namespace mailvault::imap
