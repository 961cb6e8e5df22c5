// Messages: append, uids and modseqs, flags, copy/move/expunge reference
// counts, wrap rotation and shredding.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "common/crypto/key_wrap.h"
#include "common/crypto/message_summary.h"
#include "shard_test_util.h"

namespace mailvault::testing {
namespace {

using MessageTest = ShardTest;

TEST_F(MessageTest, StoredMessageOpensToItsPlaintextAndSummary) {
  std::string plaintext = "Subject: hello\r\n\r\n" + std::string(20000, 'x');  // a BlobDB blob
  AppendRequest request = SealedAppend(kAlice, "INBOX", plaintext, {&keys_}, "hello");
  request.flags = {"\\Seen", "$Label1", "\\Seen"};
  BlobId blob_id = request.blob_id;
  uint64_t sealed_size = request.sealed_body.size();
  Result<AppendResult> appended = shard_->Append(kAlice, std::move(request));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(appended->uid, 1u);
  EXPECT_EQ(appended->uidvalidity, shard_->GetMailbox(kAlice, "INBOX")->uidvalidity);

  Result<MessageEntry> entry = shard_->GetMessage(kAlice, "INBOX", appended->uid);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->blob_id, blob_id);
  EXPECT_EQ(entry->sealed_size, sealed_size);
  EXPECT_EQ(entry->internal_date, 1700000000);
  EXPECT_EQ(entry->modseq, appended->modseq);
  EXPECT_EQ(entry->flags, (std::vector<std::string>{"$Label1", "\\Seen"}));

  Result<std::string> opened = OpenStored(*shard_, kAlice, blob_id, keys_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, plaintext);

  Result<std::vector<Wrap>> wraps = shard_->FetchWraps(kAlice, blob_id);
  ASSERT_TRUE(wraps.ok());
  Result<SecretBytes> data_key = UnwrapFor(*wraps, keys_.encryption);
  ASSERT_TRUE(data_key.ok());
  Result<MessageSummary> summary = OpenSummary(*shard_->FetchSummary(kAlice, blob_id), *data_key,
                                               SealBinding{std::string(kAlice), blob_id});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->subject, "hello");
  EXPECT_EQ(summary->size, plaintext.size());

  Result<Wrap> wrap = shard_->FetchWrap(kAlice, blob_id, keys_.encryption.id());
  ASSERT_TRUE(wrap.ok());
  EXPECT_EQ(*wrap, (*wraps)[0]);

  // After a restart the body is read back from a BlobDB blob file.
  Reopen();
  EXPECT_EQ(*OpenStored(*shard_, kAlice, blob_id, keys_), plaintext);
}

TEST_F(MessageTest, AppendAssignsAscendingUidsAndModseqs) {
  AppendResult first = AppendOk("INBOX", "one");
  AppendResult second = AppendOk("INBOX", "two");
  EXPECT_EQ(first.uid, 1u);
  EXPECT_EQ(second.uid, 2u);
  EXPECT_GT(second.modseq, first.modseq);
  Result<MailboxInfo> inbox = shard_->GetMailbox(kAlice, "INBOX");
  EXPECT_EQ(inbox->uidnext, 3u);
  EXPECT_EQ(inbox->highest_modseq, second.modseq);
}

TEST_F(MessageTest, UidsNeverReusedAcrossReopen) {
  AppendOk("INBOX", "one");
  AppendOk("INBOX", "two");
  AppendResult last = AppendOk("INBOX", "three");
  ASSERT_EQ(*shard_->Expunge(kAlice, "INBOX", {last.uid}), std::vector<uint32_t>{last.uid});
  Reopen();
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->uidnext, last.uid + 1);
  AppendResult next = AppendOk("INBOX", "four");
  EXPECT_GT(next.uid, last.uid);
  EXPECT_GT(next.modseq, last.modseq);
  EXPECT_EQ(next.uidvalidity, last.uidvalidity);
}

TEST_F(MessageTest, DuplicateBlobIdIsAlreadyExists) {
  AppendRequest request = Sealed("INBOX", "once");
  AppendRequest again = request;
  ASSERT_TRUE(shard_->Append(kAlice, std::move(request)).ok());
  EXPECT_EQ(shard_->Append(kAlice, std::move(again)).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->uidnext, 2u);
}

