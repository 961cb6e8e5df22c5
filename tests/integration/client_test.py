"""The customer's side end to end: the real `mailvault` CLI and bridge
against a real mailvaultd, with mail delivered over LMTP and read back by
the CLI, by mbsync (isync) through the bridge, and by python imaplib.
Every comparison is byte for byte with what was delivered."""

import base64
import hashlib
import imaplib
import os
import random
import re
import shutil
import signal
import smtplib
import subprocess
import tempfile
import time
import unittest

import harness
from vault_test import Literal, ssl_connect

ACCOUNT = 'alice@example.com'
PASSWORD = 'correct horse battery staple'   # the key file's (a test passphrase)
VAULT_PASSWORD = 'generic client password'  # the operator-set IMAP password
CANARY = b'canary-7f3e-plaintext'


def crlf(text):
    return text.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')


def attachment_message():
    rng = random.Random(7)
    blob = bytes(rng.getrandbits(8) for _ in range(30000))
    encoded = base64.encodebytes(blob).replace(b'\n', b'\r\n')
    return crlf(b'From: Carol <carol@example.org>\nTo: alice@example.com\n'
                b'Subject: report with attachment\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n'
                b'Message-ID: <att@example.org>\nMIME-Version: 1.0\n'
                b'Content-Type: multipart/mixed; boundary="b1"\n\n'
                b'--b1\nContent-Type: text/plain; charset=utf-8\n\nThe report is attached. ' +
                CANARY + b'\n--b1\nContent-Type: application/pdf; name="report.pdf"\n'
                b'Content-Disposition: attachment; filename="report.pdf"\n'
                b'Content-Transfer-Encoding: base64\n\n') + encoded + b'\r\n--b1--\r\n'


