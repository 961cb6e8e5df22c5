// SORT and UID SORT (RFC 5256, RFC 5957 SORT=DISPLAY), with ESORT's RETURN
// (RFC 5267 section 3) and CONDSTORE's MODSEQ (RFC 7162 3.1.5).
#include <algorithm>

#include "common/imap/sort_args.h"
#include "server/imap/esearch_response.h"
#include "server/imap/message_sort.h"
#include "server/imap/search_modseq.h"
#include "server/imap/session.h"

namespace mailvault::imap {

asio::awaitable<Session::Reply> Session::Sort(ImapCommand& command) {
  auto args = ParseSortArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  if (auto refused = RefuseSearch(args->search)) co_return *refused;
  const auto content_key = std::find_if(args->criteria.begin(), args->criteria.end(),
                                        [](const SortCriterion& c) { return NeedsContent(c.key); });
  const bool need_content = content_key != args->criteria.end();
  if (need_content && !backend_->CanSearchContent()) {
    co_return Reply{"NO", "CANNOT",
                    "Sorting by " + std::string(SortKeyName(content_key->key)) +
                        " needs the message headers, which are sealed on the vault: sort by "
                        "ARRIVAL or SIZE here, or through the local bridge"};
  }
  if (args->search.returns.update) {
    if (auto refused = RefuseUpdateTag(command)) co_return *refused;
  }
  const bool update = args->search.returns.update && AcceptsUpdate(command, args->search);
  std::vector<MessageSummary> matched = co_await MatchMessages(args->search, need_content);
  SortMessages(matched, args->criteria);

  std::vector<uint32_t> results;
  std::vector<uint64_t> modseqs;
  for (const MessageSummary& m : matched) {
    results.push_back(command.uid ? m.uid : m.seq);
    if (args->search.uses_modseq) modseqs.push_back(m.modseq);
  }
  if (args->search.esearch) {
    const std::string line = EsearchLine(command.tag, command.uid, args->search.returns, results,
                                         modseqs, ResultOrder::kSorted);
    if (!line.empty()) Untagged(line);
  } else {
    std::string line = "SORT";
    for (uint32_t n : results) line += " " + std::to_string(n);
    if (!modseqs.empty())
      line += " (MODSEQ " + std::to_string(SearchResultModseq(modseqs, {})) + ")";
    Untagged(line);
  }
  SaveResults(args->search.returns, matched);
  if (update) StartUpdating(command, args->search, args->criteria, std::move(matched));
  co_return Reply{"OK", "", "SORT completed"};
}

}  // namespace mailvault::imap
