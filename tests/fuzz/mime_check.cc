// mime: a message (the bridge's plaintext mail, or anything APPENDed)
// through MessageStructure: BODYSTRUCTURE, BODY, ENVELOPE, sections,
// BINARY, header values and search text. The first byte picks the
// connection's charset; the rest is the message.
#include <optional>
#include <string>
#include <vector>

#include "client/protocol/response_parser.h"
#include "common/imap/utf8.h"
#include "server/imap/mime/message_structure.h"
#include "server/imap/mime/nul_free_message.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"

namespace mailvault::fuzz {
namespace {

using imap::FetchSection;
using imap::MessageStructure;
using imap::SectionText;

size_t CountList(const imap::ImapToken& token) {
  return token.kind == imap::TokenKind::kList ? token.children.size() : 0;
}

// The FETCH response a client would get parses as IMAP (the client's own
// response parser), with an ENVELOPE of ten fields and a structure list.
std::string CheckFetchResponse(const MessageStructure& message, imap::Charset charset) {
  const std::string envelope = message.Envelope(charset);
  const std::string response = "* 1 FETCH (ENVELOPE " + envelope + " BODYSTRUCTURE " +
                               message.BodyStructure(charset, true) + " BODY " +
                               message.BodyStructure(charset, false) + ")\r\n";
  client::ResponseParser parser;
  parser.Feed(response);
  Result<std::optional<client::Response>> parsed = parser.Next();
  if (!parsed.ok()) return "FETCH response does not parse: " + parsed.status().message();
  if (!parsed->has_value()) return "FETCH response is incomplete: " + Printable(response, 400);
  const std::vector<imap::ImapToken>& data = (*parsed)->data;
  if (data.size() != 3 || CountList(data[2]) != 6) return "FETCH response has the wrong shape";
  const std::vector<imap::ImapToken>& items = data[2].children;
  if (CountList(items[1]) != 10) return "ENVELOPE has not ten fields: " + Printable(envelope, 400);
  if (items[3].kind != imap::TokenKind::kList || items[5].kind != imap::TokenKind::kList) {
    return "BODYSTRUCTURE or BODY is not a list";
  }
  Result<std::optional<client::Response>> more = parser.Next();
  if (!more.ok() || more->has_value()) return "FETCH response left bytes over";
  return "";
}

FetchSection Part(std::vector<uint32_t> part, SectionText text = SectionText::kAll) {
  FetchSection section;
  section.part = std::move(part);
  section.text = text;
  return section;
}

}  // namespace

std::string CheckMime(std::string_view input) {
  FuzzInput in(input);
  const uint8_t selector = in.Byte();
  const std::string_view rfc822 = in.Rest();
  const imap::Charset charset = (selector & 1) ? imap::Charset::kUtf8 : imap::Charset::kAscii;

  Result<MessageStructure> message = MessageStructure::Parse(rfc822);
  if (!message.ok()) return "Parse failed: " + message.status().message();
  const std::optional<std::string> nul_free = imap::mime::NulFreeMessage(rfc822);
  const std::string_view served = nul_free ? std::string_view(*nul_free) : rfc822;
  if (nul_free && nul_free->find('\0') != std::string::npos) return "NUL-free form holds a NUL";
  if (message->size() != served.size() ||
      imap::mime::ServedMessageSize(rfc822) != served.size()) {
    return "RFC822.SIZE disagrees with the served bytes";
  }
  if (message->Section(Part({})) != served) return "BODY[] is not the served message";
  if (message->Section(Part({}, SectionText::kHeader)) +
          message->Section(Part({}, SectionText::kText)) !=
      served) {
    return "BODY[HEADER] + BODY[TEXT] is not BODY[]";
  }
  // Every section is bytes of the message, cut out as they are.
  const std::vector<std::vector<uint32_t>> parts = {{1}, {2}, {1, 1}, {1, 2}, {2, 1}, {1, 1, 1}};
  for (const std::vector<uint32_t>& part : parts) {
    for (SectionText text : {SectionText::kAll, SectionText::kMime, SectionText::kHeader,
                             SectionText::kText}) {
      const std::string section = message->Section(Part(part, text));
      if (served.find(section) == std::string_view::npos) {
        return "a section is not part of the message";
      }
    }
    Result<std::string> binary = message->Binary(part);
    (void)binary;
  }
  Result<std::string> whole = message->Binary({});
  (void)whole;

  for (imap::Charset each : {charset}) {
    std::string failure = CheckFetchResponse(*message, each);
    if (!failure.empty()) return failure;
  }
  for (const std::string& value : message->HeaderValues("Subject")) {
    if (!imap::IsValidUtf8(value)) return "decoded Subject is not UTF-8";
  }
  for (const std::string& value : message->HeaderValues("From")) {
    if (!imap::IsValidUtf8(value)) return "decoded From is not UTF-8";
  }
  if (!imap::IsValidUtf8(message->BodyText())) return "search text is not UTF-8";
  (void)message->SentDateWithZone();
  if (!imap::IsValidUtf8(imap::DecodeHeaderText(std::string(rfc822.substr(0, 2000))))) {
    return "DecodeHeaderText gave invalid UTF-8";
  }
  return "";
}

}  // namespace mailvault::fuzz
