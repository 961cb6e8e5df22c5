"""A message with NUL bytes through the real bridge (issue 12): delivered
over LMTP and APPENDed as literal8, then read with python imaplib the way a
client that never asks for BINARY reads it, and with BINARY. No ordinary
literal carries a NUL (RFC 9051 4.3), the attachment decodes to the bytes
that were sent, and every size the bridge gives is of what it serves."""

import base64
import email
import email.policy
import random
import re
import unittest

from client_test import ACCOUNT, Bridge, crlf, enroll_a_device
from vault_test import Literal, ssl_connect

# No CR or LF in it, so the LMTP transport leaves it as it is; NULs in runs.
_rng = random.Random(12)
ATTACHMENT = bytes(b for b in (_rng.getrandbits(8) for _ in range(5000)) if b not in b'\r\n')
ATTACHMENT = b'\x00\x00PK\x03\x04' + ATTACHMENT + b'\x00' * 40 + b'end'


def nul_message(subject):
    """multipart/mixed: a text part, then an application/octet-stream part
    that is raw bytes with no Content-Transfer-Encoding at all."""
    return crlf(b'From: Carol <carol@example.org>\nTo: alice@example.com\n'
                b'Subject: ' + subject + b'\nMessage-ID: <' + subject + b'@example.org>\n'
                b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="nul"\n\n'
                b'--nul\nContent-Type: text/plain; charset=us-ascii\n\nThe archive is attached.\n'
                b'--nul\nContent-Type: application/octet-stream; name="a.zip"\n'
                b'Content-Disposition: attachment; filename="a.zip"\n\n'
                ) + ATTACHMENT + b'\r\n--nul--\r\n'


def literals(data):
    """The (text before the literal, literal) pairs of one imaplib FETCH
    answer, and the text after the last literal."""
    pairs = [item for item in data if isinstance(item, tuple)]
    rest = b''.join(item for item in data if isinstance(item, bytes))
    return pairs, rest


