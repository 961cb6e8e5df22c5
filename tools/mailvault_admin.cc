// mailvault-admin: the region operator's tool, over mailvaultd's admin socket.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <vector>

#include "tools/admin_client.h"
#include "tools/move_between_nodes.h"
#include "tools/restore.h"

namespace {

// Reads a line from the terminal without echo.
std::string ReadHidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios old_mode{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &old_mode) == 0;
  if (tty) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
    std::cerr << "\n";
  }
  return line;
}

std::string ReadPassword(const std::string& file) {
  if (!file.empty()) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) throw std::runtime_error("cannot read " + file);
    return line;
  }
  if (!::isatty(STDIN_FILENO)) throw std::runtime_error("no terminal: use --password-file");
  std::string password = ReadHidden("New password: ");
  if (ReadHidden("Repeat it: ") != password) throw std::runtime_error("the passwords differ");
  return password;
}

std::string FormatTime(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return text;
}

// An enrollment token's reply (account create, account token): the token,
// its expiry and the customer's command, complete so it can be pasted.
void PrintEnrollment(const nlohmann::json& reply, const std::string& address) {
  const std::string token = reply["token"].get<std::string>();
  std::cout << "enrollment token: " << token << "\n"
            << "expires: " << FormatTime(reply["expires_at"].get<int64_t>()) << "\n"
            << "The customer enrolls with: mailvault init --server "
            << reply["imaps_endpoint"].get<std::string>() << " --account " << address << " --token "
            << token << "\n";
}

// "2027-01-31" → unix seconds at 00:00 UTC; throws with one clear line.
int64_t ParseDay(const std::string& day) {
  std::tm tm{};
  const char* end = strptime(day.c_str(), "%Y-%m-%d", &tm);
  if (end == nullptr || *end != '\0') throw std::runtime_error("'" + day + "' is not a date YYYY-MM-DD");
  return static_cast<int64_t>(timegm(&tm));
}

