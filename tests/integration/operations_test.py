"""mailvaultd's operability end to end: the Prometheus endpoint and the
health check, read with curl as a monitoring system would, and the
operator's mailvault-admin commands against a running server."""

import base64
import datetime
import hashlib
import imaplib
import json
import os
import re
import shutil
import signal
import smtplib
import ssl
import tempfile
import time
import subprocess
import unittest

import harness
from harness import metric
from client_test import Cli

ACCOUNT = 'ops@example.com'


def curl(vault, path, *extra):
    result = subprocess.run(['curl', '-sS', '-o', '-', '-w', '\n%{http_code}', *extra,
                             'http://127.0.0.1:%d%s' % (vault.metrics_port, path)],
                            capture_output=True, text=True, timeout=30)
    body, _, code = result.stdout.rpartition('\n')
    return int(code), body


class WithVault(unittest.TestCase):
    """One mailvaultd for the whole class."""

    @classmethod
    def setUpClass(cls):
        cls.vault = harness.Vault()

    @classmethod
    def tearDownClass(cls):
        cls.vault.cleanup()


class MetricsTest(WithVault):
    def test_health(self):
        code, body = curl(self.vault, '/healthz')
        self.assertEqual(code, 200)
        self.assertIn('region local open', body)
        self.assertEqual(curl(self.vault, '/nothing')[0], 404)
        self.assertEqual(curl(self.vault, '/metrics', '-X', 'POST')[0], 405)

    def test_counters_follow_deliveries_and_sessions(self):
        _, before = curl(self.vault, '/metrics')
        self.assertEqual(metric(before, 'mailvault_sealed_bytes_total'), 0)
        self.assertIsNotNone(metric(before, 'mailvault_rocksdb_stall_seconds_total',
                                    'region="local"'))
        self.assertIsNotNone(metric(before, 'mailvault_rocksdb_pending_compaction_bytes',
                                    'region="local"'))

        # A delivery to an account without keys (450 at RCPT), one to nobody
        # (550 at RCPT), then a real one.
        token = self.vault.create_account(ACCOUNT)
        for recipient, code in ((ACCOUNT, 450), ('nobody@example.com', 550)):
            lmtp = self.vault.lmtp()
            with self.assertRaises(smtplib.SMTPRecipientsRefused) as refused:
                lmtp.sendmail('s@example.org', [recipient], b'Subject: early\r\n\r\nx\r\n')
            self.assertEqual(refused.exception.recipients[recipient][0], code)
            lmtp.quit()
        device = harness.Device()
        device.enroll(self.vault, ACCOUNT, token)
        message = b'Subject: counted\r\n\r\n' + b'x' * 1000 + b'\r\n'
        lmtp = self.vault.lmtp()
        lmtp.sendmail('s@example.org', [ACCOUNT], message)
        lmtp.quit()

        imap = self.vault.imap()
        device.login_with_signature(imap, ACCOUNT)
        _, during = curl(self.vault, '/metrics')
        imap.logout()

        self.assertEqual(metric(during, 'mailvault_lmtp_deliveries_total', 'code="250"'), 1)
        self.assertEqual(metric(during, 'mailvault_lmtp_deliveries_total', 'code="450"'), 1)
        self.assertEqual(metric(during, 'mailvault_lmtp_deliveries_total', 'code="550"'), 1)
        self.assertEqual(metric(during, 'mailvault_sealed_bytes_total'), len(message))
        self.assertEqual(metric(during, 'mailvault_append_duration_seconds_count'), 1)
        self.assertEqual(metric(during, 'mailvault_append_duration_seconds_bucket', 'le="+Inf"'), 1)
        self.assertEqual(metric(during, 'mailvault_imap_sessions'), 1)
        self.assertGreaterEqual(metric(during, 'mailvault_connections_open', 'protocol="imap"'), 1)
        self.assertGreaterEqual(metric(during, 'mailvault_connections_total', 'protocol="lmtp"'), 2)
        self.assertIsNotNone(metric(during, 'mailvault_rocksdb_live_blob_bytes', 'region="local"'))
        # Nothing about accounts in the exposition.
        self.assertNotIn(ACCOUNT, during)


