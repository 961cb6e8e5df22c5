#include "server/imap/mime/address_list.h"

#include "server/imap/mime/structured_reader.h"

namespace mailvault::imap::mime {
namespace {

constexpr std::string_view kMissingMailbox = "MISSING_MAILBOX";
constexpr std::string_view kMissingDomain = "MISSING_DOMAIN";

class AddressListParser {
 public:
  AddressListParser(std::string_view value, size_t max_entries)
      : reader_(value), max_entries_(max_entries) {}

  std::vector<EnvelopeAddress> Parse() {
    while (!Full()) {
      reader_.SkipCfws();
      if (reader_.AtEnd()) break;
      if (reader_.Consume(',')) continue;  // an empty member
      ParseMember();
    }
    return std::move(out_);
  }

 private:
  // address = mailbox / group
  void ParseMember() {
    const size_t start = reader_.position();
    std::string phrase;
    const bool has_phrase = ReadPhrase(phrase);
    reader_.SkipCfws();
    if (has_phrase && reader_.Peek() == ':') {
      reader_.Advance();
      ParseGroup(phrase);
      return;
    }
    reader_.set_position(start);
    ParseMailbox(/*in_group=*/false);
  }

  // group = display-name ":" [group-list] ";"
  void ParseGroup(const std::string& name) {
    if (out_.size() + 2 > max_entries_) {
      no_room_ = true;  // not even for an empty group's two markers
      return;
    }
    out_.push_back({std::nullopt, std::nullopt, name, std::nullopt});
    in_group_ = true;  // keeps a slot for the end marker
    while (!Full()) {
      reader_.SkipCfws();
      if (reader_.AtEnd()) break;
      if (reader_.Consume(';')) break;
      if (reader_.Consume(',')) continue;
      ParseMailbox(/*in_group=*/true);
    }
    in_group_ = false;
    out_.push_back({std::nullopt, std::nullopt, std::nullopt, std::nullopt});
  }

  bool Full() const { return no_room_ || out_.size() + (in_group_ ? 1 : 0) >= max_entries_; }

  // mailbox = name-addr / addr-spec; then skips whatever junk follows up to
  // the member's end.
  void ParseMailbox(bool in_group) {
    const size_t start = reader_.position();
    std::string phrase;
    const bool has_phrase = ReadPhrase(phrase);
    reader_.SkipCfws();
    EnvelopeAddress address;
    if (reader_.Peek() == '<') {
      reader_.Advance();
      if (has_phrase) address.name = phrase;
      ParseAngleAddr(address);
    } else {
      reader_.set_position(start);
      ParseAddrSpec(address);
      if (!address.name && !address.mailbox && !address.host) {
        reader_.Advance();  // a stray special: skip it, an address may follow
        return;
      }
    }
    if (!address.mailbox) address.mailbox = std::string(kMissingMailbox);
    if (!address.host) address.host = std::string(kMissingDomain);
    out_.push_back(std::move(address));
    SkipToMemberEnd(in_group);
  }

  // After '<': [obs-route] addr-spec ">"
  void ParseAngleAddr(EnvelopeAddress& address) {
    reader_.SkipCfws();
    if (reader_.Peek() == '@') {
      std::string route;
      while (reader_.Peek() == '@' || reader_.Peek() == ',') {
        if (reader_.Consume(',')) {
          reader_.SkipCfws();
          continue;
        }
        reader_.Advance();
        std::string domain;
        ReadDomain(domain);
        if (!route.empty()) route.push_back(',');
        route += "@" + domain;
        reader_.SkipCfws();
      }
      if (reader_.Consume(':')) {
        address.adl = route;
      } else {
        // "<@domain>": no route, a missing local part.
        if (route.size() > 1 && route.find(',') == std::string::npos) {
          address.host = route.substr(1);
        }
        reader_.Consume('>');
        return;
      }
    }
    reader_.SkipCfws();
    if (reader_.Peek() == '>') {
      reader_.Advance();
      return;  // "<>": both parts missing
    }
    // The display name is set, so a comment does not replace it.
    const std::optional<std::string> name = address.name;
    ParseAddrSpec(address);
    if (name) address.name = name;
    reader_.SkipCfws();
    reader_.Consume('>');
  }

