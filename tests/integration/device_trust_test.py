"""The customer's device trusts no key it has not verified, and enrolling
cannot lose an account. Each test makes the vault lie: records rewritten
with `ldb` on the stopped shard, or a TLS proxy in front of the real vault
(with a certificate of its own, which the device pins) that loses an answer
or rewrites what the vault says. The real `mailvault` must refuse with one
line and seal or write nothing."""

import base64
import hashlib
import imaplib
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
import unittest

import nacl.public
import nacl.signing

import harness
from client_test import Bridge, Cli, MESSAGES, crlf

ACCOUNT = 'carol@example.com'
VAULT_PASSWORD = 'generic client password'


def key_id(public_key):
    return hashlib.blake2b(public_key, digest_size=32).digest()[:16]


def log_entry(seq, prev_hash, entry_type, payload, when):
    """docs/FORMAT.md, "Account logs": a key log entry."""
    return (bytes([1, 1]) + struct.pack('>Q', seq) + prev_hash + struct.pack('>q', when) +
            bytes([entry_type]) + struct.pack('>I', len(payload)) + payload)


def entry_hash(entry):
    return hashlib.blake2b(entry, digest_size=32).digest()


def register_payload(account, kind, public_key, signer):
    statement = (b'mailvault-key-register-v1\x00' + account.encode() + b'\x00' + bytes([kind]) +
                 public_key)
    return (bytes([kind]) + public_key + key_id(bytes(signer.verify_key)) +
            signer.sign(statement).signature)


def ldb(region, *args):
    return subprocess.run(['ldb', '--db=' + region, '--key_hex', '--value_hex', *args],
                          capture_output=True, text=True, check=True).stdout


def rewrite_key_log_with_operator_keys(vault, account):
    """What an operator would do to read new mail: a history that starts
    with an enrollment of its own keys and then registers the customer's
    keys beside them, signed by its own signing key. It replays cleanly;
    only a device that pinned the real history can tell."""
    region = os.path.join(vault.dir, 'local')
    rows = [line.split(' : ') for line in
            ldb(region, '--column_family=keys', 'scan').splitlines() if ' : ' in line]
    number = rows[0][0][2:18]  # the account number: the keys' first 8 bytes
    customer = {}
    for key, value in rows:
        raw = bytes.fromhex(value[2:])
        kind, public, revoked = raw[1], raw[6:38], raw[-1]
        if not revoked:
            customer[kind] = public
    operator_encryption = nacl.public.PrivateKey.generate()
    operator_signing = nacl.signing.SigningKey.generate()
    op_enc, op_sign = bytes(operator_encryption.public_key), bytes(operator_signing.verify_key)
    now = int(time.time())
    entries = [log_entry(0, bytes(32), 1, op_enc + op_sign, now)]
    for kind in (1, 2):
        entries.append(log_entry(len(entries), entry_hash(entries[-1]), 2,
                                 register_payload(account, kind, customer[kind],
                                                  operator_signing), now))
    old = [line.split(' : ')[0] for line in
           ldb(region, '--column_family=logs', 'scan').splitlines()
           if line.startswith('0x' + number.upper() + '01') or
           line.startswith('0x' + number.lower() + '01')]
    for key in old:
        ldb(region, '--column_family=logs', 'delete', key)
    for seq, entry in enumerate(entries):
        ldb(region, '--column_family=logs', 'put',
            '0x' + number + '01' + '%016x' % seq, '0x' + entry.hex())
    for kind, public in ((1, op_enc), (2, op_sign)):
        value = bytes([1, kind]) + struct.pack('>I', 32) + public + struct.pack('>q', now) + b'\x00'
        ldb(region, '--column_family=keys', 'put', '0x' + number + key_id(public).hex(),
            '0x' + value.hex())
    return op_enc