def big_message():
    rng = random.Random(11)
    line = b''.join(bytes([rng.choice(b'abcdefghijklmnopqrstuvwxyz0123456789')]) for _ in range(76))
    body = b''.join(line[i % 50:] + line[:i % 50] + b'\r\n' for i in range(5 * 1024 * 1024 // 78))
    return crlf(b'From: Dave <dave@example.net>\nTo: alice@example.com\nSubject: large one\n'
                b'Message-ID: <big@example.net>\n\n') + body


MESSAGES = [
    crlf(b'From: Bob <bob@example.com>\nTo: alice@example.com\nSubject: hello there\n'
         b'Date: Sun, 22 Nov 2026 09:00:00 +0000\nMessage-ID: <hello@example.com>\n\n'
         b'Plain text, ' + CANARY + b'.\n'),
    attachment_message(),
    crlf('From: Éva <eva@example.hu>\nTo: alice@example.com\nSubject: =?utf-8?q?=C3=A1rv=C3=ADzt=C5=B1r=C5=91?=\n'
         'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n'
         'Content-Transfer-Encoding: 8bit\n\nÁrvíztűrő tükörfúrógép, 8-bit.\n'.encode()),
    big_message(),
]


class Cli:
    """Runs the real `mailvault` binary for one device profile."""

    def __init__(self, bin_dir, workdir, name):
        self.binary = os.path.join(bin_dir, 'client', 'mailvault')
        self.profile = os.path.join(workdir, name)
        self.passphrase_file = os.path.join(workdir, name + '.pass')
        with open(self.passphrase_file, 'w') as f:
            f.write(PASSWORD + '\n')

    def run(self, *args, check=True, passphrase_file=None, extra=()):
        command = [self.binary, '--profile', self.profile, '--kdf', 'interactive',
                   '--passphrase-file', passphrase_file or self.passphrase_file, *extra, *args]
        result = subprocess.run(command, capture_output=True, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError('%s failed (%d): %s' % (' '.join(args), result.returncode,
                                                         result.stderr.decode(errors='replace')))
        return result

    def error_line(self, *args, **kwargs):
        """Runs a command that must fail: returns its single error line."""
        result = self.run(*args, check=False, **kwargs)
        assert result.returncode != 0, 'expected %s to fail' % (args,)
        lines = result.stderr.decode().strip().splitlines()
        assert len(lines) == 1, 'expected one error line, got %r' % lines
        assert lines[0].startswith('mailvault: '), lines
        return lines[0]

    def keys(self):
        """(key id, kind, state, this device?) from `key list`."""
        out = self.run('key', 'list').stdout.decode().splitlines()[1:]
        return [(l.split()[0], l.split()[1], l.split()[2], 'this device' in l) for l in out]


def digests(messages):
    """Sorted (size, SHA-256) pairs: a mismatch is shown without diffing MiBs."""
    return sorted((len(m), hashlib.sha256(m).hexdigest()) for m in messages)


def maildir_messages(path):
    out = []
    for sub in ('cur', 'new'):
        folder = os.path.join(path, sub)
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), 'rb') as f:
                out.append(f.read())
    return digests(out)


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.vault = harness.Vault()
        cls.work = tempfile.mkdtemp(prefix='mailvault-client-')
        cls.token = cls.vault.create_account(ACCOUNT, password=VAULT_PASSWORD)
        cls.cli = Cli(cls.vault.bin_dir, cls.work, 'laptop')
        out = cls.cli.run('init', '--server', '127.0.0.1:%d' % cls.vault.imaps_port,
                          '--account', ACCOUNT, '--token', cls.token).stdout.decode()
        assert 'trusted on first use and pinned' in out, out
        lmtp = cls.vault.lmtp()
        for raw in MESSAGES:
            lmtp.sendmail('sender@example.org', [ACCOUNT], raw, mail_options=['BODY=8BITMIME'])
        lmtp.quit()

    @classmethod
    def tearDownClass(cls):
        cls.vault.cleanup()
        shutil.rmtree(cls.work, ignore_errors=True)

    def assertExportMatches(self, cli, name):
        target = os.path.join(self.work, name)
        cli.run('export', '--maildir', target, '--mailbox', 'INBOX')
        self.assertEqual(maildir_messages(os.path.join(target, 'INBOX')), digests(MESSAGES))

    def test_01_init_pins_the_certificate_and_enrolls(self):
        with open(os.path.join(self.cli.profile, 'profile.toml')) as f:
            profile = f.read()
        fingerprint = subprocess.run(['openssl', 'x509', '-in', self.vault.cert, '-noout',
                                      '-fingerprint', '-sha256'], capture_output=True,
                                     text=True).stdout.strip().split('=')[1]
        self.assertIn(fingerprint, profile)
        verified = self.cli.run('verify').stdout.decode()
        self.assertIn('chain and signatures verified', verified)
        self.assertEqual(verified.count(' enrolled '), 2)
        kinds = sorted((kind, state, mine) for _, kind, state, mine in self.cli.keys())
        self.assertEqual(kinds, [('encryption', 'active', True), ('signing', 'active', True)])
        # The token was used up.
        other = Cli(self.vault.bin_dir, self.work, 'thief')
        line = other.error_line('init', '--server', '127.0.0.1:%d' % self.vault.imaps_port,
                                '--account', ACCOUNT, '--token', self.token)
        self.assertIn('enrollment token', line)
        self.assertFalse(os.path.exists(os.path.join(other.profile, 'keys.mvkey')))

    def test_02_ls_read_search(self):
        listing = self.cli.run('ls').stdout.decode()
        for subject in ('hello there', 'report with attachment', 'large one', 'árvíztűrő'):
            self.assertIn(subject, listing)
        self.assertEqual(self.cli.run('read', '2').stdout, MESSAGES[1])
        found = self.cli.run('search', 'TÜKÖRFÚRÓGÉP').stdout.decode()
        self.assertIn('árvíztűrő', found)
        self.assertNotIn('hello there', found)

    def test_03_export_maildir_and_mbox_byte_for_byte(self):
        self.assertExportMatches(self.cli, 'export-maildir')
        mbox = os.path.join(self.work, 'inbox.mbox')
        result = self.cli.run('export', '--mbox', mbox)
        self.assertIn(b'Exporting', result.stderr)  # progress, then the count
        # Import the mbox into another mailbox, twice: the second run adds nothing.
        first = self.cli.run('import', '--mbox', mbox, '--mailbox', 'Imported').stdout.decode()
        self.assertIn('Imported 4 messages into Imported', first)
        again = self.cli.run('import', '--mbox', mbox, '--mailbox', 'Imported').stdout.decode()
        self.assertIn('Imported 0 messages into Imported (4 were there already)', again)
        target = os.path.join(self.work, 'export-imported')
        self.cli.run('export', '--maildir', target, '--mailbox', 'Imported')
        self.assertEqual(maildir_messages(os.path.join(target, 'Imported')), digests(MESSAGES))

    def test_04_nothing_plaintext_on_the_server_or_in_the_cache(self):
        self.assertFalse(self.vault.files_contain(CANARY))
        for root, _, files in os.walk(self.cli.profile):
            for name in files:
                with open(os.path.join(root, name), 'rb') as f:
                    self.assertNotIn(CANARY, f.read(), name)

    def test_05_bridge_with_mbsync_and_imaplib(self):
        with Bridge(self.cli) as bridge:
            maildir = os.path.join(self.work, 'mbsync')
            os.makedirs(maildir)
            config = os.path.join(self.work, 'mbsyncrc')
            with open(config, 'w') as f:
                f.write(MBSYNC_CONFIG.format(port=bridge.port, user=ACCOUNT,
                                             password=bridge.password, path=maildir))
            sync = subprocess.run(['mbsync', '-c', config, '-a'], capture_output=True, timeout=300)
            self.assertEqual(sync.returncode, 0, sync.stderr.decode(errors='replace'))
            # mbsync stores Maildir files with LF line ends (it always turns
            # CRLF into LF) and adds its own X-TUID header line; apart from
            # those, every byte is the delivered one. What the bridge itself
            # serves is checked byte for byte with imaplib below.
            synced = []
            for sub in ('cur', 'new'):
                folder = os.path.join(maildir, 'INBOX', sub)
                for name in os.listdir(folder):
                    with open(os.path.join(folder, name), 'rb') as f:
                        synced.append(re.sub(rb'(?m)^X-TUID: \S+\n', b'', f.read(), count=1))
            self.assertEqual(digests(synced),
                             digests(m.replace(b'\r\n', b'\n') for m in MESSAGES))

            client = bridge.client()
            client.select('INBOX')
            _, data = client.uid('FETCH', '2', '(ENVELOPE BODYSTRUCTURE BODY.PEEK[]<0.20>)')
            response = data[0][0]
            self.assertIn(b'"report with attachment"', response)
            self.assertIn(b'("Carol" NIL "carol" "example.org")', response)
            self.assertIn(b'"report.pdf"', response)
            self.assertIn(b'"mixed"', response)
            self.assertEqual(data[0][1], MESSAGES[1][:20])
            _, data = client.uid('FETCH', '4', '(RFC822.SIZE BODY.PEEK[])')
            self.assertIn(b'RFC822.SIZE %d' % len(MESSAGES[3]), data[0][0])
            self.assertEqual(data[0][1], MESSAGES[3])
            _, data = client.uid('SEARCH', 'SUBJECT', 'hello')
            self.assertEqual(data[0].split(), [b'1'])
            _, data = client.uid('SEARCH', 'BODY', 'attached')
            self.assertEqual(data[0].split(), [b'2'])

            # Flags go through to the vault.
            client.uid('STORE', '1', '+FLAGS', '(\\Flagged)')
            vault = self.vault.imap()
            vault.login(ACCOUNT, VAULT_PASSWORD)
            vault.select('INBOX')
            _, flags = vault.uid('FETCH', '1', '(FLAGS)')
            self.assertIn(b'\\Flagged', flags[0])

            # APPEND to Sent is sealed on this side; the CLI reads it back.
            sent = crlf(b'From: alice@example.com\nTo: bob@example.com\nSubject: reply\n\n'
                        b'Sent through the bridge ' + CANARY + b'\n')
            typ, data = client.append('Sent', '(\\Seen)', None, sent)
            self.assertEqual(typ, 'OK', data)
            uid = re.search(rb'APPENDUID \d+ (\d+)', data[0]).group(1).decode()
            self.assertEqual(self.cli.run('read', uid, '--mailbox', 'Sent').stdout, sent)
            self.assertFalse(self.vault.files_contain(CANARY))

            # IDLE wakes when the vault gets new mail.
            tag = client._new_tag()
            client.send(tag + b' IDLE\r\n')
            self.assertTrue(client.readline().startswith(b'+'))
            lmtp = self.vault.lmtp()
            lmtp.sendmail('sender@example.org', [ACCOUNT], MESSAGES[0])
            lmtp.quit()
            deadline = time.monotonic() + 30
            line = b''
            while b'EXISTS' not in line and time.monotonic() < deadline:
                line = client.readline()
            self.assertIn(b'* 5 EXISTS', line)
            client.send(b'DONE\r\n')
            while not client.readline().startswith(tag):
                pass
            client.uid('STORE', '5', '+FLAGS', '(\\Deleted)')
            client.expunge()
            client.logout()
            vault.logout()

    def test_06_rotate(self):
        old = {kind: key for key, kind, state, mine in self.cli.keys() if mine}
        saved = os.path.join(self.work, 'laptop-before-rotation')
        shutil.copytree(self.cli.profile, saved)
        result = self.cli.run('key', 'rotate')
        self.assertIn(b'Rotating', result.stderr)
        self.assertIn(b'Rotated', result.stdout)
        keys = self.cli.keys()
        printed = re.search(rb'encryption key (\w+), signing key (\w+)', result.stdout)
        self.assertIn((printed.group(1).decode(), 'encryption', 'active', True), keys)
        self.assertIn((printed.group(2).decode(), 'signing', 'active', True), keys)
        self.assertIn((old['encryption'], 'encryption', 'revoked', False), keys)
        self.assertIn((old['signing'], 'signing', 'revoked', False), keys)
        self.assertExportMatches(self.cli, 'export-rotated')
        # The old key has no wrap left on the vault, and cannot log in.
        vault = self.vault.imap()
        vault.login(ACCOUNT, VAULT_PASSWORD)
        for mailbox in ('INBOX', 'Imported', 'Sent'):
            typ, _ = vault._simple_command('XWRAPS', mailbox, old['encryption'], '1:*')
            self.assertEqual(typ, 'OK')
            self.assertEqual(vault.untagged_responses.pop('XWRAP', []), [])
        vault.logout()
        stale = Cli(self.vault.bin_dir, self.work, 'laptop-before-rotation')
        self.assertIn('does not accept this device', stale.error_line('ls'))
        # Running it again starts a new rotation and finishes it as well.
        self.cli.run('key', 'rotate')
        self.assertExportMatches(self.cli, 'export-rotated-twice')

    def test_07_add_device_then_revoke_it(self):
        phone = Cli(self.vault.bin_dir, self.work, 'phone')
        out = phone.run('init', '--server', '127.0.0.1:%d' % self.vault.imaps_port,
                        '--account', ACCOUNT, '--join').stdout.decode()
        request = re.search(r'(mailvault-device-v1:\S+)', out).group(1)
        code = re.search(r'shows this code:\s+([\d ]+)\n', out).group(1).strip()
        self.assertRegex(code, r'^\d{5}( \d{5}){5}$')
        self.assertIn('does not accept this device', phone.error_line('ls'))
        # The request swapped on its way (another device's keys): the phone's
        # code does not match it, and nothing is registered.
        mallory = Cli(self.vault.bin_dir, self.work, 'mallory')
        swapped = re.search(r'(mailvault-device-v1:\S+)', mallory.run(
            'init', '--server', '127.0.0.1:%d' % self.vault.imaps_port, '--account', ACCOUNT,
            '--join').stdout.decode()).group(1)
        keys_before = self.cli.keys()
        self.assertIn('code does not match', self.cli.error_line(
            'key', 'add-device', swapped, '--code', code))
        self.assertIn('--code', self.cli.error_line('key', 'add-device', request))  # no terminal
        self.assertEqual(self.cli.keys(), keys_before)
        # Typed on a terminal: a wrong code is refused there too.
        typed = run_on_terminal(self.cli, ['key', 'add-device', swapped], code + '\n')
        self.assertNotEqual(typed.returncode, 0)
        self.assertIn(b'code does not match', typed.output)
        self.assertEqual(self.cli.keys(), keys_before)
        result = self.cli.run('key', 'add-device', request, '--code', code.replace(' ', ''))
        self.assertIn(b'Adding device', result.stderr)
        self.assertExportMatches(phone, 'export-phone')
        theirs = [key for key, _, state, mine in self.cli.keys() if not mine and state == 'active']
        self.assertEqual(len(theirs), 2)
        self.cli.run('key', 'revoke', *theirs)
        self.assertIn('does not accept this device', phone.error_line('ls'))
        self.assertIn("this device's own", self.cli.error_line(
            'key', 'revoke', [k for k, _, _, mine in self.cli.keys() if mine][0]))

    def test_08_backup_wipe_restore(self):
        backup = os.path.join(self.work, 'keys.backup')
        backup_pass = os.path.join(self.work, 'backup.pass')
        with open(backup_pass, 'w') as f:
            f.write('another long passphrase\n')
        self.cli.run('backup', '--out', backup, extra=('--new-passphrase-file', backup_pass))
        with open(backup) as f:
            text = f.read()
        # The profile travels inside the encrypted keys: no server, no pin in the clear.
        self.assertNotIn(str(self.vault.imaps_port), text)
        self.assertNotIn('fingerprint', text)
        # Someone who holds the file but not its passphrase cannot point it
        # at another server: neither by editing it nor as an old-style backup.
        forged = os.path.join(self.work, 'forged.backup')
        key_file = re.search(r'key_file = "(\S+)"', text).group(1)
        with open(forged, 'w') as f:
            f.write('# mailvault key backup v1\nserver = "127.0.0.1:1"\naccount = "%s"\n'
                    'fingerprint = "%s"\nkey_file = "%s"\n' % (ACCOUNT, 'AB:' * 31 + 'AB',
                                                               key_file))
        # Relabelled v1 with a plain profile of the forger's: the profile
        # sealed inside the keys is the one restored.
        relabelled = Cli(self.vault.bin_dir, self.work, 'restored-relabelled')
        relabelled.run('restore', forged, passphrase_file=backup_pass,
                       extra=('--new-passphrase-file', self.cli.passphrase_file))
        with open(os.path.join(relabelled.profile, 'profile.toml')) as f:
            restored = f.read()
        self.assertIn('127.0.0.1:%d' % self.vault.imaps_port, restored)
        self.assertNotIn('127.0.0.1:1"', restored)
        # A true v1 backup (keys without a profile inside): only on request,
        # and then without its log pins.
        with open(forged, 'w') as f:
            f.write('# mailvault key backup v1\nserver = "127.0.0.1:1"\naccount = "%s"\n'
                    'fingerprint = "%s"\nkey_log_root = "%s"\nkey_file = "%s"\n'
                    % (ACCOUNT, 'AB:' * 31 + 'AB', '00' * 32,
                       base64.b64encode(v1_key_file(ACCOUNT, 'another long passphrase'))
                       .decode()))
        elsewhere = Cli(self.vault.bin_dir, self.work, 'restored-elsewhere')
        self.assertIn('--accept-unauthenticated-profile', elsewhere.error_line(
            'restore', forged, passphrase_file=backup_pass,
            extra=('--new-passphrase-file', self.cli.passphrase_file)))
        old = Cli(self.vault.bin_dir, self.work, 'restored-v1')
        result = old.run('restore', forged, '--accept-unauthenticated-profile',
                         passphrase_file=backup_pass,
                         extra=('--new-passphrase-file', self.cli.passphrase_file))
        self.assertIn(b'Trusting the unprotected profile', result.stderr)
        with open(os.path.join(old.profile, 'profile.toml')) as f:
            self.assertNotIn('key_log_root', f.read())
        altered = bytearray(base64.b64decode(key_file))
        altered[-40] ^= 1
        with open(forged, 'w') as f:
            f.write(text.replace(key_file, base64.b64encode(bytes(altered)).decode()))
        self.assertIn('altered', elsewhere.error_line(
            'restore', forged, passphrase_file=backup_pass,
            extra=('--new-passphrase-file', self.cli.passphrase_file)))
        self.assertFalse(os.path.exists(os.path.join(elsewhere.profile, 'keys.mvkey')))
        shutil.rmtree(self.cli.profile)
        self.assertIn('mailvault init', self.cli.error_line('ls'))
        self.cli.run('restore', backup, passphrase_file=backup_pass,
                     extra=('--new-passphrase-file', self.cli.passphrase_file))
        self.assertExportMatches(self.cli, 'export-restored')

    def test_09_passphrase_from_an_inherited_descriptor(self):
        read_end, write_end = os.pipe()
        os.write(write_end, (PASSWORD + '\n').encode())
        os.close(write_end)
        try:
            result = subprocess.run(
                [self.cli.binary, '--profile', self.cli.profile, '--passphrase-fd',
                 str(read_end), 'read', '1'], capture_output=True, pass_fds=(read_end,),
                timeout=120)
        finally:
            os.close(read_end)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, MESSAGES[0])

    def test_09_one_clear_line_for_each_failure(self):
        wrong = os.path.join(self.work, 'wrong.pass')
        with open(wrong, 'w') as f:
            f.write('not the passphrase\n')
        self.assertIn('wrong passphrase', self.cli.error_line('ls', passphrase_file=wrong))

        profile_path = os.path.join(self.cli.profile, 'profile.toml')
        with open(profile_path) as f:
            original = f.read()
        try:
            with open(profile_path, 'w') as f:
                f.write(re.sub(r'fingerprint = \S+', 'fingerprint = "' + 'AB:' * 31 + 'AB"',
                               original))
            self.assertIn('not the pinned', self.cli.error_line('ls'))
            with open(profile_path, 'w') as f:
                f.write(re.sub(r'server = \S+', 'server = "127.0.0.1:%d"' % harness.free_port(),
                               original))
            self.assertIn('cannot reach the vault', self.cli.error_line('ls'))
        finally:
            with open(profile_path, 'w') as f:
                f.write(original)
        self.assertIn('UID', self.cli.error_line('read'))  # a usage error is one line too
        self.assertIn('not HOST:PORT', Cli(self.vault.bin_dir, self.work, 'x').error_line(
            'init', '--server', 'nowhere', '--account', ACCOUNT, '--token', 't'))

    def test_10_interrupted_import_and_rotation_finish_when_run_again(self):
        rng = random.Random()
        mbox = os.path.join(self.work, 'many.mbox')
        with open(mbox, 'wb') as f:
            for i in range(450):
                f.write(b'From sender@example.org Mon Nov 23 10:00:00 2026\n')
                f.write(crlf(b'From: s@example.org\nSubject: bulk %d\n\nbody %d\n' % (i, i)))
                f.write(b'\n')
        for command in (('import', '--mbox', mbox, '--mailbox', 'Bulk'), ('key', 'rotate')):
            # Killed at a random moment (perhaps after it finished): running
            # it again must complete the job, with nothing twice.
            proc = subprocess.Popen(
                [self.cli.binary, '--profile', self.cli.profile, '--kdf', 'interactive',
                 '--passphrase-file', self.cli.passphrase_file, *command],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.3, 1.5))
            proc.kill()
            proc.wait()
            self.cli.run(*command)
        listing = self.cli.run('ls', 'Bulk').stdout.decode().splitlines()[1:]
        self.assertEqual(sorted(int(re.search(r'bulk (\d+)', l).group(1)) for l in listing),
                         list(range(450)))
        self.assertExportMatches(self.cli, 'export-after-interruptions')
        keys = self.cli.keys()
        self.assertEqual(sorted(kind for _, kind, state, mine in keys if mine),
                         ['encryption', 'signing'])
        self.assertEqual(len([k for k in keys if k[2] == 'active']), 2)

    def test_11_key_log_verifies_and_a_tampered_entry_fails(self):
        out = self.cli.run('verify').stdout.decode()
        self.assertIn('registered encryption key', out)
        self.assertIn('revoked    signing    key', out)
        # An entry altered behind the vault's back (one byte of its time).
        self.vault.stop()
        region = os.path.join(self.vault.dir, 'local')
        scan = subprocess.run(['ldb', '--db=' + region, '--column_family=logs', '--key_hex',
                               '--value_hex', 'scan'], capture_output=True, text=True, check=True)
        key, value = scan.stdout.splitlines()[1].split(' : ')
        altered = value[:2 + 2 * 45] + ('%02x' % (int(value[2 + 2 * 45:2 + 2 * 46], 16) ^ 1)) + \
            value[2 + 2 * 46:]
        subprocess.run(['ldb', '--db=' + region, '--column_family=logs', '--key_hex',
                        '--value_hex', 'put', key, altered], check=True, capture_output=True)
        self.vault.start()
        profile = os.path.join(self.cli.profile, 'profile.toml')
        with open(profile) as f:
            text = f.read()
        with open(profile, 'w') as f:
            f.write(re.sub(r'server = \S+', 'server = "127.0.0.1:%d"' % self.vault.imaps_port, text))
        self.assertIn('KEY LOG BROKEN', self.cli.error_line('verify'))
        # And the vault seals nothing to keys it cannot prove: mail waits.
        lmtp = self.vault.lmtp()
        with self.assertRaises(smtplib.SMTPRecipientsRefused) as refused:
            lmtp.sendmail('s@example.org', [ACCOUNT], MESSAGES[0])
        self.assertEqual(refused.exception.recipients[ACCOUNT][0], 451)
        lmtp.quit()


