"""Plaintext that mailvaultd held never reaches disk and is wiped, not
only freed, in memory (issue 13, THREAT-MODEL.md "What the server never
writes"). Mail delivered over LMTP and APPENDed over IMAP, accepted or
refused, and a password that failed, are looked for in the server's whole
writable memory (/proc/PID/mem, as root) once their sessions have ended,
and in every file of the data directory (WAL, tables, RocksDB's LOG, the
server's log), also after a full compaction, and in a disclosure bundle.
Each canary sits in the middle of a long line, so that the allocator's
own bookkeeping, which overwrites the first bytes of a freed block, cannot
hide a copy left behind."""

import os
import secrets
import shutil
import smtplib
import subprocess
import tempfile
import time
import unittest

import harness
from hostile_peer_test import PASSWORD, enrolled_vault
from vault_test import ssl_connect

ACCOUNT = 'alice@localhost'


def canary(kind):
    return kind + secrets.token_hex(12).encode()


def long_line(word):
    return b'Quarterly planning notes ' + word + b' for the whole team, please read them'


def letter(subject_word, body_word, filler_lines=0):
    """A message whose Subject and body each hold a canary; `filler_lines`
    lines of text before and after the body's make it large, so that every
    buffer it passes through grows several times."""
    filler = b'A line of ordinary text to make the message larger.\r\n' * filler_lines
    return (b'From: Bob <bob@example.org>\r\nTo: ' + ACCOUNT.encode() + b'\r\n'
            b'Subject: ' + long_line(subject_word) + b'\r\n'
            b'Message-ID: <' + secrets.token_hex(8).encode() + b'@example.org>\r\n\r\n' +
            filler + long_line(body_word) + b'\r\n' + filler)


def copies_in_memory(pid, needles):
    """The needles found in the process's readable and writable mappings
    (heap, anonymous memory, thread stacks), with the mapping each was in."""
    found = []
    with open('/proc/%d/maps' % pid) as maps, open('/proc/%d/mem' % pid, 'rb', 0) as mem:
        for line in maps:
            fields = line.split()
            if not fields[1].startswith('rw'):
                continue
            start, end = (int(x, 16) for x in fields[0].split('-'))
            try:
                mem.seek(start)
                data = mem.read(end - start)
            except OSError:  # a guard page, or a mapping gone since
                continue
            for needle in needles:
                if needle in data:
                    found.append((needle, fields[5] if len(fields) > 5 else '[anonymous]'))
    return found


