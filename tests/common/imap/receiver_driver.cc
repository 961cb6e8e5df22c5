#include "tests/common/imap/receiver_driver.h"

#include <variant>

#include "common/imap/append_args.h"
#include "common/imap/fetch_args.h"
#include "common/imap/list_args.h"
#include "common/imap/mailbox_name.h"
#include "common/imap/search_args.h"
#include "common/imap/select_args.h"
#include "common/imap/simple_args.h"
#include "common/imap/sort_args.h"
#include "common/imap/status_args.h"
#include "common/imap/store_args.h"
#include "common/imap/thread_args.h"

namespace mailvault::imap::testing {
namespace {

std::string Outcome(const Status& status) {
  return status.ok() ? "ARGS ok" : "ARGS error: " + status.message();
}

template <typename T>
std::string Outcome(const Result<T>& result) {
  return Outcome(result.ok() ? Status::Ok() : result.status());
}

// Mailbox names also go through decoding in both encodings.
std::string MailboxOutcome(const Result<std::string>& wire) {
  if (!wire.ok()) return Outcome(wire);
  std::string out = "ARGS ok";
  for (MailboxNameEncoding encoding :
       {MailboxNameEncoding::kModifiedUtf7, MailboxNameEncoding::kUtf8}) {
    Result<std::string> name = MailboxNameFromWire(wire.value(), encoding);
    out += name.ok() ? " name=" + name.value() : " name-error=" + name.status().message();
  }
  return out;
}

}  // namespace

std::string ParseArgumentsFor(const ImapCommand& command) {
  const std::string& name = command.name;
  if (name == "FETCH") {
    Result<FetchArgs> args = ParseFetchArgs(command);
    if (args.ok()) {
      // Resolution must never expand a range.
      const NumberSet set = args->set.Resolve(4294967295u);
      return "ARGS ok items=" + std::to_string(args->items.size()) + " set=" + set.ToString();
    }
    return Outcome(args);
  }
  if (name == "STORE") return Outcome(ParseStoreArgs(command));
  if (name == "SEARCH") return Outcome(ParseSearchArgs(command));
  if (name == "SORT") return Outcome(ParseSortArgs(command));
  if (name == "THREAD") return Outcome(ParseThreadArgs(command));
  if (name == "APPEND") return Outcome(ParseAppendArgs(command));
  if (name == "LIST") return Outcome(ParseListArgs(command));
  if (name == "LSUB") return Outcome(ParseLsubArgs(command));
  if (name == "STATUS") return Outcome(ParseStatusArgs(command));
  if (name == "SELECT" || name == "EXAMINE") {
    Result<SelectArgs> args = ParseSelectArgs(command);
    return args.ok() ? MailboxOutcome(args->mailbox) : Outcome(args);
  }
  if (name == "LOGIN") return Outcome(ParseLoginArgs(command));
  if (name == "AUTHENTICATE") return Outcome(ParseAuthenticateArgs(command));
  if (name == "ENABLE") return Outcome(ParseEnableArgs(command));
  if (name == "DELETE" || name == "SUBSCRIBE" || name == "UNSUBSCRIBE") {
    return MailboxOutcome(ParseMailboxArg(command));
  }
  if (name == "CREATE") return Outcome(ParseCreateArgs(command));
  if (name == "RENAME") return Outcome(ParseRenameArgs(command));
  if (name == "COPY" || name == "MOVE") return Outcome(ParseCopyArgs(command));
  if (name == "EXPUNGE" && command.uid) return Outcome(ParseUidExpungeArgs(command));
  if (name == "ID") return Outcome(ParseIdArgs(command));
  if (name == "NOOP" || name == "CAPABILITY" || name == "LOGOUT" || name == "IDLE" ||
      name == "EXPUNGE" || name == "CLOSE" || name == "UNSELECT" || name == "NAMESPACE" ||
      name == "CHECK" || name == "STARTTLS") {
    return Outcome(ParseNoArgs(command));
  }
  return "ARGS none";
}

std::vector<std::string> DriveReceiver(std::string_view input, std::span<const size_t> chunk_sizes,
                                       const ReceiverLimits& limits) {
  ImapReceiver receiver(limits);
  std::vector<std::string> events;
  size_t chunk_index = 0;
  bool closed = false;
  while (!closed) {
    size_t take = input.size();
    if (!chunk_sizes.empty()) {
      take = chunk_sizes[chunk_index++ % chunk_sizes.size()];
      if (take == 0) take = 1;
      if (take > input.size()) take = input.size();
    }
    receiver.Feed(input.substr(0, take));
    input.remove_prefix(take);
    for (;;) {
      ReceiverEvent event = receiver.Next();
      if (std::holds_alternative<NeedMoreInput>(event)) break;
      events.push_back(DescribeEvent(event));
      if (const ImapCommand* command = std::get_if<ImapCommand>(&event)) {
        events.push_back(ParseArgumentsFor(*command));
        if (command->name == "IDLE") receiver.SetMode(ReceiverMode::kIdle);
        if (command->name == "AUTHENTICATE" && command->args.size() == 1) {
          receiver.SetMode(ReceiverMode::kAuthenticate);
        }
        if (command->name == "LOGIN") receiver.SetLimits(ReceiverLimits::PostAuth());
      }
      if (const ReceiverError* error = std::get_if<ReceiverError>(&event)) {
        if (error->close_connection) {
          closed = true;
          break;
        }
      }
    }
    if (input.empty()) break;
  }
  return events;
}

ImapCommand ReceiveCommand(std::string_view line) {
  ImapReceiver receiver(ReceiverLimits::PostAuth());
  std::vector<ReceiverEvent> events = ReceiveAll(receiver, std::string(line) + "\r\n");
  std::string described;
  for (ReceiverEvent& event : events) {
    if (ImapCommand* command = std::get_if<ImapCommand>(&event)) return std::move(*command);
    described += DescribeEvent(event) + "; ";
  }
  ImapCommand failed;
  failed.name = "<not a command>";
  failed.tag = described;
  return failed;
}

std::vector<ReceiverEvent> ReceiveAll(ImapReceiver& receiver, std::string_view input) {
  receiver.Feed(input);
  std::vector<ReceiverEvent> events;
  for (;;) {
    ReceiverEvent event = receiver.Next();
    if (std::holds_alternative<NeedMoreInput>(event)) return events;
    events.push_back(std::move(event));
  }
}

}  // namespace mailvault::imap::testing