MBSYNC_CONFIG = """
IMAPAccount bridge
Host 127.0.0.1
Port {port}
User {user}
Pass {password}
SSLType None
AuthMechs LOGIN

IMAPStore bridge-far
Account bridge

MaildirStore local
Path {path}/
Inbox {path}/INBOX
SubFolders Verbatim

Channel everything
Far :bridge-far:
Near :local:
Patterns *
Create Near
Sync Pull
SyncState *
"""


def v1_key_file(account, passphrase):
    """A key file as docs/FORMAT.md writes it, payload version 1 (no
    attachment), with one fresh key generation: what a v1 backup held."""
    import struct
    import nacl.bindings
    import nacl.public
    import nacl.pwhash
    import nacl.signing
    ops, mem = nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE
    salt, nonce = os.urandom(16), os.urandom(24)
    header = b'MVKEYS' + bytes([1, 1]) + struct.pack('>QQ', ops, mem) + salt + nonce
    key = nacl.pwhash.argon2id.kdf(32, passphrase.encode(), salt, opslimit=ops, memlimit=mem)
    encryption = nacl.public.PrivateKey.generate()
    signing = nacl.signing.SigningKey.generate()
    payload = (b'\x01' + struct.pack('>I', len(account)) + account.encode() +
               struct.pack('>I', 1) + struct.pack('>Q', 0) + bytes(encryption.public_key) +
               bytes(encryption) + bytes(signing.verify_key) + bytes(signing) +
               bytes(signing.verify_key))
    return header + nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        payload, header, nonce, key)