class PlaintextWipeTest(unittest.TestCase):
    def setUp(self):
        self.vault = enrolled_vault(self)
        self.canaries = []
        self.assertTrue(os.access('/proc/%d/mem' % self.vault.proc.pid, os.R_OK),
                        'the test reads the server memory as root')

    def new_canary(self, kind):
        word = canary(kind)
        self.canaries.append(word)
        return word

    def assert_nothing_left(self):
        if harness.SANITIZED:
            # ASan reserves terabytes of shadow and allocator address space,
            # which cannot be read through; the release build is scanned.
            self.skipTest('memory is scanned in the uninstrumented build')
        time.sleep(0.5)  # the sessions' ends reach the server
        found = copies_in_memory(self.vault.proc.pid, self.canaries)
        self.assertEqual(found, [], 'plaintext left in mailvaultd memory')

    def test_delivered_mail_is_wiped_accepted_or_refused(self):
        lmtp = self.vault.lmtp()
        for filler in (0, 60000):  # about 3 MiB: every buffer grows
            lmtp.sendmail('bob@example.org', [ACCOUNT],
                          letter(self.new_canary(b'LMTPSUBJ'), self.new_canary(b'LMTPBODY'), filler))
        # Refused after it was read: a bare LF (554), and over the size limit.
        bare_lf = letter(self.new_canary(b'BARELFSUBJ'), self.new_canary(b'BARELF')) + b'x\n'
        with self.assertRaises(smtplib.SMTPDataError):
            lmtp.sendmail('bob@example.org', [ACCOUNT], bare_lf)
        lmtp.quit()
        self.assert_nothing_left()

    def test_appended_mail_and_failed_passwords_are_wiped(self):
        client = self.vault.imap()
        client.login(ACCOUNT, PASSWORD)
        for filler in (0, 60000):
            typ, _ = client.append('INBOX', None, None,
                                   letter(self.new_canary(b'APPSUBJ'), self.new_canary(b'APPBODY'),
                                          filler))
            self.assertEqual(typ, 'OK')
        # Refused after the literal was read: no such mailbox, and a
        # command that does not parse once its literal has come.
        typ, _ = client.append('Nowhere', None, None,
                               letter(self.new_canary(b'TRYSUBJ'), self.new_canary(b'TRYBODY')))
        self.assertEqual(typ, 'NO')
        client.logout()
        raw = ssl_connect(self.vault)
        self.addCleanup(raw.close)
        raw.expect(b'* OK')
        raw.read_line()
        raw.send(b'a LOGIN %s "%s"\r\n' % (ACCOUNT.encode(), PASSWORD.encode()))
        raw.expect(b'a OK')
        body = letter(self.new_canary(b'BADSUBJ'), self.new_canary(b'BADBODY'))
        raw.send(b'b APPEND INBOX (\\Seen) {%d+}\r\n' % len(body) + body + b' (trailing)\r\n')
        raw.expect(b'b BAD')
        raw.send(b'c LOGOUT\r\n')
        raw.expect(b'c OK')
        raw.close()
        # A password that failed: the line and the literal that held it.
        wrong = ssl_connect(self.vault)
        self.addCleanup(wrong.close)
        wrong.expect(b'* OK')
        guess = long_line(self.new_canary(b'PASSWORD'))
        wrong.send(b'a LOGIN %s {%d+}\r\n%s\r\n' % (ACCOUNT.encode(), len(guess), guess))
        wrong.expect(b'a NO')
        wrong.close()
        self.assert_nothing_left()

    def test_nothing_reaches_disk_after_compaction_or_a_disclosure(self):
        lmtp = self.vault.lmtp()
        lmtp.sendmail('bob@example.org', [ACCOUNT],
                      letter(self.new_canary(b'DISKSUBJ'), self.new_canary(b'DISKBODY'), 2000))
        lmtp.quit()
        client = self.vault.imap()
        client.login(ACCOUNT, PASSWORD)
        client.append('INBOX', None, None,
                      letter(self.new_canary(b'DISKAPPSUBJ'), self.new_canary(b'DISKAPPBODY')))
        client.logout()
        bundle = tempfile.mkdtemp(prefix='mailvault-bundle-')
        self.addCleanup(shutil.rmtree, bundle, ignore_errors=True)
        self.vault.admin('disclose', ACCOUNT, '--order', 'CANARY-1', '--out',
                         os.path.join(bundle, 'out'))
        self.vault.stop()
        # Every column family compacted to its last level: what the WAL and
        # the first tables held is rewritten.
        shard = os.path.join(self.vault.dir, 'local')
        families = subprocess.run(['ldb', '--db=' + shard, 'list_column_families'],
                                  capture_output=True, text=True, check=True).stdout
        names = families[families.index('{') + 1:families.index('}')].split(',')
        self.assertGreater(len(names), 3, families)
        for name in names:
            subprocess.run(['ldb', '--db=' + shard, '--column_family=' + name.strip(), 'compact'],
                           capture_output=True, check=True)
        for word in self.canaries:
            self.assertFalse(self.vault.files_contain(word), word)
            for root, _, files in os.walk(bundle):
                for name in files:
                    with open(os.path.join(root, name), 'rb') as f:
                        self.assertNotIn(word, f.read(), name)


if __name__ == '__main__':
    unittest.main()
