#include "common/imap/sort_args.h"

#include <array>
#include <string>
#include <utility>

#include "common/imap/arg_reader.h"

namespace mailvault::imap {
namespace {

constexpr std::array<std::pair<std::string_view, SortKey>, 9> kSortKeys = {{
    {"ARRIVAL", SortKey::kArrival},
    {"CC", SortKey::kCc},
    {"DATE", SortKey::kDate},
    {"FROM", SortKey::kFrom},
    {"SIZE", SortKey::kSize},
    {"SUBJECT", SortKey::kSubject},
    {"TO", SortKey::kTo},
    {"DISPLAYFROM", SortKey::kDisplayFrom},
    {"DISPLAYTO", SortKey::kDisplayTo},
}};

Result<std::vector<SortCriterion>> ParseCriteria(const ArgReader& reader, const ImapToken& list) {
  if (list.kind != TokenKind::kList) return reader.Unexpected("a list of sort criteria", list);
  if (list.children.empty()) return reader.Error("empty list of sort criteria");
  std::vector<SortCriterion> criteria;
  bool reverse = false;
  for (const ImapToken& token : list.children) {
    if (token.kind != TokenKind::kAtom) return reader.Unexpected("a sort key", token);
    const std::string name = UpperAscii(token.text);
    if (name == "REVERSE") {
      if (reverse) return reader.Error("REVERSE must be followed by a sort key");
      reverse = true;
      continue;
    }
    bool known = false;
    for (const auto& [key_name, key] : kSortKeys) {
      if (name != key_name) continue;
      criteria.push_back(SortCriterion{key, reverse});
      known = true;
    }
    if (!known) return reader.Error("unknown sort key " + name.substr(0, 40));
    reverse = false;
  }
  if (reverse) return reader.Error("REVERSE must be followed by a sort key");
  return criteria;
}

}  // namespace

bool NeedsContent(SortKey key) { return key != SortKey::kArrival && key != SortKey::kSize; }

std::string_view SortKeyName(SortKey key) {
  for (const auto& [name, known] : kSortKeys) {
    if (known == key) return name;
  }
  return "?";
}

Result<SortArgs> ParseSortArgs(const ImapCommand& command) {
  const std::string_view name = command.uid ? "UID SORT" : "SORT";
  ArgReader reader(name, command.args);
  SortArgs args;
  // sort = ["UID" SP] "SORT" [SP sort-return-opts] SP sort-criteria SP
  //        search-criteria (RFC 5256, RFC 5267 3.2)
  if (reader.Peek() != nullptr && IsAtomNamed(*reader.Peek(), "RETURN")) {
    reader.Take();
    if (reader.AtEnd()) return reader.Missing("RETURN option list");
    args.search.esearch = true;
    MV_RETURN_IF_ERROR(ParseSearchReturnOptions(name, reader.Take(), args.search.returns));
  }
  if (reader.AtEnd()) return reader.Missing("sort criteria");
  MV_ASSIGN_OR_RETURN(args.criteria, ParseCriteria(reader, reader.Take()));
  MV_RETURN_IF_ERROR(ParseCharsetAndSearchKeys(name, reader, command.args, args.search));
  return args;
}

}  // namespace mailvault::imap