def enroll_a_device(test, prefix):
    """A vault of its own for `test` with the account, and a device that
    ran `mailvault init` (test.vault, test.work, test.cli), all cleaned up."""
    test.vault = harness.Vault()
    test.addCleanup(test.vault.cleanup)
    test.work = tempfile.mkdtemp(prefix=prefix)
    test.addCleanup(shutil.rmtree, test.work, True)
    token = test.vault.create_account(ACCOUNT, password=VAULT_PASSWORD)
    test.cli = Cli(test.vault.bin_dir, test.work, 'laptop')
    test.cli.run('init', '--server', '127.0.0.1:%d' % test.vault.imaps_port,
                 '--account', ACCOUNT, '--token', token)


class BridgeSyncTest(unittest.TestCase):
    """A bridge session learns other sessions' changes from the vault's
    change index (QRESYNC), and its vault connection may drop at any time (a
    vault restart, or the vault ending a session with BYE when another
    session renames the mailbox it has selected): it connects again and its
    clients go on."""

    def setUp(self):
        enroll_a_device(self, 'mailvault-reconnect-')
        lmtp = self.vault.lmtp()
        for raw in MESSAGES[:2]:
            lmtp.sendmail('sender@example.org', [ACCOUNT], raw)
        lmtp.quit()

    def test_notify_tells_of_other_devices_changes_in_any_mailbox(self):
        # The bridge's watcher follows the whole account with the vault's
        # NOTIFY, so a bridge client's NOTIFY hears of what another device
        # does in any mailbox, without sending a command.
        with Bridge(self.cli) as bridge:
            raw = ssl_connect(plain_port=bridge.port, timeout=30)
            self.addCleanup(raw.close)
            raw.expect(b'* OK')
            self.assertIn(b' NOTIFY', raw.read_line())
            raw.send(b'a LOGIN %s %s\r\n' % (ACCOUNT.encode(), bridge.password.encode()))
            raw.expect(b'a OK')
            raw.read_line()
            raw.send(b'n NOTIFY SET (personal (MessageNew MessageExpunge MailboxName))\r\n')
            raw.expect(b'n OK')
            raw.read_line()
            other = self.vault.imap()  # the vault directly, another device
            other.login(ACCOUNT, VAULT_PASSWORD)
            self.assertEqual(other.create('Keep')[0], 'OK')
            self.assertEqual(raw.read_line(), b'* LIST () "/" Keep')
            other.select('INBOX')
            other.uid('MOVE', '1', 'Keep')
            lines = sorted(raw.read_line() for _ in range(2))
            self.assertRegex(lines[0], rb'^\* STATUS INBOX \(MESSAGES 1 UIDNEXT 3 ')
            self.assertRegex(lines[1], rb'^\* STATUS Keep \(MESSAGES 1 UIDNEXT 2 ')
            other.rename('Keep', 'Kept')
            self.assertEqual(raw.read_line(), b'* LIST () "/" Kept ("OLDNAME" (Keep))')
            other.logout()
            raw.send(b'z LOGOUT\r\n')
            raw.expect(b'z OK')

    def test_changes_made_elsewhere_arrive_in_order(self):
        with Bridge(self.cli) as bridge:
            client = bridge.client()
            client.select('INBOX')
            client.untagged_responses.clear()  # select() leaves its EXISTS there
            other = self.vault.imap()  # the vault directly, another device
            other.login(ACCOUNT, VAULT_PASSWORD)
            other.select('INBOX')
            other.store('2', '+FLAGS', '(\\Flagged)')
            other.store('1', '+FLAGS', '(\\Deleted)')
            other.expunge()
            other.logout()
            lmtp = self.vault.lmtp()
            lmtp.sendmail('sender@example.org', [ACCOUNT], MESSAGES[2])
            lmtp.quit()
            client.noop()
            self.assertEqual(client.untagged_responses.pop('EXPUNGE', None), [b'1'])
            self.assertTrue(any(b'UID 2 FLAGS (\\Flagged)' in f
                                for f in client.untagged_responses.pop('FETCH', [])))
            self.assertEqual(client.untagged_responses.pop('EXISTS', None), [b'2'])
            typ, data = client.uid('FETCH', '3', '(BODY.PEEK[])')
            self.assertEqual(data[0][1], MESSAGES[2])
            # STATUS from the vault's counts; SIZE (of the plaintext) too.
            self.assertIn(b'(MESSAGES 2 UNSEEN 2)', client.status('INBOX', '(MESSAGES UNSEEN)')[1][0])
            self.assertIn(b'SIZE %d)' % (len(MESSAGES[1]) + len(MESSAGES[2])),
                          client.status('INBOX', '(MESSAGES SIZE)')[1][0])
            client.logout()

    def test_a_vault_restart_and_a_rename_elsewhere_cost_a_client_nothing(self):
        with Bridge(self.cli) as bridge:
            client = bridge.client()
            client.select('INBOX')
            self.assertEqual(client.uid('FETCH', '1', '(BODY.PEEK[])')[1][0][1], MESSAGES[0])
            self.vault.stop()
            self.vault.start(keep_ports=True)
            self.assertEqual(client.noop()[0], 'OK')
            self.assertEqual(client.uid('FETCH', '2', '(BODY.PEEK[])')[1][0][1], MESSAGES[1])
            self.assertEqual(client.uid('STORE', '1', '+FLAGS', '(\\Flagged)')[0], 'OK')

            # Another session renames the mailbox the bridge's vault
            # connection has selected: the vault ends that connection.
            self.assertEqual(client.create('Work')[0], 'OK')
            client.select('Work')
            other = self.vault.imap()
            other.login(ACCOUNT, VAULT_PASSWORD)
            self.assertEqual(other.rename('Work', 'Play')[0], 'OK')
            other.logout()
            typ, _ = client.select('INBOX')
            self.assertEqual(typ, 'OK')
            self.assertTrue(any(b'"Play"' in line or b' Play' in line
                                for line in client.list()[1]))
            self.assertEqual(client.uid('FETCH', '1', '(FLAGS)')[0], 'OK')
            client.logout()
        self.assertIn('connecting again', bridge.errors)

    def test_recent_on_the_bridge_is_the_bridges_own_and_outlives_it(self):
        def deliver(raw):
            lmtp = self.vault.lmtp()
            lmtp.sendmail('sender@example.org', [ACCOUNT], raw)
            lmtp.quit()

        def session(bridge):
            client = bridge.client()
            client.select('INBOX')
            return client

        with Bridge(self.cli) as bridge:
            first = session(bridge)  # mail from before the bridge knew the mailbox is old
            self.assertEqual(first.untagged_responses.get('RECENT'), [b'0'])
            first.untagged_responses.clear()
            deliver(MESSAGES[2])
            first.noop()
            self.assertEqual(first.untagged_responses.pop('EXISTS', None), [b'3'])
            self.assertEqual(first.untagged_responses.pop('RECENT', None), [b'1'])
            self.assertEqual(first.search(None, 'RECENT')[1], [b'3'])
            second = session(bridge)
            self.assertEqual(second.untagged_responses.get('RECENT'), [b'0'])
            deliver(MESSAGES[0])
            self.assertIn(b'RECENT 1', second.status('INBOX', '(RECENT)')[1][0])
            # ... which the sync after that STATUS claimed for `second`.
            self.assertEqual(second.search(None, 'RECENT')[1], [b'4'])
            first.logout()
            second.logout()
        with Bridge(self.cli) as bridge:  # the mark was kept with the index
            deliver(MESSAGES[1])
            third = session(bridge)
            self.assertEqual(third.untagged_responses.get('RECENT'), [b'1'])
            third.logout()

    def test_the_bridges_limits_are_its_options(self):
        with Bridge(self.cli, '--max-message', '1000', '--max-line', '2000') as bridge:
            client = bridge.client()
            typ, data = client.append('INBOX', None, None, b'Subject: big\r\n\r\n' + b'x' * 2000)
            self.assertEqual(typ, 'NO')
            self.assertIn(b'[TOOBIG]', data[0])
            with self.assertRaises(imaplib.IMAP4.error) as refused:
                client.select('"' + 'a' * 3000 + '"')
            self.assertIn('line too long', str(refused.exception))
            self.assertEqual(client.noop()[0], 'OK')
            client.logout()

    def index_files(self):
        folder = os.path.join(self.cli.profile, 'index')
        return [os.path.join(folder, name) for name in os.listdir(folder)]

    def test_the_local_index_outlives_the_bridge_sealed_and_catches_up(self):
        with Bridge(self.cli) as bridge:
            client = bridge.client()
            client.select('INBOX')
            client.uid('STORE', '1', '+FLAGS', '(\\Seen $Important)')
            client.logout()
        [index] = self.index_files()
        with open(index, 'rb') as f:
            sealed = f.read()
        for plain in (b'\\Seen', b'$Important', b'INBOX', ACCOUNT.encode(), CANARY):
            self.assertNotIn(plain, sealed)

        # While the bridge is down, another device expunges, flags, and mail arrives.
        other = self.vault.imap()
        other.login(ACCOUNT, VAULT_PASSWORD)
        other.select('INBOX')
        other.uid('STORE', '2', '+FLAGS', '(\\Deleted)')
        other.expunge()
        other.uid('STORE', '1', '+FLAGS', '(\\Flagged)')
        other.logout()
        lmtp = self.vault.lmtp()
        lmtp.sendmail('sender@example.org', [ACCOUNT], MESSAGES[2])
        lmtp.quit()

        def listing(bridge):
            client = bridge.client()
            self.assertEqual(client.select('INBOX')[1], [b'2'])
            flags = client.uid('FETCH', '1:*', '(FLAGS)')[1]
            body = client.uid('FETCH', '3', '(BODY.PEEK[])')[1][0][1]
            client.logout()
            return sorted(flags), body

        with Bridge(self.cli) as bridge:
            flags, body = listing(bridge)
        self.assertNotIn('rebuilding', bridge.errors)
        self.assertEqual(len(flags), 2)
        self.assertEqual(flags, [b'1 (FLAGS ($Important \\Flagged \\Seen) UID 1)',
                                 b'2 (FLAGS (\\Recent) UID 3)'])  # new to the bridge
        self.assertEqual(body, MESSAGES[2])

        # A damaged index, or one moved to another mailbox's name, does not
        # open: the bridge says so, rebuilds it from the vault and serves the same.
        [index] = self.index_files()
        with open(index, 'r+b') as f:
            f.seek(40)
            byte = f.read(1)
            f.seek(40)
            f.write(bytes([byte[0] ^ 1]))
        with Bridge(self.cli) as bridge:  # (a rebuilt index starts with nothing \Recent)
            self.assertEqual(listing(bridge), ([f.replace(b'\\Recent', b'') for f in flags], body))
        self.assertIn('does not open; rebuilding', bridge.errors)

    def test_the_index_of_a_mailbox_deleted_elsewhere_goes_at_the_next_list(self):
        def file_of(mailbox):  # IndexStore::FileNameOf
            return hashlib.blake2b(mailbox.encode(), digest_size=32).digest()[:16].hex() + '.mvidx'

        def files():
            return {os.path.basename(path) for path in self.index_files()}

        def delete_elsewhere(mailbox):
            other = self.vault.imap()
            other.login(ACCOUNT, VAULT_PASSWORD)
            self.assertEqual(other.delete(mailbox)[0], 'OK')
            other.logout()

        with Bridge(self.cli) as bridge:
            client = bridge.client()
            for mailbox in ('Old', 'Gone'):
                self.assertEqual(client.create(mailbox)[0], 'OK')
                self.assertEqual(client.append(mailbox, None, None, MESSAGES[0])[0], 'OK')
                client.select(mailbox)
            client.select('INBOX')
            client.logout()
        inbox, old, gone = file_of('INBOX'), file_of('Old'), file_of('Gone')
        self.assertEqual(files(), {inbox, old, gone})

        # Deleted by another device while the bridge was not running: the
        # file goes at the first LIST.
        delete_elsewhere('Old')
        with Bridge(self.cli) as bridge:
            client = bridge.client()
            self.assertEqual(files(), {inbox, old, gone})
            client.list()
            self.assertEqual(files(), {inbox, gone})
            # Deleted while the bridge runs and holds its index: the index
            # goes at the next LIST and is not written back when the bridge stops.
            client.select('Gone')
            client.select('INBOX')
            delete_elsewhere('Gone')
            client.list()
            self.assertEqual(files(), {inbox})
            client.logout()
        self.assertEqual(files(), {inbox})