TEST_F(MessageTest, AppendValidatesItsInput) {
  auto code_of = [&](auto mutate) {
    AppendRequest request = Sealed("INBOX", "x");
    mutate(request);
    return shard_->Append(kAlice, std::move(request)).code();
  };
  EXPECT_EQ(code_of([](AppendRequest& r) { r.mailbox.clear(); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([](AppendRequest& r) { r.mailbox = "Missing"; }), ErrorCode::kNotFound);
  EXPECT_EQ(code_of([](AppendRequest& r) { r.sealed_body.clear(); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([](AppendRequest& r) { r.sealed_summary.clear(); }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([](AppendRequest& r) { r.wraps.clear(); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([](AppendRequest& r) { r.wraps[0].sealed_key.pop_back(); }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([](AppendRequest& r) { r.wraps.push_back(r.wraps[0]); }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([](AppendRequest& r) { r.flags = {"bad flag"}; }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([](AppendRequest& r) { r.flags = {"\\"}; }), ErrorCode::kInvalidArgument);
  // Nothing above changed the mailbox.
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->uidnext, 1u);
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->highest_modseq, 0u);
}

TEST_F(MessageTest, AppendAllStoresEveryMessageWithConsecutiveUidsInOneCommit) {
  AppendOk("INBOX", "before");
  std::vector<AppendRequest> requests;
  std::vector<BlobId> blob_ids;
  for (const char* text : {"one", "two", "three"}) {
    requests.push_back(Sealed("INBOX", text));
    blob_ids.push_back(requests.back().blob_id);
  }
  requests[1].flags = {"\\Seen"};
  Result<std::vector<AppendResult>> appended = shard_->AppendAll(kAlice, std::move(requests));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  ASSERT_EQ(appended->size(), 3u);
  const uint32_t uidvalidity = shard_->GetMailbox(kAlice, "INBOX")->uidvalidity;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*appended)[i].uid, 2 + i);
    EXPECT_EQ((*appended)[i].uidvalidity, uidvalidity);
    if (i > 0) {
      EXPECT_GT((*appended)[i].modseq, (*appended)[i - 1].modseq);
    }
  }
  Reopen();
  Result<MailboxInfo> inbox = shard_->GetMailbox(kAlice, "INBOX");
  EXPECT_EQ(inbox->uidnext, 5u);
  EXPECT_EQ(inbox->messages, 4u);
  EXPECT_EQ(inbox->unseen, 3u);
  EXPECT_EQ(inbox->highest_modseq, appended->back().modseq);
  EXPECT_EQ(*OpenStored(*shard_, kAlice, blob_ids[2], keys_), "three");
  EXPECT_EQ(shard_->GetMessage(kAlice, "INBOX", 3)->flags, std::vector<std::string>{"\\Seen"});
}

// Whichever message is refused, and however late in the batch, nothing of
// the others is stored and no uid or modseq is used up.
TEST_F(MessageTest, AppendAllStoresNothingWhenOneMessageFails) {
  const DeviceKeys stranger = DeviceKeys::Generate();  // never registered
  const std::vector<std::pair<std::string, std::function<void(std::vector<AppendRequest>&)>>>
      failures = {
          {"an unregistered key",
           [&](std::vector<AppendRequest>& r) {
             r[2] = SealedAppend(kAlice, "INBOX", "three", {&stranger});
           }},
          {"an invalid flag", [](std::vector<AppendRequest>& r) { r[2].flags = {"bad flag"}; }},
          {"no wrap", [](std::vector<AppendRequest>& r) { r[2].wraps.clear(); }},
          {"a blob id twice", [](std::vector<AppendRequest>& r) { r[2].blob_id = r[0].blob_id; }},
          {"another mailbox", [](std::vector<AppendRequest>& r) { r[2].mailbox = "Sent"; }},
      };
  AppendRequest refused_first;
  for (const auto& [what, mutate] : failures) {
    std::vector<AppendRequest> requests;
    for (const char* text : {"one", "two", "three"}) requests.push_back(Sealed("INBOX", text));
    mutate(requests);
    refused_first = requests[0];
    EXPECT_FALSE(shard_->AppendAll(kAlice, std::move(requests)).ok()) << what;
    Result<MailboxInfo> inbox = shard_->GetMailbox(kAlice, "INBOX");
    EXPECT_EQ(inbox->uidnext, 1u) << what;
    EXPECT_EQ(inbox->messages, 0u) << what;
    EXPECT_EQ(inbox->highest_modseq, 0u) << what;
    EXPECT_TRUE(shard_->ListMessages(kAlice, "INBOX", 1, UINT32_MAX)->empty()) << what;
  }
  // The refused batches' blobs were not kept: the same message goes in now.
  EXPECT_TRUE(shard_->Append(kAlice, std::move(refused_first)).ok());
  std::vector<AppendRequest> none;
  EXPECT_EQ(shard_->AppendAll(kAlice, std::move(none)).code(), ErrorCode::kInvalidArgument);
}

TEST_F(MessageTest, ListMessagesReturnsTheUidRangeAscending) {
  for (int i = 0; i < 300; ++i) AppendOk("INBOX", std::to_string(i));
  // 255 -> 256 crosses a byte boundary: big-endian keys keep numeric order.
  Result<std::vector<MessageEntry>> entries = shard_->ListMessages(kAlice, "INBOX", 250, 260);
  ASSERT_TRUE(entries.ok());
  std::vector<uint32_t> expected;
  for (uint32_t uid = 250; uid <= 260; ++uid) expected.push_back(uid);
  EXPECT_EQ(UidsOf(*entries), expected);
  EXPECT_EQ(shard_->ListMessages(kAlice, "INBOX", 1, UINT32_MAX)->size(), 300u);
  EXPECT_TRUE(shard_->ListMessages(kAlice, "INBOX", 301, UINT32_MAX)->empty());
  EXPECT_TRUE(shard_->ListMessages(kAlice, "INBOX", 10, 9)->empty());
  EXPECT_EQ(shard_->GetMessage(kAlice, "INBOX", 301).code(), ErrorCode::kNotFound);
}

TEST_F(MessageTest, UnchangedSinceLeavesNewerMessagesAloneAndNamesThem) {
  AppendResult a = AppendOk("INBOX", "a");
  AppendResult b = AppendOk("INBOX", "b");
  // b changes after the client's view (modseq of a), a does not.
  ASSERT_TRUE(shard_->StoreFlags(kAlice, "INBOX", {b.uid}, FlagOp::kAdd, {"$Other"}).ok());
  std::vector<uint32_t> modified;
  Result<std::vector<MessageEntry>> stored = shard_->StoreFlags(
      kAlice, "INBOX", {a.uid, b.uid}, FlagOp::kAdd, {"\\Seen"}, b.modseq, &modified);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(UidsOf(*stored), std::vector<uint32_t>{a.uid});
  EXPECT_EQ(modified, std::vector<uint32_t>{b.uid});
  EXPECT_EQ(shard_->GetMessage(kAlice, "INBOX", b.uid)->flags, std::vector<std::string>{"$Other"});
}

TEST_F(MessageTest, StoreFlagsChangesModseqOnlyWhenFlagsChange) {
  AppendResult a = AppendOk("INBOX", "a");
  AppendResult b = AppendOk("INBOX", "b");

  Result<std::vector<MessageEntry>> stored =
      shard_->StoreFlags(kAlice, "INBOX", {b.uid, a.uid, 99}, FlagOp::kAdd, {"\\Seen"});
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(UidsOf(*stored), (std::vector<uint32_t>{a.uid, b.uid}));  // 99 skipped
  EXPECT_GT((*stored)[0].modseq, b.modseq);
  EXPECT_GT((*stored)[1].modseq, (*stored)[0].modseq);
  uint64_t highest = shard_->GetMailbox(kAlice, "INBOX")->highest_modseq;
  EXPECT_EQ(highest, (*stored)[1].modseq);

  // Adding a flag that is there already changes nothing, modseq included.
  stored = shard_->StoreFlags(kAlice, "INBOX", {a.uid}, FlagOp::kAdd, {"\\Seen"});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->highest_modseq, highest);

  stored = shard_->StoreFlags(kAlice, "INBOX", {a.uid}, FlagOp::kSet, {"\\Flagged", "$Work"});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)[0].flags, (std::vector<std::string>{"$Work", "\\Flagged"}));
  EXPECT_GT((*stored)[0].modseq, highest);

  stored = shard_->StoreFlags(kAlice, "INBOX", {a.uid}, FlagOp::kRemove, {"$Work", "\\Seen"});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)[0].flags, std::vector<std::string>{"\\Flagged"});

  Reopen();
  Result<MessageEntry> entry = shard_->GetMessage(kAlice, "INBOX", a.uid);
  EXPECT_EQ(entry->flags, std::vector<std::string>{"\\Flagged"});
  EXPECT_EQ(entry->modseq, shard_->GetMailbox(kAlice, "INBOX")->highest_modseq);
  EXPECT_EQ(shard_->StoreFlags(kAlice, "INBOX", {a.uid}, FlagOp::kAdd, {"(bad"}).code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(MessageTest, CopySharesTheBodyUntilTheLastReferenceIsExpunged) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Archive").ok());
  BlobId blob_id;
  AppendResult original = AppendOk("INBOX", "shared body", &blob_id);

  Result<CopyResult> copied = shard_->Copy(kAlice, "INBOX", {original.uid}, "Archive");
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(copied->uidvalidity, shard_->GetMailbox(kAlice, "Archive")->uidvalidity);
  EXPECT_EQ(copied->source_uids, std::vector<uint32_t>{original.uid});
  ASSERT_EQ(copied->target_uids, std::vector<uint32_t>{1});
  EXPECT_EQ(shard_->GetMessage(kAlice, "Archive", 1)->blob_id, blob_id);
  EXPECT_EQ(*shard_->BodyReferenceCount(kAlice, blob_id), 2u);

  ASSERT_EQ(*shard_->Expunge(kAlice, "INBOX", {original.uid}), std::vector<uint32_t>{original.uid});
  EXPECT_EQ(*shard_->BodyReferenceCount(kAlice, blob_id), 1u);
  EXPECT_EQ(*OpenStored(*shard_, kAlice, blob_id, keys_), "shared body");

  ASSERT_EQ(*shard_->Expunge(kAlice, "Archive", {1}), std::vector<uint32_t>{1});
  EXPECT_EQ(*shard_->BodyReferenceCount(kAlice, blob_id), 0u);
  EXPECT_EQ(shard_->FetchBody(kAlice, blob_id).code(), ErrorCode::kNotFound);
  EXPECT_EQ(shard_->FetchSummary(kAlice, blob_id).code(), ErrorCode::kNotFound);
  EXPECT_EQ(shard_->FetchWraps(kAlice, blob_id).code(), ErrorCode::kNotFound);
  EXPECT_EQ(shard_->FetchWrap(kAlice, blob_id, keys_.encryption.id()).code(), ErrorCode::kNotFound);
  // Expunging again finds nothing.
  EXPECT_TRUE(shard_->Expunge(kAlice, "Archive", {1})->empty());
}

TEST_F(MessageTest, ExpungeRaisesHighestModseqButNotUidnext) {
  AppendResult a = AppendOk("INBOX", "a");
  MailboxInfo before = *shard_->GetMailbox(kAlice, "INBOX");
  ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {a.uid}).ok());
  MailboxInfo after = *shard_->GetMailbox(kAlice, "INBOX");
  EXPECT_GT(after.highest_modseq, before.highest_modseq);
  EXPECT_EQ(after.uidnext, before.uidnext);
}

