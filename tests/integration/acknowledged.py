"""What the durability tests share: a record of what the server acknowledged
for one enrolled account, and the check that all of it is there and opens
to the exact bytes sent (and nothing that was refused is)."""

import base64
import email
import re

import harness

ACCOUNT = 'alice@localhost'
PASSWORD = 'correct horse battery'


def message(tag, size=2000):
    return (b'From: Bob <bob@example.org>\r\nTo: alice@localhost\r\nSubject: ' + tag.encode() +
            b'\r\nX-Tag: ' + tag.encode() + b'\r\n\r\n' +
            (b'%s line\r\n' % tag.encode()) * (size // 12))


class AcknowledgedMail:
    def __init__(self, test, vault):
        self.test = test
        self.vault = vault
        token = vault.create_account(ACCOUNT, PASSWORD)
        self.device = harness.Device()
        test.assertEqual(self.device.enroll(vault, ACCOUNT, token)[0], 'OK')
        self.inbox = {}  # uid -> plaintext, for every 250 and APPENDUID
        self.sent = []   # every message offered, acknowledged or not

    def login(self):
        client = self.vault.imap()
        client.login(ACCOUNT, PASSWORD)
        self.test.addCleanup(client.shutdown)
        return client

    def deliver(self, lmtp, data):
        """One LMTP transaction; returns (code, text) of the recipient's
        reply (after DATA, or at RCPT if refused there)."""
        self.sent.append(data)
        self.test.assertEqual(lmtp.mail('bob@example.org')[0], 250)
        code, text = lmtp.rcpt(ACCOUNT)
        if code != 250:
            return code, text
        code, text = lmtp.data(data)
        if code == 250:
            uid = int(re.search(rb'delivered as uid (\d+)', text).group(1))
            self.inbox[uid] = data
        return code, text

    def append(self, client, data):
        """APPEND to INBOX; returns (typ, text)."""
        self.sent.append(data)
        typ, response = client.append('INBOX', None, None, data)
        if typ == 'OK':
            uid = int(re.search(rb'\[APPENDUID \d+ (\d+)\]', response[-1]).group(1))
            self.inbox[uid] = data
        return typ, response[-1]

    def assert_all_there(self, refused_may_return=False):
        """Every acknowledged message opens to its bytes, nothing else is in
        INBOX (unless refused_may_return: then only messages the test sent),
        and mailvault-admin verify finds no damage."""
        client = self.vault.imap()
        client.login(ACCOUNT, PASSWORD)
        typ, _ = client.select('INBOX', readonly=True)
        self.test.assertEqual(typ, 'OK')
        typ, _ = client._simple_command('XWRAPS', 'INBOX', self.device.key_id(), '1:*')
        self.test.assertEqual(typ, 'OK')
        _, lines = client._untagged_response('OK', [None], 'XWRAP')
        wraps = {int(l.split()[0]): l.decode().split() for l in lines if l}
        typ, data = client.uid('FETCH', '1:*', '(UID BODY.PEEK[])')
        opened = {}
        for item in data:
            if isinstance(item, tuple):
                uid = int(re.search(rb'UID (\d+)', item[0]).group(1))
                _, blob, wrap = wraps[uid]
                sealed = email.message_from_bytes(item[1]).get_payload(decode=True)
                opened[uid] = harness.open_sealed_body(
                    sealed, harness.unwrap(base64.b64decode(wrap), self.device), ACCOUNT, blob)
        client.logout()
        for uid, data in self.inbox.items():
            self.test.assertEqual(opened.get(uid), data, 'acknowledged uid %d' % uid)
        if refused_may_return:
            for uid, data in opened.items():
                self.test.assertIn(data, self.sent, 'uid %d is a message never sent' % uid)
        else:
            self.test.assertEqual(sorted(opened), sorted(self.inbox), 'only what was acknowledged')
        report = self.vault.admin('verify', check=False)
        self.test.assertEqual(report.returncode, 0, report.stdout + report.stderr)
