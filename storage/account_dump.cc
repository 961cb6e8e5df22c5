// The byte form of an AccountDump, in which a move between nodes carries an
// account from one shard to another. It holds what the shard holds: sealed
// bodies, wraps, public keys, logs, encoded records; never a plaintext.
//
//   "MVDUMP1\n" ‖ lp(account_id) ‖ lp(account_record) ‖ u64 rows ‖
//   rows × (u8 family ‖ lp(key_suffix) ‖ lp(value)) ‖ BLAKE2b-256(all before)
//
// lp(x) = u32 big-endian length ‖ x. The checksum catches a transfer that was
// cut or changed on the way; the consent and the logs carry the authenticity.
#include <sodium.h>

#include "common/big_endian.h"
#include "common/crypto/hash.h"
#include "storage/region_shard.h"
#include "storage/shard_db.h"

namespace mailvault {
namespace {

constexpr std::string_view kDumpMagic = "MVDUMP1\n";
constexpr size_t kChecksumBytes = kHashSize;

}  // namespace

std::string EncodeAccountDump(const AccountDump& dump) {
  std::string out(kDumpMagic);
  AppendLengthPrefixed(out, dump.account_id);
  AppendLengthPrefixed(out, dump.account_record);
  AppendBigEndian<uint64_t>(out, dump.rows.size());
  for (const AccountDump::Row& row : dump.rows) {
    out.push_back(static_cast<char>(row.family));
    AppendLengthPrefixed(out, row.key_suffix);
    AppendLengthPrefixed(out, row.value);
  }
  out += Blake2b256(out);
  return out;
}

Result<AccountDump> DecodeAccountDump(std::string_view bytes) {
  const Status damaged(ErrorCode::kCorruption, "the account transfer is damaged or incomplete");
  if (bytes.size() < kDumpMagic.size() + kChecksumBytes ||
      bytes.substr(0, kDumpMagic.size()) != kDumpMagic) {
    return damaged;
  }
  const std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  const std::string expected = Blake2b256(body);
  if (sodium_memcmp(expected.data(), bytes.data() + body.size(), kChecksumBytes) != 0) {
    return damaged;
  }
  ByteReader reader(body.substr(kDumpMagic.size()));
  AccountDump dump;
  std::string_view account_id, record;
  uint64_t rows = 0;
  if (!reader.ReadLengthPrefixed(account_id) || !reader.ReadLengthPrefixed(record) ||
      !reader.Read(rows)) {
    return damaged;
  }
  dump.account_id = account_id;
  dump.account_record = record;
  for (uint64_t i = 0; i < rows; ++i) {
    uint8_t family = 0;
    std::string_view key_suffix, value;
    if (!reader.Read(family) || !reader.ReadLengthPrefixed(key_suffix) ||
        !reader.ReadLengthPrefixed(value)) {
      return damaged;
    }
    dump.rows.push_back({family, std::string(key_suffix), std::string(value)});
  }
  if (!reader.empty()) return damaged;
  return dump;
}

std::vector<std::string> DumpedLog(const AccountDump& dump, LogKind log) {
  std::vector<std::string> entries;
  for (const AccountDump::Row& row : dump.rows) {
    if (row.family == static_cast<uint8_t>(Cf::kLogs) && !row.key_suffix.empty() &&
        static_cast<uint8_t>(row.key_suffix[0]) == static_cast<uint8_t>(log)) {
      entries.push_back(row.value);  // rows are in key order: seq order
    }
  }
  return entries;
}

}  // namespace mailvault
