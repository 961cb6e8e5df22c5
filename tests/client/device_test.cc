// The device's pieces that need no vault: the profile file, device
// requests, endpoints and how commands are written.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "client/device/device_request.h"
#include "client/device/profile.h"
#include "net/endpoint.h"
#include "client/vault/imap_client.h"

namespace mailvault::client {
namespace {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/mailvault-device-test-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ProfileTest, SavesAndLoadsWithPrivateModes) {
  TempDir dir;
  Profile profile;
  profile.dir = dir.path() + "/device";
  profile.server = "vault.example.net:993";
  profile.account = "alice@example.com";
  profile.fingerprint = "AB:CD";
  ASSERT_TRUE(SaveProfile(profile).ok());
  struct stat info {};
  ASSERT_EQ(::stat(profile.dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(profile.profile_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto loaded = LoadProfile(profile.dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->server, profile.server);
  EXPECT_EQ(loaded->account, profile.account);
  EXPECT_EQ(loaded->fingerprint, profile.fingerprint);
  EXPECT_TRUE(loaded->ca_file.empty());
  EXPECT_EQ(loaded->address().trust.pinned_fingerprint, "AB:CD");
}

TEST(ProfileTest, MissingProfileSaysToRunInit) {
  TempDir dir;
  auto loaded = LoadProfile(dir.path() + "/nothing");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.code(), ErrorCode::kNotFound);
  EXPECT_NE(loaded.status().message().find("mailvault init"), std::string::npos);
}

TEST(ProfileTest, ProfileWithoutTrustIsRefused) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomically(dir.path() + "/profile.toml",
                                  "server = \"h:1\"\naccount = \"a@b\"\n").ok());
  auto loaded = LoadProfile(dir.path());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.code(), ErrorCode::kMalformed);
}

// A path or name is written back exactly as it was read, whatever it holds.
// toml++'s multi-line forms dropped a leading newline and wrote ''' unescaped
// (found by the config fuzzer in CI).
TEST(ProfileTest, EveryStringSurvivesWritingAndReading) {
  for (const std::string& value :
       {std::string("\n/etc/ca.pem"), std::string("/a'''b\nc"), std::string("/a\"\"\"b\nc"),
        std::string("/a\\\nb"), std::string("/tab\there"), std::string("/cr\r\nlf"),
        std::string("/del\x7f"), std::string("/\xc3\xa9t\xc3\xa9\n")}) {
    Profile profile;
    profile.server = "vault.example.net:993";
    profile.account = "alice@example.com";
    profile.ca_file = value;
    const std::string written = ProfileToToml(profile);
    auto loaded = ProfileFromToml(written, "profile.toml");
    ASSERT_TRUE(loaded.ok()) << written << loaded.status().ToString();
    EXPECT_EQ(loaded->ca_file, value) << written;
  }
}

TEST(ProfileTest, ProfileDirectoryPrecedence) {
  EXPECT_EQ(DefaultProfileDir("/given"), "/given");
  ::setenv("MAILVAULT_HOME", "/from-env", 1);
  EXPECT_EQ(DefaultProfileDir(""), "/from-env");
  ::unsetenv("MAILVAULT_HOME");
  ::setenv("XDG_CONFIG_HOME", "/xdg", 1);
  EXPECT_EQ(DefaultProfileDir(""), "/xdg/mailvault");
  ::unsetenv("XDG_CONFIG_HOME");
}

TEST(DeviceRequestTest, RoundTripsPublicKeysOnly) {
  const DeviceKeys keys = DeviceKeys::Generate();
  const std::string line = EncodeDeviceRequest(RequestOf(keys));
  EXPECT_EQ(line.rfind("mailvault-device-v1:", 0), 0u);
  auto request = DecodeDeviceRequest(line);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->encryption_public_key, keys.encryption.public_key);
  EXPECT_EQ(request->signing_public_key, keys.signing.public_key);
}

TEST(DeviceRequestTest, RefusesOtherText) {
  const std::string good = EncodeDeviceRequest(RequestOf(DeviceKeys::Generate()));
  for (const std::string& bad :
       {std::string(""), std::string("mailvault-device-v1:"), good.substr(0, good.size() - 4),
        "mailvault-device-v2" + good.substr(19), good + "AAAA",
        good.substr(0, good.find(':', 20))}) {
    auto request = DecodeDeviceRequest(bad);
    EXPECT_FALSE(request.ok()) << bad;
  }
}

