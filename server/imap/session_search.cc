// SEARCH and UID SEARCH, with ESEARCH (RETURN), SEARCHRES (SAVE, "$") and
// CONDSTORE's MODSEQ; and the search program SORT and THREAD share.
#include <algorithm>

#include "common/imap/search_args.h"
#include "server/imap/esearch_response.h"
#include "server/imap/message_summary.h"
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

std::optional<Session::Reply> Session::RefuseSearch(const SearchArgs& args) const {
  if (!args.charset.empty() && !IsSupportedSearchCharset(args.charset)) {
    return Reply{"NO", "BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset"};
  }
  if (args.has_content_keys && !backend_->CanSearchContent()) {
    return Reply{"NO", "CANNOT",
                 "Message content is sealed on the vault: search it with the mailvault CLI "
                 "or through the local bridge"};
  }
  return std::nullopt;
}

asio::awaitable<std::vector<MessageSummary>> Session::MatchMessages(const SearchArgs& args,
                                                                    bool summarize_content) {
  if (args.uses_modseq) condstore_ = true;
  const bool need_content = summarize_content || args.has_content_keys || UsesSentDate(args.key);
  const std::string mailbox = selected_->name();
  std::vector<MessageSummary> matched;
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
    if (!Matches(args.key, context)) continue;
    matched.push_back(SummarizeMeta(seq, meta));
    if (summarize_content && structure) SummarizeContent(*structure, matched.back());
  }
  if (args.returns.save) {
    // RFC 5182: the saved result is a set of messages, whatever order a
    // SORT put them in.
    saved_search_.clear();
    for (const MessageSummary& m : matched) saved_search_.push_back(m.uid);
  }
  co_return matched;
}

asio::awaitable<Session::Reply> Session::Search(ImapCommand& command) {
  auto args = ParseSearchArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  if (auto refused = RefuseSearch(*args)) co_return *refused;
  const std::vector<MessageSummary> matched = co_await MatchMessages(*args, false);

  std::vector<uint32_t> results;
  std::vector<uint64_t> modseqs;
  for (const MessageSummary& m : matched) {
    results.push_back(command.uid ? m.uid : m.seq);
    if (args->uses_modseq) modseqs.push_back(m.modseq);
  }
  if (args->esearch || imap4rev2_) {  // IMAP4rev2 answers every SEARCH with ESEARCH
    const std::string line = EsearchLine(command.tag, command.uid, args->returns, results, modseqs,
                                         ResultOrder::kAscending);
    if (!line.empty()) Untagged(line);
  } else {
    std::string line = "SEARCH";
    for (uint32_t n : results) line += " " + std::to_string(n);
    if (!modseqs.empty())
      line += " (MODSEQ " + std::to_string(SearchResultModseq(modseqs, {})) + ")";
    Untagged(line);
  }
  co_return Reply{"OK", "", "SEARCH completed"};
}

}  // namespace mailvault::imap
