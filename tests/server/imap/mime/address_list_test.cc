#include "server/imap/mime/address_list.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailvault::imap::mime {
namespace {

std::string Show(const std::vector<EnvelopeAddress>& addresses) {
  auto field = [](const std::optional<std::string>& value) {
    return value ? "\"" + *value + "\"" : std::string("NIL");
  };
  std::string out;
  for (const EnvelopeAddress& a : addresses) {
    out += "(" + field(a.name) + " " + field(a.adl) + " " + field(a.mailbox) + " " + field(a.host) +
           ")";
  }
  return out;
}

struct AddressCase {
  std::string_view value;
  std::string_view expected;
};

TEST(AddressListTest, ParsesRfc5322AddressesAsEnvelopeTuples) {
  const std::vector<AddressCase> cases = {
      {"", ""},
      {"   ", ""},
      {"a@b", R"((NIL NIL "a" "b"))"},
      {"A B <a@b>", R"(("A B" NIL "a" "b"))"},
      {"\"B, A\" <a@b>", R"(("B, A" NIL "a" "b"))"},
      {"Joe Q. Public <john.q.public@example.com>",
       R"(("Joe Q. Public" NIL "john.q.public" "example.com"))"},
      {"a@b (Comment Name)", R"(("Comment Name" NIL "a" "b"))"},
      {"Name (ignored) <a@b> (also ignored)", R"(("Name" NIL "a" "b"))"},
      {"<@r1.example,@r2.example:a@b>", R"((NIL "@r1.example,@r2.example" "a" "b"))"},
      {"\"quoted local\"@example.com", R"((NIL NIL "quoted local" "example.com"))"},
      {"john . doe @ example . com", R"((NIL NIL "john.doe" "example.com"))"},
      {"a@[192.0.2.1]", R"((NIL NIL "a" "[192.0.2.1]"))"},
      {"=?utf-8?q?J=C3=B6rg?= <j@x>", R"(("=?utf-8?q?J=C3=B6rg?=" NIL "j" "x"))"},
      {"a@b, c@d,\r\n\te@f", R"((NIL NIL "a" "b")(NIL NIL "c" "d")(NIL NIL "e" "f"))"},
      {"G: a@b, C <c@d>;",
       R"((NIL NIL "G" NIL)(NIL NIL "a" "b")("C" NIL "c" "d")(NIL NIL NIL NIL))"},
      {"undisclosed-recipients:;", R"((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL))"},
      {"G: a@b", R"((NIL NIL "G" NIL)(NIL NIL "a" "b")(NIL NIL NIL NIL))"},  // unterminated group
      {"nodomain", R"((NIL NIL "nodomain" "MISSING_DOMAIN"))"},
      {"<>", R"((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))"},
      {"Name <>", R"(("Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))"},
      {"@domain.only", R"((NIL NIL "MISSING_MAILBOX" "domain.only"))"},
      {"\"Only Name\"", R"(("Only Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))"},
      {",, a@b ,,", R"((NIL NIL "a" "b"))"},
      {"a@b c@d, e@f", R"((NIL NIL "a" "b")(NIL NIL "e" "f"))"},
      {") > ; a@b", R"((NIL NIL "a" "b"))"},
      {"\"unterminated <a@b>", R"(("unterminated <a@b>" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))"},
      {"Name <a@b", R"(("Name" NIL "a" "b"))"},
      {"(unclosed comment a@b", ""},
      {"Keld J\xF8rn <k@d>", "(\"Keld J\xF8rn\" NIL \"k\" \"d\")"},
  };
  for (const AddressCase& c : cases) {
    EXPECT_EQ(Show(ParseAddressList(c.value)), c.expected) << c.value;
  }
}

// Millions of four-byte addresses (bridge_mime_bomb_test.py's dense From
// grew the bridge by about 3 GiB): the list stops at the limit, and a group
// it cuts short still ends with its end marker.
TEST(AddressListTest, ListsAtMostTheLimitOfEntries) {
  std::string dense;
  for (int i = 0; i < 2'000'000; ++i) dense += "a@b,";
  const std::vector<EnvelopeAddress> addresses = ParseAddressList(dense);
  ASSERT_EQ(addresses.size(), kMaxEnvelopeAddresses);
  EXPECT_EQ(Show({addresses.back()}), R"((NIL NIL "a" "b"))");

  std::string group = "team:";
  for (size_t i = 0; i < 2 * kMaxEnvelopeAddresses; ++i) group += " u" + std::to_string(i) + "@b,";
  group += " last@b;";
  const std::vector<EnvelopeAddress> members = ParseAddressList(group);
  ASSERT_EQ(members.size(), kMaxEnvelopeAddresses);
  EXPECT_EQ(Show({members.front()}), R"((NIL NIL "team" NIL))");
  EXPECT_EQ(Show({members[members.size() - 2]}),
            "(NIL NIL \"u" + std::to_string(kMaxEnvelopeAddresses - 3) + "\" \"b\")");
  EXPECT_EQ(Show({members.back()}), "(NIL NIL NIL NIL)");

  // A group with no room for both its markers is left out.
  std::string almost_full;
  for (size_t i = 0; i + 1 < kMaxEnvelopeAddresses; ++i) almost_full += "a@b,";
  const std::vector<EnvelopeAddress> no_group = ParseAddressList(almost_full + "g: c@d;");
  ASSERT_EQ(no_group.size(), kMaxEnvelopeAddresses - 1);
  EXPECT_EQ(Show({no_group.back()}), R"((NIL NIL "a" "b"))");
}

}  // namespace
}  // namespace mailvault::imap::mime