def thread_message(number, subject, date, sender, references=None, in_reply_to=None):
    head = ('From: %s\nTo: alice@example.com\nSubject: %s\nDate: %s\n'
            'Message-ID: <t%d@example.org>\n' % (sender, subject, date, number))
    if references:
        head += 'References: %s\n' % references
    if in_reply_to:
        head += 'In-Reply-To: %s\n' % in_reply_to
    return crlf((head + '\nMessage %d.\n' % number).encode())


# A thread with a branch, a reply whose parent is not in the mailbox, and
# subjects with list tags and forward markers. Internal dates (appended)
# differ from both the mailbox order and the Date: headers.
THREAD = [
    (thread_message(1, 'Plans', 'Mon, 4 Jan 2027 10:00:00 +0000', 'Zed <zed@example.org>'),
     '"04-Jan-2027 10:00:00 +0000"'),
    (thread_message(2, 'Re: [list] Fwd: Plans', 'Mon, 4 Jan 2027 13:00:00 +0100',
                    '=?utf-8?q?=C3=81d=C3=A1m?= <adam@example.org>', '<t1@example.org>',
                    '<t1@example.org>'),
     '"04-Jan-2027 10:05:00 +0000"'),
    (thread_message(3, '[list] Re: plans (fwd)', 'Mon, 4 Jan 2027 11:00:00 +0000',
                    'bob@example.org', None, '<t1@example.org>'),
     '"04-Jan-2027 10:03:00 +0000"'),
    (thread_message(4, 'Budget', 'Mon, 4 Jan 2027 09:00:00 +0000', 'Carol <zcarol@example.org>'),
     '"04-Jan-2027 10:01:00 +0000"'),
    (thread_message(5, 'RE: Budget', 'Mon, 4 Jan 2027 08:00:00 +0000', 'Dave <dave@example.org>',
                    '<gone@example.org>'),
     '"04-Jan-2027 10:10:00 +0000"'),
]