TEST_F(MessageTest, MoveKeepsTheBodyAndRemovesTheSource) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Archive").ok());
  BlobId first_blob;
  AppendResult first = AppendOk("INBOX", "first", &first_blob);
  AppendResult second = AppendOk("INBOX", "second");
  uint64_t inbox_modseq = shard_->GetMailbox(kAlice, "INBOX")->highest_modseq;

  Result<CopyResult> moved = shard_->Move(kAlice, "INBOX", {second.uid, first.uid, 77}, "Archive");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->source_uids, (std::vector<uint32_t>{first.uid, second.uid}));
  EXPECT_EQ(moved->target_uids, (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(shard_->ListMessages(kAlice, "INBOX", 1, UINT32_MAX)->empty());
  EXPECT_EQ(shard_->ListMessages(kAlice, "Archive", 1, UINT32_MAX)->size(), 2u);
  EXPECT_EQ(*shard_->BodyReferenceCount(kAlice, first_blob), 1u);
  EXPECT_EQ(*OpenStored(*shard_, kAlice, first_blob, keys_), "first");
  EXPECT_GT(shard_->GetMailbox(kAlice, "INBOX")->highest_modseq, inbox_modseq);
  EXPECT_EQ(shard_->Move(kAlice, "INBOX", {1}, "Missing").code(), ErrorCode::kNotFound);
}

TEST_F(MessageTest, MoveWithinOneMailboxGivesANewUid) {
  BlobId blob_id;
  AppendResult original = AppendOk("INBOX", "again", &blob_id);
  Result<CopyResult> moved = shard_->Move(kAlice, "INBOX", {original.uid}, "INBOX");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  ASSERT_EQ(moved->target_uids, std::vector<uint32_t>{original.uid + 1});
  EXPECT_EQ(UidsOf(*shard_->ListMessages(kAlice, "INBOX", 1, UINT32_MAX)),
            std::vector<uint32_t>{original.uid + 1});
  EXPECT_EQ(*shard_->BodyReferenceCount(kAlice, blob_id), 1u);
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->uidnext, original.uid + 2);

  Result<CopyResult> copied = shard_->Copy(kAlice, "INBOX", {original.uid + 1}, "INBOX");
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(*shard_->BodyReferenceCount(kAlice, blob_id), 2u);
}

