#include "common/crypto/keys.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <type_traits>

#include "common/crypto/ids.h"
#include "common/crypto/key_wrap.h"

namespace mailvault {
namespace {

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_constructible_v<EncryptionKeyPair>);

TEST(KeyIdTest, IsTheFirst16BytesOfBlake2b256) {
  const std::string public_key(32, '\x07');
  unsigned char digest[32];
  crypto_generichash(digest, 32, reinterpret_cast<const unsigned char*>(public_key.data()), 32,
                     nullptr, 0);
  EXPECT_EQ(KeyIdOf(public_key).view(), std::string_view(reinterpret_cast<char*>(digest), 16));
}

TEST(KeyIdTest, HexRoundTrip) {
  const KeyId id = KeyIdOf("some public key");
  EXPECT_EQ(KeyId::FromHex(id.ToHex()), id);
  EXPECT_FALSE(KeyId::FromHex("zz").has_value());
  EXPECT_FALSE(KeyId::FromHex(std::string(32, 'g')).has_value());
}

TEST(KeysTest, SignAndVerify) {
  const SigningKeyPair keys = SigningKeyPair::Generate();
  const std::string signature = keys.Sign("move alice@example.com to us");
  EXPECT_TRUE(VerifySignature(keys.public_key, "move alice@example.com to us", signature));
  EXPECT_FALSE(VerifySignature(keys.public_key, "move alice@example.com to eu", signature));
  EXPECT_FALSE(VerifySignature(SigningKeyPair::Generate().public_key,
                               "move alice@example.com to us", signature));
  EXPECT_FALSE(VerifySignature(keys.public_key, "x", "short"));
}

TEST(KeyWrapTest, OnlyTheRecipientUnwraps) {
  const EncryptionKeyPair alice = EncryptionKeyPair::Generate();
  const SecretBytes data_key = GenerateDataKey();
  Result<Wrap> wrap = WrapDataKey(data_key, alice.public_key);
  ASSERT_TRUE(wrap.ok());
  EXPECT_EQ(wrap->sealed_key.size(), kWrapSize);
  EXPECT_EQ(wrap->key_id, alice.id());

  Result<SecretBytes> unwrapped = UnwrapDataKey(*wrap, alice);
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_TRUE(unwrapped->Equals(data_key));

  // Another key pair: named in the wrap or not, it does not open.
  const EncryptionKeyPair mallory = EncryptionKeyPair::Generate();
  EXPECT_EQ(UnwrapDataKey(*wrap, mallory).code(), ErrorCode::kWrongKey);
  Wrap relabelled = *wrap;
  relabelled.key_id = mallory.id();
  EXPECT_EQ(UnwrapDataKey(relabelled, mallory).code(), ErrorCode::kWrongKey);

  Wrap tampered = *wrap;
  tampered.sealed_key[40] ^= 1;
  EXPECT_EQ(UnwrapDataKey(tampered, alice).code(), ErrorCode::kWrongKey);
}

TEST(SecretBytesTest, MoveLeavesTheSourceEmpty) {
  SecretBytes a(32);
  a.data()[0] = 9;
  SecretBytes b = std::move(a);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(b.size(), 32u);
  EXPECT_EQ(b.data()[0], 9);
  EXPECT_TRUE(b.Clone().Equals(b));
}

}  // namespace
}  // namespace mailvault

namespace mailvault {
namespace {

// A static is destroyed after the thread's buffer cache: its buffer must then
// be freed directly (before, this aborted at exit with a double free).
TEST(SecretBytesTest, AStaticOutlivesTheThreadCache) {
  static SecretBytes kept(32);
  kept.data()[0] = 1;
  EXPECT_EQ(kept.size(), 32u);
}

}  // namespace
}  // namespace mailvault