class BridgeSortThreadTest(unittest.TestCase):
    """SORT, THREAD and ESORT through the real bridge, driven as Roundcube
    drives them, with the results checked exactly."""

    def setUp(self):
        enroll_a_device(self, 'mailvault-sort-')

    def test_sort_and_thread_a_conversation(self):
        with Bridge(self.cli) as bridge:
            client = bridge.client()
            caps = client.capability()[1][0].split()
            for cap in (b'SORT', b'SORT=DISPLAY', b'THREAD=ORDEREDSUBJECT',
                        b'THREAD=REFERENCES', b'ESORT'):
                self.assertIn(cap, caps)
            for raw, date in THREAD:
                self.assertEqual(client.append('INBOX', None, date, raw)[0], 'OK')
            client.select('INBOX')
            # Roundcube's message list.
            self.assertEqual(client.uid('SORT', '(REVERSE ARRIVAL)', 'UTF-8', 'ALL'),
                             ('OK', [b'5 2 3 4 1']))
            self.assertEqual(client.sort('(REVERSE DATE)', 'UTF-8', 'ALL'),
                             ('OK', [b'2 3 1 4 5']))
            self.assertEqual(client.sort('(SUBJECT)', 'UTF-8', 'ALL'), ('OK', [b'4 5 1 2 3']))
            self.assertEqual(client.sort('(SUBJECT REVERSE DATE)', 'UTF-8', 'ALL'),
                             ('OK', [b'4 5 2 3 1']))
            # FROM: adam, bob, dave, zcarol, zed (the local parts).
            self.assertEqual(client.sort('(FROM)', 'UTF-8', 'ALL'), ('OK', [b'2 3 5 4 1']))
            # DISPLAYFROM: "Ádám" (decoded; decomposed, so among the A's),
            # "bob@example.org" (no name), "Carol", "Dave", "Zed".
            self.assertEqual(client.sort('(DISPLAYFROM)', 'UTF-8', 'ALL'),
                             ('OK', [b'2 3 4 5 1']))
            self.assertEqual(client.sort('(DATE)', 'UTF-8', 'SUBJECT', 'plans'),
                             ('OK', [b'1 3 2']))
            # Threads: 3 and 2 reply to 1 (sorted by sent date); 5's parent
            # is missing, so it joins "Budget" by subject.
            self.assertEqual(client.uid('THREAD', 'REFERENCES', 'UTF-8', 'ALL'),
                             ('OK', [b'(4 5)(1 (3)(2))']))
            self.assertEqual(client.thread('REFERENCES', 'UTF-8', 'ALL'),
                             ('OK', [b'(4 5)(1 (3)(2))']))
            self.assertEqual(client.thread('ORDEREDSUBJECT', 'UTF-8', 'ALL'),
                             ('OK', [b'(5 4)(1 (3)(2))']))
            self.assertEqual(client.thread('REFERENCES', 'UTF-8', 'NOT', 'SUBJECT', 'budget'),
                             ('OK', [b'(1 (3)(2))']))
            self.assertEqual(client.thread('REFERENCES', 'UTF-8', 'UID', '9'), ('OK', [b'']))
            # ESORT (RFC 5267): ALL in sort order, MIN and MAX its ends.
            typ, _ = client.uid('SORT', 'RETURN', '(MIN MAX COUNT ALL)', '(REVERSE DATE)',
                                'UTF-8', 'ALL')
            self.assertEqual(typ, 'OK')
            esearch = client.untagged_responses.pop('ESEARCH')
            self.assertEqual(len(esearch), 1)
            self.assertRegex(esearch[0],
                             rb'^\(TAG "[A-Z0-9]+"\) UID MIN 2 MAX 5 ALL 2:3,1,4:5 COUNT 5$')
            typ, data = client.sort('(SUBJECT)', 'KOI8-R', 'ALL')
            self.assertEqual(typ, 'NO')
            client.logout()


    def test_an_updating_sort_by_subject_places_new_mail(self):
        # CONTEXT=SORT through the bridge, which sees the headers: a new
        # message joins the sorted results at its place, an expunged one
        # leaves from its place before its EXPUNGE.
        with Bridge(self.cli) as bridge:
            client = bridge.client()
            self.assertIn(b'CONTEXT=SORT', client.capability()[1][0].split())
            for raw, date in THREAD[:4]:
                self.assertEqual(client.append('INBOX', None, date, raw)[0], 'OK')
            raw = ssl_connect(plain_port=bridge.port, timeout=60)
            self.addCleanup(raw.close)
            raw.expect(b'* OK')
            raw.send(b'a LOGIN %s %s\r\nb SELECT INBOX\r\n' %
                     (ACCOUNT.encode(), bridge.password.encode()))
            raw.expect(b'b OK')
            raw.send(b'u UID SORT RETURN (UPDATE) (SUBJECT) UTF-8 ALL\r\n')
            raw.expect(b'u OK')
            self.assertIn(b'* ESEARCH (TAG "u") UID ALL 4,1:3\r\n', raw.before)
            # RFC 5465 7: what to fetch of a new message that joins.
            raw.send(b's UID SEARCH RETURN (UPDATE (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])) '
                     b'SUBJECT budget\r\n')
            raw.expect(b's OK')
            self.assertIn(b'* ESEARCH (TAG "s") UID ALL 4\r\n', raw.before)
            # "RE: Budget" sorts as "budget", after uid 4.
            self.assertEqual(client.append('INBOX', None, THREAD[4][1], THREAD[4][0])[0], 'OK')
            raw.send(b'n NOOP\r\n')
            raw.expect(b'n OK')
            lines = [l for l in raw.before.split(b'\r\n') if l.startswith(b'* ')]
            self.assertEqual(lines[-3:], [b'* ESEARCH (TAG "u") UID ADDTO (2 5)',
                                          b'* 5 FETCH (UID 5 BODY[HEADER.FIELDS (SUBJECT)] {23}',
                                          b'* ESEARCH (TAG "s") UID ADDTO (0 5)'], lines)
            self.assertIn(b'{23}\r\nSubject: RE: Budget\r\n\r\n)', raw.before)
            self.assertLess(lines.index(b'* 5 EXISTS'), len(lines) - 3, lines)
            raw.send(b'd UID STORE 4 +FLAGS.SILENT (\\Deleted)\r\ne UID EXPUNGE 4\r\n')
            raw.expect(b'e OK')
            lines = [l for l in raw.before.split(b'\r\n') if l.startswith(b'* ')]
            self.assertEqual(lines, [b'* ESEARCH (TAG "u") UID REMOVEFROM (1 4)',
                                     b'* ESEARCH (TAG "s") UID REMOVEFROM (0 4)',
                                     b'* 4 EXPUNGE'])
            raw.send(b'z LOGOUT\r\n')
            client.logout()


