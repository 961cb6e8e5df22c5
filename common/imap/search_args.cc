#include "common/imap/search_args.h"

#include "common/imap/arg_reader.h"
#include "common/imap/flags.h"
#include "common/imap/lexical.h"

namespace mailvault::imap {
namespace {

enum class ArgType { kNone, kString, kTwoStrings, kDate, kNumber, kSet, kKeyword };

struct KeySpec {
  std::string_view name;
  SearchKeyKind kind;
  ArgType arg;
};

constexpr KeySpec kKeys[] = {
    {"ALL", SearchKeyKind::kAll, ArgType::kNone},
    {"ANSWERED", SearchKeyKind::kAnswered, ArgType::kNone},
    {"DELETED", SearchKeyKind::kDeleted, ArgType::kNone},
    {"DRAFT", SearchKeyKind::kDraft, ArgType::kNone},
    {"FLAGGED", SearchKeyKind::kFlagged, ArgType::kNone},
    {"SEEN", SearchKeyKind::kSeen, ArgType::kNone},
    {"RECENT", SearchKeyKind::kRecent, ArgType::kNone},
    {"NEW", SearchKeyKind::kNew, ArgType::kNone},
    {"OLD", SearchKeyKind::kOld, ArgType::kNone},
    {"UNANSWERED", SearchKeyKind::kUnanswered, ArgType::kNone},
    {"UNDELETED", SearchKeyKind::kUndeleted, ArgType::kNone},
    {"UNDRAFT", SearchKeyKind::kUndraft, ArgType::kNone},
    {"UNFLAGGED", SearchKeyKind::kUnflagged, ArgType::kNone},
    {"UNSEEN", SearchKeyKind::kUnseen, ArgType::kNone},
    {"KEYWORD", SearchKeyKind::kKeyword, ArgType::kKeyword},
    {"UNKEYWORD", SearchKeyKind::kUnkeyword, ArgType::kKeyword},
    {"BEFORE", SearchKeyKind::kBefore, ArgType::kDate},
    {"ON", SearchKeyKind::kOn, ArgType::kDate},
    {"SINCE", SearchKeyKind::kSince, ArgType::kDate},
    {"SENTBEFORE", SearchKeyKind::kSentBefore, ArgType::kDate},
    {"SENTON", SearchKeyKind::kSentOn, ArgType::kDate},
    {"SENTSINCE", SearchKeyKind::kSentSince, ArgType::kDate},
    {"LARGER", SearchKeyKind::kLarger, ArgType::kNumber},
    {"SMALLER", SearchKeyKind::kSmaller, ArgType::kNumber},
    {"UID", SearchKeyKind::kUid, ArgType::kSet},
    {"BCC", SearchKeyKind::kBcc, ArgType::kString},
    {"BODY", SearchKeyKind::kBody, ArgType::kString},
    {"CC", SearchKeyKind::kCc, ArgType::kString},
    {"FROM", SearchKeyKind::kFrom, ArgType::kString},
    {"HEADER", SearchKeyKind::kHeader, ArgType::kTwoStrings},
    {"SUBJECT", SearchKeyKind::kSubject, ArgType::kString},
    {"TEXT", SearchKeyKind::kText, ArgType::kString},
    {"TO", SearchKeyKind::kTo, ArgType::kString},
};

class SearchParser {
 public:
  SearchParser(std::string_view command, SearchArgs& args) : command_(command), args_(args) {}

  Status Error(std::string_view message) const {
    return Status(ErrorCode::kInvalidArgument, std::string(command_) + ": " + std::string(message));
  }

  // One key from tokens[i], advancing i.
  Result<SearchKey> ParseKey(const std::vector<ImapToken>& tokens, size_t& i, size_t depth) {
    if (depth > kMaxSearchDepth) {
      return Error("search keys nested deeper than " + std::to_string(kMaxSearchDepth));
    }
    if (i >= tokens.size()) return Error("missing search key");
    const ImapToken& token = tokens[i++];
    SearchKey key;
    if (token.kind == TokenKind::kList) {
      if (token.children.empty()) return Error("empty parenthesised search key");
      key.kind = SearchKeyKind::kAnd;
      size_t j = 0;
      while (j < token.children.size()) {
        MV_ASSIGN_OR_RETURN(SearchKey child, ParseKey(token.children, j, depth + 1));
        key.children.push_back(std::move(child));
      }
      return key;
    }
    if (token.kind == TokenKind::kNumber ||
        (token.kind == TokenKind::kAtom && !token.text.empty() &&
         ((token.text[0] >= '0' && token.text[0] <= '9') || token.text[0] == '*' ||
          token.text[0] == '$'))) {
      key.kind = SearchKeyKind::kSequenceSet;
      MV_ASSIGN_OR_RETURN(key.set, TokenAsSequenceSet(token, command_, "sequence set"));
      NoteSet(key.set);
      return key;
    }
    if (token.kind != TokenKind::kAtom) {
      return Error("expected a search key, got " + TokenKindForError(token));
    }
    const std::string name = UpperAscii(token.text);
    if (name == "NOT" || name == "OR") {
      key.kind = name == "NOT" ? SearchKeyKind::kNot : SearchKeyKind::kOr;
      for (int n = 0; n < (name == "NOT" ? 1 : 2); ++n) {
        if (i >= tokens.size()) return Error("missing search key after " + name);
        MV_ASSIGN_OR_RETURN(SearchKey child, ParseKey(tokens, i, depth + 1));
        key.children.push_back(std::move(child));
      }
      return key;
    }
    if (name == "MODSEQ") return ParseModSeq(tokens, i);
    for (const KeySpec& spec : kKeys) {
      if (name != spec.name) continue;
      key.kind = spec.kind;
      MV_RETURN_IF_ERROR(ParseKeyArgument(spec, tokens, i, key));
      if (key.IsContentKey()) args_.has_content_keys = true;
      return key;
    }
    return Error("unknown search key " + name.substr(0, 40));
  }

