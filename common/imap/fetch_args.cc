#include "common/imap/fetch_args.h"

#include <algorithm>
#include <string_view>

#include "common/imap/arg_reader.h"
#include "common/imap/command_tokenizer.h"
#include "common/imap/lexical.h"

namespace mailvault::imap {
namespace {

// Deeper MIME nesting than this is refused rather than walked.
constexpr size_t kMaxSectionParts = 64;

class FetchParser {
 public:
  FetchParser(std::string_view command, FetchArgs& args) : command_(command), args_(args) {}

  Status Error(std::string_view message) const {
    return Status(ErrorCode::kInvalidArgument, std::string(command_) + ": " + std::string(message));
  }

  Status AddMacro(std::string_view upper) {
    // RFC 9051: ALL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE), FAST
    // without ENVELOPE, FULL = ALL plus BODY.
    Add(FetchItemKind::kFlags);
    Add(FetchItemKind::kInternalDate);
    Add(FetchItemKind::kRfc822Size);
    if (upper != "FAST") Add(FetchItemKind::kEnvelope);
    if (upper == "FULL") Add(FetchItemKind::kBody);
    return Status::Ok();
  }

  Status AddItem(const ImapToken& token, bool in_list) {
    if (token.kind == TokenKind::kSection) return AddSectionItem(token);
    if (token.kind != TokenKind::kAtom) {
      return Error("expected a message data item, got " + TokenKindForError(token));
    }
    const std::string upper = UpperAscii(token.text);
    static constexpr struct {
      std::string_view name;
      FetchItemKind kind;
    } kSimple[] = {
        {"ENVELOPE", FetchItemKind::kEnvelope},
        {"FLAGS", FetchItemKind::kFlags},
        {"INTERNALDATE", FetchItemKind::kInternalDate},
        {"RFC822", FetchItemKind::kRfc822},
        {"RFC822.HEADER", FetchItemKind::kRfc822Header},
        {"RFC822.SIZE", FetchItemKind::kRfc822Size},
        {"RFC822.TEXT", FetchItemKind::kRfc822Text},
        {"BODY", FetchItemKind::kBody},
        {"BODYSTRUCTURE", FetchItemKind::kBodyStructure},
        {"UID", FetchItemKind::kUid},
        {"MODSEQ", FetchItemKind::kModSeq},
    };
    for (const auto& simple : kSimple) {
      if (upper == simple.name) {
        Add(simple.kind);
        return Status::Ok();
      }
    }
    if (upper == "ALL" || upper == "FAST" || upper == "FULL") {
      if (in_list) return Error("macro " + upper + " cannot be combined with other items");
      return AddMacro(upper);
    }
    if (upper == "BODY.PEEK" || upper == "BINARY" || upper == "BINARY.PEEK" ||
        upper == "BINARY.SIZE") {
      return Error(upper + " requires a [section]");
    }
    if (upper.find('<') != std::string::npos) {
      return Error("a <partial> is only allowed after a [section]");
    }
    return Error("unknown message data item " + upper.substr(0, 40));
  }

  // The tokens inside BODY[...].
  Status ParseBodySection(const std::vector<ImapToken>& children, FetchSection& section) {
    if (children.empty()) return Status::Ok();
    const ImapToken& spec = children[0];
    if (spec.kind != TokenKind::kAtom && spec.kind != TokenKind::kNumber) {
      return Error("invalid section: expected a section specifier, got " + TokenKindForError(spec));
    }
    std::string_view rest;
    MV_RETURN_IF_ERROR(ParseParts(spec.text, section.part, rest));
    const std::string text = UpperAscii(rest);
    if (text.empty()) {
      section.text = SectionText::kAll;
    } else if (text == "HEADER") {
      section.text = SectionText::kHeader;
    } else if (text == "HEADER.FIELDS") {
      section.text = SectionText::kHeaderFields;
    } else if (text == "HEADER.FIELDS.NOT") {
      section.text = SectionText::kHeaderFieldsNot;
    } else if (text == "TEXT") {
      section.text = SectionText::kText;
    } else if (text == "MIME") {
      if (section.part.empty()) return Error("MIME requires a part number, as in BODY[1.MIME]");
      section.text = SectionText::kMime;
    } else {
      return Error("unknown section text " + text.substr(0, 40));
    }
    const bool fields =
        section.text == SectionText::kHeaderFields || section.text == SectionText::kHeaderFieldsNot;
    if (!fields) {
      if (children.size() > 1)
        return Error("unexpected " + TokenKindForError(children[1]) + " in section " + text);
      return Status::Ok();
    }
    if (children.size() < 2 || children[1].kind != TokenKind::kList) {
      return Error(text + " requires a parenthesised list of header field names");
    }
    if (children.size() > 2) return Error("unexpected text after the header field list");
    if (children[1].children.empty()) return Error(text + " requires at least one field name");
    for (const ImapToken& field : children[1].children) {
      MV_ASSIGN_OR_RETURN(std::string name, TokenAsAstring(field, command_, "header field name"));
      // RFC 5322 field-name: printable ASCII except ':'.
      if (name.empty() || std::any_of(name.begin(), name.end(),
                                      [](char c) { return c <= 0x20 || c >= 0x7f || c == ':'; })) {
        return Error("invalid header field name \"" + ErrorExcerpt(name) + "\"");
      }
      section.header_fields.push_back(std::move(name));
    }
    return Status::Ok();
  }