class BridgeAppendTest(unittest.TestCase):
    """MULTIAPPEND and CATENATE through the bridge: every message sealed on
    the device and uploaded in one MULTIAPPEND the vault stores in one
    commit, or none; CATENATE parts read from the account's own messages."""

    setUp = BridgeSyncTest.setUp
    SECRET = b'multiappend-secret-5c1a'

    def connect(self, bridge):
        raw = ssl_connect(plain_port=bridge.port, timeout=60)
        self.addCleanup(raw.close)
        raw.expect(b'* OK')
        raw.send(b'a LOGIN %s %s\r\n' % (ACCOUNT.encode(), bridge.password.encode()))
        raw.expect(b'a OK')
        self.assertIn(b' MULTIAPPEND', raw.before)
        self.assertIn(b' CATENATE', raw.before)
        raw.send(b'b SELECT INBOX\r\n')
        raw.expect(b'b OK')
        return raw, re.search(rb'UIDVALIDITY (\d+)', raw.before).group(1)

    def fetch_body(self, raw, uid):
        raw.send(b'f UID FETCH %d (BODY.PEEK[])\r\n' % uid)
        raw.expect(b'BODY[] {')
        raw.expect(b'}\r\n')
        size = int(raw.before)
        while len(raw.buffer) < size:
            raw.buffer += raw.s.recv(65536)
        body, raw.buffer = raw.buffer[:size], raw.buffer[size:]
        raw.expect(b'f OK')
        return body

    def status(self, raw):
        raw.send(b's STATUS INBOX (MESSAGES UIDNEXT)\r\n')
        raw.expect(b's OK')
        return re.search(rb'\((MESSAGES \d+ UIDNEXT \d+)\)', raw.before).group(1)

    def test_multiappend_of_three_reads_back_byte_for_byte(self):
        sent = [crlf(b'From: alice@example.com\nSubject: draft %d\n\n%s %d\n' %
                     (i, self.SECRET, i)) for i in range(3)]
        with Bridge(self.cli) as bridge:
            raw, uidvalidity = self.connect(bridge)
            answer = raw.literal_command(
                b'c', b'APPEND INBOX (\\Seen) ', Literal(sent[0]),
                b' (\\Draft) " 7-Feb-1994 22:43:04 -0800" ', Literal(sent[1]), b' ',
                Literal(sent[2]))
            self.assertEqual(answer, b'c OK [APPENDUID ' + uidvalidity + b' 3:5] APPEND completed')
            for i in range(3):
                self.assertEqual(self.fetch_body(raw, 3 + i), sent[i])
            raw.send(b'g UID FETCH 3:5 (UID FLAGS)\r\n')
            raw.expect(b'g OK')
            self.assertIn(b'UID 3 FLAGS (\\Seen \\Recent)', raw.before)  # new to the bridge
            self.assertIn(b'UID 4 FLAGS (\\Draft \\Recent)', raw.before)
        self.vault.stop()
        self.assertFalse(self.vault.files_contain(self.SECRET))  # sealed on the device

    def test_multiappend_with_the_third_over_the_limit_stores_none(self):
        with Bridge(self.cli) as bridge:
            raw, _ = self.connect(bridge)
            # Announced over the 50 MiB limit: refused before a byte of it
            # is sent, and the two already received are dropped with it.
            raw.send(b'c APPEND INBOX {5}\r\n')
            raw.expect(b'+ ')
            raw.send(b'one\r\n {5}\r\n')
            raw.expect(b'+ ')
            raw.send(b'two\r\n {60000000}\r\n')
            raw.expect(b'c NO [TOOBIG]')
            self.assertEqual(self.status(raw), b'MESSAGES 2 UIDNEXT 3')
            raw.send(b'd NOOP\r\n')  # the connection goes on
            raw.expect(b'd OK')

    def test_catenate_joins_text_and_parts_of_an_existing_message(self):
        header = crlf(b'From: alice@example.com\nSubject: Fwd: hello there\n\n')
        with Bridge(self.cli) as bridge:
            raw, uidvalidity = self.connect(bridge)
            url = b'/INBOX;UIDVALIDITY=' + uidvalidity + b'/;UID=1/;SECTION=TEXT'
            partial = b'/INBOX/;UID=1/;PARTIAL=0.4'
            # Two messages, both joined, in one MULTIAPPEND.
            answer = raw.literal_command(
                b'c', b'APPEND Drafts CATENATE (TEXT ', Literal(header), b' URL "' + url + b'")',
                b' CATENATE (URL ' + partial + b' TEXT ', Literal(b': joined\r\n'), b')')
            self.assertTrue(answer.startswith(b'c OK [APPENDUID '), answer)
            self.assertTrue(answer.split(b']')[0].endswith(b' 1:2'), answer)
            raw.send(b'd SELECT Drafts\r\n')
            raw.expect(b'd OK')
            body = MESSAGES[0].split(b'\r\n\r\n', 1)[1]
            self.assertEqual(self.fetch_body(raw, 1), header + body)
            self.assertEqual(self.fetch_body(raw, 2), MESSAGES[0][:4] + b': joined\r\n')

    def test_a_url_that_does_not_resolve_gets_badurl_and_stores_nothing(self):
        with Bridge(self.cli) as bridge:
            raw, uidvalidity = self.connect(bridge)
            for url, why in [
                    (b'/INBOX;UIDVALIDITY=' + uidvalidity + b'/;UID=99',
                     b'no message with UID 99 in INBOX'),
                    (b'/INBOX;UIDVALIDITY=1/;UID=1', b'the UIDVALIDITY of INBOX is'),
                    (b'/Nowhere/;UID=1', b'no mailbox Nowhere'),
                    (b'imap://alice@example.com/INBOX/;UID=1', b'only server-relative URLs')]:
                answer = raw.literal_command(b'c', b'APPEND INBOX CATENATE (TEXT ',
                                             Literal(b'Subject: x\r\n\r\n'),
                                             b' URL "' + url + b'")')
                self.assertTrue(answer.startswith(b'c NO [BADURL ' + url + b'] ' + why), answer)
            self.assertEqual(self.status(raw), b'MESSAGES 2 UIDNEXT 3')