 private:
  void NoteSet(const SequenceSet& set) {
    if (set.is_saved_result()) args_.uses_saved_result = true;
  }

  Status ParseKeyArgument(const KeySpec& spec, const std::vector<ImapToken>& tokens, size_t& i,
                          SearchKey& key) {
    if (spec.arg == ArgType::kNone) return Status::Ok();
    if (i >= tokens.size()) {
      static constexpr std::string_view kWhat[] = {
          "",          "a string", "a header name and a string", "a date", "a number",
          "a UID set", "a keyword"};
      return Error("missing " + std::string(kWhat[static_cast<int>(spec.arg)]) + " after " +
                   std::string(spec.name));
    }
    const ImapToken& arg = tokens[i++];
    const std::string what = std::string(spec.name) + " argument";
    switch (spec.arg) {
      case ArgType::kNone:
        break;
      case ArgType::kString: {
        MV_ASSIGN_OR_RETURN(key.text, TokenAsAstring(arg, command_, what));
        break;
      }
      case ArgType::kTwoStrings: {
        MV_ASSIGN_OR_RETURN(key.text, TokenAsAstring(arg, command_, "HEADER field name"));
        if (i >= tokens.size())
          return Error("missing string after HEADER " + ErrorExcerpt(key.text));
        MV_ASSIGN_OR_RETURN(key.value, TokenAsAstring(tokens[i++], command_, "HEADER value"));
        break;
      }
      case ArgType::kDate: {
        if (!arg.IsAtomLike() && arg.kind != TokenKind::kQuoted) {
          return Error("expected a date after " + std::string(spec.name) + ", got " +
                       TokenKindForError(arg));
        }
        Result<ImapDate> date = ParseSearchDate(arg.text);
        if (!date.ok()) return Error(date.status().message());
        key.date = date.value();
        break;
      }
      case ArgType::kNumber: {
        MV_ASSIGN_OR_RETURN(key.number, TokenAsNumber(arg, command_, what));
        break;
      }
      case ArgType::kSet: {
        MV_ASSIGN_OR_RETURN(key.set, TokenAsSequenceSet(arg, command_, "UID set"));
        NoteSet(key.set);
        break;
      }
      case ArgType::kKeyword: {
        MV_ASSIGN_OR_RETURN(key.text, ParseKeyword(arg, command_));
        break;
      }
    }
    return Status::Ok();
  }

  // MODSEQ [entry-name entry-type-req] mod-sequence-valzer
  Result<SearchKey> ParseModSeq(const std::vector<ImapToken>& tokens, size_t& i) {
    SearchKey key;
    key.kind = SearchKeyKind::kModSeq;
    args_.uses_modseq = true;
    if (i < tokens.size() && tokens[i].kind == TokenKind::kQuoted) {
      key.text = tokens[i++].text;
      if (key.text.rfind("/flags/", 0) != 0) {
        return Error("MODSEQ entry name must start with /flags/");
      }
      if (i >= tokens.size()) return Error("missing entry type after MODSEQ entry name");
      const ImapToken& type = tokens[i++];
      const std::string upper = type.kind == TokenKind::kAtom ? UpperAscii(type.text) : "";
      if (upper != "PRIV" && upper != "SHARED" && upper != "ALL") {
        return Error("MODSEQ entry type must be priv, shared or all");
      }
      for (char c : upper) key.value.push_back(static_cast<char>(c + 32));
    }
    if (i >= tokens.size()) return Error("missing mod-sequence after MODSEQ");
    MV_ASSIGN_OR_RETURN(key.number,
                        TokenAsNumber(tokens[i++], command_, "mod-sequence", kMaxModSeq));
    return key;
  }

