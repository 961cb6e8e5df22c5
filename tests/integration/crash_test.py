"""Nothing acknowledged is lost (issue 13): a real mailvaultd under load is
killed with SIGKILL at a random moment, restarted, and checked, cycle after
cycle.

The load, all on one account:
- LMTP deliverers: every message carries a unique X-Crash-Id header and
  random bytes; a sender records it as acknowledged only when its 250 (with
  the uid it names) arrives.
- IMAP sessions (password logins, one mailbox pair each): APPEND (recorded
  with its APPENDUID), STORE of flags, STORE \\Deleted + UID EXPUNGE, and
  UID MOVE into the pair's second mailbox (recorded with its COPYUID).
- A key rotation, on and on: a new device's keys registered (signed by the
  newest active signing key), every message's data key re-wrapped for it
  (XWRAPS PUT), checked, then the older keys revoked.

What a kill interrupts is "in doubt": it may or may not have happened, but
never partly. After each restart the checker (one IMAP session and
mailvault-admin) requires:
- the server greets on IMAP and LMTP within 5 s of being started;
- UIDVALIDITY of every mailbox unchanged; UIDNEXT never lower than seen
  before and above every uid present; a uid never seen before is at least
  the UIDNEXT seen at the previous check (never reused); a uid keeps its
  message, and an expunged one never comes back;
- every acknowledged message present exactly once, where the test last put
  it (MOVEs and EXPUNGEs included), with its acknowledged flags; an in-doubt
  one at most once (a MOVE in doubt: in exactly one of its two mailboxes);
  no message the test never sent;
- every message opens, with a wrap of an active key the test holds, to the
  exact bytes sent (each uid on its first sight, and all of them again at
  the end), and the wrapper's RFC822.SIZE is its length;
- STATUS MESSAGES equals the messages listed;
- `mailvault-admin verify` (RocksDB's VerifyChecksum over every file, and
  every index entry's blobmeta, body and wraps) finds no damage.

Cycles: MAILVAULT_CRASH_CYCLES (10 by default; scripts/crash-test.sh runs
100). MAILVAULT_CRASH_SEED repeats a run. A summary of what was measured is
printed to stderr at the end."""

import base64
import email
import imaplib
import os
import random
import re
import signal
import smtplib
import socket
import ssl
import statistics
import sys
import threading
import time
import unittest

import nacl.bindings as sodium

import harness

imaplib.Commands.setdefault('XKEY', ('AUTH', 'SELECTED'))
imaplib.Commands.setdefault('MOVE', ('SELECTED',))

ACCOUNT = 'alice@localhost'
PASSWORD = 'correct horse battery'
LMTP_SENDERS = 3
IMAP_WORKERS = 2
GREETING_LIMIT = 5.0


def source_box(worker):
    return 'Crash%d' % worker


def moved_box(worker):
    return 'Crash%dMoved' % worker


MAILBOXES = ['INBOX'] + [b for w in range(IMAP_WORKERS) for b in (source_box(w), moved_box(w))]


def b64(data):
    return base64.b64encode(data).decode()


def make_message(rng, message_id):
    # Sizes on both sides of the shard's 4096-byte blob threshold, some over
    # one 64 KiB chunk of the sealed stream.
    roll = rng.random()
    size = (rng.randint(50, 3000) if roll < 0.6 else
            rng.randint(5000, 20000) if roll < 0.9 else rng.randint(66000, 90000))
    body = base64.b64encode(rng.randbytes(size)).replace(b'\n', b'')
    lines = b'\r\n'.join(body[i:i + 76] for i in range(0, len(body), 76))
    return (b'From: load <load@example.org>\r\nTo: ' + ACCOUNT.encode() +
            b'\r\nSubject: crash load ' + message_id.encode() + b'\r\nX-Crash-Id: ' +
            message_id.encode() + b'\r\nMessage-ID: <' + message_id.encode() +
            b'@crash.example>\r\n\r\n' + lines + b'\r\n')