class TerminalResult:
    def __init__(self, returncode, output):
        self.returncode, self.output = returncode, output


def run_on_terminal(cli, args, typed):
    """Runs the CLI with a pseudo-terminal as its controlling terminal (so
    it asks there), types `typed`, and returns the exit code and what it
    printed on the terminal."""
    import fcntl
    import termios
    master, slave = os.openpty()

    def take_terminal():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen([cli.binary, '--profile', cli.profile, '--passphrase-file',
                             cli.passphrase_file, *args], stdin=slave, stdout=slave,
                            stderr=slave, preexec_fn=take_terminal)
    os.close(slave)
    output = b''
    deadline = time.time() + 120
    sent = False
    while time.time() < deadline:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if not sent and b'Type the code' in output:
            os.write(master, typed.encode())
            sent = True
    os.close(master)
    return TerminalResult(proc.wait(timeout=60), output)


class Bridge:
    """`mailvault bridge` on a free loopback port, stopped with SIGTERM."""

    def __init__(self, cli, *options):
        self.cli = cli
        self.options = list(options)

    def __enter__(self):
        self.proc = subprocess.Popen(
            [self.cli.binary, '--profile', self.cli.profile, '--passphrase-file',
             self.cli.passphrase_file, 'bridge', '--listen', '127.0.0.1:0'] + self.options,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        banner = b''
        while b'Stop with Ctrl-C' not in banner:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError('bridge exited: ' + self.proc.stderr.read().decode())
            banner += line
        self.port = int(re.search(rb'on 127\.0\.0\.1:(\d+)', banner).group(1))
        self.password = re.search(rb'password: (\S+)', banner).group(1).decode()
        return self

    def client(self):
        """A mail client logged in to this bridge (python imaplib)."""
        client = imaplib.IMAP4('127.0.0.1', self.port, timeout=60)
        client.login(ACCOUNT, self.password)
        return client

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=30)
        self.errors = self.proc.stderr.read().decode()
        self.proc.stdout.close()
        self.proc.stderr.close()
        assert code == 0, 'bridge exited %d: %s' % (code, self.errors)


if __name__ == '__main__':
    unittest.main(verbosity=2)
