#include "common/imap/receiver_event.h"

namespace mailvault::imap {
namespace {

struct Describer {
  std::string operator()(const NeedMoreInput&) const { return "NEED"; }
  std::string operator()(const LiteralAnnounced& literal) const {
    std::string out = "LITERAL " + std::to_string(literal.size);
    out += literal.synchronizing ? " sync" : " nonsync";
    if (literal.literal8) out += " literal8";
    return out;
  }
  std::string operator()(const ImapCommand& command) const {
    return "COMMAND " + DescribeCommand(command);
  }
  std::string operator()(const IdleDone&) const { return "DONE"; }
  std::string operator()(const AuthenticateResponse& response) const {
    if (response.cancelled) return "AUTH cancelled";
    ImapToken token;
    token.kind = TokenKind::kQuoted;
    token.text = response.data;
    return "AUTH " + DescribeToken(token);
  }
  std::string operator()(const ReceiverError& error) const {
    std::string out = "ERROR ";
    out += error.reply == ErrorReply::kNo ? "NO" : "BAD";
    out += error.close_connection ? " close" : " continue";
    out += " tag=" + error.tag;
    if (!error.response_code.empty()) out += " [" + error.response_code + "]";
    out += " " + error.message;
    return out;
  }
};

}  // namespace

std::string DescribeEvent(const ReceiverEvent& event) { return std::visit(Describer{}, event); }

}  // namespace mailvault::imap