TEST_F(MessageTest, PutWrapsRotatesToANewKey) {
  BlobId blob_id;
  AppendOk("INBOX", "rotate me", &blob_id);
  DeviceKeys next = DeviceKeys::Generate();

  // No wraps for a key the shard does not know.
  EXPECT_EQ(shard_->PutWraps(kAlice, next.encryption.id(), {}).code(), ErrorCode::kKeyNotActive);
  ASSERT_TRUE(
      shard_->RegisterPublicKey(kAlice, PublicKeyKind::kEncryption, next.encryption.public_key)
          .ok());

  // What a client does: unwrap with the old key, wrap for the new one.
  Result<SecretBytes> data_key = UnwrapFor(*shard_->FetchWraps(kAlice, blob_id), keys_.encryption);
  ASSERT_TRUE(data_key.ok());
  Result<Wrap> wrap = WrapDataKey(*data_key, next.encryption.public_key);
  ASSERT_TRUE(wrap.ok());

  EXPECT_EQ(shard_->PutWraps(kAlice, next.encryption.id(), {{blob_id, "short"}}).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      shard_->PutWraps(kAlice, next.encryption.id(), {{RandomBlobId(), wrap->sealed_key}}).code(),
      ErrorCode::kNotFound);
  ASSERT_TRUE(shard_->PutWraps(kAlice, next.encryption.id(), {{blob_id, wrap->sealed_key}}).ok());
  EXPECT_EQ(shard_->FetchWraps(kAlice, blob_id)->size(), 2u);

  // Retire the old key: the message now opens with the new one only.
  ASSERT_TRUE(shard_->RevokePublicKey(kAlice, keys_.encryption.id()).ok());
  Reopen();
  EXPECT_EQ(OpenStored(*shard_, kAlice, blob_id, keys_).code(), ErrorCode::kNoWrapForKey);
  EXPECT_EQ(*OpenStored(*shard_, kAlice, blob_id, next), "rotate me");

  // Replacing a wrap is allowed (PutWraps writes or replaces).
  EXPECT_TRUE(shard_->PutWraps(kAlice, next.encryption.id(), {{blob_id, wrap->sealed_key}}).ok());
}