// A tab-separated table of `fields` of each row, under a header of the
// field names in capitals ("sealed_bytes" → "SEALED BYTES").
void PrintTable(const nlohmann::json& rows, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string title = fields[i];
    for (char& c : title) c = c == '_' ? ' ' : static_cast<char>(std::toupper(c));
    std::cout << title << (i + 1 < fields.size() ? "\t" : "\n");
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto& value = row[fields[i]];
      if (value.is_string()) {
        std::cout << value.get<std::string>();
      } else {
        std::cout << value;
      }
      std::cout << (i + 1 < fields.size() ? "\t" : "\n");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mailvault-admin: operate a mailvaultd node"};
  app.require_subcommand(1);
  std::string socket_path = "var/admin.sock";
  bool json_output = false;
  app.add_option("--socket", socket_path, "mailvaultd's admin socket")->capture_default_str();
  app.add_flag("--json", json_output, "print the raw JSON reply");

  auto* account = app.add_subcommand("account", "create and list accounts");
  account->require_subcommand(1);
  std::string address, region;
  auto* create = account->add_subcommand("create", "create an account; prints its enrollment token");
  create->add_option("ADDRESS", address, "the account's address")->required();
  create->add_option("--region", region, "home region")->required();
  auto* token = account->add_subcommand(
      "token", "a new enrollment token, replacing the open one, for an account not yet enrolled");
  token->add_option("ADDRESS", address, "the account's address")->required();
  auto* list = account->add_subcommand("list", "list accounts");
  list->add_option("--region", region, "only this region");
  auto* show = account->add_subcommand("show", "an account's metadata: region, keys, counts, bytes");
  show->add_option("ADDRESS", address, "the account's address")->required();
  auto* suspend = account->add_subcommand("suspend", "refuse the account's logins and mail (450)");
  suspend->add_option("ADDRESS", address, "the account's address")->required();
  auto* resume = account->add_subcommand("resume", "lift a suspension");
  resume->add_option("ADDRESS", address, "the account's address")->required();
  bool confirmed = false;
  auto* remove = account->add_subcommand(
      "delete", "crypto-shred the account: every body, wrap, key and record, then compaction");
  remove->add_option("ADDRESS", address, "the account's address")->required();
  remove->add_flag("--yes", confirmed, "required: the account's mail can never be recovered");

  std::string to_region, consent_file, backup_dir, config_path, target_socket;
  auto* move = app.add_subcommand(
      "move", "move an account to another region, on the customer's signed consent");
  move->add_option("ADDRESS", address, "the account's address")->required();
  move->add_option("--to", to_region, "the target region")->required();
  move->add_option("--consent", consent_file, "the file `mailvault consent move` made")
      ->required()
      ->check(CLI::ExistingFile);
  move->add_option("--target-socket", target_socket,
                   "the admin socket of the node hosting the target region, when it is not this "
                   "one");

  std::string order, embargo, since;
  auto* disclose = app.add_subcommand(
      "disclose", "the compelled-disclosure bundle of an account, recorded in its disclosure log");
  disclose->add_option("ADDRESS", address, "the account's address")->required();
  disclose->add_option("--order", order, "the legal order's reference")->required();
  disclose->add_option("--out", backup_dir, "a new directory for the bundle")->required();
  disclose->add_option("--embargo-until", embargo,
                       "YYYY-MM-DD: the customer sees the disclosure only from this day");
  auto* transparency = app.add_subcommand(
      "transparency-report", "disclosures and moves per region (with --json as JSON)");
  transparency->add_option("--since", since, "YYYY-MM-DD (default: everything)");

  auto* regions = app.add_subcommand("region", "regions hosted by this node");
  regions->require_subcommand(1);
  auto* region_list = regions->add_subcommand("list", "accounts, messages and bytes per region");
  app.add_subcommand("transport-map",
                     "a Postfix transport(5) table: each account to its region's LMTP");

  auto* backup = app.add_subcommand("backup", "hot, consistent copy of every region and the directory");
  backup->add_option("--out", backup_dir, "a new directory for the backup")->required();
  app.add_subcommand("verify",
                     "scrub: checksums, and every message's body and wraps; non-zero exit on damage");
  auto* restore = app.add_subcommand(
      "restore", "with mailvaultd stopped: put a backup into the configured data directories");
  restore->add_option("--from", backup_dir, "the backup directory")->required();
  restore->add_option("--config", config_path, "mailvaultd's configuration (default: embedded)");

  auto* password = app.add_subcommand("password", "passwords for generic IMAP clients");
  password->require_subcommand(1);
  std::string password_file;
  auto* set = password->add_subcommand("set", "set an account's password");
  set->add_option("ADDRESS", address, "the account's address")->required();
  set->add_option("--password-file", password_file, "read the password from this file");

  CLI11_PARSE(app, argc, argv);

  try {
    if (restore->parsed()) {
      mailvault::RestoreBackup(backup_dir, config_path, socket_path);
      return 0;
    }
    mailvault::AdminClient client(socket_path);
    nlohmann::json reply;
    if (create->parsed()) {
      reply = client.Call({{"op", "account.create"}, {"account", address}, {"region", region}});
      if (!json_output) {
        std::cout << "created " << address << " in region " << region << "\n";
        PrintEnrollment(reply, address);
      }
    } else if (token->parsed()) {
      reply = client.Call({{"op", "account.token"}, {"account", address}});
      if (!json_output) {
        std::cout << "new enrollment token for " << address << "; earlier ones no longer work\n";
        PrintEnrollment(reply, address);
      }
    } else if (list->parsed()) {
      reply = client.Call({{"op", "account.list"}, {"region", region}});
      if (!json_output) {
        for (const auto& a : reply["accounts"]) {
          std::cout << a["account"].get<std::string>() << "\t" << a["region"].get<std::string>()
                    << "\n";
        }
      }
    } else if (show->parsed()) {
      reply = client.Call({{"op", "account.show"}, {"account", address}});
      if (!json_output) {
        std::cout << "account   " << reply["account"].get<std::string>() << "\n"
                  << "region    " << reply["region"].get<std::string>() << "\n"
                  << "created   " << FormatTime(reply["created_at"].get<int64_t>()) << "\n"
                  << "state     " << (reply["suspended"].get<bool>() ? "suspended" : "active")
                  << "\n"
                  << "mailboxes " << reply["mailboxes"] << "\n"
                  << "messages  " << reply["messages"] << " (" << reply["bodies"]
                  << " stored bodies, " << reply["sealed_bytes"] << " sealed bytes)\n";
        for (const auto& key : reply["keys"]) {
          std::cout << "key       " << key["key_id"].get<std::string>() << " "
                    << key["kind"].get<std::string>() << " " << key["state"].get<std::string>()
                    << " since " << FormatTime(key["registered_at"].get<int64_t>()) << "\n";
        }
      }
    } else if (suspend->parsed() || resume->parsed()) {
      const bool suspending = suspend->parsed();
      reply = client.Call(
          {{"op", suspending ? "account.suspend" : "account.resume"}, {"account", address}});
      if (!json_output) std::cout << address << (suspending ? " suspended" : " resumed") << "\n";
    } else if (remove->parsed()) {
      if (!confirmed) {
        throw std::runtime_error("deleting " + address +
                                 " destroys its mail for good; add --yes to do it");
      }
      reply = client.Call({{"op", "account.delete"}, {"account", address}});
      if (!json_output) {
        std::cout << "deleted " << address << ": " << reply["messages"] << " messages, "
                  << reply["bodies"] << " bodies, " << reply["wraps"] << " wraps, "
                  << reply["mailboxes"] << " mailboxes, " << reply["public_keys"]
                  << " public keys, " << reply["credentials"]
                  << " credentials; the ranges were compacted\n";
      }
    } else if (move->parsed()) {
      std::ifstream in(consent_file);
      const std::string consent((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (target_socket.empty()) {
        reply = client.Call({{"op", "account.move"}, {"account", address}, {"to", to_region},
                             {"consent", consent}});
      } else {
        mailvault::AdminClient target(target_socket);
        reply = mailvault::MoveBetweenNodes(client, target, address, to_region, consent, !json_output);
      }
      if (!json_output) {
        std::cout << "moved " << address << " to region " << to_region << " (" << reply["messages"]
                  << " messages; the old copy was shredded)\n";
      }
    } else if (disclose->parsed()) {
      const std::string out = std::filesystem::absolute(backup_dir).string();
      reply = client.Call({{"op", "account.disclose"},
                           {"account", address},
                           {"order", order},
                           {"out", out},
                           {"embargo_until", embargo.empty() ? 0 : ParseDay(embargo)}});
      if (!json_output) {
        std::cout << "disclosed " << address << " under order " << order << ": "
                  << reply["messages"] << " messages (ciphertext) in " << out
                  << "; recorded in the account's disclosure log\n";
      }
    } else if (transparency->parsed()) {
      reply = client.Call({{"op", "transparency"}, {"since", since.empty() ? 0 : ParseDay(since)}});
      if (!json_output) {
        PrintTable(reply["regions"], {"region", "disclosures", "moves_in", "moves_out"});
      }
    } else if (region_list->parsed()) {
      reply = client.Call({{"op", "region.list"}});
      if (!json_output) {
        PrintTable(reply["regions"], {"region", "accounts", "messages", "sealed_bytes"});
      }
    } else if (backup->parsed()) {
      const std::string out = std::filesystem::absolute(backup_dir).string();
      reply = client.Call({{"op", "backup"}, {"out", out}});
      if (!json_output) {
        std::cout << "backup of " << reply["regions"].size() << " region(s)"
                  << (reply.value("directory_included", false)
                          ? " and the directory"
                          : " (the directory is in etcd: back it up with etcdctl snapshot save)")
                  << " in " << out << "\n";
      }
    } else if (app.got_subcommand("verify")) {
      reply = client.Call({{"op", "verify"}});
      if (!json_output) {
        for (const auto& r : reply["regions"]) {
          std::cout << "region " << r["region"].get<std::string>() << ": " << r["accounts"]
                    << " accounts, " << r["messages"] << " messages, " << r["bodies"]
                    << " bodies, " << r["wraps"] << " wraps checked\n";
          for (const auto& problem : r["problems"]) {
            std::cout << "  DAMAGE " << problem.get<std::string>() << "\n";
          }
        }
      } else {
        std::cout << reply.dump() << "\n";
      }
      if (reply["problems"].get<size_t>() > 0) {
        std::cerr << "mailvault-admin: verify found " << reply["problems"] << " problem(s)\n";
        return 1;
      }
      return 0;
    } else if (app.got_subcommand("transport-map")) {
      reply = client.Call({{"op", "transport.map"}});
      if (!json_output) {
        std::cout << "# Postfix transport(5) map from mailvault's directory; postmap it.\n";
        for (const auto& e : reply["entries"]) {
          const std::string transport = e["transport"].get<std::string>();
          if (transport.empty()) {
            std::cout << "# " << e["account"].get<std::string>() << ": region "
                      << e["region"].get<std::string>() << " has no LMTP endpoint configured\n";
          } else {
            std::cout << e["account"].get<std::string>() << " " << transport << "\n";
          }
        }
      }
    } else if (set->parsed()) {
      const std::string secret = ReadPassword(password_file);
      reply = client.Call({{"op", "password.set"}, {"account", address}, {"password", secret}});
      if (!json_output) std::cout << "password set for " << address << "\n";
    }
    if (json_output) std::cout << reply.dump() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "mailvault-admin: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