 private:
  void Add(FetchItemKind kind) {
    for (const FetchItem& item : args_.items) {
      if (item.kind == kind) return;
    }
    FetchItem item;
    item.kind = kind;
    args_.items.push_back(std::move(item));
  }

  Status AddSectionItem(const ImapToken& token) {
    const std::string prefix = UpperAscii(token.SectionPrefix());
    FetchItem item;
    if (prefix == "BODY" || prefix == "BODY.PEEK") {
      item.kind = FetchItemKind::kBodySection;
      item.peek = prefix == "BODY.PEEK";
      MV_RETURN_IF_ERROR(ParseBodySection(token.children, item.section));
    } else if (prefix == "BINARY" || prefix == "BINARY.PEEK" || prefix == "BINARY.SIZE") {
      item.kind = prefix == "BINARY.SIZE" ? FetchItemKind::kBinarySize : FetchItemKind::kBinary;
      item.peek = prefix == "BINARY.PEEK";
      MV_RETURN_IF_ERROR(ParseBinarySection(token.children, item.section));
    } else {
      return Error("unknown message data item " + std::string(token.text.substr(0, 40)));
    }
    const std::string_view suffix = token.SectionSuffix();
    if (!suffix.empty()) {
      if (item.kind == FetchItemKind::kBinarySize) {
        return Error("BINARY.SIZE does not take a <partial>");
      }
      MV_ASSIGN_OR_RETURN(item.partial, ParsePartial(suffix));
    }
    // The same section asked for again is answered once (BODY[] and
    // BODY.PEEK[] name the same response item; reading without PEEK wins).
    // Each one answered costs up to the message's size in the response.
    for (FetchItem& earlier : args_.items) {
      if (earlier.kind == item.kind && earlier.section == item.section &&
          earlier.partial == item.partial) {
        earlier.peek = earlier.peek && item.peek;
        return Status::Ok();
      }
    }
    if (args_.items.size() >= kMaxFetchItems) {
      return Error("too many message data items (at most " + std::to_string(kMaxFetchItems) +
                   " different ones)");
    }
    args_.items.push_back(std::move(item));
    return Status::Ok();
  }

  // "1.2.3" or "1.2.HEADER": part numbers, then the rest of the text.
  Status ParseParts(std::string_view text, std::vector<uint32_t>& part, std::string_view& rest) {
    size_t pos = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      const size_t begin = pos;
      uint64_t value = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        value = value * 10 + static_cast<uint64_t>(text[pos] - '0');
        if (value > 0xffffffffu) return Error("section part number too large");
        ++pos;
      }
      if (value == 0) return Error("section part numbers start at 1");
      if (text[begin] == '0') return Error("leading zero in section part number");
      if (part.size() >= kMaxSectionParts) return Error("section part nested too deeply");
      part.push_back(static_cast<uint32_t>(value));
      if (pos == text.size()) break;
      if (text[pos] != '.') {
        return Error("invalid character '" + std::string(1, text[pos]) + "' in section part");
      }
      ++pos;
      if (pos == text.size()) return Error("section part ends with '.'");
    }
    rest = text.substr(pos);
    return Status::Ok();
  }

  Status ParseBinarySection(const std::vector<ImapToken>& children, FetchSection& section) {
    if (children.empty()) return Status::Ok();
    const ImapToken& spec = children[0];
    if (children.size() > 1 || (spec.kind != TokenKind::kAtom && spec.kind != TokenKind::kNumber)) {
      return Error("a BINARY section takes only part numbers, as in BINARY[1.2]");
    }
    std::string_view rest;
    MV_RETURN_IF_ERROR(ParseParts(spec.text, section.part, rest));
    if (!rest.empty()) return Error("a BINARY section takes only part numbers, as in BINARY[1.2]");
    return Status::Ok();
  }

  // "<" number64 "." nz-number64 ">"
  Result<FetchPartial> ParsePartial(std::string_view text) {
    const Status invalid = Error("invalid partial \"" + ErrorExcerpt(text) +
                                 "\", expected <offset.length>");
    if (text.size() < 5 || text.front() != '<' || text.back() != '>') return invalid;
    text = text.substr(1, text.size() - 2);
    const size_t dot = text.find('.');
    if (dot == std::string_view::npos) return invalid;
    uint64_t values[2] = {0, 0};
    const std::string_view parts[2] = {text.substr(0, dot), text.substr(dot + 1)};
    for (int i = 0; i < 2; ++i) {
      if (parts[i].empty() || parts[i].size() > 19) return invalid;
      for (char c : parts[i]) {
        if (c < '0' || c > '9') return invalid;
        values[i] = values[i] * 10 + static_cast<uint64_t>(c - '0');
      }
    }
    if (values[1] == 0) return Error("partial length must not be 0");
    FetchPartial partial;
    partial.offset = values[0];
    partial.length = values[1];
    return partial;
  }