TEST_F(MessageTest, DeleteAccountRemovesEverythingAndReportsIt) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Archive").ok());
  BlobId a_blob;
  AppendResult a = AppendOk("INBOX", "a", &a_blob);
  AppendOk("INBOX", "b");
  AppendOk("Archive", "c");
  ASSERT_TRUE(shard_->Copy(kAlice, "INBOX", {a.uid}, "Archive").ok());
  ASSERT_TRUE(shard_->PutCredential(kAlice, CredentialKind::kPasswordHash, "hash", 0).ok());
  // A second account on the shard must be untouched.
  ASSERT_TRUE(shard_->CreateAccount("bob@example.org", "eu").ok());
  ASSERT_TRUE(shard_
                  ->RegisterPublicKey("bob@example.org", PublicKeyKind::kEncryption,
                                      keys_.encryption.public_key)
                  .ok());
  AppendRequest bobs = SealedAppend("bob@example.org", "INBOX", "bob's", {&keys_});
  BlobId bob_blob = bobs.blob_id;
  ASSERT_TRUE(shard_->Append("bob@example.org", std::move(bobs)).ok());

  Result<AccountUsage> usage = shard_->Usage(kAlice);
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->mailboxes, 2u);
  EXPECT_EQ(usage->messages, 4u);  // a, b, c and the copy of a
  EXPECT_EQ(usage->bodies, 3u);
  EXPECT_GT(usage->sealed_bytes, 0u);

  Result<DeleteReport> report = shard_->DeleteAccount(kAlice);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->bodies, 3u);
  EXPECT_EQ(report->wraps, 3u);
  EXPECT_EQ(report->messages, 4u);
  EXPECT_EQ(report->mailboxes, 2u);
  EXPECT_EQ(report->public_keys, 1u);
  EXPECT_EQ(report->credentials, 1u);

  Reopen();
  EXPECT_EQ(shard_->GetAccount(kAlice).code(), ErrorCode::kNotFound);
  EXPECT_EQ(shard_->FetchBody(kAlice, a_blob).code(), ErrorCode::kNotFound);
  EXPECT_EQ(shard_->ListPublicKeys(kAlice).code(), ErrorCode::kNotFound);
  EXPECT_EQ(*OpenStored(*shard_, "bob@example.org", bob_blob, keys_), "bob's");
  // The address can be created afresh; nothing of the old account shows.
  ASSERT_TRUE(shard_->CreateAccount(kAlice, "eu").ok());
  EXPECT_EQ(shard_->Usage(kAlice)->messages, 0u);
  EXPECT_EQ(shard_->ListPublicKeys(kAlice)->size(), 0u);
  EXPECT_EQ(shard_->DeleteAccount("nobody@example.org").code(), ErrorCode::kNotFound);
}