class InterceptingVault:
    """A proxy on loopback in front of the real vault. `mode`:

    None: bytes pass through untouched (TLS is end to end).
    'relay': a server with a certificate of its own that relays every
        command to the vault: the login it relays must fail.
    With the vault's own certificate and key (what the operator holds):
    'drop_enroll': the connection breaks before XENROLL reaches the vault;
    'lose_enroll_answer': XENROLL is done, its OK is lost;
    'swap_signing_key': XENROLL is done; then the proxy plays the vault:
        it accepts any login and serves a key log whose enrollment names
        another signing key."""

    def __init__(self, vault, workdir):
        self.vault = vault
        self.mode = None
        own_cert = os.path.join(workdir, 'proxy-cert.pem')
        own_key = os.path.join(workdir, 'proxy-key.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                        'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=proxy',
                        '-keyout', own_key, '-out', own_cert], check=True, capture_output=True)
        self.own_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.own_context.load_cert_chain(own_cert, own_key)
        self.vault_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.vault_context.load_cert_chain(vault.cert, os.path.join(vault.dir, 'state', 'tls',
                                                                    'key.pem'))
        self.operator_signing = bytes(nacl.signing.SigningKey.generate().verify_key)
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.listener.close()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn, self.mode), daemon=True).start()

    def _serve(self, conn, mode):
        try:
            upstream = socket.create_connection(('127.0.0.1', self.vault.imaps_port))
            if mode is None:
                return self._pass_bytes(conn, upstream)
            context = self.own_context if mode == 'relay' else self.vault_context
            client = context.wrap_socket(conn, server_side=True)
            upstream_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            upstream_context.check_hostname = False
            upstream_context.verify_mode = ssl.CERT_NONE
            upstream = upstream_context.wrap_socket(upstream)
        except (OSError, ssl.SSLError):
            conn.close()
            return
        enrolled = []  # the tag and arguments of XENROLL
        faking = threading.Event()

        def close_both():
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

        def play_vault(line):
            """After XENROLL in 'swap_signing_key': the proxy answers."""
            words = line.split()
            tag, command = words[0], b' '.join(words[1:3]).upper()
            if command.startswith(b'AUTHENTICATE'):
                client.sendall(b'+ ' + base64.b64encode(os.urandom(32)) + b'\r\n')
                faking.authenticating = tag
            elif getattr(faking, 'authenticating', None):
                client.sendall(faking.authenticating + b' OK Logged in\r\n')
                faking.authenticating = None
            elif command == b'XLOG KEYS':
                encryption = base64.b64decode(enrolled[0][3])
                entry = log_entry(0, bytes(32), 1, encryption + self.operator_signing,
                                  int(time.time()))
                client.sendall(b'* XLOG 0 ' + base64.b64encode(entry) + b'\r\n' + tag +
                               b' OK XLOG completed\r\n')
            else:
                client.sendall(tag + b' OK done\r\n')

        def client_to_vault():
            reader = client.makefile('rb')
            try:
                for line in reader:
                    if faking.is_set():
                        play_vault(line)
                        continue
                    if b' XENROLL ' in line:
                        enrolled.append(line.split())
                        if mode == 'drop_enroll':
                            return close_both()
                    upstream.sendall(line)
            except (OSError, ValueError):
                pass
            close_both()
            reader.close()

        def vault_to_client():
            reader = upstream.makefile('rb')
            try:
                for line in reader:
                    if enrolled and line.startswith(enrolled[0][0] + b' OK'):
                        if mode == 'lose_enroll_answer':
                            return close_both()
                        if mode == 'swap_signing_key':
                            faking.set()
                    client.sendall(line)
            except (OSError, ValueError):
                pass
            if not faking.is_set():
                close_both()
            reader.close()

        threading.Thread(target=client_to_vault, daemon=True).start()
        threading.Thread(target=vault_to_client, daemon=True).start()

    @staticmethod
    def _pass_bytes(a, b):
        def pump(source, sink):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    sink.sendall(data)
            except OSError:
                pass
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

        threading.Thread(target=pump, args=(a, b), daemon=True).start()
        threading.Thread(target=pump, args=(b, a), daemon=True).start()