def message_id_of(plaintext):
    found = re.search(rb'\r\nX-Crash-Id: ([A-Za-z0-9-]+)\r\n', plaintext)
    return found.group(1).decode() if found else None


class Ledger:
    """What the load was told. Updated by the load threads under one lock;
    the checker reads it between cycles, when no load runs."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = {}          # message id -> plaintext (everything ever sent)
        self.target = {}        # message id -> mailbox it was sent to
        self.where = {}         # acknowledged message id -> (mailbox, uid)
        self.doubt_new = set()  # sent, not acknowledged: present at most once
        self.doubt_ops = []     # ('expunge', box, uid) | ('move', src, uid, dst) | ('store', box, uid)
        self.flags = {}         # (mailbox, uid) -> acknowledged flags
        self.gone = {box: set() for box in MAILBOXES}  # uids acknowledged expunged or moved out
        self.counts = {'lmtp': 0, 'append': 0, 'store': 0, 'expunge': 0, 'move': 0,
                       'rotations': 0, 'rewraps': 0, 'doubt': 0}

    def new_message(self, rng, prefix, mailbox):
        with self.lock:
            message_id = '%s-%d' % (prefix, len(self.sent))
            data = make_message(rng, message_id)
            self.sent[message_id] = data
            self.target[message_id] = mailbox
            self.doubt_new.add(message_id)
            return message_id, data

    def acknowledge_new(self, message_id, mailbox, uid, kind):
        with self.lock:
            self.doubt_new.discard(message_id)
            self.where[message_id] = (mailbox, uid)
            self.flags[(mailbox, uid)] = set()
            self.counts[kind] += 1

    def live(self, mailbox):
        with self.lock:
            return sorted(uid for box, uid in self.where.values() if box == mailbox)

    def id_at(self, mailbox, uid):
        with self.lock:
            for message_id, place in self.where.items():
                if place == (mailbox, uid):
                    return message_id
        return None


class Keys:
    """Every device the test ever made (so an in-doubt registration can
    still be read), and which of their keys the server lists as active."""

    def __init__(self, first):
        self.lock = threading.Lock()
        self.devices = [first]
        self.active = {first.key_id(), first.signing_key_id().hex()}

    def by_encryption_id(self, key_id):
        for device in self.devices:
            if device.key_id() == key_id:
                return device
        return None

    def newest_signer(self):
        with self.lock:
            for device in reversed(self.devices):
                if device.signing_key_id().hex() in self.active:
                    return device
        raise AssertionError('no active signing key the test holds')


def register_statement(kind, public_key):
    return (b'mailvault-key-register-v1\x00' + ACCOUNT.encode() + b'\x00' + bytes([kind]) +
            public_key)


def revoke_statement(key_id_hex):
    return b'mailvault-key-revoke-v1\x00' + ACCOUNT.encode() + b'\x00' + bytes.fromhex(key_id_hex)


def checked(client, *args):
    typ, data = client._simple_command(*args)
    if typ != 'OK':
        raise RuntimeError('%s: %s %r' % (args[0], typ, data))
    return data


def list_keys(client):
    checked(client, 'XKEYS')
    _, lines = client._untagged_response('OK', [None], 'XKEY')
    keys = {}
    for line in lines:
        if line is None:
            continue
        key_id, kind, _, _, state = line.decode().split(' ')
        keys[key_id] = (kind, state)
    return keys


def list_wraps(client, mailbox, key_id):
    checked(client, 'XWRAPS', mailbox, key_id, '1:*')
    _, lines = client._untagged_response('OK', [None], 'XWRAP')
    wraps = {}
    for line in lines:
        if line is None:
            continue
        uid, blob_id, wrap = line.decode().split(' ')
        wraps[int(uid)] = (blob_id, base64.b64decode(wrap))
    return wraps


class Load:
    """One cycle's load threads. Each stops at the first error (the kill),
    leaving what it had in flight in doubt."""

    def __init__(self, vault, ledger, keys, rng):
        self.vault = vault
        self.ledger = ledger
        self.keys = keys
        self.stop = threading.Event()
        self.errors = []
        self.seeds = [rng.getrandbits(64) for _ in range(LMTP_SENDERS + IMAP_WORKERS + 1)]
        self.threads = []
        self.clients = []

    def start(self):
        for i in range(LMTP_SENDERS):
            self.threads.append(threading.Thread(target=self._guard, args=(self.lmtp_sender, i)))
        for w in range(IMAP_WORKERS):
            self.threads.append(threading.Thread(target=self._guard, args=(self.imap_worker, w)))
        self.threads.append(threading.Thread(target=self._guard, args=(self.rotator, 0)))
        for thread in self.threads:
            thread.start()

    def join(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(60)
            if thread.is_alive():
                self.errors.append('a load thread did not stop')
        for client in self.clients:
            harness.hang_up(client)

    def _guard(self, body, index):
        try:
            body(index)
        except (OSError, EOFError, imaplib.IMAP4.abort, smtplib.SMTPException, ssl.SSLError):
            pass  # the kill: what was in flight stays in doubt
        except Exception as e:  # a wrong answer from a live server
            if not self.stop.is_set() and self.vault.proc.poll() is None:
                self.errors.append('%s %d: %r' % (body.__name__, index, e))

    # --- LMTP ---

    def lmtp_sender(self, index):
        rng = random.Random(self.seeds[index])
        client = smtplib.LMTP('127.0.0.1', self.vault.lmtp_port, timeout=30)
        self.clients.append(client)
        client.ehlo('crash.example')
        while not self.stop.is_set():
            message_id, data = self.ledger.new_message(rng, 'l%d' % index, 'INBOX')
            code, _ = client.mail('load@example.org')
            if code != 250:
                raise RuntimeError('MAIL FROM: %d' % code)
            code, text = client.rcpt(ACCOUNT)
            if code != 250:
                raise RuntimeError('RCPT TO: %d %r' % (code, text))
            code, text = client.data(data)
            if code == 250:
                uid = int(re.search(rb'delivered as uid (\d+)', text).group(1))
                self.ledger.acknowledge_new(message_id, 'INBOX', uid, 'lmtp')
            elif code // 100 != 4:  # a 4xx stays in doubt: stored at most once
                raise RuntimeError('DATA: %d %r' % (code, text))
            # A paced MTA: the store grows by hundreds, not thousands, of
            # messages a cycle, so 100 cycles stay within minutes.
            time.sleep(rng.uniform(0.005, 0.03))

    # --- IMAP ---

    def imap_worker(self, worker):
        rng = random.Random(self.seeds[LMTP_SENDERS + worker])
        client = self.vault.imap()
        self.clients.append(client)
        client.login(ACCOUNT, PASSWORD)
        source, target = source_box(worker), moved_box(worker)
        if client.select(source)[0] != 'OK':
            raise RuntimeError('SELECT failed')
        while not self.stop.is_set():
            live = self.ledger.live(source)
            roll = rng.random()
            if len(live) < 3 or roll < 0.4:
                self.append(client, rng, worker, source)
            elif roll < 0.65:
                self.store(client, rng, source, rng.choice(live))
            elif roll < 0.8:
                self.expunge(client, source, rng.choice(live))
            else:
                self.move(client, source, rng.choice(live), target)

    def append(self, client, rng, worker, mailbox):
        message_id, data = self.ledger.new_message(rng, 'a%d' % worker, mailbox)
        typ, response = client.append(mailbox, None, None, data)
        if typ != 'OK':
            raise RuntimeError('APPEND: %r' % response)
        uid = int(re.search(rb'\[APPENDUID \d+ (\d+)\]', response[-1]).group(1))
        self.ledger.acknowledge_new(message_id, mailbox, uid, 'append')

    def store(self, client, rng, mailbox, uid):
        flag = rng.choice(['\\Flagged', '\\Seen', '$Crash'])
        sign = rng.choice('+-')
        with self.ledger.lock:
            self.ledger.doubt_ops.append(('store', mailbox, uid))
        typ, response = client.uid('STORE', str(uid), sign + 'FLAGS.SILENT', '(%s)' % flag)
        if typ != 'OK':
            raise RuntimeError('STORE: %r' % response)
        with self.ledger.lock:
            self.ledger.doubt_ops.remove(('store', mailbox, uid))
            flags = self.ledger.flags[(mailbox, uid)]
            if sign == '+':
                flags.add(flag)
            else:
                flags.discard(flag)
            self.ledger.counts['store'] += 1

    def expunge(self, client, mailbox, uid):
        with self.ledger.lock:
            self.ledger.doubt_ops.append(('expunge', mailbox, uid))
        typ, response = client.uid('STORE', str(uid), '+FLAGS.SILENT', '(\\Deleted)')
        if typ != 'OK':
            raise RuntimeError('STORE \\Deleted: %r' % response)
        with self.ledger.lock:
            self.ledger.flags[(mailbox, uid)].add('\\Deleted')
        typ, response = client.uid('EXPUNGE', str(uid))
        if typ != 'OK':
            raise RuntimeError('UID EXPUNGE: %r' % response)
        with self.ledger.lock:
            self.ledger.doubt_ops.remove(('expunge', mailbox, uid))
            message_id = next(m for m, p in self.ledger.where.items() if p == (mailbox, uid))
            del self.ledger.where[message_id]
            del self.ledger.flags[(mailbox, uid)]
            self.ledger.gone[mailbox].add(uid)
            self.ledger.counts['expunge'] += 1

    def move(self, client, source, uid, target):
        with self.ledger.lock:
            self.ledger.doubt_ops.append(('move', source, uid, target))
        client.response('COPYUID')  # forget any earlier one
        typ, response = client.uid('MOVE', str(uid), target)
        if typ != 'OK':
            raise RuntimeError('UID MOVE: %r' % response)
        _, codes = client.response('COPYUID')
        texts = [c for c in codes if c] + [r for r in response if r]
        found = None
        for text in texts:
            found = re.search(rb'(?:COPYUID )?\d+ (\d+) (\d+)', text)
            if found:
                break
        if found is None or int(found.group(1)) != uid:
            raise RuntimeError('UID MOVE without COPYUID for %d: %r' % (uid, texts))
        new_uid = int(found.group(2))
        with self.ledger.lock:
            self.ledger.doubt_ops.remove(('move', source, uid, target))
            message_id = next(m for m, p in self.ledger.where.items() if p == (source, uid))
            self.ledger.where[message_id] = (target, new_uid)
            self.ledger.flags[(target, new_uid)] = self.ledger.flags.pop((source, uid))
            self.ledger.gone[source].add(uid)
            self.ledger.counts['move'] += 1

    # --- key rotation ---

    def rotator(self, _):
        while not self.stop.is_set():
            self.rotate_once()

    def rotate_once(self):
        signer = self.keys.newest_signer()
        client = self.vault.imap()
        self.clients.append(client)
        try:
            typ, _ = signer.login_with_signature(client, ACCOUNT)
            if typ != 'OK':
                raise RuntimeError('signature login refused')
            active = {k for k, (_, state) in list_keys(client).items() if state == 'ACTIVE'}
            with self.keys.lock:
                self.keys.active = active
            newest = self.keys.devices[-1]
            if newest.key_id() in active and newest.signing_key_id().hex() in active and len(
                    [d for d in self.keys.devices if d.key_id() in active]) > 1:
                # A rotation a kill interrupted after both registrations:
                # resumed (as `mailvault key rotate` resumes), its wraps kept.
                new = newest
                readers = [d for d in self.keys.devices if d.key_id() in active and d is not new]
            else:
                readers = [d for d in self.keys.devices if d.key_id() in active]
                new = harness.Device()
                with self.keys.lock:
                    self.keys.devices.append(new)  # before the vault hears of it
                signer_id = signer.signing_key_id().hex()
                for kind, name, public in ((1, 'ENCRYPTION', new.encryption_public),
                                           (2, 'SIGNING', new.signing_public)):
                    signature = signer.signing.sign(register_statement(kind, public)).signature
                    checked(client, 'XKEY', 'REGISTER', name, b64(public), signer_id,
                            b64(signature))
            # Re-wrap until the new key opens everything the old ones open
            # (as `mailvault key rotate` does), then revoke the old ones.
            while True:
                missing = self.rewrap(client, readers, new)
                if missing == 0:
                    break
                if self.stop.is_set():
                    return
            new_signer_id = new.signing_key_id().hex()
            for old in readers:
                for key_id in (old.key_id(), old.signing_key_id().hex()):
                    if key_id not in active:
                        continue
                    signature = new.signing.sign(revoke_statement(key_id)).signature
                    checked(client, 'XKEY', 'REVOKE', key_id, new_signer_id, b64(signature))
            with self.keys.lock:
                self.keys.active = {new.key_id(), new_signer_id}
            self.ledger.counts['rotations'] += 1
        finally:
            # LOGOUT, as `mailvault key rotate` ends (it closes the
            # connection too): the account's session slot is free again
            # before the next rotation logs in.
            try:
                client.logout()
            except (OSError, EOFError, imaplib.IMAP4.error, ssl.SSLError):
                harness.hang_up(client)  # the kill
            self.clients.remove(client)

    def rewrap(self, client, readers, new):
        """Puts a wrap for `new` on every blob a reader opens and `new` does
        not yet; returns how many it had to write."""
        have = set()
        for mailbox in MAILBOXES:
            have.update(blob for blob, _ in list_wraps(client, mailbox, new.key_id()).values())
        pairs = {}
        for mailbox in MAILBOXES:
            for reader in readers:
                for blob, wrap in list_wraps(client, mailbox, reader.key_id()).values():
                    if blob in have or blob in pairs:
                        continue
                    data_key = harness.unwrap(wrap, reader)
                    pairs[blob] = sodium.crypto_box_seal(data_key, new.encryption_public)
        items = list(pairs.items())
        for i in range(0, len(items), 200):
            chunk = ' '.join('%s %s' % (blob, b64(wrap)) for blob, wrap in items[i:i + 200])
            typ, data = client._simple_command('XWRAPS', 'PUT', new.key_id(), '(%s)' % chunk)
            if typ != 'OK' and b'[NONEXISTENT]' in data[-1]:
                return -1  # a blob expunged since the listing: nothing written, list again
            if typ != 'OK':
                raise RuntimeError('XWRAPS PUT: %r' % data)
        self.ledger.counts['rewraps'] += len(items)
        return len(items)


class Checker:
    """Compares what the restarted server shows with the ledger."""

    def __init__(self, test, vault, ledger, keys):
        self.test = test
        self.vault = vault
        self.ledger = ledger
        self.keys = keys
        self.uidvalidity = {}
        self.uidnext = {box: 1 for box in MAILBOXES}
        self.seen = {box: {} for box in MAILBOXES}  # uid -> message id, once opened
        self.resolved = 0
        self.uidnext_before = {}

    def fail(self, text):
        self.test.fail(text)

    def check(self, open_all=False):
        ledger = self.ledger
        client = self.vault.imap()
        client.login(ACCOUNT, PASSWORD)
        keys = list_keys(client)
        active = {k for k, (_, state) in keys.items() if state == 'ACTIVE'}
        with self.keys.lock:
            self.keys.active = active
        readers = [self.keys.by_encryption_id(k) for k, (kind, _) in keys.items()
                   if kind == 'ENCRYPTION' and k in active]
        if any(r is None for r in readers) or not readers:
            self.fail('an active encryption key the test does not hold: %r' % keys)

        shown = {}  # mailbox -> {uid: (message id, flags)}
        for box in MAILBOXES:
            shown[box] = self.check_mailbox(client, box, readers, open_all)

        # Where is each message now?
        places = {}
        for box, uids in shown.items():
            for uid, (message_id, _) in uids.items():
                places.setdefault(message_id, []).append((box, uid))
        for message_id, found in places.items():
            if message_id not in ledger.sent:
                self.fail('%r holds a message the test never sent: %s' % (found, message_id))
            if len(found) > 1:
                self.fail('message %s is present %d times: %r' % (message_id, len(found), found))

        # In-doubt operations settle to one outcome or the other, never both.
        for op in ledger.doubt_ops:
            kind, box, uid = op[:3]
            message_id = ledger.id_at(box, uid)
            if message_id is None:
                continue  # an earlier in-doubt op already settled it
            here = places.get(message_id, [])
            if kind == 'expunge':
                if not here:
                    del ledger.where[message_id]
                    ledger.flags.pop((box, uid), None)
                    ledger.gone[box].add(uid)
                elif here != [(box, uid)]:
                    self.fail('expunge in doubt of %s:%d left it at %r' % (box, uid, here))
                else:
                    # Not expunged; its STORE \Deleted may have been in doubt too.
                    flags = shown[box][uid][1]
                    if flags - {'\\Deleted'} != ledger.flags[(box, uid)] - {'\\Deleted'}:
                        self.fail('%s:%d flags %r, acknowledged %r' %
                                  (box, uid, flags, ledger.flags[(box, uid)]))
                    ledger.flags[(box, uid)] = set(flags)
            elif kind == 'move':
                destination = op[3]
                if here == [(box, uid)]:
                    pass  # not moved
                elif (len(here) == 1 and here[0][0] == destination and
                      here[0][1] >= self.uidnext_before[destination]):
                    ledger.where[message_id] = here[0]
                    ledger.flags[here[0]] = ledger.flags.pop((box, uid))
                    ledger.gone[box].add(uid)
                else:
                    self.fail('move in doubt of %s:%d to %s left it at %r' %
                              (box, uid, destination, here))
            elif kind == 'store':
                flags = shown[box].get(uid, (None, set()))[1]
                ledger.flags[(box, uid)] = set(flags)
            self.resolved += 1
        ledger.counts['doubt'] += len(ledger.doubt_ops) + len(ledger.doubt_new)
        ledger.doubt_ops = []
        for message_id in sorted(ledger.doubt_new):
            here = places.get(message_id, [])
            if here:
                box, uid = here[0]
                if box != ledger.target[message_id]:
                    self.fail('in-doubt %s appeared in %s, not %s' %
                              (message_id, box, ledger.target[message_id]))
                ledger.where[message_id] = (box, uid)
                ledger.flags[(box, uid)] = set(shown[box][uid][1])
            self.resolved += 1
        ledger.doubt_new = set()

        # Every acknowledged message where the test put it, with its flags.
        for message_id, place in ledger.where.items():
            if places.get(message_id) != [place]:
                self.fail('acknowledged message %s expected at %r, found at %r' %
                          (message_id, place, places.get(message_id)))
            box, uid = place
            expected = ledger.flags[place]
            if shown[box][uid][1] != expected:
                self.fail('%s:%d flags %r, acknowledged %r' % (box, uid, shown[box][uid][1],
                                                               expected))
        for message_id in places:
            if message_id not in ledger.where:
                self.fail('message %s is present but was expunged or never stored' % message_id)
        client.logout()

        report = self.vault.admin('verify', check=False)
        if report.returncode != 0 or 'DAMAGE' in report.stdout:
            self.fail('mailvault-admin verify: %s%s' % (report.stdout, report.stderr))

    def check_mailbox(self, client, box, readers, open_all):
        typ, data = client.select(box, readonly=True)
        if typ != 'OK':
            self.fail('SELECT %s: %r' % (box, data))
        exists = int(data[0])
        uidvalidity = int(client.response('UIDVALIDITY')[1][0])
        uidnext = int(client.response('UIDNEXT')[1][0])
        if self.uidvalidity.setdefault(box, uidvalidity) != uidvalidity:
            self.fail('%s: UIDVALIDITY changed from %d to %d' %
                      (box, self.uidvalidity[box], uidvalidity))
        previous = self.uidnext[box]
        if uidnext < previous:
            self.fail('%s: UIDNEXT went down from %d to %d' % (box, previous, uidnext))
        typ, status = client.status(box, '(MESSAGES)')
        messages = int(re.search(rb'MESSAGES (\d+)', status[0]).group(1))

        listing = {}
        if exists:
            typ, data = client.uid('FETCH', '1:*', '(UID FLAGS RFC822.SIZE)')
            for line in data:
                if not line:
                    continue
                uid = int(re.search(rb'UID (\d+)', line).group(1))
                flags = set(re.search(rb'FLAGS \(([^)]*)\)', line).group(1).decode().split())
                flags.discard('\\Recent')
                listing[uid] = flags
        if len(listing) != exists or messages != exists:
            self.fail('%s: EXISTS %d, STATUS MESSAGES %d, %d listed' %
                      (box, exists, messages, len(listing)))
        if listing and max(listing) >= uidnext:
            self.fail('%s: uid %d is not below UIDNEXT %d' % (box, max(listing), uidnext))

        seen = self.seen[box]
        for uid in listing:
            if uid in self.ledger.gone[box]:
                self.fail('%s: uid %d was expunged or moved out, and is back' % (box, uid))
            if uid not in seen and uid < previous:
                self.fail('%s: uid %d is new but below the earlier UIDNEXT %d (reused)' %
                          (box, uid, previous))
        to_open = sorted(listing if open_all else [u for u in listing if u not in seen])
        opened = self.open(client, box, to_open, readers)
        shown = {}
        for uid, flags in listing.items():
            message_id = opened.get(uid, seen.get(uid))
            if uid in seen and seen[uid] != message_id:
                self.fail('%s: uid %d held %s and now holds %s' % (box, uid, seen[uid], message_id))
            seen[uid] = message_id
            shown[uid] = (message_id, flags)
        self.uidnext_before[box] = previous
        self.uidnext[box] = uidnext
        client.unselect()
        return shown

    def open(self, client, box, uids, readers):
        """Opens each uid's sealed body with a wrap of an active key; returns
        uid -> message id, after comparing with the bytes sent."""
        if not uids:
            return {}
        wraps = {}
        for reader in readers:
            for uid, (blob, wrap) in list_wraps(client, box, reader.key_id()).items():
                wraps.setdefault(uid, (blob, wrap, reader))
        opened = {}
        for start in range(0, len(uids), 100):
            chunk = uids[start:start + 100]
            typ, data = client.uid('FETCH', ','.join(map(str, chunk)),
                                   '(UID RFC822.SIZE BODY.PEEK[])')
            for item in data:
                if not isinstance(item, tuple):
                    continue
                uid = int(re.search(rb'UID (\d+)', item[0]).group(1))
                size = int(re.search(rb'RFC822.SIZE (\d+)', item[0]).group(1))
                wrapper = item[1]
                if size != len(wrapper):
                    self.fail('%s:%d RFC822.SIZE %d, %d bytes' % (box, uid, size, len(wrapper)))
                parsed = email.message_from_bytes(wrapper)
                blob = re.search(r'Sealed message ([0-9a-f]{32})', parsed['Subject']).group(1)
                if uid not in wraps:
                    self.fail('%s:%d has no wrap for any active key' % (box, uid))
                wrap_blob, wrap, reader = wraps[uid]
                if wrap_blob != blob:
                    self.fail('%s:%d wrap names blob %s, body %s' % (box, uid, wrap_blob, blob))
                plaintext = harness.open_sealed_body(parsed.get_payload(decode=True),
                                                     harness.unwrap(wrap, reader), ACCOUNT, blob)
                message_id = message_id_of(plaintext)
                if message_id not in self.ledger.sent:
                    self.fail('%s:%d opens to a message the test never sent' % (box, uid))
                if plaintext != self.ledger.sent[message_id]:
                    self.fail('%s:%d (%s) does not open to the bytes sent' % (box, uid, message_id))
                opened[uid] = message_id
        missing = set(uids) - set(opened)
        if missing:
            self.fail('%s: uids %r listed but not fetched' % (box, sorted(missing)))
        return opened


def greet_time(vault, started):
    """Seconds from `started` until both IMAP and LMTP greet."""
    deadline = started + 30
    while True:
        try:
            with socket.create_connection(('127.0.0.1', vault.imaps_port), timeout=5) as raw:
                with vault.tls_context().wrap_socket(raw, server_hostname='localhost') as tls:
                    tls.settimeout(5)
                    if not tls.recv(64).startswith(b'* OK'):
                        raise OSError('no IMAP greeting')
            with socket.create_connection(('127.0.0.1', vault.lmtp_port), timeout=5) as raw:
                raw.settimeout(5)
                if not raw.recv(64).startswith(b'220'):
                    raise OSError('no LMTP greeting')
            return time.monotonic() - started
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class CrashTest(unittest.TestCase):
    def test_nothing_acknowledged_is_lost_across_kills(self):
        cycles = int(os.environ.get('MAILVAULT_CRASH_CYCLES', '10'))
        seed = int(os.environ.get('MAILVAULT_CRASH_SEED', str(random.randrange(1 << 32))))
        print('crash test: %d cycles, seed %d' % (cycles, seed), file=sys.stderr)
        rng = random.Random(seed)
        vault = harness.Vault()
        self.addCleanup(vault.cleanup)
        token = vault.create_account(ACCOUNT, PASSWORD)
        first = harness.Device()
        self.assertEqual(first.enroll(vault, ACCOUNT, token)[0], 'OK')
        setup = vault.imap()
        setup.login(ACCOUNT, PASSWORD)
        for box in MAILBOXES[1:]:
            self.assertEqual(setup.create(box)[0], 'OK')
        setup.logout()

        ledger = Ledger()
        keys = Keys(first)
        checker = Checker(self, vault, ledger, keys)
        checker.check()
        greetings, delays, checks = [], [], []
        started_at = time.monotonic()
        for cycle in range(cycles):
            load = Load(vault, ledger, keys, rng)
            load.start()
            delay = rng.uniform(0.05, 3.0)
            time.sleep(delay)
            vault.proc.send_signal(signal.SIGKILL)
            vault.proc.wait()
            vault.log_file.close()
            load.join()
            self.assertEqual(load.errors, [], 'cycle %d (seed %d)' % (cycle, seed))
            delays.append(delay)

            started = time.monotonic()
            vault.start()
            greetings.append(greet_time(vault, started))
            self.assertLess(greetings[-1], GREETING_LIMIT,
                            'cycle %d: greeting after %.2f s' % (cycle, greetings[-1]))
            check_started = time.monotonic()
            checker.check(open_all=cycle == cycles - 1)
            checks.append(time.monotonic() - check_started)
            if (cycle + 1) % 10 == 0:
                print('crash test: %d cycles checked, %d messages stored' %
                      (cycle + 1, len(ledger.where)), file=sys.stderr)

        counts = dict(ledger.counts)
        stored = len(ledger.where)
        print('crash test: %d cycles in %.0f s (seed %d); kill after %.2f..%.2f s; '
              'greeting after restart: median %.3f s, max %.3f s; check: median %.2f s, max %.2f s'
              % (cycles, time.monotonic() - started_at, seed, min(delays), max(delays),
                 statistics.median(greetings), max(greetings), statistics.median(checks),
                 max(checks)), file=sys.stderr)
        print('crash test: acknowledged %(lmtp)d LMTP deliveries, %(append)d APPENDs, '
              '%(store)d STOREs, %(expunge)d EXPUNGEs, %(move)d MOVEs; %(rotations)d key '
              'rotations completed (%(rewraps)d wraps re-written); %(doubt)d operations in '
              'doubt at a kill, each settled all-or-nothing' % counts, file=sys.stderr)
        print('crash test: %d messages stored at the end, all opened byte for byte' % stored,
              file=sys.stderr)


if __name__ == '__main__':
    unittest.main()
