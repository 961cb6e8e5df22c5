// SEARCH and UID SEARCH, with ESEARCH (RETURN), SEARCHRES (SAVE, "$") and
// CONDSTORE's MODSEQ.
#include <algorithm>

#include "common/imap/search_args.h"
#include "server/imap/mime/message_structure.h"
#include "server/imap/search_evaluator.h"
#include "server/imap/search_modseq.h"
#include "server/imap/session.h"

namespace mailvault::imap {
namespace {

bool UsesSentDate(const SearchKey& key) {
  if (key.kind == SearchKeyKind::kSentBefore || key.kind == SearchKeyKind::kSentOn ||
      key.kind == SearchKeyKind::kSentSince) {
    return true;
  }
  return std::any_of(key.children.begin(), key.children.end(), UsesSentDate);
}

}  // namespace

asio::awaitable<Session::Reply> Session::Search(ImapCommand& command) {
  auto args = ParseSearchArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  if (!args->charset.empty() && !IsSupportedSearchCharset(args->charset)) {
    co_return Reply{"NO", "BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset"};
  }
  if (args->has_content_keys && !backend_->CanSearchContent()) {
    co_return Reply{"NO", "CANNOT",
                    "Message content is sealed on the vault: search it with the mailvault CLI "
                    "or through the local bridge"};
  }
  if (args->uses_modseq) condstore_ = true;
  const bool need_content = args->has_content_keys || UsesSentDate(args->key);
  const std::string mailbox = selected_->name();

  std::vector<uint32_t> matched_seqs;
  for (uint32_t seq = 1; seq <= selected_->count(); ++seq) {
    const MessageMeta meta = selected_->at(seq);
    std::optional<MessageStructure> structure;
    if (need_content) {
      auto message = co_await OnPool([&] { return backend_->FetchMessage(mailbox, meta); });
      if (!message.ok()) continue;
      auto parsed = MessageStructure::Parse(*message);
      if (parsed.ok()) structure.emplace(std::move(parsed).value());
    }
    SearchContext context{seq,
                          selected_->count(),
                          selected_->MaxUid(),
                          &meta,
                          structure ? &*structure : nullptr,
                          &saved_search_,
                          selected_->IsRecent(meta.uid)};
    if (Matches(args->key, context)) matched_seqs.push_back(seq);
  }
  std::vector<uint32_t> results;
  std::vector<uint64_t> modseqs;
  for (uint32_t seq : matched_seqs) {
    results.push_back(command.uid ? selected_->at(seq).uid : seq);
    if (args->uses_modseq) modseqs.push_back(selected_->at(seq).modseq);
  }
  if (args->returns.save) {
    saved_search_.clear();
    for (uint32_t seq : matched_seqs) saved_search_.push_back(selected_->at(seq).uid);
  }

  if (args->esearch || imap4rev2_) {  // IMAP4rev2 answers every SEARCH with ESEARCH
    const SearchReturnOptions& r = args->returns;
    const bool nothing_asked = !r.min && !r.max && !r.all && !r.count && !r.save;
    std::string line = "ESEARCH (TAG \"" + command.tag + "\")";
    if (command.uid) line += " UID";
    if (!results.empty()) {
      if (r.min) line += " MIN " + std::to_string(results.front());
      if (r.max) line += " MAX " + std::to_string(results.back());
      if (r.all || nothing_asked) line += " ALL " + NumberSet::FromNumbers(results).ToString();
    }
    if (r.count) line += " COUNT " + std::to_string(results.size());
    if (args->uses_modseq && !results.empty()) {
      line += " MODSEQ " + std::to_string(SearchResultModseq(modseqs, r));
    }
    // SAVE alone asks for no result (RFC 5182 2.1).
    if (!(r.save && !r.min && !r.max && !r.all && !r.count)) Untagged(line);
  } else {
    std::string line = "SEARCH";
    for (uint32_t n : results) line += " " + std::to_string(n);
    if (args->uses_modseq && !results.empty()) {
      line += " (MODSEQ " + std::to_string(SearchResultModseq(modseqs, {})) + ")";
    }
    Untagged(line);
  }
  co_return Reply{"OK", "", "SEARCH completed"};
}

}  // namespace mailvault::imap
