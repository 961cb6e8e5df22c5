// SEARCH and UID SEARCH, with ESEARCH (RETURN), SEARCHRES (SAVE, "$") and
// CONDSTORE's MODSEQ; and the search program SORT and THREAD share.
#include <algorithm>

#include "common/imap/search_args.h"
#include "server/imap/esearch_response.h"
#include "server/imap/message_sort.h"
#include "server/imap/message_summary.h"
#include "server/imap/mime/message_structure.h"
#include "server/imap/search_evaluator.h"
#include "server/imap/search_modseq.h"
#include "server/imap/session.h"

namespace mailvault::imap {
namespace {

// Message numbers and "$" in a search program (RFC 5267 4.3 and UPDATE).
bool UsesMessageNumbers(const SearchKey& key) {
  if (key.kind == SearchKeyKind::kSequenceSet) return true;
  return std::any_of(key.children.begin(), key.children.end(), UsesMessageNumbers);
}

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

asio::awaitable<std::optional<MessageSummary>> Session::MatchOne(const SearchArgs& args,
                                                                  uint32_t seq,
                                                                  bool summarize_content) {
  const bool need_content = summarize_content || args.has_content_keys || UsesSentDate(args.key);
  const MessageMeta meta = selected_->at(seq);
  // Evaluated where the content is: with content, the fetch, the parse and
  // the match (decoding and case-folding every text part) run on the pool,
  // not on the network thread other sessions share. The session is
  // suspended meanwhile, so what the context points at stays as it is.
  auto evaluate = [&, seq](const MessageStructure* structure) -> std::optional<MessageSummary> {
    SearchContext context{seq,
                          selected_->count(),
                          selected_->MaxUid(),
                          &meta,
                          structure,
                          &saved_search_,
                          selected_->IsRecent(meta.uid)};
    if (!Matches(args.key, context)) return std::nullopt;
    MessageSummary summary = SummarizeMeta(seq, meta);
    if (summarize_content && structure != nullptr) SummarizeContent(*structure, summary);
    return summary;
  };
  if (!need_content) co_return evaluate(nullptr);
  const std::string mailbox = selected_->name();
  co_return co_await OnPool([&]() -> std::optional<MessageSummary> {
    auto message = backend_->FetchMessage(mailbox, meta);
    if (!message.ok()) return std::nullopt;  // e.g. expunged meanwhile
    auto parsed = MessageStructure::ParseOwned(std::move(message).value());
    return evaluate(parsed.ok() ? &*parsed : nullptr);
  });
}

asio::awaitable<std::vector<MessageSummary>> Session::MatchMessages(const SearchArgs& args,
                                                                    bool summarize_content) {
  if (args.uses_modseq) condstore_ = true;
  std::vector<MessageSummary> matched;
  for (uint32_t seq = 1; seq <= selected_->count(); ++seq) {
    std::optional<MessageSummary> summary = co_await MatchOne(args, seq, summarize_content);
    if (summary) matched.push_back(std::move(*summary));
  }
  co_return matched;
}

void Session::SaveResults(const SearchReturnOptions& returns,
                          const std::vector<MessageSummary>& results) {
  if (!returns.save) return;
  std::vector<uint32_t> uids;
  for (const MessageSummary& m : results) uids.push_back(m.uid);
  // A set of messages, whatever order a SORT put them in.
  saved_search_ = SavedResults(returns, uids);
  std::sort(saved_search_.begin(), saved_search_.end());
}

std::optional<Session::Reply> Session::RefuseUpdateTag(const ImapCommand& command) const {
  if (!updating_.HasTag(command.tag)) return std::nullopt;
  return Reply{"BAD", "", "Tag " + command.tag + " is in use by an updating search"};
}

bool Session::AcceptsUpdate(const ImapCommand& command, const SearchArgs& args) {
  const std::string refused = "NO [NOUPDATE \"" + command.tag + "\"] ";
  if (updating_.full()) {
    Untagged(refused + "At most " + std::to_string(UpdatingSearches::kLimit) +
             " updating searches at once: CANCELUPDATE one first");
    return false;
  }
  // RFC 5267 4.3 evaluates message numbers when the search runs, and they
  // shift with every expunge: a program that names them is not followed.
  if (UsesMessageNumbers(args.key) || args.uses_saved_result) {
    Untagged(refused + "Searches by message number or $ are not updated: use UID sets");
    return false;
  }
  return true;
}

void Session::StartUpdating(const ImapCommand& command, const SearchArgs& args,
                            std::vector<SortCriterion> sort, std::vector<MessageSummary> results) {
  UpdatingSearch search;
  search.tag = command.tag;
  search.uid = command.uid;
  search.args = args;
  search.sort = std::move(sort);
  search.fetch_attributes = args.returns.update_fetch;
  search.seen_max_uid = selected_->MaxUid();
  if (search.is_sort()) {
    search.sorted = std::move(results);
  } else {
    for (const MessageSummary& m : results) search.uids.push_back(m.uid);
  }
  updating_.Add(std::move(search));
}

asio::awaitable<Session::Reply> Session::CancelUpdate(ImapCommand& command) {
  // RFC 5267 5: CANCELUPDATE 1*(SP quoted), the tags of updating searches.
  if (command.uid) co_return Reply{"BAD", "", "UID CANCELUPDATE does not exist"};
  if (command.args.empty()) co_return Reply{"BAD", "", "CANCELUPDATE needs the tags to cancel"};
  for (const ImapToken& tag : command.args) {
    if (tag.kind != TokenKind::kQuoted) {
      co_return Reply{"BAD", "", "CANCELUPDATE takes quoted tags, not " + TokenKindForError(tag)};
    }
  }
  for (const ImapToken& tag : command.args) {
    if (!updating_.HasTag(tag.text)) {
      co_return Reply{"NO", "", "No updating search has the tag " + tag.text.substr(0, 64)};
    }
  }
  for (const ImapToken& tag : command.args) updating_.Cancel(tag.text);
  co_return Reply{"OK", "", "CANCELUPDATE completed"};
}

asio::awaitable<void> Session::ReportSearchUpdates() {
  if (updating_.empty() || !selected_) co_return;
  const std::vector<uint32_t> touched = updating_.TakeTouched();
  if (touched.empty()) co_return;
  for (UpdatingSearch& search : updating_.searches()) {
    const bool content = std::any_of(search.sort.begin(), search.sort.end(),
                                     [](const SortCriterion& c) { return NeedsContent(c.key); });
    std::vector<Reevaluated> reevaluated;
    for (uint32_t uid : touched) {
      const std::optional<uint32_t> seq = selected_->SeqOf(uid);
      if (!seq) continue;  // expunged since: BeforeRemove took it out
      // Not inside the braces: GCC 12 mis-destroys temporaries of a
      // co_await in an initializer list.
      std::optional<MessageSummary> match = co_await MatchOne(search.args, *seq, content);
      reevaluated.push_back(Reevaluated{uid, std::move(match)});
    }
    std::vector<uint32_t> added;
    const std::string line = UpdatingSearches::Reconcile(search, reevaluated, *selected_, &added);
    // RFC 5465 7: a new message that joins the results is fetched as asked,
    // after its EXISTS and before the ADDTO; one that joins by a flag
    // change is not.
    std::erase_if(added, [&](uint32_t uid) { return uid <= search.seen_max_uid; });
    search.seen_max_uid = selected_->MaxUid();
    if (search.fetch_attributes && !added.empty()) {
      co_await FetchUnasked(NumberSet::FromNumbers(added).ToString(), *search.fetch_attributes);
      if (!selected_) co_return;
    }
    if (!line.empty()) Untagged(line);
  }
}

asio::awaitable<Session::Reply> Session::Search(ImapCommand& command) {
  auto args = ParseSearchArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  if (auto refused = RefuseSearch(*args)) co_return *refused;
  if (args->returns.update) {
    if (auto refused = RefuseUpdateTag(command)) co_return *refused;
  }
  const bool update = args->returns.update && AcceptsUpdate(command, *args);
  std::vector<MessageSummary> matched = co_await MatchMessages(*args, false);

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
  SaveResults(args->returns, matched);
  if (update) StartUpdating(command, *args, {}, std::move(matched));
  co_return Reply{"OK", "", "SEARCH completed"};
}

}  // namespace mailvault::imap
