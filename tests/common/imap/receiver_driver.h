// Plays the session's part against ImapReceiver, for the split tests, the
// corpus replay and the fuzz target: the same code decides what "the same
// result" means everywhere.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/imap/receiver.h"

namespace mailvault::imap::testing {

// Feeds `input` in pieces of `chunk_sizes` (cycled; all at once when
// empty) and returns every event except NeedMoreInput, as DescribeEvent
// text, each command followed by the result of its argument parser. Like
// a session it switches to IDLE mode after IDLE, to AUTHENTICATE mode after
// an AUTHENTICATE without initial response, to PostAuth() limits after
// LOGIN, and stops after an error that closes the connection.
std::vector<std::string> DriveReceiver(std::string_view input, std::span<const size_t> chunk_sizes,
                                       const ReceiverLimits& limits = ReceiverLimits::PreAuth());

// Runs the argument parser that matches the command's name: "ARGS ok ..."
// or "ARGS error: <message>"; "ARGS none" for names without one.
std::string ParseArgumentsFor(const ImapCommand& command);

// The one command in `line` (CRLF appended, post-auth limits); a command
// with name "<not a command>" and the event text as tag otherwise.
ImapCommand ReceiveCommand(std::string_view line);

// Every event of `input` fed at once, NeedMoreInput excluded.
std::vector<ReceiverEvent> ReceiveAll(ImapReceiver& receiver, std::string_view input);

}  // namespace mailvault::imap::testing
