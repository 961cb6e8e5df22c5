#include "common/crypto/key_file.h"

#include <gtest/gtest.h>

namespace mailvault {
namespace {

KeyFileContents TwoGenerations() {
  KeyFileContents contents;
  contents.account_id = "alice@example.com";
  contents.keys.push_back(DeviceKeys::Generate());
  contents.keys.push_back(DeviceKeys::Generate());
  return contents;
}

TEST(KeyFileTest, RoundTripKeepsEveryKey) {
  const KeyFileContents contents = TwoGenerations();
  Result<std::string> file = EncryptKeyFile(contents, "correct horse", KdfLimits::Interactive());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->find(contents.keys[0].encryption.secret_key.view()), std::string::npos);

  Result<KeyFileContents> opened = DecryptKeyFile(*file, "correct horse");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->account_id, "alice@example.com");
  ASSERT_EQ(opened->keys.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(opened->keys[i].encryption.public_key, contents.keys[i].encryption.public_key);
    EXPECT_TRUE(opened->keys[i].encryption.secret_key.Equals(contents.keys[i].encryption.secret_key));
    EXPECT_TRUE(opened->keys[i].signing.secret_key.Equals(contents.keys[i].signing.secret_key));
    EXPECT_EQ(opened->keys[i].created_at, contents.keys[i].created_at);
  }
}

TEST(KeyFileTest, AnAttachmentIsSealedWithTheKeys) {
  KeyFileContents contents = TwoGenerations();
  contents.attachment = "server = \"vault.example:993\"\n";
  Result<std::string> file = EncryptKeyFile(contents, "pw", KdfLimits::Interactive());
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->find("vault.example"), std::string::npos);  // encrypted, not beside
  Result<KeyFileContents> opened = DecryptKeyFile(*file, "pw");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->attachment, contents.attachment);
  EXPECT_EQ(opened->keys.size(), 2u);
  std::string altered = *file;
  altered[altered.size() - 20] ^= 1;  // inside the attachment's ciphertext
  EXPECT_EQ(DecryptKeyFile(altered, "pw").code(), ErrorCode::kWrongPassphrase);
  // Without one the file is the version-1 payload it always was.
  contents.attachment.clear();
  file = EncryptKeyFile(contents, "pw", KdfLimits::Interactive());
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->size(), 64u + 1 + 4 + 17 + 4 + 2 * 168 + 16);
}

TEST(KeyFileTest, WrongPassphraseIsRefused) {
  Result<std::string> file = EncryptKeyFile(TwoGenerations(), "right", KdfLimits::Interactive());
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(DecryptKeyFile(*file, "wrong").code(), ErrorCode::kWrongPassphrase);
  EXPECT_EQ(DecryptKeyFile(*file, "").code(), ErrorCode::kWrongPassphrase);
}

TEST(KeyFileTest, AlteredHeaderOrBodyIsRefused) {
  Result<std::string> file = EncryptKeyFile(TwoGenerations(), "pw", KdfLimits::Interactive());
  ASSERT_TRUE(file.ok());
  std::string altered = *file;
  altered[30] ^= 1;  // the salt
  EXPECT_EQ(DecryptKeyFile(altered, "pw").code(), ErrorCode::kWrongPassphrase);
  altered = *file;
  altered.back() ^= 1;
  EXPECT_EQ(DecryptKeyFile(altered, "pw").code(), ErrorCode::kWrongPassphrase);
  EXPECT_EQ(DecryptKeyFile(file->substr(0, 50), "pw").code(), ErrorCode::kTruncated);
  altered = *file;
  altered[6] = 2;
  EXPECT_EQ(DecryptKeyFile(altered, "pw").code(), ErrorCode::kUnknownVersion);
  EXPECT_EQ(DecryptKeyFile("-----BEGIN PGP", "pw").code(), ErrorCode::kUnknownVersion);
}

// Found by the sealed fuzz target: a file cut right after its magic and
// version threw std::out_of_range out of KeyFileLimits (the CLI reads the
// limits of its key file on every start).
TEST(KeyFileTest, ACutFileIsTruncatedNotAnException) {
  for (std::string_view file : {std::string_view("MVKEYS"), std::string_view("MVKEYS\x01"),
                                std::string_view("MVKEYS\x01\x01"),
                                std::string_view("MVKEYS\x01\x01\0\0\0", 11)}) {
    Result<KdfLimits> limits = KeyFileLimits(file);
    ASSERT_FALSE(limits.ok()) << file.size();
    EXPECT_EQ(limits.code(), file.size() == 6 ? ErrorCode::kUnknownVersion : ErrorCode::kTruncated)
        << file.size();
  }
}

TEST(KeyFileTest, CraftedKdfLimitsAreRefusedBeforeAnyWork) {
  Result<std::string> file = EncryptKeyFile(TwoGenerations(), "pw", KdfLimits::Interactive());
  ASSERT_TRUE(file.ok());
  std::string greedy = *file;
  greedy[16] = 0x7f;  // memlimit's top byte: petabytes
  EXPECT_EQ(DecryptKeyFile(greedy, "pw").code(), ErrorCode::kMalformed);
}

TEST(KeyFileTest, PassphraseChangeKeepsKeysAndLimits) {
  const KeyFileContents contents = TwoGenerations();
  Result<std::string> file = EncryptKeyFile(contents, "old", KdfLimits::Interactive());
  ASSERT_TRUE(file.ok());
  Result<std::string> changed = ChangeKeyFilePassphrase(*file, "old", "new");
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(DecryptKeyFile(*changed, "old").code(), ErrorCode::kWrongPassphrase);
  Result<KeyFileContents> opened = DecryptKeyFile(*changed, "new");
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->keys[1].encryption.secret_key.Equals(contents.keys[1].encryption.secret_key));
  EXPECT_EQ(changed->substr(6, 18), file->substr(6, 18));  // version, KDF id and limits
  EXPECT_EQ(ChangeKeyFilePassphrase(*file, "nope", "new").code(), ErrorCode::kWrongPassphrase);
}

TEST(KeyFileTest, DefaultIsArgon2idModerate) {
  KeyFileContents contents;
  contents.account_id = "a@b";
  contents.keys.push_back(DeviceKeys::Generate());
  Result<std::string> file = EncryptKeyFile(contents, "pw");  // 256 MiB, about a second
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->substr(8, 16), std::string("\0\0\0\0\0\0\0\x03\0\0\0\0\x10\0\0\0", 16));
  EXPECT_TRUE(DecryptKeyFile(*file, "pw").ok());
}

}  // namespace
}  // namespace mailvault