class EnrollmentTest(unittest.TestCase):
    def setUp(self):
        self.vault = harness.Vault()
        self.addCleanup(self.vault.cleanup)
        self.work = tempfile.mkdtemp(prefix='mailvault-trust-')
        self.addCleanup(shutil.rmtree, self.work, True)
        self.proxy = InterceptingVault(self.vault, self.work)
        self.addCleanup(self.proxy.close)
        self.cli = Cli(self.vault.bin_dir, self.work, 'laptop')

    def init(self, token, server=None, check=True):
        server = server or '127.0.0.1:%d' % self.proxy.port
        args = ('init', '--server', server, '--account', ACCOUNT, '--token', token)
        return self.cli.run(*args) if check else self.cli.error_line(*args)

    def test_a_lost_enrollment_answer_resumes_with_the_same_keys(self):
        token = self.vault.create_account(ACCOUNT)
        self.proxy.mode = 'lose_enroll_answer'
        self.assertIn('run this `mailvault init` again', self.init(token, check=False))
        self.assertTrue(os.path.exists(os.path.join(self.cli.profile, 'keys.mvkey')))
        self.assertIn('unfinished', self.cli.error_line('ls'))
        self.proxy.mode = None
        result = self.init(token)
        self.assertIn(b'Resuming', result.stdout)
        self.assertIn(b'Enrolled', result.stdout)
        self.cli.run('verify')
        mine = sorted(kind for _, kind, state, me in self.cli.keys() if me and state == 'active')
        self.assertEqual(mine, ['encryption', 'signing'])

    def test_an_interrupted_enrollment_keeps_the_keys_and_resumes_with_a_token(self):
        token = self.vault.create_account(ACCOUNT)
        self.proxy.mode = 'drop_enroll'
        self.init(token, check=False)
        with open(os.path.join(self.cli.profile, 'keys.mvkey'), 'rb') as f:
            key_file = f.read()
        self.proxy.mode = None
        # A wrong token now: the keys stay, and the line says what to do.
        line = self.init('WRONGTOKEN', check=False)
        self.assertIn('mailvault-admin account token', line)
        with open(os.path.join(self.cli.profile, 'keys.mvkey'), 'rb') as f:
            self.assertEqual(f.read(), key_file)
        out = self.init(token).stdout.decode()
        enrolled = re.search(r'encryption key (\w+)', out).group(1)
        self.assertIn((enrolled, 'encryption', 'active', True), self.cli.keys())

    def test_an_enrollment_with_a_substituted_signing_key_is_refused(self):
        token = self.vault.create_account(ACCOUNT)
        self.proxy.mode = 'swap_signing_key'
        self.assertIn('KEY LOG NOT THIS ENROLLMENT', self.init(token, check=False))
        with open(os.path.join(self.cli.profile, 'profile.toml')) as f:
            self.assertNotIn('key_log_root', f.read())  # nothing pinned

    def test_a_relayed_login_is_refused(self):
        # A server with a certificate of its own (pinned on first use here)
        # relays the vault's challenge: the device's signature is bound to
        # its connection with the relay, so the vault refuses it.
        token = self.vault.create_account(ACCOUNT)
        self.proxy.mode = 'relay'
        line = self.init(token, check=False)
        self.assertIn('does not accept this device', line)
        # Straight to the vault, the same keys log in and finish the job.
        self.cli.run('pin', self.vault.fingerprint(), '--server',
                     '127.0.0.1:%d' % self.vault.imaps_port)
        self.assertIn(b'Enrolled', self.init(token, '127.0.0.1:%d' % self.vault.imaps_port).stdout)

    def test_init_on_a_machine_without_config_folder(self):
        token = self.vault.create_account(ACCOUNT)
        home = os.path.join(self.work, 'home')
        os.mkdir(home)
        env = {k: v for k, v in os.environ.items()
               if k not in ('MAILVAULT_HOME', 'XDG_CONFIG_HOME')}
        env['HOME'] = home
        result = subprocess.run(
            [self.cli.binary, 'init', '--server', '127.0.0.1:%d' % self.vault.imaps_port,
             '--account', ACCOUNT, '--token', token, '--kdf', 'interactive',
             '--passphrase-file', self.cli.passphrase_file],
            capture_output=True, env=env, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        folder = os.path.join(home, '.config', 'mailvault')
        self.assertEqual(os.stat(os.path.join(home, '.config')).st_mode & 0o777, 0o700)
        self.assertTrue(os.path.exists(os.path.join(folder, 'keys.mvkey')))
        # Global options after the subcommand, as people type them.
        listing = subprocess.run([self.cli.binary, 'ls', '--passphrase-file',
                                  self.cli.passphrase_file], capture_output=True, env=env,
                                 timeout=120)
        self.assertEqual(listing.returncode, 0, listing.stderr)


def set_up_enrolled_laptop(cls):
    """A vault, an account with a generic password, and `cls.cli`, a device
    enrolled to it with `mailvault init`."""
    cls.vault = harness.Vault()
    cls.work = tempfile.mkdtemp(prefix='mailvault-trust-')
    token = cls.vault.create_account(ACCOUNT, password=VAULT_PASSWORD)
    cls.cli = Cli(cls.vault.bin_dir, cls.work, 'laptop')
    cls.cli.run('init', '--server', '127.0.0.1:%d' % cls.vault.imaps_port,
                '--account', ACCOUNT, '--token', token)


class RewrittenKeyLogTest(unittest.TestCase):
    """The operator rewrites the key log after the device pinned it: every
    path that seals or changes keys refuses, and nothing is stored."""

    @classmethod
    def setUpClass(cls):
        set_up_enrolled_laptop(cls)
        cls.phone = Cli(cls.vault.bin_dir, cls.work, 'phone')
        out = cls.phone.run('init', '--server', '127.0.0.1:%d' % cls.vault.imaps_port,
                            '--account', ACCOUNT, '--join').stdout.decode()
        cls.request = re.search(r'(mailvault-device-v1:\S+)', out).group(1)
        cls.code = re.search(r'shows this code:\s+([\d ]+)\n', out).group(1).strip()
        cls.mbox = os.path.join(cls.work, 'one.mbox')
        with open(cls.mbox, 'wb') as f:
            f.write(b'From a@example.org Mon Nov 23 10:00:00 2026\n' + MESSAGES[0] + b'\n')
        cls.cli.run('import', '--mbox', cls.mbox, '--mailbox', 'Before')
        cls.bridge = Bridge(cls.cli).__enter__()
        cls.vault.stop()
        cls.operator_key = rewrite_key_log_with_operator_keys(cls.vault, ACCOUNT)
        cls.vault.start(keep_ports=True)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.bridge.__exit__(None, None, None)
            # The bridge said why it refused, in its log.
            assert 'refusing to seal an APPEND: KEY LOG REWRITTEN' in cls.bridge.errors, \
                cls.bridge.errors
        finally:
            cls.vault.cleanup()
            shutil.rmtree(cls.work, ignore_errors=True)

    def messages(self, mailbox):
        client = self.vault.imap()
        client.login(ACCOUNT, VAULT_PASSWORD)
        typ, data = client.status(mailbox, '(MESSAGES)')
        client.logout()
        if typ != 'OK':
            return 0
        return int(re.search(rb'MESSAGES (\d+)', data[0]).group(1))

    def test_the_forged_log_replays_on_its_own(self):
        # The forgery is a valid log: the vault itself seals deliveries to
        # it. Only the device's pins catch it.
        lmtp = self.vault.lmtp()
        lmtp.sendmail('s@example.org', [ACCOUNT], MESSAGES[0])
        lmtp.quit()

    def test_import_refuses_and_seals_nothing(self):
        line = self.cli.error_line('import', '--mbox', self.mbox, '--mailbox', 'After')
        self.assertIn('KEY LOG REWRITTEN', line)
        self.assertEqual(self.messages('After'), 0)

    def test_bridge_append_answers_unavailable(self):
        client = imaplib.IMAP4('127.0.0.1', self.bridge.port, timeout=60)
        client.login(ACCOUNT, self.bridge.password)
        before = self.messages('Before')
        typ, data = client.append('Before', None, None, crlf(b'Subject: draft\n\nsecret\n'))
        self.assertEqual(typ, 'NO')
        self.assertIn(b'[UNAVAILABLE]', data[0])
        client.logout()
        self.assertEqual(self.messages('Before'), before)

    def test_verify_rotate_and_add_device_refuse(self):
        self.assertIn('KEY LOG REWRITTEN', self.cli.error_line('verify'))
        keys_before = self.cli.keys()
        self.assertIn('KEY LOG REWRITTEN', self.cli.error_line(
            'key', 'add-device', self.request, '--code', self.code))
        self.assertIn('KEY LOG REWRITTEN', self.cli.error_line('key', 'rotate'))
        self.assertEqual(self.cli.keys(), keys_before)


class DeviceSealTest(unittest.TestCase):
    """What the device sealed carries its signature; the operator can put
    other mail in its place, but never mail that passes for the device's."""

    @classmethod
    def setUpClass(cls):
        set_up_enrolled_laptop(cls)
        mbox = os.path.join(cls.work, 'sent.mbox')
        with open(mbox, 'wb') as f:
            f.write(b'From a@example.org Mon Nov 23 10:00:00 2026\n' + MESSAGES[0] + b'\n')
        cls.cli.run('import', '--mbox', mbox, '--mailbox', 'Sent')  # uid 1
        # The operator, with the generic password, puts two messages of its
        # own beside it, sealed to the customer's key: one that claims the
        # device sealed it (uid 2), one that claims nothing (uid 3).
        client = cls.vault.imap()
        client.login(ACCOUNT, VAULT_PASSWORD)
        client._simple_command('XKEYS')
        _, lines = client._untagged_response('OK', [None], 'XKEY')
        public = [base64.b64decode(l.split()[2]) for l in lines
                  if l and l.split()[1] == b'ENCRYPTION' and l.split()[4] == b'ACTIVE'][0]
        customer = type('Customer', (), {'encryption_public': public})()
        signer = [l.split()[0] for l in lines if l and l.split()[1] == b'SIGNING'][0]
        forged_claim = bytes.fromhex(signer.decode()) + os.urandom(64)
        for claim in (forged_claim, None):
            _, _, upload = harness.seal_upload(b'Subject: not yours\r\n\r\nfrom the operator\r\n',
                                              ACCOUNT, customer, device_seal=claim)
            typ, data = client.append('Sent', None, None, harness.sealed_message(upload))
            assert typ == 'OK', data
        client.logout()

    @classmethod
    def tearDownClass(cls):
        cls.vault.cleanup()
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_read_tells_who_sealed_each_message(self):
        mine = self.cli.run('read', '1', '--mailbox', 'Sent')
        self.assertEqual(mine.stdout, MESSAGES[0])
        self.assertIn(b'Sealed on your device', mine.stderr)
        theirs = self.cli.run('read', '3', '--mailbox', 'Sent')
        self.assertIn(b'from the operator', theirs.stdout)
        self.assertIn(b'Sealed by the vault on delivery', theirs.stderr)

    def test_a_forged_device_seal_is_refused(self):
        result = self.cli.run('read', '2', '--mailbox', 'Sent', check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(result.stdout, b'')  # not a byte of it
        self.assertIn(b'TAMPERED', result.stderr)

    def test_the_bridge_serves_no_forged_device_seal(self):
        with Bridge(self.cli) as bridge:
            client = imaplib.IMAP4('127.0.0.1', bridge.port, timeout=60)
            client.login(ACCOUNT, bridge.password)
            client.select('Sent')
            typ, data = client.uid('FETCH', '1', '(BODY.PEEK[])')
            self.assertEqual(typ, 'OK')
            self.assertEqual(data[0][1], MESSAGES[0])
            typ, data = client.uid('FETCH', '2', '(BODY.PEEK[])')
            self.assertEqual(typ, 'NO', data)
            client.logout()
        self.assertIn('TAMPERED', bridge.errors)


if __name__ == '__main__':
    unittest.main(verbosity=2)