  // addr-spec = local-part "@" domain. A trailing comment names the
  // address when there is no display name ("mary@x.test (Mary Smith)").
  void ParseAddrSpec(EnvelopeAddress& address) {
    reader_.SkipCfws();
    reader_.ClearLastComment();
    std::string local;
    bool only_quoted = false;
    ReadLocalPart(local, only_quoted);
    reader_.SkipCfws();
    if (reader_.Consume('@')) {
      std::string domain;
      if (ReadDomain(domain)) address.host = std::move(domain);
      reader_.SkipCfws();
    } else if (only_quoted) {
      // A lone quoted string is a display name without an address.
      if (!local.empty()) address.name = std::move(local);
      local.clear();
    }
    if (!local.empty()) address.mailbox = std::move(local);
    if (!reader_.last_comment().empty()) address.name = reader_.last_comment();
  }

  // local-part = dot-atom / quoted-string / obs-local-part (words and dots).
  void ReadLocalPart(std::string& local, bool& only_quoted) {
    int words = 0;
    bool quoted_seen = false;
    while (true) {
      std::string word;
      if (reader_.Peek() == '"') {
        reader_.ReadQuotedString(word);
        quoted_seen = true;
      } else if (!reader_.ReadAtom(word, /*allow_dot=*/false)) {
        break;
      }
      local += word;
      ++words;
      reader_.SkipCfws();
      if (reader_.Peek() != '.') break;
      reader_.Advance();
      local.push_back('.');
      reader_.SkipCfws();
    }
    only_quoted = words == 1 && quoted_seen;
  }

  // domain = dot-atom / domain-literal
  bool ReadDomain(std::string& domain) {
    reader_.SkipCfws();
    if (reader_.Peek() == '[') return reader_.ReadDomainLiteral(domain);
    bool any = false;
    while (true) {
      std::string label;
      if (!reader_.ReadAtom(label, /*allow_dot=*/false)) break;
      domain += label;
      any = true;
      reader_.SkipCfws();
      if (reader_.Peek() != '.') break;
      reader_.Advance();
      domain.push_back('.');
      reader_.SkipCfws();
    }
    return any;
  }

  // phrase = 1*word, words joined by one space (obs-phrase dots allowed).
  bool ReadPhrase(std::string& phrase) {
    bool any = false;
    while (true) {
      reader_.SkipCfws();
      std::string word;
      if (reader_.Peek() == '"') {
        reader_.ReadQuotedString(word);
      } else if (!reader_.ReadAtom(word, /*allow_dot=*/true)) {
        break;
      }
      if (any) phrase.push_back(' ');
      phrase += word;
      any = true;
    }
    return any;
  }

  // Skips to the ',' that ends this member (left for the caller), or to the
  // ';' that ends the group.
  void SkipToMemberEnd(bool in_group) {
    while (true) {
      reader_.SkipCfws();
      if (reader_.AtEnd()) return;
      const char c = reader_.Peek();
      if (c == ',' || (in_group && c == ';')) return;
      if (c == '"') {
        std::string ignored;
        reader_.ReadQuotedString(ignored);
      } else {
        reader_.Advance();
      }
    }
  }

  StructuredReader reader_;
  const size_t max_entries_;
  std::vector<EnvelopeAddress> out_;
  bool in_group_ = false;
  bool no_room_ = false;
};

}  // namespace

std::vector<EnvelopeAddress> ParseAddressList(std::string_view value, size_t max_entries) {
  return AddressListParser(value, max_entries).Parse();
}

}  // namespace mailvault::imap::mime