  std::string_view command_;
  FetchArgs& args_;
};

}  // namespace

bool FetchArgs::Has(FetchItemKind kind) const {
  return std::any_of(items.begin(), items.end(),
                     [kind](const FetchItem& item) { return item.kind == kind; });
}

Result<FetchArgs> ParseFetchArgs(const ImapCommand& command) {
  const std::string_view name = command.uid ? "UID FETCH" : "FETCH";
  ArgReader reader(name, command.args);
  FetchArgs args;
  FetchParser parser(name, args);
  MV_ASSIGN_OR_RETURN(args.set, reader.Sequence("sequence set"));
  if (reader.AtEnd()) return reader.Missing("message data items");
  const ImapToken& items = reader.Take();
  if (items.kind == TokenKind::kList) {
    if (items.children.empty()) return reader.Error("empty message data item list");
    for (const ImapToken& item : items.children) {
      MV_RETURN_IF_ERROR(parser.AddItem(item, /*in_list=*/true));
    }
  } else {
    MV_RETURN_IF_ERROR(parser.AddItem(items, /*in_list=*/false));
  }

  if (!reader.AtEnd()) {
    MV_ASSIGN_OR_RETURN(const ImapToken* modifiers, reader.List("FETCH modifier list"));
    if (modifiers->children.empty()) return reader.Error("empty FETCH modifier list");
    const std::vector<ImapToken>& list = modifiers->children;
    for (size_t i = 0; i < list.size(); ++i) {
      if (IsAtomNamed(list[i], "CHANGEDSINCE")) {
        if (args.changed_since.has_value()) return reader.Error("CHANGEDSINCE given twice");
        if (i + 1 >= list.size()) return reader.Missing("mod-sequence after CHANGEDSINCE");
        MV_ASSIGN_OR_RETURN(args.changed_since,
                            TokenAsNumber(list[++i], name, "mod-sequence", kMaxModSeq));
      } else if (IsAtomNamed(list[i], "VANISHED")) {
        if (args.vanished) return reader.Error("VANISHED given twice");
        args.vanished = true;
      } else if (IsAtomNamed(list[i], "PARTIAL")) {
        if (args.partial) return reader.Error("PARTIAL given twice");
        if (i + 1 >= list.size()) return reader.Missing("range after PARTIAL");
        MV_ASSIGN_OR_RETURN(args.partial, ParsePartialRange(list[++i], name));
      } else {
        return reader.Error("unknown FETCH modifier " + TokenKindForError(list[i]));
      }
    }
  }
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  if (args.partial && !command.uid) return reader.Error("PARTIAL needs UID FETCH (RFC 9394)");
  // RFC 7162 3.2.6: only UID FETCH, and only with CHANGEDSINCE.
  if (args.vanished && (!command.uid || !args.changed_since)) {
    return reader.Error("VANISHED needs UID FETCH and CHANGEDSINCE");
  }

  auto add_implied = [&args](FetchItemKind kind) {
    if (args.Has(kind)) return;
    FetchItem item;
    item.kind = kind;
    args.items.push_back(std::move(item));
  };
  if (command.uid) add_implied(FetchItemKind::kUid);
  if (args.changed_since.has_value()) add_implied(FetchItemKind::kModSeq);
  for (const FetchItem& item : args.items) {
    if (item.kind == FetchItemKind::kRfc822 || item.kind == FetchItemKind::kRfc822Text ||
        ((item.kind == FetchItemKind::kBodySection || item.kind == FetchItemKind::kBinary) &&
         !item.peek)) {
      args.sets_seen = true;
    }
  }
  args.uses_condstore = args.Has(FetchItemKind::kModSeq);
  return args;
}

Result<FetchSection> ParseSectionSpec(std::string_view text, std::string_view command) {
  const Status invalid(ErrorCode::kInvalidArgument, std::string(command) + ": invalid section \"" +
                                                        ErrorExcerpt(text) + "\"");
  if (text.find_first_of("[]\r\n") != std::string_view::npos) return invalid;
  // Lexed as the inside of BODY[...] so that the grammar is FETCH's, rules
  // and messages alike; a literal announcement or an unbalanced list fails.
  CommandTokenizer tokenizer;
  const std::string line = "s FETCH 1 BODY[" + std::string(text) + "]";
  if (tokenizer.AddSegment(line).outcome != CommandTokenizer::Outcome::kComplete) return invalid;
  const ImapCommand lexed = tokenizer.TakeCommand();
  if (lexed.args.size() != 2 || lexed.args[1].kind != TokenKind::kSection) return invalid;
  FetchArgs unused;
  FetchParser parser(command, unused);
  FetchSection section;
  MV_RETURN_IF_ERROR(parser.ParseBodySection(lexed.args[1].children, section));
  return section;
}

}  // namespace mailvault::imap