TEST(DeviceRequestTest, CodeIsSixGroupsOfFiveDigitsAndFollowsEveryKeyByte) {
  const DeviceRequest request = RequestOf(DeviceKeys::Generate());
  const std::string code = DeviceRequestCode(request);
  ASSERT_EQ(code.size(), 6u * 5 + 5) << code;
  for (size_t i = 0; i < code.size(); ++i) {
    EXPECT_TRUE(i % 6 == 5 ? code[i] == ' ' : std::isdigit(static_cast<unsigned char>(code[i])))
        << code;
  }
  EXPECT_EQ(DeviceRequestCode(request), code);
  // A key swapped in transit, even by one bit in either key, shows another code.
  for (std::string DeviceRequest::*key :
       {&DeviceRequest::encryption_public_key, &DeviceRequest::signing_public_key}) {
    for (size_t byte : {size_t{0}, size_t{31}}) {
      DeviceRequest changed = request;
      (changed.*key)[byte] ^= 1;
      EXPECT_NE(DeviceRequestCode(changed), code);
    }
  }
  // The same two keys in the other order are another request too.
  DeviceRequest swapped{request.signing_public_key, request.encryption_public_key};
  EXPECT_NE(DeviceRequestCode(swapped), code);
}

TEST(DeviceRequestTest, CodeMatchIgnoresSpacesAndDashesOnly) {
  EXPECT_TRUE(DeviceCodeMatches("12345 67890", "12345 67890"));
  EXPECT_TRUE(DeviceCodeMatches("1234567890", "12345 67890"));
  EXPECT_TRUE(DeviceCodeMatches("12345-67890", "12345 67890"));
  EXPECT_FALSE(DeviceCodeMatches("12345 67891", "12345 67890"));
  EXPECT_FALSE(DeviceCodeMatches("", "12345 67890"));
  EXPECT_FALSE(DeviceCodeMatches("12345", "12345 67890"));
}

TEST(ProfileTest, SavingCreatesMissingParentFolders) {
  const std::string root = ::testing::TempDir() + "mv-parents-" + std::to_string(::getpid());
  Profile profile;
  profile.dir = root + "/home/.config/mailvault";
  profile.server = "127.0.0.1:9993";
  profile.account = "a@example.org";
  profile.fingerprint = "AB:CD";
  profile.enrollment_pending = true;
  ASSERT_TRUE(SaveProfile(profile).ok());
  struct stat info {};
  ASSERT_EQ(::stat((root + "/home/.config").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  auto loaded = LoadProfile(profile.dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(loaded->enrollment_pending);
  // An update under the lock keeps what it does not change.
  ASSERT_TRUE(UpdateProfile(profile.dir, [](Profile& p) {
                p.enrollment_pending = false;
                return Status::Ok();
              }).ok());
  loaded = LoadProfile(profile.dir);
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded->enrollment_pending);
  EXPECT_EQ(loaded->fingerprint, "AB:CD");
  std::filesystem::remove_all(root);
}

TEST(EndpointTest, ParsesHostAndPort) {
  auto endpoint = ParseEndpoint("127.0.0.1:9993");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->host, "127.0.0.1");
  EXPECT_EQ(endpoint->port, 9993);
  endpoint = ParseEndpoint("[::1]:993");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->host, "::1");
  for (const char* bad : {"nowhere", "host:", ":993", "host:99999", "host:12x"}) {
    EXPECT_FALSE(ParseEndpoint(bad).ok()) << bad;
  }
}

TEST(CommandBuilderTest, QuotesWhatItCanAndSendsTheRestAsLiterals) {
  CommandBuilder command("APPEND");
  command.String("Sent").String("with \"quote\"").String("line\r\nbreak").Atom("(\\Seen)");
  EXPECT_EQ(command.text(),
            "APPEND \"Sent\" \"with \\\"quote\\\"\" {11+}\r\nline\r\nbreak (\\Seen)");
  CommandBuilder utf8("SELECT");
  utf8.String("Entwürfe");
  EXPECT_EQ(utf8.text(), "SELECT \"Entwürfe\"");
}

}  // namespace
}  // namespace mailvault::client