  std::string_view command_;
  SearchArgs& args_;
};

}  // namespace

bool SearchKey::IsContentKey() const {
  switch (kind) {
    case SearchKeyKind::kBcc:
    case SearchKeyKind::kBody:
    case SearchKeyKind::kCc:
    case SearchKeyKind::kFrom:
    case SearchKeyKind::kHeader:
    case SearchKeyKind::kSubject:
    case SearchKeyKind::kText:
    case SearchKeyKind::kTo:
      return true;
    default:
      return false;
  }
}

bool IsSupportedSearchCharset(std::string_view charset) {
  const std::string upper = UpperAscii(charset);
  return upper == "UTF-8" || upper == "US-ASCII";
}

bool SearchReturnOptions::ImpliesAll() const {
  return !min && !max && !all && !count && !partial && !(save && !context && !update);
}

Status ParseSearchReturnOptions(std::string_view command, const ImapToken& list,
                                SearchReturnOptions& returns) {
  if (list.kind != TokenKind::kList) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string(command) + ": RETURN requires a parenthesised option list");
  }
  const auto error = [&](const std::string& what) {
    return Status(ErrorCode::kInvalidArgument, std::string(command) + ": " + what);
  };
  const std::vector<ImapToken>& options = list.children;
  for (size_t i = 0; i < options.size(); ++i) {
    const ImapToken& option = options[i];
    const std::string upper = option.kind == TokenKind::kAtom ? UpperAscii(option.text) : "";
    bool* flag = upper == "MIN"       ? &returns.min
                 : upper == "MAX"     ? &returns.max
                 : upper == "ALL"     ? &returns.all
                 : upper == "COUNT"   ? &returns.count
                 : upper == "SAVE"    ? &returns.save
                 : upper == "CONTEXT" ? &returns.context
                 : upper == "UPDATE"  ? &returns.update
                                      : nullptr;
    if (flag != nullptr) {
      if (*flag) return error("RETURN option " + upper + " given twice");
      *flag = true;
      if (flag == &returns.update && i + 1 < options.size() &&
          options[i + 1].kind == TokenKind::kList) {
        returns.update_fetch = options[++i];
      }
    } else if (upper == "PARTIAL") {
      if (returns.partial) return error("RETURN option PARTIAL given twice");
      if (i + 1 >= options.size()) return error("PARTIAL needs a range (RFC 9394)");
      MV_ASSIGN_OR_RETURN(returns.partial, ParsePartialRange(options[++i], command));
    } else {
      return error("unknown RETURN option " + TokenKindForError(option));
    }
  }
  // RFC 9394 3.1: one PARTIAL, one ALL, or neither.
  if (returns.partial && returns.all) return error("RETURN cannot have both PARTIAL and ALL");
  return Status::Ok();
}

Status ParseCharsetAndSearchKeys(std::string_view command, ArgReader& reader,
                                 const std::vector<ImapToken>& tokens, SearchArgs& args) {
  if (reader.AtEnd()) return reader.Missing("charset");
  MV_ASSIGN_OR_RETURN(const std::string charset, reader.Astring("charset"));
  args.charset = UpperAscii(charset);
  return ParseSearchKeys(command, tokens, reader.position(), args);
}

Status ParseSearchKeys(std::string_view command, const std::vector<ImapToken>& tokens, size_t start,
                       SearchArgs& args) {
  SearchParser parser(command, args);
  size_t i = start;
  if (i >= tokens.size()) return parser.Error("missing search key");
  args.key.kind = SearchKeyKind::kAnd;
  while (i < tokens.size()) {
    MV_ASSIGN_OR_RETURN(SearchKey key, parser.ParseKey(tokens, i, 1));
    args.key.children.push_back(std::move(key));
  }
  return Status::Ok();
}

Result<SearchArgs> ParseSearchArgs(const ImapCommand& command) {
  const std::string_view name = command.uid ? "UID SEARCH" : "SEARCH";
  const std::vector<ImapToken>& tokens = command.args;
  SearchArgs args;
  size_t i = 0;

  if (i < tokens.size() && IsAtomNamed(tokens[i], "RETURN")) {
    ++i;
    if (i >= tokens.size()) {
      return Status(ErrorCode::kInvalidArgument,
                    std::string(name) + ": RETURN requires a parenthesised option list");
    }
    args.esearch = true;
    MV_RETURN_IF_ERROR(ParseSearchReturnOptions(name, tokens[i++], args.returns));
  }

  if (i < tokens.size() && IsAtomNamed(tokens[i], "CHARSET")) {
    ++i;
    if (i >= tokens.size()) {
      return Status(ErrorCode::kInvalidArgument,
                    std::string(name) + ": missing charset name after CHARSET");
    }
    MV_ASSIGN_OR_RETURN(const std::string charset, TokenAsAstring(tokens[i++], name, "charset"));
    args.charset = UpperAscii(charset);
  }

  MV_RETURN_IF_ERROR(ParseSearchKeys(name, tokens, i, args));
  return args;
}

}  // namespace mailvault::imap