TEST_F(MessageTest, SuspensionIsRecordedAndSurvivesReopen) {
  EXPECT_FALSE(shard_->GetAccount(kAlice)->suspended);
  ASSERT_TRUE(shard_->SetSuspended(kAlice, true).ok());
  Reopen();
  EXPECT_TRUE(shard_->GetAccount(kAlice)->suspended);
  ASSERT_TRUE(shard_->SetSuspended(kAlice, false).ok());
  EXPECT_FALSE(shard_->GetAccount(kAlice)->suspended);
  AppendOk("INBOX", "still works");
}

TEST_F(MessageTest, ConcurrentAppendsGetDistinctAscendingUids) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20;
  ASSERT_TRUE(shard_->CreateAccount("bob@example.org", "eu").ok());
  ASSERT_TRUE(shard_
                  ->RegisterPublicKey("bob@example.org", PublicKeyKind::kEncryption,
                                      keys_.encryption.public_key)
                  .ok());
  // Sealed up front: the threads then only exercise the shard.
  std::vector<std::vector<AppendRequest>> requests(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    std::string account(t % 2 == 0 ? kAlice : "bob@example.org");
    for (int i = 0; i < kPerThread; ++i) {
      requests[t].push_back(SealedAppend(account, "INBOX", "m", {&keys_}));
    }
  }
  std::vector<std::vector<uint32_t>> uids(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string account(t % 2 == 0 ? kAlice : "bob@example.org");
      for (AppendRequest& request : requests[t]) {
        Result<AppendResult> result = shard_->Append(account, std::move(request));
        if (!result.ok()) {
          ++failures;
          continue;
        }
        uids[t].push_back(result->uid);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  for (int account = 0; account < 2; ++account) {
    std::set<uint32_t> all;
    for (int t = account; t < kThreads; t += 2) {
      // Each thread sees its own uids ascending.
      EXPECT_TRUE(std::is_sorted(uids[t].begin(), uids[t].end()));
      all.insert(uids[t].begin(), uids[t].end());
    }
    EXPECT_EQ(all.size(), 2u * kPerThread);
    EXPECT_EQ(*all.begin(), 1u);
    EXPECT_EQ(*all.rbegin(), 2u * kPerThread);
  }
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->uidnext, 2u * kPerThread + 1);
}

}  // namespace
}  // namespace mailvault::testing
