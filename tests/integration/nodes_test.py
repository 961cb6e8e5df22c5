"""Two mailvaultd nodes on loopback sharing their directory in a real etcd:
node A hosts region eu, node B region us, and each names the other's IMAP
and LMTP endpoints. Logins and deliveries on the wrong node are referred or
refused with the region; a consented move carries an account from A to B
(ciphertext only) and the referral follows it."""

import json
import os
import shutil
import tempfile
import time
import unittest

import harness
from client_test import Cli
from operations_test import account_with_mail, contains, exported_inbox

ALICE = 'alice@example.com'  # starts in eu, on node A
BOB = 'bob@example.com'      # lives in us, on node B


class NodesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.etcd = harness.Etcd()
        cls.a = harness.Vault(regions=('eu',), etcd=cls.etcd)
        cls.b = harness.Vault(regions=('us',), etcd=cls.etcd,
                              remote_regions=(cls.remote('eu', cls.a),))
        # A learns B's ports once B has them; A keeps its own, which B names.
        cls.a.stop()
        cls.a.remote_regions = (cls.remote('us', cls.b),)
        cls.a.start(keep_ports=True)
        cls.work = tempfile.mkdtemp(prefix='mailvault-nodes-')

    @classmethod
    def tearDownClass(cls):
        cls.a.cleanup()
        cls.b.cleanup()
        cls.etcd.cleanup()
        shutil.rmtree(cls.work, ignore_errors=True)

    @staticmethod
    def remote(region, node):
        return (region, 'imap://127.0.0.1:%d' % node.imaps_port, '127.0.0.1:%d' % node.lmtp_port)

    def referral(self, node, account):
        client = node.imap()
        typ, data = client._simple_command('LOGIN', account, '"any password"')
        client.shutdown()
        self.assertEqual(typ, 'NO')
        return data[0]

    def rcpt(self, node, account):
        lmtp = node.lmtp()
        lmtp.mail('sender@example.org')
        code, text = lmtp.rcpt(account)
        lmtp.quit()
        return code, text

    def move(self, account, to, consent_text, target, check=True):
        path = os.path.join(self.work, 'consent-%f' % time.time())
        with open(path, 'w') as f:
            f.write(consent_text)
        return self.a.admin('move', account, '--to', to, '--consent', path,
                            '--target-socket', target.socket, check=check)

    def region_of(self, node, account):
        listed = json.loads(node.admin('--json', 'account', 'list').stdout)['accounts']
        return {entry['account']: entry['region'] for entry in listed}.get(account)

    def test_1_directory_referrals_and_refusals(self):
        self.a.create_account(ALICE + '.ref', password='a password 123', region='eu')
        token = self.b.create_account(BOB, password='b password 123', region='us')
        Cli(self.b.bin_dir, self.work, 'bob').run(
            'init', '--server', '127.0.0.1:%d' % self.b.imaps_port, '--account', BOB,
            '--token', token)
        # One directory: each node lists the other's accounts.
        self.assertEqual(self.region_of(self.a, BOB), 'us')
        self.assertEqual(self.region_of(self.b, ALICE + '.ref'), 'eu')
        refused = self.a.admin('account', 'create', 'carol@example.com', '--region', 'us',
                               check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn('not hosted on this node', refused.stderr)

        self.assertIn(b'[REFERRAL imap://127.0.0.1:%d/]' % self.b.imaps_port,
                      self.referral(self.a, BOB))
        self.assertIn(b'[REFERRAL imap://127.0.0.1:%d/]' % self.a.imaps_port,
                      self.referral(self.b, ALICE + '.ref'))
        code, text = self.rcpt(self.a, BOB)
        self.assertEqual(code, 550)
        self.assertTrue(text.startswith(b'5.1.6'), text)
        self.assertIn(b'region us', text)
        self.assertEqual(self.rcpt(self.b, BOB)[0], 250)

        # Each node's transport map sends every account to its region's LMTP.
        for node in (self.a, self.b):
            table = node.admin('transport-map').stdout
            self.assertIn('%s lmtp:[127.0.0.1]:%d' % (BOB, self.b.lmtp_port), table)
            self.assertIn('%s lmtp:[127.0.0.1]:%d' % (ALICE + '.ref', self.a.lmtp_port), table)

    def test_2_move_between_nodes(self):
        cli, delivered, sample = account_with_mail(self.a, self.work, ALICE, 'a password 456',
                                                   'eu', 3)
        consent = cli.run('consent', 'move', '--to', 'us').stdout.decode()

        # Refused cleanly: the account stays on A, served and not suspended.
        same_node = self.a.admin('move', ALICE, '--to', 'us', '--consent',
                                 self.write('plain', consent), check=False)
        self.assertIn('--target-socket', same_node.stderr)
        wrong_target = self.move(ALICE, 'us', consent, self.a, check=False)
        self.assertNotEqual(wrong_target.returncode, 0)
        self.assertIn('region us is not hosted on this node', wrong_target.stderr)
        self.assertIn('stays where it was', wrong_target.stderr)
        forged = consent.replace('to us', 'to eu')
        self.assertNotEqual(self.move(ALICE, 'us', forged, self.b, check=False).returncode, 0)
        self.assertEqual(self.region_of(self.b, ALICE), 'eu')
        self.assertEqual(self.rcpt(self.a, ALICE)[0], 250)
        client = self.a.imap()
        client.login(ALICE, 'a password 456')
        client.logout()

        moved = self.move(ALICE, 'us', consent, self.b)
        self.assertIn('moved %s to region us' % ALICE, moved.stdout)
        self.assertIn('carried', moved.stderr)  # progress
        self.assertEqual(self.region_of(self.a, ALICE), 'us')
        shown = json.loads(self.b.admin('--json', 'account', 'show', ALICE).stdout)
        self.assertEqual((shown['region'], shown['messages']), ('us', 3))

        # The referral follows the account; mail goes to B only.
        self.assertIn(b'[REFERRAL imap://127.0.0.1:%d/]' % self.b.imaps_port,
                      self.referral(self.a, ALICE))
        code, text = self.rcpt(self.a, ALICE)
        self.assertEqual(code, 550)
        self.assertIn(b'region us', text)
        lmtp = self.b.lmtp()
        after = b'Subject: after the move\r\n\r\ndelivered to B\r\n'
        lmtp.sendmail('s@example.org', [ALICE], after)
        lmtp.quit()
        client = self.b.imap()
        client.login(ALICE, 'a password 456')  # the password hash moved too
        client.logout()

        # The customer is told where the account went, pins B, reads it all.
        stale = cli.error_line('ls')
        self.assertIn('imap://127.0.0.1:%d/' % self.b.imaps_port, stale)
        cli.run('pin', self.b.fingerprint(), '--server', '127.0.0.1:%d' % self.b.imaps_port)
        self.assertEqual(exported_inbox(cli, os.path.join(self.work, 'alice-export')),
                         sorted(delivered + [after]))
        verified = cli.run('verify').stdout.decode()
        self.assertIn('moved from eu to us', verified)

        # Nothing readable is left on A: the old copy was shredded.
        self.assertFalse(contains(os.path.join(self.a.dir, 'eu'), sample))
        self.assertTrue(contains(os.path.join(self.b.dir, 'us'), sample))

    def write(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, 'w') as f:
            f.write(text)
        return path


if __name__ == '__main__':
    unittest.main(verbosity=2)