class BridgeNulTest(unittest.TestCase):
    def setUp(self):
        enroll_a_device(self, 'mailvault-nul-')
        lmtp = self.vault.lmtp()
        lmtp.sendmail('carol@example.org', [ACCOUNT], nul_message(b'delivered'),
                      mail_options=['BODY=8BITMIME'])
        lmtp.quit()

    def append_with_literal8(self, bridge):
        raw = ssl_connect(plain_port=bridge.port, timeout=60)
        self.addCleanup(raw.close)
        raw.expect(b'* OK')
        raw.send(b'a LOGIN %s %s\r\n' % (ACCOUNT.encode(), bridge.password.encode()))
        raw.expect(b'a OK')
        answer = raw.literal_command(b'b', b'APPEND INBOX ',
                                     Literal(nul_message(b'appended'), binary=True))
        self.assertTrue(answer.startswith(b'b OK'), answer)
        raw.send(b'c LOGOUT\r\n')
        raw.expect(b'c OK')

    def assertServedWithoutNul(self, client, uid, stored):
        # Before the bridge has read the message, a FETCH of RFC822.SIZE
        # alone comes from its index, which has the stored size (the window
        # docs/PROTOCOL.md describes).
        typ, data = client.uid('FETCH', uid, '(RFC822.SIZE)')
        self.assertEqual(typ, 'OK')
        self.assertIn(b'RFC822.SIZE %d' % len(stored), data[0])

        typ, data = client.uid('FETCH', uid, '(RFC822.SIZE BODYSTRUCTURE BODY.PEEK[])')
        self.assertEqual(typ, 'OK')
        pairs, rest = literals(data)
        self.assertEqual(len(pairs), 1, data)
        prefix, whole = pairs[0]
        self.assertRegex(prefix, rb'BODY\[\] \{%d\}$' % len(whole))  # not ~{n}
        self.assertNotIn(b'\x00', whole)
        self.assertIn(b'RFC822.SIZE %d ' % len(whole), prefix)  # what is served
        structure = prefix + rest
        attachment = re.search(rb'\("application" "octet-stream" \("name" "a.zip"\) NIL NIL '
                               rb'"base64" (\d+) ', structure)
        self.assertIsNotNone(attachment, structure)
        text = re.search(rb'\("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" (\d+) ',
                         structure)
        self.assertIsNotNone(text, structure)

        # A client that decodes MIME itself gets the attachment intact.
        message = email.message_from_bytes(whole, policy=email.policy.default)
        parts = list(message.iter_parts())
        self.assertEqual(parts[1]['Content-Transfer-Encoding'], 'base64')
        self.assertEqual(parts[1].get_content(), ATTACHMENT)
        self.assertEqual(parts[0].get_content().strip(), 'The archive is attached.')

        typ, data = client.uid('FETCH', uid, '(BODY.PEEK[2] BODY.PEEK[1] BODY.PEEK[2.MIME])')
        self.assertEqual(typ, 'OK')
        pairs, _ = literals(data)
        sections = {}
        for prefix, payload in pairs:
            self.assertRegex(prefix, rb'BODY\[[0-9.A-Z]+\] \{%d\}$' % len(payload))
            self.assertNotIn(b'\x00', payload)
            sections[re.search(rb'BODY\[([0-9.A-Z]+)\] \{', prefix).group(1)] = payload
        self.assertEqual(len(sections[b'2']), int(attachment.group(1)))  # BODYSTRUCTURE's size
        self.assertEqual(len(sections[b'1']), int(text.group(1)))
        self.assertEqual(base64.b64decode(sections[b'2']), ATTACHMENT)
        self.assertIn(b'Content-Transfer-Encoding: base64\r\n', sections[b'2.MIME'])

        # BINARY: the decoded bytes, NULs and all, in a literal8.
        typ, data = client.uid('FETCH', uid, '(BINARY.SIZE[2] BINARY.PEEK[2])')
        self.assertEqual(typ, 'OK')
        pairs, _ = literals(data)
        self.assertEqual(len(pairs), 1, data)
        prefix, binary = pairs[0]
        self.assertRegex(prefix, rb'BINARY\[2\] ~\{%d\}$' % len(ATTACHMENT))
        self.assertIn(b'BINARY.SIZE[2] %d ' % len(ATTACHMENT), prefix)
        self.assertEqual(binary, ATTACHMENT)

        # The text parts a non-BINARY client reads never carry NUL either.
        for item in ('RFC822.HEADER', 'BODY.PEEK[TEXT]'):
            typ, data = client.uid('FETCH', uid, '(%s)' % item)
            self.assertEqual(typ, 'OK')
            pairs, _ = literals(data)
            self.assertNotIn(b'~{', pairs[0][0])
            self.assertNotIn(b'\x00', pairs[0][1])
        return whole

    def catenate(self, bridge, url):
        raw = ssl_connect(plain_port=bridge.port, timeout=60)
        self.addCleanup(raw.close)
        raw.expect(b'* OK')
        raw.send(b'a LOGIN %s %s\r\n' % (ACCOUNT.encode(), bridge.password.encode()))
        raw.expect(b'a OK')
        answer = raw.literal_command(b'b', b'APPEND Drafts CATENATE (URL "' + url + b'")')
        self.assertTrue(answer.startswith(b'b OK'), answer)

    def test_a_part_with_nul_bytes_is_base64_for_body_and_literal8_for_binary(self):
        with Bridge(self.cli) as bridge:
            self.append_with_literal8(bridge)
            client = bridge.client()
            client.select('INBOX')
            served = {}
            for uid, subject in ((1, b'delivered'), (2, b'appended')):
                with self.subTest(subject=subject):
                    served[uid] = self.assertServedWithoutNul(client, str(uid),
                                                              nul_message(subject))
            # A CATENATE URL's PARTIAL counts in what FETCH serves.
            offset = len(served[1]) - 300
            self.catenate(bridge, b'/INBOX/;UID=1/;PARTIAL=%d.100' % offset)
            client.select('Drafts', readonly=True)
            typ, data = client.uid('FETCH', '1', '(BODY.PEEK[])')
            self.assertEqual(typ, 'OK')
            self.assertEqual(data[0][1], served[1][offset:offset + 100])
            client.logout()
            # Once the bridge has read a message, its index has the served
            # size: a later SELECT answers RFC822.SIZE alone with it.
            client = bridge.client()
            client.select('INBOX', readonly=True)
            typ, data = client.uid('FETCH', '1:2', '(RFC822.SIZE)')
            self.assertEqual(typ, 'OK')
            self.assertEqual(len(data), 2, data)
            for uid, line in zip((1, 2), sorted(data)):
                self.assertIn(b'RFC822.SIZE %d' % len(served[uid]), line)
                self.assertIn(b'UID %d' % uid, line)
            client.logout()


if __name__ == '__main__':
    unittest.main(verbosity=2)