class AdminTest(WithVault):
    def enrolled_account(self, address, messages=2):
        token = self.vault.create_account(address, password='generic password 1')
        device = harness.Device()
        device.enroll(self.vault, address, token)
        lmtp = self.vault.lmtp()
        for i in range(messages):
            lmtp.sendmail('s@example.org', [address], b'Subject: m%d\r\n\r\nbody %d\r\n' % (i, i))
        lmtp.quit()
        return device

    def admin_json(self, *args):
        return json.loads(self.vault.admin('--json', *args).stdout)

    def test_show_region_list_and_transport_map(self):
        self.enrolled_account('carol@example.com', messages=3)
        shown = self.admin_json('account', 'show', 'Carol@Example.com')
        self.assertEqual(shown['account'], 'carol@example.com')
        self.assertEqual(shown['region'], 'local')
        self.assertFalse(shown['suspended'])
        self.assertEqual(shown['messages'], 3)
        self.assertEqual(shown['mailboxes'], 6)  # INBOX and the special-use ones
        self.assertGreater(shown['sealed_bytes'], 3 * 20)
        self.assertEqual(sorted((k['kind'], k['state']) for k in shown['keys']),
                         [('encryption', 'active'), ('signing', 'active')])
        text = self.vault.admin('account', 'show', 'carol@example.com').stdout
        self.assertIn('messages  3', text)
        self.assertNotIn('body', text)

        regions = self.admin_json('region', 'list')['regions']
        local = [r for r in regions if r['region'] == 'local'][0]
        self.assertGreaterEqual(local['accounts'], 1)
        self.assertGreaterEqual(local['messages'], 3)
        table = self.vault.admin('region', 'list').stdout.splitlines()
        self.assertEqual(table[0], 'REGION\tACCOUNTS\tMESSAGES\tSEALED BYTES')
        self.assertIn('local\t%d\t%d\t' % (local['accounts'], local['messages']), table[1])

        table = self.vault.admin('transport-map').stdout
        self.assertIn('carol@example.com lmtp:[127.0.0.1]:%d\n' % self.vault.lmtp_port, table)

    def test_suspend_refuses_logins_and_mail_then_resume(self):
        device = self.enrolled_account('dave@example.com', messages=1)
        self.vault.admin('account', 'suspend', 'dave@example.com')
        self.assertTrue(self.admin_json('account', 'show', 'dave@example.com')['suspended'])
        lmtp = self.vault.lmtp()
        with self.assertRaises(smtplib.SMTPRecipientsRefused) as refused:
            lmtp.sendmail('s@example.org', ['dave@example.com'], b'Subject: x\r\n\r\nx\r\n')
        self.assertEqual(refused.exception.recipients['dave@example.com'][0], 450)
        self.assertIn(b'4.2.1', refused.exception.recipients['dave@example.com'][1])
        lmtp.quit()
        for login in (lambda c: c.login('dave@example.com', 'generic password 1'),
                      lambda c: device.login_with_signature(c, 'dave@example.com')):
            client = self.vault.imap()
            with self.assertRaises(imaplib.IMAP4.error) as failed:
                login(client)
            self.assertIn('UNAVAILABLE', str(failed.exception))
            client.logout()
        # A wrong password still gets the ordinary answer: no hint of the state.
        client = self.vault.imap()
        with self.assertRaises(imaplib.IMAP4.error) as failed:
            client.login('dave@example.com', 'wrong password')
        self.assertIn('AUTHENTICATIONFAILED', str(failed.exception))
        client.logout()

        self.vault.admin('account', 'resume', 'dave@example.com')
        lmtp = self.vault.lmtp()
        lmtp.sendmail('s@example.org', ['dave@example.com'], b'Subject: y\r\n\r\ny\r\n')
        lmtp.quit()
        client = self.vault.imap()
        client.login('dave@example.com', 'generic password 1')
        self.assertEqual(client.select('INBOX')[1][0], b'2')
        client.logout()

    def test_delete_leaves_no_body_or_wrap_on_disk(self):
        device = self.enrolled_account('erin@example.com', messages=3)
        self.enrolled_account('frank@example.com', messages=1)  # must survive
        client = self.vault.imap()
        client.login('erin@example.com', 'generic password 1')
        client.select('INBOX')
        samples = []
        for uid in (b'1', b'2', b'3'):
            _, data = client.uid('FETCH', uid, '(BINARY.PEEK[1])')
            body = data[0][1]
            samples.append(body[len(body) // 2:len(body) // 2 + 48])  # ciphertext
        typ, _ = client._simple_command('XWRAPS', 'INBOX', device.key_id(), '1:*')
        wraps = [base64.b64decode(line.split()[2])
                 for line in client.untagged_responses.pop('XWRAP', [])]
        self.assertEqual(len(wraps), 3)
        client.logout()
        for needle in samples + wraps:
            self.assertTrue(self.vault.files_contain(needle))

        refused = self.vault.admin('account', 'delete', 'erin@example.com', check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn('--yes', refused.stderr)
        report = self.admin_json('account', 'delete', 'erin@example.com', '--yes')
        self.assertEqual((report['messages'], report['bodies'], report['wraps']), (3, 3, 3))
        self.assertEqual(report['public_keys'], 2)
        self.assertEqual(report['credentials'], 1)

        for needle in samples + wraps:
            self.assertFalse(self.vault.files_contain(needle), 'ciphertext left on disk')
        listed = self.vault.admin('account', 'list').stdout
        self.assertNotIn('erin@example.com', listed)
        self.assertIn('frank@example.com', listed)
        lmtp = self.vault.lmtp()
        with self.assertRaises(smtplib.SMTPRecipientsRefused) as gone:
            lmtp.sendmail('s@example.org', ['erin@example.com'], b'Subject: z\r\n\r\nz\r\n')
        self.assertEqual(gone.exception.recipients['erin@example.com'][0], 550)
        lmtp.quit()
        client = self.vault.imap()
        client.login('frank@example.com', 'generic password 1')
        self.assertEqual(client.select('INBOX')[1][0], b'1')
        client.logout()


    def enroll_command(self, output):
        """The customer's command that account create or token printed, as
        argv for the mailvault binary, with its token."""
        line = [l for l in output.splitlines() if l.startswith('The customer enrolls with: ')]
        self.assertEqual(len(line), 1, output)
        command = line[0].split(': ', 1)[1].split()
        self.assertEqual(command[:2], ['mailvault', 'init'])
        return command[1:], command[command.index('--token') + 1]

    def test_create_prints_the_complete_init_command(self):
        out = self.vault.admin('account', 'create', 'gina@example.com', '--region', 'local').stdout
        argv, token = self.enroll_command(out)
        self.assertEqual(argv, ['init', '--server', '127.0.0.1:%d' % self.vault.imaps_port,
                                '--account', 'gina@example.com', '--token', token])
        self.assertIn('enrollment token: %s\n' % token, out)
        created = self.admin_json('account', 'create', 'hank@example.com', '--region', 'local')
        self.assertEqual(created['imaps_endpoint'], '127.0.0.1:%d' % self.vault.imaps_port)

    def test_account_token_replaces_the_open_one_until_enrolled(self):
        first = self.vault.create_account('ivy@example.com')
        out = self.vault.admin('account', 'token', 'Ivy@Example.com').stdout
        argv, second = self.enroll_command(out)
        self.assertNotEqual(second, first)
        self.assertIn('--server 127.0.0.1:%d' % self.vault.imaps_port, out)
        issued = self.admin_json('account', 'token', 'ivy@example.com')
        self.assertEqual(issued['imaps_endpoint'], '127.0.0.1:%d' % self.vault.imaps_port)
        self.assertAlmostEqual(issued['expires_at'], time.time() + 7 * 24 * 3600, delta=60)
        third = issued['token']

        # Only the newest token enrolls; the printed command, run as printed,
        # enrolls with it through the real CLI.
        for stale in (first, second):
            typ, _ = harness.Device().enroll(self.vault, 'ivy@example.com', stale)
            self.assertEqual(typ, 'NO')
        argv[argv.index('--token') + 1] = third
        work = tempfile.mkdtemp(prefix='mailvault-token-')
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        Cli(self.vault.bin_dir, work, 'laptop').run(*argv)
        self.assertEqual(len(self.admin_json('account', 'show', 'ivy@example.com')['keys']), 2)

        # Once enrolled, no token: a further device joins through this one.
        for address, reason in (
                ('ivy@example.com', 'ivy@example.com has enrolled already; a new device joins '
                                    'with `mailvault init --join` and `mailvault key add-device`'),
                ('nobody@example.com', 'no placement for nobody@example.com')):
            refused = self.vault.admin('account', 'token', address, check=False)
            self.assertNotEqual(refused.returncode, 0)
            self.assertEqual(refused.stdout, '')
            self.assertEqual(refused.stderr, 'mailvault-admin: %s\n' % reason)


class BackupTest(unittest.TestCase):
    """backup on a running server, restore into another node's empty data
    directories, and verify finding damage made behind the server's back."""

    def setUp(self):
        self.vault = harness.Vault()
        self.other = None

    def tearDown(self):
        self.vault.cleanup()
        if self.other:
            self.other.cleanup()

    def read_all(self, vault, device):
        """Every INBOX message, opened with the independent FORMAT.md reader."""
        client = vault.imap()
        device.login_with_signature(client, ACCOUNT)
        client.select('INBOX')
        client._simple_command('XWRAPS', 'INBOX', device.key_id(), '1:*')
        wraps = {}
        for line in client.untagged_responses.pop('XWRAP', []):
            uid, blob, wrap = line.split()
            wraps[int(uid)] = (blob.decode(), base64.b64decode(wrap))
        opened = []
        for uid, (blob, wrap) in sorted(wraps.items()):
            _, data = client.uid('FETCH', str(uid), '(BINARY.PEEK[1])')
            key = harness.unwrap(wrap, device)
            opened.append(harness.open_sealed_body(data[0][1], key, ACCOUNT, blob))
        client.logout()
        return opened, wraps

    def test_backup_restore_and_verify(self):
        token = self.vault.create_account(ACCOUNT)
        device = harness.Device()
        device.enroll(self.vault, ACCOUNT, token)
        delivered = [b'Subject: kept %d\r\n\r\nbody %d\r\n' % (i, i) for i in range(3)]
        lmtp = self.vault.lmtp()
        for message in delivered:
            lmtp.sendmail('s@example.org', [ACCOUNT], message)
        lmtp.quit()

        healthy = self.vault.admin('verify')
        self.assertEqual(healthy.returncode, 0, healthy.stderr)
        self.assertIn('3 messages, 3 bodies, 3 wraps checked', healthy.stdout)

        backup = os.path.join(self.vault.dir, 'backup')
        self.vault.admin('backup', '--out', backup)
        self.assertTrue(os.path.exists(os.path.join(backup, 'manifest.json')))
        again = self.vault.admin('backup', '--out', backup, check=False)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn('exists', again.stderr)

        # Another node, stopped, its data directories emptied: restore there.
        self.other = harness.Vault()
        self.other.stop()
        refused = self.other.admin('restore', '--from', backup, '--config', self.other.config,
                                   check=False)
        self.assertIn('not empty', refused.stderr)
        shutil.rmtree(os.path.join(self.other.dir, 'local'))
        shutil.rmtree(os.path.join(self.other.dir, 'state', 'directory'))
        self.other.admin('restore', '--from', backup, '--config', self.other.config)
        self.other.start()
        opened, _ = self.read_all(self.other, device)
        self.assertEqual(opened, delivered)

        # A body removed behind the server's back (with RocksDB's own ldb).
        _, wraps = self.read_all(self.vault, device)
        blob = wraps[2][0]
        self.vault.stop()
        key = '0x' + (1).to_bytes(8, 'big').hex() + blob  # account number 1, blob id
        removed = subprocess.run(['ldb', '--db=' + os.path.join(self.vault.dir, 'local'),
                                  '--column_family=bodies', '--key_hex', 'delete', key],
                                 capture_output=True, text=True)
        self.assertEqual(removed.returncode, 0, removed.stdout + removed.stderr)
        self.vault.start()
        damaged = self.vault.admin('verify', check=False)
        self.assertNotEqual(damaged.returncode, 0)
        self.assertIn('DAMAGE %s INBOX uid 2: body of blob %s is missing' % (ACCOUNT, blob),
                      damaged.stdout)
        self.assertIn('1 problem', damaged.stderr)


class MoveTest(unittest.TestCase):
    """Moving an account between two regions of one node, only on the
    customer's signed consent, used once."""

    def setUp(self):
        self.vault = harness.Vault(regions=('eu', 'us'))
        self.work = tempfile.mkdtemp(prefix='mailvault-move-')

    def tearDown(self):
        self.vault.cleanup()
        shutil.rmtree(self.work, ignore_errors=True)

    def move(self, to, consent_text, check=True):
        path = os.path.join(self.work, 'consent-%d' % len(os.listdir(self.work)))
        with open(path, 'w') as f:
            f.write(consent_text)
        return self.vault.admin('move', ACCOUNT, '--to', to, '--consent', path, check=check)

    def test_move_only_with_consent(self):
        cli, delivered, sample = account_with_mail(self.vault, self.work, ACCOUNT,
                                                   'generic password 1', 'eu', 2)

        # A consent signed by a key that is not the account's.
        stranger = harness.Device()
        nonce, issued = os.urandom(16), int(time.time())
        statement = (b'mailvault-move-consent-v1\x00' + ACCOUNT.encode() + b'\x00us\x00' + nonce +
                     issued.to_bytes(8, 'big'))
        forged = ('mailvault-move-consent-v1\naccount %s\nto us\nnonce %s\nissued-at %d\n'
                  'signer %s\nsignature %s\n' % (ACCOUNT, nonce.hex(), issued,
                                                 stranger.signing_key_id().hex(),
                                                 stranger.signing.sign(statement).signature.hex()))
        refused = self.move('us', forged, check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn('not signed by an active signing key', refused.stderr)
        consent = cli.run('consent', 'move', '--to', 'us').stdout.decode()
        wrong_region = self.move('eu', consent, check=False)
        self.assertIn('already', wrong_region.stderr)
        self.assertEqual(self.admin_region(), 'eu')

        self.move('us', consent)
        self.assertEqual(self.admin_region(), 'us')
        self.assertEqual(exported_inbox(cli, os.path.join(self.work, 'export')), sorted(delivered))
        self.assertFalse(contains(os.path.join(self.vault.dir, 'eu'), sample))
        verified = cli.run('verify').stdout.decode()
        self.assertIn('moved from eu to us', verified)
        self.assertIn('in region us', verified)

        # The same consent again (after a consented move back) is a replay.
        self.move('eu', cli.run('consent', 'move', '--to', 'eu').stdout.decode())
        replayed = self.move('us', consent, check=False)
        self.assertNotEqual(replayed.returncode, 0)
        self.assertIn('used for a move already', replayed.stderr)
        self.assertEqual(self.admin_region(), 'eu')
        lmtp = self.vault.lmtp()
        lmtp.sendmail('s@example.org', [ACCOUNT], b'Subject: after\r\n\r\nstill delivered\r\n')
        lmtp.quit()
        self.assertIn('after', cli.run('ls').stdout.decode())

    def test_disclosure_bundle_log_and_transparency_report(self):
        token = self.vault.create_account(ACCOUNT, region='eu')
        cli = Cli(self.vault.bin_dir, self.work, 'laptop')
        cli.run('init', '--server', '127.0.0.1:%d' % self.vault.imaps_port, '--account', ACCOUNT,
                '--token', token)
        canary = b'canary-disclosure-7c1d'
        lmtp = self.vault.lmtp()
        for i in range(2):
            lmtp.sendmail('s@example.org', [ACCOUNT], b'Subject: %s %d\r\n\r\n%s\r\n' % (canary, i, canary))
        lmtp.quit()

        bundle = os.path.join(self.work, 'bundle')
        self.vault.admin('disclose', ACCOUNT, '--order', 'CASE-1', '--out', bundle)
        self.assertFalse(contains(bundle, canary))
        with open(os.path.join(bundle, 'manifest.json')) as f:
            manifest = json.load(f)
        self.assertEqual(manifest['order'], 'CASE-1')
        self.assertEqual(len(manifest['messages']), 2)
        forms = {field['form'].split(':')[0] for field in manifest['fields']}
        self.assertEqual(forms, {'plaintext metadata', 'ciphertext'})
        for message in manifest['messages']:
            for part in ('body', 'summary'):
                with open(os.path.join(bundle, message[part]), 'rb') as f:
                    content = f.read()
                self.assertEqual(hashlib.sha256(content).hexdigest(), message[part + '_sha256'])
            self.assertEqual(os.path.getsize(os.path.join(bundle, message['body'])),
                             message['sealed_size'])
            self.assertEqual(len(message['wraps']), 1)
        listed = sorted(os.listdir(os.path.join(bundle, 'bodies')))
        self.assertEqual(listed, sorted(m['body'].split('/')[1] for m in manifest['messages']))

        # An embargoed disclosure stays out of the customer's view until its date.
        embargo = datetime.date.today() + datetime.timedelta(days=300)  # at most 366 days
        self.vault.admin('disclose', ACCOUNT, '--order', 'CASE-2', '--out', bundle + '2',
                         '--embargo-until', embargo.isoformat())
        verified = cli.run('verify').stdout.decode()
        self.assertIn('disclosed under order CASE-1: 2 messages', verified)
        self.assertNotIn('CASE-2', verified)

        # Removing a disclosure the customer has seen does not go unnoticed.
        self.vault.stop()
        key = '0x' + (1).to_bytes(8, 'big').hex() + '03' + (0).to_bytes(8, 'big').hex()
        backup_entry = subprocess.run(
            ['ldb', '--db=' + os.path.join(self.vault.dir, 'eu'), '--column_family=logs',
             '--key_hex', '--value_hex', 'get', key], capture_output=True, text=True, check=True)
        subprocess.run(['ldb', '--db=' + os.path.join(self.vault.dir, 'eu'),
                        '--column_family=logs', '--key_hex', 'delete', key],
                       check=True, capture_output=True)
        self.vault.start()
        profile = os.path.join(cli.profile, 'profile.toml')
        with open(profile) as f:
            text = f.read()
        with open(profile, 'w') as f:
            f.write(re.sub(r'server = \S+', 'server = "127.0.0.1:%d"' % self.vault.imaps_port, text))
        self.assertIn('DISCLOSURE LOG', cli.error_line('verify'))
        # Put back, and all is well again.
        self.vault.stop()
        subprocess.run(['ldb', '--db=' + os.path.join(self.vault.dir, 'eu'), '--column_family=logs',
                        '--key_hex', '--value_hex', 'put', key, backup_entry.stdout.strip()],
                       check=True, capture_output=True)
        self.vault.start()
        with open(profile, 'w') as f:
            f.write(re.sub(r'server = \S+', 'server = "127.0.0.1:%d"' % self.vault.imaps_port, text))
        self.assertIn('CASE-1', cli.run('verify').stdout.decode())

        self.move('us', cli.run('consent', 'move', '--to', 'us').stdout.decode())
        report = json.loads(self.vault.admin('--json', 'transparency-report').stdout)['regions']
        by_region = {r['region']: r for r in report}
        self.assertEqual(by_region['eu']['disclosures'], 2)
        self.assertEqual((by_region['eu']['moves_out'], by_region['us']['moves_in']), (1, 1))
        later = json.loads(self.vault.admin('--json', 'transparency-report', '--since',
                                            '2099-01-01').stdout)['regions']
        self.assertEqual(sum(r['disclosures'] + r['moves_in'] for r in later), 0)
        self.assertIn('REGION\tDISCLOSURES', self.vault.admin('transparency-report').stdout)

    def admin_region(self):
        return json.loads(self.vault.admin('--json', 'account', 'show', ACCOUNT).stdout)['region']


class TlsReloadTest(unittest.TestCase):
    """SIGHUP loads a renewed certificate for new connections; open
    sessions go on; a broken file is refused and the current one kept."""

    def served_fingerprint(self, vault):
        der = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(('127.0.0.1', vault.imaps_port)))
        return ':'.join('%02X' % b for b in hashlib.sha256(der).digest())

    def reload_and_wait(self, vault, log_line):
        with open(vault.log) as f:
            seen = f.read().count(log_line)
        vault.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with open(vault.log) as f:
                if f.read().count(log_line) > seen:
                    return
            time.sleep(0.05)
        self.fail('mailvaultd did not log %r after SIGHUP' % log_line)

    def test_sighup_reloads_the_certificate_and_keeps_sessions(self):
        vault = harness.Vault()
        self.addCleanup(vault.cleanup)
        vault.create_account(ACCOUNT, password='reload password 1')
        session = vault.imap()
        session.login(ACCOUNT, 'reload password 1')
        session.select('INBOX')
        old = vault.fingerprint()
        self.assertEqual(self.served_fingerprint(vault), old)

        # A renewed certificate, written as certbot does: new files, renamed.
        tls_dir = os.path.dirname(vault.cert)
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                        'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', '/CN=localhost',
                        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
                        '-keyout', os.path.join(tls_dir, 'key.new'),
                        '-out', os.path.join(tls_dir, 'cert.new')],
                       check=True, capture_output=True)
        os.chmod(os.path.join(tls_dir, 'key.new'), 0o600)
        os.replace(os.path.join(tls_dir, 'key.new'), os.path.join(tls_dir, 'key.pem'))
        os.replace(os.path.join(tls_dir, 'cert.new'), vault.cert)
        self.reload_and_wait(vault, 'TLS certificate reloaded')
        renewed = vault.fingerprint()
        self.assertNotEqual(renewed, old)
        self.assertEqual(self.served_fingerprint(vault), renewed)
        self.assertEqual(session.noop()[0], 'OK')  # the open session goes on
        self.assertEqual(session.select('INBOX')[0], 'OK')
        client = vault.imap()  # trusts the renewed certificate only
        client.login(ACCOUNT, 'reload password 1')
        client.logout()

        # A broken file: the reload fails and the renewed certificate stays.
        with open(vault.cert, 'w') as f:
            f.write('-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n')
        self.reload_and_wait(vault, 'TLS certificate reload failed, keeping the old one')
        self.assertEqual(self.served_fingerprint(vault), renewed)
        self.assertEqual(session.noop()[0], 'OK')
        session.logout()


def account_with_mail(vault, work, account, password, region, count):
    """An account with a device (the real CLI) and `count` messages
    delivered over LMTP: (the CLI, the messages, 48 bytes of the first one's
    sealed body as the server holds it, to look for on disk later)."""
    token = vault.create_account(account, password=password, region=region)
    cli = Cli(vault.bin_dir, work, account.split('@')[0])
    cli.run('init', '--server', '127.0.0.1:%d' % vault.imaps_port, '--account', account,
            '--token', token)
    delivered = [b'Subject: mail %d\r\n\r\nbody %d of %s\r\n' % (i, i, account.encode())
                 for i in range(count)]
    lmtp = vault.lmtp()
    for message in delivered:
        lmtp.sendmail('s@example.org', [account], message)
    lmtp.quit()
    client = vault.imap()
    client.login(account, password)
    client.select('INBOX')
    _, data = client.uid('FETCH', '1', '(BINARY.PEEK[1])')
    client.logout()
    return cli, delivered, data[0][1][100:148]


def exported_inbox(cli, directory):
    """The account's INBOX exported by the CLI as a Maildir: every message's
    bytes, sorted."""
    cli.run('export', '--maildir', directory, '--mailbox', 'INBOX')
    exported = []
    for sub in ('cur', 'new'):
        for name in os.listdir(os.path.join(directory, 'INBOX', sub)):
            with open(os.path.join(directory, 'INBOX', sub, name), 'rb') as f:
                exported.append(f.read())
    return sorted(exported)


def contains(directory, needle):
    for root, _, files in os.walk(directory):
        for name in files:
            with open(os.path.join(root, name), 'rb') as f:
                if needle in f.read():
                    return True
    return False


if __name__ == '__main__':
    unittest.main(verbosity=2)
