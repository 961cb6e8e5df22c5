// mailvaultd's configuration: the documented production example loads, and
// a mistake is reported with its place in the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "server/config.h"

namespace mailvault {
namespace {

TEST(ConfigTest, ProductionExampleLoads) {
  auto config = LoadConfig(std::string(MAILVAULT_SOURCE_DIR) + "/docs/mailvaultd.example.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->hostname, "eu.mail.example.net");
  EXPECT_EQ(config->imaps.port, 993);
  EXPECT_EQ(config->lmtp.host, "10.0.0.5");
  EXPECT_EQ(config->metrics.host, "127.0.0.1");
  EXPECT_EQ(config->metrics.port, 9464);
  ASSERT_EQ(config->regions.size(), 1u);
  EXPECT_EQ(config->regions[0].name, "eu");
  EXPECT_FALSE(config->generate_self_signed);
  ASSERT_EQ(config->etcd.endpoints.size(), 3u);
  EXPECT_EQ(config->etcd.endpoints[0], "https://etcd1.internal:2379");
  EXPECT_EQ(config->etcd.client_key_file, "/etc/mailvault/etcd-client.key");
  EXPECT_EQ(config->etcd.prefix, "/mailvault/");
  EXPECT_EQ(config->tombstone_window, 100000u);
}

TEST(ConfigTest, EtcdClientCertificateNeedsItsKey) {
  char path[] = "/tmp/mailvault-config-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "[directory]\netcd_endpoints = [\"127.0.0.1:2379\"]\n"
                      << "etcd_client_cert = \"/etc/c.pem\"\n"
                      << "[[region]]\nname = \"eu\"\ndata_dir = \"/tmp/eu\"\n";
  auto config = LoadConfig(path);
  ::unlink(path);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("go together"), std::string::npos)
      << config.status().message();
}

TEST(ConfigTest, UnknownKeyIsAnErrorWithItsPlace) {
  char path[] = "/tmp/mailvault-config-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "[metrics]\nlisten = \"127.0.0.1:9464\"\nport = 9\n"
                      << "[[region]]\nname = \"r\"\ndata_dir = \"/tmp/r\"\n";
  auto config = LoadConfig(path);
  ::unlink(path);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("unknown key 'port'"), std::string::npos);
  EXPECT_NE(config.status().message().find(":3:"), std::string::npos) << config.status().message();
}

// Found by the config fuzz target: 2^32 for a 32-bit limit was cut down
// to 0 without a word.
TEST(ConfigTest, AnIntegerTooLargeForItsFieldIsRefused) {
  const std::string regions = "[[region]]\nname = \"r\"\ndata_dir = \"/tmp/r\"\n";
  auto config = ParseConfig(regions + "[limits]\nmax_bad_commands = 4294967296\n", "big.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("big.toml:5:"), std::string::npos)
      << config.status().message();
  config = ParseConfig(regions + "[limits]\nmax_bad_commands = 4294967295\n", "big.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->limits.max_bad_commands, 4294967295u);
  config = ParseConfig(regions + "[limits]\nidle_pre_auth_seconds = 9223372036854775807\n", "t");
  EXPECT_FALSE(config.ok());
}

// Found by the config fuzz target under UBSan: a float such as 4.8e100
// for an integer field reached toml++'s float-to-integer cast, which is
// undefined out of range. A float is refused, however it is written.
TEST(ConfigTest, AFloatForAnIntegerFieldIsRefused) {
  const std::string regions = "[[region]]\nname = \"r\"\ndata_dir = \"/tmp/r\"\n";
  for (const char* value : {"4.8e100", "3.0", "inf", "nan", "-0.0"}) {
    auto config = ParseConfig(regions + "[limits]\nmax_bad_commands = " + value + "\n", "f.toml");
    ASSERT_FALSE(config.ok()) << value;
    EXPECT_NE(config.status().message().find("'max_bad_commands' must be a whole number from 0 to "
                                             "4294967295"),
              std::string::npos)
        << config.status().message();
  }
}

TEST(ConfigTest, EmbeddedDefaultServesMetricsOnLoopback) {
  const Config config = DefaultConfig();
  EXPECT_EQ(config.metrics.host, "127.0.0.1");
  EXPECT_EQ(config.metrics.port, 9464);
}

}  // namespace
}  // namespace mailvault
