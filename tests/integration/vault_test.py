"""End to end on a real mailvaultd: LMTP delivery sealed on arrival, IMAP
over TLS showing sealed wrappers, and an independent reader of the format
opening what was stored."""

import base64
import email
import os
import re
import signal
import smtplib
import socket
import stat
import ssl
import time
import unittest

import harness

CANARY = b'CANARY-4b1d-plaintext-must-never-reach-disk'


def message(subject, body=b'Hello.\r\n'):
    return (b'From: Bob <bob@example.org>\r\nTo: alice@localhost\r\nSubject: ' +
            subject.encode() + b'\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n'
            b'Message-ID: <' + subject.encode().replace(b' ', b'.') + b'@example.org>\r\n\r\n' +
            body)


class VaultTest(unittest.TestCase):
    def setUp(self):
        self.vault = harness.Vault(limits={'max_message': 200000})
        self.addCleanup(self.vault.cleanup)

    def enrolled(self, address='alice@localhost', password='correct horse battery'):
        token = self.vault.create_account(address, password)
        device = harness.Device()
        typ, _ = device.enroll(self.vault, address, token)
        self.assertEqual(typ, 'OK')
        return device, password

    def raw_login(self):
        """A raw TLS connection, logged in as alice, for byte-exact exchanges."""
        raw = ssl_connect(self.vault)
        self.addCleanup(raw.close)
        raw.expect(b'* OK')
        raw.send(b'a LOGIN alice@localhost "correct horse battery"\r\n')
        raw.expect(b'a OK')
        return raw

    def login(self, address='alice@localhost', password='correct horse battery'):
        client = self.vault.imap()
        client.login(address, password)
        return client

    def assert_answers(self, raw, cases):
        """Each (command, untagged line) of `cases` sent on `raw`: exactly
        that one line before the tagged OK."""
        for command, expected in cases:
            raw.send(b't ' + command + b'\r\n')
            raw.expect(b't OK')
            self.assertEqual(raw.untagged(), [expected], command)

    def appended(self, count, prefix='m'):
        """alice enrolled, with `count` messages APPENDed by a generic
        client (modseqs 1..count); returns that client, logged in."""
        self.enrolled()
        client = self.login()
        for i in range(count):
            self.assertEqual(client.append('INBOX', None, None, message('%s%d' % (prefix, i)))[0],
                             'OK')
        return client

    def test_the_largest_id_rfc_2971_allows_is_answered_before_login(self):
        self.enrolled()
        raw = ssl_connect(self.vault)
        self.addCleanup(raw.close)
        raw.expect(b'* OK')
        # 30 fields of 30 bytes, values of 1024 bytes, every byte escaped.
        fields = b' '.join(b'"%s" "%s"' % (b'f%029d' % i, b'\\"' * 1024) for i in range(30))
        self.assertGreater(len(fields), 60000)
        raw.send(b'a ID (' + fields + b')\r\n')
        raw.expect(b'a OK')
        self.assertIn(b'* ID (', raw.before)
        # Beyond the budget: BAD, and the connection goes on.
        raw.send(b'b ID ("x" "' + b'y' * 70000 + b'")\r\nc LOGIN alice@localhost "correct horse battery"\r\n')
        raw.expect(b'b BAD')
        raw.expect(b'line too long')
        raw.expect(b'c OK')

    def test_delivery_is_sealed_and_opens_byte_for_byte(self):
        device, _ = self.enrolled()
        original = message('Quarterly numbers', b'Secret: ' + CANARY + b'\r\n.dot line\r\n')
        lmtp = self.vault.lmtp()
        refused = lmtp.sendmail('bob@example.org', ['alice@localhost'], original)
        self.assertEqual(refused, {})
        lmtp.quit()

        client = self.login()
        typ, data = client.select('INBOX')
        self.assertEqual((typ, data), ('OK', [b'1']))
        typ, data = client.uid('FETCH', '1:*', '(UID RFC822.SIZE BODY.PEEK[])')
        self.assertEqual(typ, 'OK')
        wrapper = data[0][1]
        size = int(re.search(rb'RFC822.SIZE (\d+)', data[0][0]).group(1))
        self.assertEqual(size, len(wrapper))
        parsed = email.message_from_bytes(wrapper)
        self.assertEqual(parsed.get_content_type(), 'application/vnd.mailvault.sealed')
        self.assertNotIn(b'Quarterly', wrapper)
        sealed = parsed.get_payload(decode=True)
        blob_id = re.search(r'Sealed message ([0-9a-f]{32})', parsed['Subject']).group(1)

        typ, _ = client._simple_command('XWRAPS', 'INBOX', device.key_id(), '1:*')
        self.assertEqual(typ, 'OK')
        typ, wraps = client._untagged_response(typ, [None], 'XWRAP')
        uid, wrap_blob, wrap = wraps[0].decode().split(' ')
        self.assertEqual((uid, wrap_blob), ('1', blob_id))
        data_key = harness.unwrap(base64.b64decode(wrap), device)
        opened = harness.open_sealed_body(sealed, data_key, 'alice@localhost', blob_id)
        self.assertEqual(opened, original)
        client.logout()

        self.vault.stop()
        self.assertFalse(self.vault.files_contain(CANARY), 'plaintext reached the disk')

    def test_lmtp_replies_per_recipient(self):
        self.enrolled()
        self.vault.create_account('nokey@localhost')
        lmtp = self.vault.lmtp()
        code, _ = lmtp.mail('bob@example.org')
        self.assertEqual(code, 250)
        self.assertEqual(lmtp.rcpt('alice@localhost')[0], 250)
        self.assertEqual(lmtp.rcpt('Alice@LOCALHOST')[0], 250)
        code, text = lmtp.rcpt('nobody@localhost')
        self.assertEqual((code, text[:5]), (550, b'5.1.1'))
        code, text = lmtp.rcpt('nokey@localhost')
        self.assertEqual((code, text[:5]), (450, b'4.2.0'))
        lmtp.putcmd('data')
        self.assertEqual(lmtp.getreply()[0], 354)
        lmtp.send(message('two copies') + b'.\r\n')
        replies = [lmtp.getreply() for _ in range(2)]
        self.assertEqual([r[0] for r in replies], [250, 250])
        # Over the configured 200000-byte limit: 552 for each recipient.
        lmtp.mail('bob@example.org')
        lmtp.rcpt('alice@localhost')
        lmtp.putcmd('data')
        lmtp.getreply()
        lmtp.send(message('big', b'x' * 250000 + b'\r\n') + b'.\r\n')
        code, text = lmtp.getreply()
        self.assertEqual((code, text[:5]), (552, b'5.3.4'))
        code, _ = lmtp.mail('bob@example.org', ['SIZE=999999999'])
        self.assertEqual(code, 552)
        lmtp.quit()
        client = self.login()
        self.assertEqual(client.select('INBOX'), ('OK', [b'2']))
        client.logout()

    def test_content_search_is_refused_and_metadata_search_works(self):
        self.enrolled()
        lmtp = self.vault.lmtp()
        for i in range(3):
            lmtp.sendmail('bob@example.org', ['alice@localhost'], message('m%d' % i))
        lmtp.quit()
        client = self.login()
        client.select('INBOX')
        client.store('2', '+FLAGS', '(\\Flagged)')
        self.assertEqual(client.search(None, 'FLAGGED'), ('OK', [b'2']))
        self.assertEqual(client.search(None, 'UNFLAGGED', 'LARGER', '10'), ('OK', [b'1 3']))
        self.assertEqual(client.uid('SEARCH', 'UID', '2:*'), ('OK', [b'2 3']))
        typ, data = client.search(None, 'SUBJECT', 'm1')
        self.assertEqual(typ, 'NO')
        self.assertIn(b'[CANNOT]', data[0])
        client.logout()

    def test_sort_by_arrival_and_size_and_no_content_keys_or_thread(self):
        # The vault sees arrival and the sealed size, not the headers: SORT
        # by those works, a key or THREAD that needs headers gets NO [CANNOT].
        self.enrolled()
        client = self.login()
        caps = client.capability()[1][0].split()
        self.assertIn(b'SORT', caps)
        self.assertIn(b'ESORT', caps)
        self.assertFalse([c for c in caps if c.startswith(b'THREAD=') or c == b'SORT=DISPLAY'])
        bodies = [b'x' * 3000, b'y' * 100, b'z' * 6000]
        dates = ['"05-Jan-2027 10:00:00 +0000"', '"01-Jan-2027 10:00:00 +0000"',
                 '"03-Jan-2027 10:00:00 +0000"']
        for i in range(3):
            client.append('INBOX', None, dates[i], message('s%d' % i, bodies[i] + b'\r\n'))
        client.select('INBOX')
        self.assertEqual(client.sort('(ARRIVAL)', 'UTF-8', 'ALL'), ('OK', [b'2 3 1']))
        self.assertEqual(client.uid('SORT', '(REVERSE ARRIVAL)', 'UTF-8', 'ALL'), ('OK', [b'1 3 2']))
        self.assertEqual(client.sort('(SIZE)', 'US-ASCII', 'ALL'), ('OK', [b'2 1 3']))
        self.assertEqual(client.sort('(REVERSE SIZE ARRIVAL)', 'UTF-8', 'UID', '2:*'),
                         ('OK', [b'3 2']))
        for criteria in ('(SUBJECT)', '(ARRIVAL DATE)', '(DISPLAYFROM)'):
            typ, data = client.sort(criteria, 'UTF-8', 'ALL')
            self.assertEqual(typ, 'NO', criteria)
            self.assertIn(b'[CANNOT]', data[0])
            self.assertIn(b'sealed on the vault', data[0])
        typ, data = client.sort('(ARRIVAL)', 'UTF-8', 'SUBJECT', 's1')
        self.assertEqual(typ, 'NO')
        self.assertIn(b'[CANNOT]', data[0])
        typ, data = client.sort('(ARRIVAL)', 'KOI8-R', 'ALL')
        self.assertEqual(typ, 'NO')
        self.assertIn(b'[BADCHARSET', data[0])
        for algorithm in ('REFERENCES', 'ORDEREDSUBJECT'):
            typ, data = client.thread(algorithm, 'UTF-8', 'ALL')
            self.assertEqual(typ, 'NO')
            self.assertIn(b'[CANNOT] Threading needs the message headers', data[0])
        client.logout()
        raw = self.raw_login()
        raw.send(b's SELECT INBOX\r\n')
        raw.expect(b's OK')
        cases = [
            (b'UID SORT RETURN (MIN MAX COUNT) (SIZE) UTF-8 ALL',
             b'* ESEARCH (TAG "t") UID MIN 2 MAX 3 COUNT 3'),
            (b'SORT RETURN (ALL) (REVERSE ARRIVAL) UTF-8 ALL', b'* ESEARCH (TAG "t") ALL 1,3,2'),
            (b'SORT RETURN () (ARRIVAL) UTF-8 ALL', b'* ESEARCH (TAG "t") ALL 2:3,1'),
            (b'SORT (ARRIVAL) UTF-8 UID 9', b'* SORT'),
        ]
        self.assert_answers(raw, cases)

    def test_updating_searches_follow_other_sessions_and_partial_pages(self):
        # RFC 5267 CONTEXT=SEARCH/SORT with UPDATE and RFC 9394 PARTIAL, on
        # what the vault sees: flags, arrival, uids.
        self.enrolled()
        b = self.login()
        self.assertTrue({b'CONTEXT=SEARCH', b'CONTEXT=SORT', b'PARTIAL'} <=
                        set(b.capability()[1][0].split()))
        for i, day in enumerate(('05', '01', '03')):
            b.append('INBOX', None, '"%s-Jan-2027 10:00:00 +0000"' % day, message('c%d' % i))
        b.select('INBOX')
        a = self.raw_login()
        a.send(b's SELECT INBOX\r\n')
        a.expect(b's OK')
        self.assert_answers(a, [
            (b'UID SEARCH RETURN (PARTIAL -1:-2) ALL', b'* ESEARCH (TAG "t") UID PARTIAL (-1:-2 2:3)'),
            (b'SEARCH RETURN (PARTIAL 3:9 COUNT) ALL', b'* ESEARCH (TAG "t") PARTIAL (3:9 3) COUNT 3'),
            (b'UID SEARCH RETURN (PARTIAL 5:6) ALL', b'* ESEARCH (TAG "t") UID PARTIAL (5:6 NIL)'),
            (b'SORT RETURN (PARTIAL 1:2) (REVERSE ARRIVAL) UTF-8 ALL',
             b'* ESEARCH (TAG "t") PARTIAL (1:2 1,3)'),
            (b'UID FETCH 1:* (FLAGS) (PARTIAL -1:-1)', b'* 3 FETCH (FLAGS () UID 3)'),
        ])
        a.send(b'x SEARCH RETURN (PARTIAL 1:2 ALL) ALL\r\n')
        a.expect(b'x BAD')
        a.send(b'u1 UID SEARCH RETURN (UPDATE) UNSEEN\r\n')
        a.expect(b'u1 OK')
        self.assertEqual(a.untagged(), [b'* ESEARCH (TAG "u1") UID ALL 1:3'])
        a.send(b'u2 UID SORT RETURN (UPDATE) (REVERSE ARRIVAL) UTF-8 UNDELETED\r\n')
        a.expect(b'u2 OK')
        self.assertEqual(a.untagged(), [b'* ESEARCH (TAG "u2") UID ALL 1,3,2'])
        a.send(b'u1 UID SEARCH RETURN (UPDATE) ALL\r\n')
        a.expect(b'u1 BAD')  # RFC 5267 4.3: the tag is in use

        # Another session: uid 2 read, uid 4 arrives (the newest), uid 1 goes.
        b.uid('STORE', '2', '+FLAGS', '(\\Seen)')
        b.append('INBOX', None, '"07-Jan-2027 10:00:00 +0000"', message('c3'))
        b.uid('STORE', '1', '+FLAGS', '(\\Deleted)')
        b.expunge()
        a.send(b'n1 NOOP\r\n')
        a.expect(b'n1 OK')
        lines = a.untagged()
        # Removals while uid 1 is still message 1; additions once message 3
        # exists; the new message first in REVERSE ARRIVAL order.
        self.assertEqual(lines[:3], [b'* ESEARCH (TAG "u1") UID REMOVEFROM (0 1)',
                                     b'* ESEARCH (TAG "u2") UID REMOVEFROM (1 1)',
                                     b'* 1 EXPUNGE'], lines)
        self.assertIn(b'* 3 EXISTS', lines)
        self.assertEqual(lines[-2:], [b'* ESEARCH (TAG "u1") UID REMOVEFROM (0 2) ADDTO (0 4)',
                                      b'* ESEARCH (TAG "u2") UID ADDTO (1 4)'], lines)
        # The session's own STORE updates its searches too.
        a.send(b's1 UID STORE 3 +FLAGS.SILENT (\\Seen)\r\n')
        a.expect(b's1 OK')
        self.assertEqual(a.untagged(), [b'* ESEARCH (TAG "u1") UID REMOVEFROM (0 3)'])
        # CANCELUPDATE: quoted tags of updating searches only.
        a.send(b'c1 CANCELUPDATE "u1"\r\n')
        a.expect(b'c1 OK')
        a.send(b'c2 CANCELUPDATE "u1"\r\n')
        a.expect(b'c2 NO')
        a.send(b'c3 CANCELUPDATE u2\r\n')
        a.expect(b'c3 BAD')
        b.uid('STORE', '4', '+FLAGS', '(\\Seen)')  # u1 would have said so
        b.uid('STORE', '3', '+FLAGS', '(\\Deleted)')
        a.send(b'n2 NOOP\r\n')
        a.expect(b'n2 OK')
        self.assertEqual([l for l in a.untagged() if b'ESEARCH' in l],
                         [b'* ESEARCH (TAG "u2") UID REMOVEFROM (2 3)'])
        # Message numbers shift with expunges: such a program is answered
        # but not followed; past eight updating searches, none is.
        a.send(b'n3 SEARCH RETURN (UPDATE) 1:2\r\n')
        a.expect(b'n3 OK')
        self.assertEqual(a.untagged()[0][:24], b'* NO [NOUPDATE "n3"] Sea')
        for i in range(7):
            a.send(b'k%d UID SEARCH RETURN (UPDATE COUNT) ALL\r\n' % i)
            a.expect(b'k%d OK' % i)
            self.assertEqual(a.untagged(), [b'* ESEARCH (TAG "k%d") UID COUNT 3' % i])
        a.send(b'k7 UID SEARCH RETURN (UPDATE COUNT) ALL\r\n')
        a.expect(b'k7 OK')
        self.assertEqual(a.untagged()[0][:25], b'* NO [NOUPDATE "k7"] At m')
        # Leaving the mailbox ends them all.
        a.send(b'un UNSELECT\r\ns2 SELECT INBOX\r\nc4 CANCELUPDATE "u2"\r\n')
        a.expect(b'c4 NO')
        b.logout()

    def test_notify_sends_events_between_commands(self):
        # RFC 5465 on the vault: the selected mailbox's changes as EXISTS and
        # FETCH, other mailboxes' as STATUS, names and subscriptions as LIST,
        # all without a command from the client.
        self.enrolled()
        b = self.login()
        self.assertIn(b'NOTIFY', b.capability()[1][0].split())
        for name in ('Keep', 'Lists/dev'):
            self.assertEqual(b.create(name)[0], 'OK')
        a = self.raw_login()
        a.send(b's SELECT INBOX\r\n')
        a.expect(b's OK')
        a.send(b'n1 NOTIFY SET STATUS (selected (MessageNew (UID FLAGS) MessageExpunge FlagChange))'
               b' (personal (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange))\r\n')
        a.expect(b'n1 OK')
        a.read_line()  # the rest of the tagged line
        # Every mailbox but the selected one, as it stands.
        statuses = {l.split(b' ')[2]: l for l in a.untagged() if l.startswith(b'* STATUS')}
        self.assertNotIn(b'INBOX', statuses)
        self.assertRegex(statuses[b'Keep'],
                         rb'^\* STATUS Keep \(MESSAGES 0 UIDNEXT 1 UIDVALIDITY \d+ UNSEEN 0\)$')
        self.assertTrue(statuses[b'Lists/dev'].startswith(b'* STATUS Lists/dev (MESSAGES 0 '))

        def unsolicited(count):
            return [a.read_line() for _ in range(count)]

        # Another session's APPEND and flag change elsewhere: STATUS, unasked.
        b.append('Keep', None, None, message('kept'))
        self.assertRegex(unsolicited(1)[0],
                         rb'^\* STATUS Keep \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \d+ UNSEEN 1\)$')
        b.select('Keep')
        b.store('1', '+FLAGS', '(\\Seen)')
        self.assertRegex(unsolicited(1)[0], rb'^\* STATUS Keep \(MESSAGES 1 UIDNEXT 2 .* UNSEEN 0\)$')
        # A delivery to the selected INBOX: EXISTS, then the FETCH MessageNew asked for.
        lmtp = self.vault.lmtp()
        self.assertEqual(lmtp.sendmail('bob@example.org', ['alice@localhost'], message('new')), {})
        lmtp.quit()
        lines = unsolicited(3)
        self.assertEqual(lines[0], b'* 1 EXISTS', lines)
        self.assertEqual(lines[1], b'* 1 RECENT', lines)
        self.assertEqual(lines[2], b'* 1 FETCH (UID 1 FLAGS (\\Recent))', lines)
        # Names and subscriptions.
        b.create('Work')
        b.rename('Work', 'Play')
        b.delete('Play')
        b.subscribe('Keep')
        self.assertEqual(unsolicited(4), [b'* LIST () "/" Work',
                                          b'* LIST () "/" Play ("OLDNAME" (Work))',
                                          b'* LIST (\\NonExistent) "/" Play',
                                          b'* LIST (\\Subscribed) "/" Keep'])
        # The RFC's rules on events, and events it does not report here.
        a.send(b'x1 NOTIFY SET (personal (MessageNew))\r\n')
        a.expect(b'x1 BAD')
        a.send(b'x2 NOTIFY SET (personal (MessageNew MessageExpunge AnnotationChange))\r\n')
        a.expect(b'x2 NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName '
                 b'SubscriptionChange)]')
        # Only Keep's arrivals now, during IDLE too.
        a.send(b'n2 NOTIFY SET (mailboxes Keep (MessageNew MessageExpunge))\r\n')
        a.expect(b'n2 OK')
        a.send(b'i IDLE\r\n')
        a.expect(b'+ idling\r\n')
        b.create('Elsewhere')  # no MailboxName asked for: nothing
        b.append('Lists/dev', None, None, message('not watched'))
        b.append('Keep', None, None, message('watched'))
        self.assertRegex(unsolicited(1)[0], rb'^\* STATUS Keep \(MESSAGES 2 UIDNEXT 3 ')
        a.send(b'DONE\r\n')
        a.expect(b'i OK')
        a.send(b'n3 NOTIFY NONE\r\n')
        a.expect(b'n3 OK')
        b.append('Keep', None, None, message('unwatched'))
        a.send(b'p NOOP\r\n')
        a.expect(b'p OK')
        self.assertFalse([l for l in a.untagged() if b'STATUS' in l], a.before)
        b.logout()

    def test_append_seals_plaintext_and_two_sessions_stay_consistent(self):
        self.enrolled()
        a = self.login()
        b = self.login()
        a.select('INBOX')
        b.select('INBOX')
        typ, data = a.append('INBOX', '(\\Seen)', None, message('appended'))
        self.assertEqual(typ, 'OK')
        self.assertRegex(data[0].decode(), r'\[APPENDUID \d+ 1\]')
        b.noop()
        self.assertEqual(b.untagged_responses['EXISTS'][-1], b'1')
        b.store('1', '+FLAGS', '(\\Deleted)')
        b.expunge()
        a.noop()
        self.assertEqual(a.untagged_responses['EXPUNGE'], [b'1'])
        self.assertEqual(a.search(None, 'ALL'), ('OK', [b'']))
        a.logout()
        b.logout()

    def test_recent_belongs_to_the_first_session_that_selects(self):
        self.enrolled()
        lmtp = self.vault.lmtp()
        for i in range(2):
            lmtp.sendmail('bob@example.org', ['alice@localhost'], message('r%d' % i))
        looker = self.login()
        self.assertIn(b'(RECENT 2)', looker.status('INBOX', '(RECENT)')[1][0])
        looker.select('INBOX', readonly=True)  # EXAMINE shows them, takes none
        self.assertEqual(looker.untagged_responses.get('RECENT'), [b'2'])
        looker.logout()

        a = self.login()
        a.select('INBOX')
        self.assertEqual(a.untagged_responses.get('RECENT'), [b'2'])
        self.assertIn(b'\\Recent', a.fetch('1', '(FLAGS)')[1][0])
        self.assertEqual(a.search(None, 'RECENT')[1], [b'1 2'])
        self.assertEqual(a.search(None, 'NEW')[1], [b'1 2'])
        self.assertEqual(a.search(None, 'OLD')[1], [b''])
        b = self.login()
        b.select('INBOX')
        self.assertEqual(b.untagged_responses.get('RECENT'), [b'0'])
        self.assertNotIn(b'\\Recent', b.fetch('1', '(FLAGS)')[1][0])

        lmtp.sendmail('bob@example.org', ['alice@localhost'], message('r2'))
        lmtp.quit()
        a.untagged_responses.clear()  # select() leaves its EXISTS there
        b.untagged_responses.clear()
        a.noop()  # the first to hear of it
        self.assertEqual(a.untagged_responses.pop('EXISTS', None), [b'3'])
        self.assertEqual(a.untagged_responses.pop('RECENT', None), [b'3'])
        b.noop()
        self.assertEqual(b.untagged_responses.pop('EXISTS', None), [b'3'])
        self.assertEqual(b.untagged_responses.pop('RECENT', None), [b'0'])
        self.assertIn(b'\\Recent', a.fetch('3', '(FLAGS)')[1][0])
        self.assertEqual(b.search(None, 'RECENT')[1], [b''])
        # IMAP4rev2 dropped \Recent: a client that enables it sees none.
        c = self.login()
        c._simple_command('ENABLE', 'IMAP4rev2')
        c.select('INBOX')
        self.assertIsNone(c.untagged_responses.get('RECENT'))

    def test_subscriptions_are_names_apart_from_mailboxes(self):
        self.enrolled()
        c = self.login()

        def listed(*args):
            c.untagged_responses.pop('LIST', None)
            c.untagged_responses.pop('LSUB', None)
            typ, _ = c._simple_command(*args)
            self.assertEqual(typ, 'OK')
            return sorted(c.untagged_responses.pop(args[0], []))

        for name in ('Work', 'Work/Old', 'Work/Now'):
            self.assertEqual(c.create(name)[0], 'OK')
        # CREATE subscribes nothing (INBOX is subscribed from the start).
        self.assertEqual(listed('LSUB', '""', '"*"'), [b'(\\HasNoChildren \\Subscribed) "/" INBOX'])
        self.assertEqual(c.subscribe('Work/Old')[0], 'OK')
        self.assertEqual(c.subscribe('Later')[0], 'OK')  # before it exists
        self.assertEqual(c.delete('Work/Old')[0], 'OK')  # stays subscribed
        self.assertEqual(listed('LIST', '(SUBSCRIBED)', '""', '"*"'), [
            b'(\\HasNoChildren \\Subscribed) "/" INBOX',
            b'(\\NonExistent \\HasNoChildren \\Subscribed) "/" Later',
            b'(\\NonExistent \\HasNoChildren \\Subscribed) "/" Work/Old'])
        self.assertEqual(listed('LSUB', '""', '"*"'), [
            b'(\\HasNoChildren \\Subscribed) "/" INBOX',
            b'(\\Noselect \\HasNoChildren \\Subscribed) "/" Later',
            b'(\\Noselect \\HasNoChildren \\Subscribed) "/" Work/Old'])
        # RFC 5258 3.5: a parent of a subscribed name, with CHILDINFO.
        self.assertEqual(listed('LIST', '(SUBSCRIBED RECURSIVEMATCH)', '""', '"%"'), [
            b'(\\HasChildren) "/" Work ("CHILDINFO" ("SUBSCRIBED"))',
            b'(\\HasNoChildren \\Subscribed) "/" INBOX',
            b'(\\NonExistent \\HasNoChildren \\Subscribed) "/" Later'])
        self.assertEqual(listed('LIST', '""', '"Work*"', 'RETURN', '(SUBSCRIBED)'), [
            b'(\\HasChildren) "/" Work',
            b'(\\HasNoChildren) "/" Work/Now'])
        self.assertEqual(c.unsubscribe('Later')[0], 'OK')
        self.assertEqual(c.unsubscribe('Work/Old')[0], 'OK')
        self.assertEqual(listed('LIST', '(SUBSCRIBED)', '""', '"*"'),
                         [b'(\\HasNoChildren \\Subscribed) "/" INBOX'])

    def test_two_sessions_see_each_others_changes_in_order(self):
        # The sync after each command reads the changes since the view's
        # modseq (the shard's change index), not the whole mailbox: every
        # STORE, EXPUNGE and APPEND of the other session must still arrive,
        # in an order that keeps sequence numbers right.
        b = self.appended(4)
        a = self.raw_login()
        a.send(b's1 SELECT INBOX (CONDSTORE)\r\n')
        a.expect(b's1 OK')
        b.select('INBOX')
        b.store('2', '+FLAGS', '(\\Flagged)')
        b.store('1', '+FLAGS', '(\\Deleted)')
        b.expunge()
        self.assertEqual(b.append('INBOX', None, None, message('m4'))[0], 'OK')
        a.send(b'n1 NOOP\r\n')
        a.expect(b'n1 OK')
        lines = a.untagged()
        self.assertEqual(lines[0], b'* 1 EXPUNGE', lines)
        # `a` selected first: the four are \Recent to it (RFC 3501).
        self.assertRegex(lines[1],
                         rb'^\* 1 FETCH \(UID 2 FLAGS \(\\Flagged \\Recent\) MODSEQ \(\d+\)\)$')
        self.assertEqual(lines[2], b'* 4 EXISTS', lines)
        # The new message went to `b`, whose sync after its APPEND saw it first.
        self.assertEqual(lines[3], b'* 3 RECENT', lines)
        # CONDSTORE: the expunge raised HIGHESTMODSEQ with no FETCH to say so.
        typ, data = b.status('INBOX', '(HIGHESTMODSEQ)')
        highest = re.search(rb'HIGHESTMODSEQ (\d+)', data[0]).group(1)
        self.assertEqual(lines[4], b'* OK [HIGHESTMODSEQ ' + highest + b'] Highest', lines)
        self.assertEqual(len(lines), 5, lines)
        # A session's own STORE at a higher modseq does not hide the other
        # session's earlier change below it.
        b.store('3', '+FLAGS', '(\\Seen)')   # uid 4
        a.send(b's2 STORE 1 +FLAGS.SILENT ($Mine)\r\n')  # uid 2
        a.expect(b's2 OK')
        a.send(b'n2 NOOP\r\n')
        a.expect(b'n2 OK')
        self.assertRegex(a.before, rb'\* 3 FETCH \(UID 4 FLAGS \(\\Seen \\Recent\)')
        a.send(b'f1 UID FETCH 1:* (FLAGS)\r\n')
        a.expect(b'f1 OK')
        self.assertEqual(re.findall(rb'\* (\d+) FETCH \([^\r]*?UID (\d+)', a.before),
                         [(b'1', b'2'), (b'2', b'3'), (b'3', b'4'), (b'4', b'5')])
        # STATUS comes from the counts kept with each change, and agrees.
        typ, data = b.status('INBOX', '(MESSAGES UNSEEN DELETED)')
        self.assertEqual(typ, 'OK')
        self.assertIn(b'(MESSAGES 4 UNSEEN 3 DELETED 0)', data[0])
        b.store('1', '+FLAGS', '(\\Deleted)')
        typ, data = b.status('INBOX', '(MESSAGES UNSEEN DELETED SIZE)')
        self.assertRegex(data[0], rb'MESSAGES 4 UNSEEN 3 DELETED 1 SIZE [1-9]\d*\)')
        b.logout()

    def test_qresync_resynchronises_a_cache_from_the_change_index(self):
        b = self.appended(4)
        a = self.raw_login()
        a.send(b'q0 SELECT INBOX (QRESYNC (1 1))\r\n')
        a.expect(b'q0 BAD')  # not enabled yet
        a.send(b'e1 ENABLE QRESYNC\r\n')
        a.expect(b'e1 OK')
        self.assertIn(b'* ENABLED CONDSTORE QRESYNC', a.before)
        a.send(b's1 SELECT INBOX\r\n')
        a.expect(b's1 OK')
        uidvalidity = int(re.search(rb'UIDVALIDITY (\d+)', a.before).group(1))
        modseq = int(re.search(rb'HIGHESTMODSEQ (\d+)', a.before).group(1))
        a.send(b'c1 CLOSE\r\n')
        a.expect(b'c1 OK')
        # Offline, the cache misses: a flag on uid 2, uid 1 expunged, uid 5 new.
        b.select('INBOX')
        b.store('2', '+FLAGS', '(\\Flagged)')
        b.store('1', '+FLAGS', '(\\Deleted)')
        b.expunge()
        b.append('INBOX', None, None, message('m4'))
        a.send(b's2 SELECT INBOX (QRESYNC (%d %d 1:4))\r\n' % (uidvalidity, modseq))
        a.expect(b's2 OK')
        lines = a.untagged()
        self.assertIn(b'* VANISHED (EARLIER) 1', lines)
        self.assertTrue(any(re.match(rb'\* 1 FETCH \(UID 2 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$',
                                     l) for l in lines), lines)
        self.assertTrue(any(re.match(rb'\* 4 FETCH \(UID 5 FLAGS \(\) MODSEQ', l) for l in lines),
                        lines)
        self.assertFalse(any(b'EXPUNGE' in l for l in lines), lines)
        # While selected, another session's expunge comes as VANISHED.
        b.store('2', '+FLAGS', '(\\Deleted)')  # uid 3
        b.expunge()
        a.send(b'n1 NOOP\r\n')
        a.expect(b'n1 OK')
        self.assertIn(b'* VANISHED 3\r\n', a.before + b'\r\n')
        self.assertNotIn(b'EXPUNGE', a.before)
        # UID FETCH with CHANGEDSINCE and VANISHED: the earlier expunges first.
        a.send(b'f1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)\r\n' % modseq)
        a.expect(b'f1 OK')
        lines = a.untagged()
        self.assertEqual(lines[0], b'* VANISHED (EARLIER) 1,3', lines)
        self.assertEqual(sorted(re.findall(rb'UID (\d+)', b' '.join(lines[1:]))), [b'2', b'5'])
        # Another mailbox's (or an older) UIDVALIDITY: nothing to resync.
        a.send(b's3 SELECT INBOX (QRESYNC (%d %d))\r\n' % (uidvalidity + 1, modseq))
        a.expect(b's3 OK')
        self.assertNotIn(b'VANISHED', a.before)
        b.logout()

    def test_fetching_bodies_sets_seen_and_others_see_it(self):
        self.enrolled()
        a = self.login()
        b = self.login()
        for i in range(3):
            a.append('INBOX', None, None, message('m%d' % i))
        a.select('INBOX')
        b.select('INBOX')
        typ, data = a.fetch('1:3', '(BODY[])')
        self.assertEqual(typ, 'OK')
        # FLAGS follows each body, though it was not asked for.
        tails = [d for d in data if isinstance(d, bytes)]
        self.assertEqual(tails, [b' FLAGS (\\Seen \\Recent))'] * 3)  # `a` selected first
        self.assertIn(b'UNSEEN 0', b.status('INBOX', '(UNSEEN)')[1][0])
        b.noop()
        self.assertEqual(len(b.untagged_responses.get('FETCH', [])), 3)
        a.logout()
        b.logout()

    def test_idle_wakes_on_delivery(self):
        self.enrolled()
        raw = self.raw_login()
        raw.send(b'b SELECT INBOX\r\n')
        raw.expect(b'b OK')
        raw.send(b'c IDLE\r\n')
        raw.expect(b'+ ')
        lmtp = self.vault.lmtp()
        lmtp.sendmail('bob@example.org', ['alice@localhost'], message('wake up'))
        lmtp.quit()
        raw.expect(b'* 1 EXISTS')
        raw.send(b'DONE\r\n')
        raw.expect(b'c OK')
        raw.close()

    def test_bad_input_gets_precise_answers_and_others_are_served(self):
        self.enrolled()
        raw = self.raw_login()
        raw.send(b'b SELECT "&Jjo"\r\n')  # unterminated modified UTF-7
        raw.expect(b'b BAD')
        raw.send(b'c SELECT INBOX\r\n')
        raw.expect(b'c OK')
        raw.send(b'd FETCH 1:4294967295 FLAGS\r\n')
        raw.expect(b'd BAD')  # the mailbox is empty: sequence numbers are out of range
        raw.send(b'e UID FETCH 1:4294967295 FLAGS\r\n')
        raw.expect(b'e OK')
        raw.send(b'f NOOP \x00\r\n')
        raw.expect(b'BAD')
        # A name an export would turn into "..", one with an empty level,
        # one that does not decode: well-formed commands, refused with NO.
        raw.send(b'f1 CREATE "Archive/../../outside"\r\n')
        raw.expect(b'f1 NO [CANNOT] hierarchy level ".." is not allowed')
        raw.send(b'f2 RENAME INBOX "."\r\n')
        raw.expect(b'f2 NO [CANNOT]')
        raw.send(b'f3 CREATE "&Jjo"\r\n')
        raw.expect(b'f3 NO [CANNOT]')
        raw.send(b'f4 CREATE "a//b"\r\n')
        raw.expect(b'f4 NO [CANNOT]')
        raw.send(b'f5 RENAME INBOX "x//y"\r\n')
        raw.expect(b'f5 NO [CANNOT]')
        raw.send(b'g APPEND INBOX {999999999}\r\n')
        raw.expect(b'g NO [TOOBIG]')
        raw.send(b'h APPEND INBOX {10}\r\n')  # announced, never sent
        raw.expect(b'+ ')
        # Meanwhile another client is served normally.
        other = self.login()
        self.assertEqual(other.select('INBOX')[0], 'OK')
        other.logout()
        raw.close()

    def test_copy_move_expunge_answer_with_uidplus(self):
        self.enrolled()
        client = self.login()
        client.select('INBOX')
        for i in range(3):
            client.append('INBOX', None, None, message('m%d' % i))
        typ, data = client._simple_command('UID', 'COPY', '1:2', 'Archive')  # tagged text
        self.assertEqual(typ, 'OK')
        self.assertRegex(data[-1].decode(), r'\[COPYUID \d+ 1:2 1:2\]')
        typ, data = client.uid('MOVE', '3', 'Trash')
        self.assertEqual(typ, 'OK')
        self.assertRegex(client.untagged_responses['OK'][-1].decode(), r'\[COPYUID \d+ 3 1\]')
        self.assertEqual(client.untagged_responses.pop('EXPUNGE'), [b'3'])
        typ, data = client._simple_command('UID', 'COPY', '1', 'Nowhere')
        self.assertEqual(typ, 'NO')
        self.assertIn(b'[TRYCREATE]', data[0])
        client.uid('STORE', '1', '+FLAGS.SILENT', '(\\Deleted)')
        typ, data = client.expunge()
        self.assertEqual(data, [b'1'])
        self.assertEqual(client.status('Archive', '(MESSAGES UIDNEXT)'),
                         ('OK', [b'Archive (MESSAGES 2 UIDNEXT 3)']))
        typ, data = client.list()
        names = b' '.join(data)
        for special in (b'\\Sent', b'\\Drafts', b'\\Trash', b'\\Junk', b'\\Archive'):
            self.assertIn(special, names)
        client.logout()

    def test_curl_reads_the_wrapper_over_imaps(self):
        self.enrolled()
        lmtp = self.vault.lmtp()
        lmtp.sendmail('bob@example.org', ['alice@localhost'], message('for curl'))
        lmtp.quit()
        import subprocess
        out = subprocess.run(
            ['curl', '--silent', '--show-error', '--cacert', self.vault.cert,
             '--user', 'alice@localhost:correct horse battery',
             'imaps://127.0.0.1:%d/INBOX;UID=1' % self.vault.imaps_port],
            capture_output=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(b'Content-Type: application/vnd.mailvault.sealed', out.stdout)
        self.assertNotIn(b'for curl', out.stdout)

    def test_starttls_port_refuses_login_in_the_clear_and_drops_pipelined_input(self):
        import imaplib
        self.enrolled()
        client = imaplib.IMAP4('127.0.0.1', self.vault.starttls_port, timeout=30)
        self.assertIn('STARTTLS', client.capabilities)
        self.assertIn('LOGINDISABLED', client.capabilities)
        typ, data = client._simple_command('LOGIN', 'alice@localhost', '"correct horse battery"')
        self.assertEqual(typ, 'NO')
        self.assertIn(b'PRIVACYREQUIRED', data[0])
        client.starttls(ssl_context=self.vault.tls_context())
        client.login('alice@localhost', 'correct horse battery')
        client.logout()

        # A command pipelined behind STARTTLS came in the clear: it is dropped.
        sock = socket.create_connection(('127.0.0.1', self.vault.starttls_port), timeout=20)
        self.addCleanup(sock.close)
        greeting = sock.recv(4096)
        self.assertTrue(greeting.startswith(b'* OK'))
        sock.sendall(b'a STARTTLS\r\nb LOGIN alice@localhost "correct horse battery"\r\n')
        reply = b''
        while b'a OK' not in reply:
            reply += sock.recv(4096)
        tls = self.vault.tls_context().wrap_socket(sock, server_hostname='127.0.0.1')
        tls.sendall(b'c NOOP\r\n')
        after = b''
        while b'c OK' not in after:
            after += tls.recv(4096)
        self.assertNotIn(b'b OK', after)
        self.assertNotIn(b'b NO', after)
        tls.close()

    def test_utf8_names_after_enable_and_invalid_utf8_is_bad(self):
        self.enrolled()
        raw = self.raw_login()
        raw.send(b'b ENABLE IMAP4rev2\r\n')
        raw.expect(b'* ENABLED IMAP4rev2')
        raw.send('c CREATE "Entwürfe"\r\n'.encode())
        raw.expect(b'c OK')
        raw.send(b'd SELECT "\xff\xfe"\r\n')
        raw.expect(b'd BAD')
        raw.send(b'e LIST "" "Entw*"\r\n')
        raw.expect('"Entwürfe"'.encode())
        raw.expect(b'e OK')

    def test_sessions_per_account_are_limited(self):
        self.vault.stop()
        self.vault.limits = {'max_sessions_per_account': 2}
        self.vault.start()
        self.enrolled()
        first, second = self.login(), self.login()
        third = self.vault.imap()
        typ, data = third._simple_command('LOGIN', 'alice@localhost', '"correct horse battery"')
        self.assertEqual(typ, 'NO')
        self.assertIn(b'[LIMIT]', data[0])
        first.logout()
        third.login('alice@localhost', 'correct horse battery')  # a slot is free again
        second.logout()
        third.logout()

    def test_a_client_that_vanishes_frees_its_slots(self):
        """A laptop that loses its network sends no FIN. The server finds
        out by TCP keepalive (dead_peer_seconds) and ends the session, so
        that its account slot is free again long before the 30 minutes of
        the inactivity timeout."""
        self.vault.stop()
        # The first probe goes out 3 s into the silence: time enough to see
        # the slot still taken.
        self.vault.limits = {'max_sessions_per_account': 1, 'dead_peer_seconds': 6}
        self.vault.start()
        self.enrolled()
        gone = self.login()
        gone_mta = smtplib.LMTP('127.0.0.1', self.vault.lmtp_port, timeout=30)
        gone_mta.ehlo('mta.example')
        # Past the delayed ACK of the last answer: a retransmission of it
        # would meet the RST that a probe meets, and so test nothing.
        time.sleep(0.5)
        try:
            harness.vanish(gone)
            harness.vanish(gone_mta)
        except PermissionError:
            self.skipTest('TCP repair mode needs CAP_NET_ADMIN')

        def connections_open():
            text = self.vault.metrics()
            return {protocol: harness.metric(text, 'mailvault_connections_open',
                                             'protocol="%s"' % protocol)
                    for protocol in ('imap', 'lmtp')}

        # The server heard nothing: the vanished session still holds the
        # account's one slot.
        other = self.vault.imap()
        typ, data = other._simple_command('LOGIN', 'alice@localhost', '"correct horse battery"')
        self.assertEqual(typ, 'NO')
        self.assertIn(b'[LIMIT]', data[0])
        self.assertEqual(connections_open(), {'imap': 2, 'lmtp': 1})
        # The first keepalive probe meets the client's RST: both sessions end.
        deadline = time.monotonic() + 15
        while connections_open() != {'imap': 1, 'lmtp': 0}:
            self.assertLess(time.monotonic(), deadline, connections_open())
            time.sleep(0.2)
        other.login('alice@localhost', 'correct horse battery')
        other.logout()

    def test_multiappend_stores_all_messages_in_one_step_or_none(self):
        self.enrolled()
        raw = self.raw_login()
        raw.send(b'c CAPABILITY\r\n')
        raw.expect(b'c OK')
        self.assertIn(b' MULTIAPPEND', raw.before)
        self.assertNotIn(b'CATENATE', raw.before)  # the vault cannot read what a URL names
        raw.send(b'd SELECT INBOX\r\n')
        raw.expect(b'd OK')
        uidvalidity = re.search(rb'UIDVALIDITY (\d+)', raw.before).group(1)

        # RFC 3502: three messages, flags and dates of their own, one APPENDUID.
        answer = raw.literal_command(
            b'e', b'APPEND INBOX (\\Seen) ', Literal(message('one')),
            b' (\\Flagged) " 7-Feb-1994 22:43:04 -0800" ', Literal(message('two')),
            b' ', Literal(message('three')))
        self.assertEqual(answer, b'e OK [APPENDUID ' + uidvalidity + b' 1:3] APPEND completed')
        raw.send(b'f UID FETCH 1:3 (UID FLAGS INTERNALDATE)\r\n')
        raw.expect(b'f OK')
        # (\Recent: this session is the first to see them.)
        self.assertIn(b'UID 1 FLAGS (\\Seen \\Recent)', raw.before)
        self.assertIn(b'UID 2 FLAGS (\\Flagged \\Recent) INTERNALDATE "08-Feb-1994 06:43:04 +0000"',
                      raw.before)

        # The third is over the size limit: refused before a byte of it is
        # read, and the two before it are not stored either.
        answer = raw.literal_command(b'g', b'APPEND INBOX ', Literal(message('four')), b' ',
                                     Literal(message('five')), b' ',
                                     Literal(b'x' * 300000))
        self.assertTrue(answer.startswith(b'g NO [TOOBIG]'), answer)
        # The third is a sealed upload the vault refuses (no wraps): refused
        # after everything arrived, and still nothing is stored.
        answer = raw.literal_command(b'h', b'APPEND INBOX ', Literal(message('six')), b' ',
                                     Literal(message('seven')), b' ',
                                     Literal(harness.sealed_message(b'not a container')))
        self.assertTrue(answer.startswith(b'h NO [CANNOT] Sealed upload refused'), answer)
        raw.send(b'i STATUS INBOX (MESSAGES UIDNEXT)\r\n')
        raw.expect(b'i OK')
        self.assertIn(b'(MESSAGES 3 UIDNEXT 4)', raw.before)

    def test_catenate_gets_precise_answers_on_the_vault(self):
        self.enrolled()
        raw = self.raw_login()
        self.assertEqual(raw.literal_command(b'c', b'APPEND INBOX ', Literal(message('one')))[:4],
                         b'c OK')
        url = b'/INBOX;UIDVALIDITY=1/;UID=1/;SECTION=TEXT'
        answer = raw.literal_command(b'd', b'APPEND INBOX CATENATE (TEXT ',
                                     Literal(b'Subject: joined\r\n\r\n'), b' URL "' + url + b'")')
        self.assertTrue(answer.startswith(b'd NO [BADURL ' + url + b'] Messages are sealed on the vault'),
                        answer)
        answer = raw.literal_command(b'e', b'APPEND INBOX CATENATE (TEXT ', Literal(message('two')),
                                     b')')
        self.assertTrue(answer.startswith(b'e NO [CANNOT] CATENATE is not offered by the vault'),
                        answer)
        raw.send(b'f STATUS INBOX (MESSAGES)\r\n')
        raw.expect(b'f OK')
        self.assertIn(b'(MESSAGES 1)', raw.before)

    def test_sealed_upload_is_stored_as_is_and_a_bare_body_is_refused(self):
        device, _ = self.enrolled()
        original = message('sealed by the client', CANARY + b'\r\n')
        blob_id, body, upload = harness.seal_upload(original, 'alice@localhost', device)
        client = self.login()
        typ, data = client.append('Sent', '(\\Seen)', None, harness.sealed_message(upload))
        self.assertEqual(typ, 'OK', data)
        client.select('Sent')
        typ, data = client.fetch('1', '(BODY.PEEK[])')
        wrapper = email.message_from_bytes(data[0][1])
        self.assertIn(blob_id, wrapper['Subject'])  # stored under the client's blob id
        self.assertEqual(wrapper.get_payload(decode=True), body)  # byte for byte, not re-sealed
        typ, _ = client._simple_command('XWRAPS', 'Sent', device.key_id(), '1')
        typ, wraps = client._untagged_response(typ, [None], 'XWRAP')
        data_key = harness.unwrap(base64.b64decode(wraps[0].split(b' ')[2]), device)
        self.assertEqual(harness.open_sealed_body(body, data_key, 'alice@localhost', blob_id),
                         original)
        # The same blob again, a bare body, and a container for another account.
        typ, data = client.append('Sent', None, None, harness.sealed_message(upload))
        self.assertEqual(typ, 'NO')
        typ, data = client.append('Sent', None, None, harness.sealed_message(body))
        self.assertEqual(typ, 'NO')
        self.assertIn(b'no wraps', data[0])
        _, _, foreign = harness.seal_upload(b'x', 'bob@localhost', device)
        typ, data = client.append('Sent', None, None, harness.sealed_message(foreign))
        self.assertEqual(typ, 'NO')
        self.assertIn(b'another account', data[0])
        client.logout()
        self.vault.stop()
        self.assertFalse(self.vault.files_contain(CANARY))

    def test_signature_login_needs_the_registered_signing_key(self):
        device, _ = self.enrolled()
        client = self.vault.imap()
        self.assertIn('AUTH=X-MAILVAULT-ED25519', client.capabilities)
        typ, _ = device.login_with_signature(client, 'alice@localhost')
        self.assertEqual(typ, 'OK')
        self.assertEqual(client.select('INBOX')[0], 'OK')
        client.logout()
        stranger = harness.Device()
        client = self.vault.imap()
        with self.assertRaises(imaplib_error()) as refused:
            stranger.login_with_signature(client, 'alice@localhost')
        self.assertIn('AUTHENTICATIONFAILED', str(refused.exception))
        client.shutdown()

    def test_idle_clients_are_dropped_and_connections_per_address_limited(self):
        self.vault.stop()
        self.vault.limits = {'idle_pre_auth_seconds': 1, 'max_connections_per_address': 3}
        self.vault.start()
        silent = ssl_connect(self.vault)
        self.addCleanup(silent.close)
        silent.expect(b'* OK')
        silent.send(b'a LOGIN {5}\r\n')  # announces a literal, never sends it
        silent.expect(b'+ Ready')
        silent.expect(b'\r\n')
        started = time.monotonic()
        self.assertEqual(silent.s.recv(100), b'')  # closed by the server
        self.assertLess(time.monotonic() - started, 10)
        # Three connections at most from one address; the fourth is closed.
        held = [ssl_connect(self.vault) for _ in range(3)]
        for c in held:
            c.expect(b'* OK')
        with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
            extra = ssl_connect(self.vault)
            extra.expect(b'* OK')
        for c in held:
            c.close()
        time.sleep(0.2)
        again = ssl_connect(self.vault)  # slots are freed on close
        again.expect(b'* OK')
        again.close()

    def test_a_client_that_never_reads_is_dropped_and_others_are_served(self):
        self.vault.stop()
        self.vault.limits = {'idle_authenticated_seconds': 2}
        self.vault.start()
        self.enrolled()
        lmtp = self.vault.lmtp()
        lmtp.sendmail('bob@example.org', ['alice@localhost'], message('big', b'z' * 150000))
        lmtp.quit()
        raw = self.raw_login()
        raw.send(b'b SELECT INBOX\r\n')
        raw.expect(b'b OK')
        # Ask for far more than the socket buffers hold, and never read.
        raw.send(b''.join(b'f%d FETCH 1 BODY.PEEK[]\r\n' % i for i in range(400)))
        time.sleep(4)
        other = self.login()  # the server is not stuck behind the silent reader
        self.assertEqual(other.select('INBOX'), ('OK', [b'1']))
        other.logout()
        # The silent client was cut off: reading ends well before 400 replies.
        received = b''
        raw.s.settimeout(10)
        try:
            while True:
                chunk = raw.s.recv(1 << 20)
                if not chunk:
                    break
                received += chunk
        except (ssl.SSLError, OSError):
            pass
        self.assertLess(received.count(b' OK FETCH completed'), 400)

    def test_slowloris_gets_no_more_time_to_log_in_than_silence(self):
        """A client trickling a byte a second, in the TLS handshake or in
        its commands before login, is cut off at the login deadline
        (idle_pre_auth_seconds from accept), while a logged-in client keeps
        being answered."""
        self.vault.stop()
        self.vault.limits = {'idle_pre_auth_seconds': 3}
        self.vault.start()
        self.enrolled()
        bystander = self.login()

        def trickle(sock, data):
            """Sends a byte every 0.5 s until the server closes; the time that took."""
            started = time.monotonic()
            for i in range(len(data)):
                try:
                    sock.send(data[i:i + 1])
                except OSError:
                    return time.monotonic() - started
                self.assertEqual(bystander.noop()[0], 'OK')
                time.sleep(0.5)
            self.fail('the server read %d trickled bytes' % len(data))

        # A TLS ClientHello's record header and more, a byte at a time.
        tcp = socket.create_connection(('127.0.0.1', self.vault.imaps_port), timeout=20)
        self.addCleanup(tcp.close)
        took = trickle(tcp, b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + b'\x00' * 40)
        self.assertGreater(took, 2.5)
        self.assertLess(took, 6)
        # After the handshake: a LOGIN line that never ends; each byte used
        # to move the deadline.
        raw = ssl_connect(self.vault)
        self.addCleanup(raw.close)
        raw.expect(b'* OK')
        took = trickle(raw.s, b'a LOGIN alice@localhost "correct horse battery"' + b' ' * 40)
        self.assertGreater(took, 2)
        self.assertLess(took, 6)
        # A client that logs in at once is not bound by it afterwards.
        client = self.login()
        time.sleep(3.5)
        self.assertEqual(client.noop()[0], 'OK')
        client.logout()
        bystander.logout()

    def test_idle_outlasts_the_inactivity_timeout_with_keepalives(self):
        """IDLE sends "* OK Still here" every idle_keepalive_seconds and so
        lasts past idle_authenticated_seconds (30 minutes by default; here
        2 s), while a session that is silent without IDLE is logged out."""
        self.vault.stop()
        self.vault.limits = {'idle_authenticated_seconds': 2, 'idle_keepalive_seconds': 1}
        self.vault.start()
        self.enrolled()
        silent = self.raw_login()
        idler = self.raw_login()
        idler.send(b'i SELECT INBOX\r\n')
        idler.expect(b'i OK')
        idler.send(b'd IDLE\r\n')
        idler.expect(b'+ idling\r\n')
        started = time.monotonic()
        keepalives = 0
        while time.monotonic() - started < 5:
            self.assertEqual(idler.read_line(), b'* OK Still here')
            keepalives += 1
        self.assertGreaterEqual(keepalives, 4)
        # A delivery still wakes it, and DONE ends it.
        lmtp = self.vault.lmtp()
        lmtp.sendmail('bob@example.org', ['alice@localhost'], message('late'))
        lmtp.quit()
        line = idler.read_line()
        while line == b'* OK Still here':
            line = idler.read_line()
        self.assertEqual(line, b'* 1 EXISTS')
        idler.send(b'DONE\r\n')
        idler.expect(b'd OK IDLE terminated\r\n')
        # The silent one was logged out meanwhile.
        silent.s.settimeout(5)
        self.assertEqual(silent.s.recv(100), b'')

    def test_condstore_unchangedsince_reports_modified(self):
        self.enrolled()
        client = self.login()
        client.select('INBOX')
        for i in range(2):
            client.append('INBOX', None, None, message('c%d' % i))
        typ, data = client.fetch('1:2', '(MODSEQ)')
        modseqs = [int(re.search(rb'MODSEQ \((\d+)\)', d).group(1)) for d in data]
        client.store('2', '+FLAGS', '(\\Flagged)')  # 2 changes after the client looked
        typ, data = client._simple_command('STORE', '1:2', '(UNCHANGEDSINCE %d)' % max(modseqs),
                                           '+FLAGS', '(\\Seen)')
        self.assertEqual(typ, 'OK')
        self.assertIn(b'[MODIFIED 2]', data[0])
        self.assertEqual(client.search(None, 'SEEN'), ('OK', [b'1']))
        client.logout()

    def test_condstore_responses_carry_uid_modseq_and_highestmodseq(self):
        # RFC 7162 3.2.4: with CONDSTORE on, every FETCH response a flag
        # change causes carries UID and MODSEQ (STORE, a FETCH that sets
        # \Seen); 3.1: a CONDSTORE enabled while selected is told the
        # mailbox's HIGHESTMODSEQ; an expunge's new HIGHESTMODSEQ is sent.
        b = self.appended(3, 'c')
        a = self.raw_login()
        a.send(b's1 SELECT INBOX\r\n')
        a.expect(b's1 OK')
        self.assertNotIn(b'HIGHESTMODSEQ', a.before)
        a.send(b'f1 FETCH 1 (MODSEQ)\r\n')  # enables CONDSTORE
        a.expect(b'f1 OK')
        self.assertIn(b'* 1 FETCH (MODSEQ (1))', a.before)
        self.assertIn(b'* OK [HIGHESTMODSEQ 3] Highest', a.before)
        a.send(b's2 STORE 2 +FLAGS ($Done)\r\n')
        a.expect(b's2 OK')
        self.assertIn(b'* 2 FETCH (UID 2 FLAGS ($Done \\Recent) MODSEQ (4))', a.before)
        a.send(b's3 STORE 2 +FLAGS.SILENT ($Again)\r\n')
        a.expect(b's3 OK')
        self.assertIn(b'* 2 FETCH (UID 2 MODSEQ (5))', a.before)
        a.send(b'f2 FETCH 3 (BODY[HEADER.FIELDS (SUBJECT)])\r\n')
        a.expect(b'f2 OK')
        self.assertRegex(a.before, rb'\* 3 FETCH \(BODY\[HEADER.FIELDS \(SUBJECT\)\] \{\d+\}'
                                   rb'\r\n[^)]*\r\n FLAGS \(\\Seen \\Recent\) UID 3 MODSEQ \(6\)\)')
        # Read again: no flag changes, so only what was asked for.
        a.send(b'f3 FETCH 3 (FLAGS)\r\n')
        a.expect(b'f3 OK')
        self.assertIn(b'* 3 FETCH (FLAGS (\\Seen \\Recent))', a.before)
        a.send(b'f4 FETCH 2:3 (MODSEQ)\r\n')
        a.expect(b'f4 OK')
        self.assertIn(b'* 2 FETCH (MODSEQ (5))\r\n* 3 FETCH (MODSEQ (6))', a.before)
        a.send(b's4 STORE 1 +FLAGS.SILENT (\\Deleted)\r\n')
        a.expect(b's4 OK')
        a.send(b'x1 EXPUNGE\r\n')
        a.expect(b'x1 OK')
        self.assertIn(b'* 1 EXPUNGE\r\n* OK [HIGHESTMODSEQ 8] Highest\r\n', a.before)
        # Another session's change: FETCH with UID and MODSEQ, then the new
        # HIGHESTMODSEQ, at the next NOOP.
        b.select('INBOX')
        b.store('1', '+FLAGS', '(\\Flagged)')  # uid 2
        a.send(b'n1 NOOP\r\n')
        a.expect(b'n1 OK')
        self.assertIn(b'* 1 FETCH (UID 2 FLAGS ($Again $Done \\Flagged \\Recent) MODSEQ (9))\r\n'
                      b'* OK [HIGHESTMODSEQ 9] Highest\r\n', a.before)
        a.send(b'n2 NOOP\r\n')
        a.expect(b'n2 OK')
        self.assertNotIn(b'HIGHESTMODSEQ', a.before)
        b.logout()

    def test_search_modseq_reports_the_highest_returned(self):
        # RFC 7162 3.1.5/3.1.6 for SEARCH, RFC 4731 3.2 for ESEARCH: the
        # highest mod-sequence of the messages being returned; none for an
        # empty result.
        b = self.appended(4, 's')  # modseqs 1..4
        a = self.raw_login()
        a.send(b's1 SELECT INBOX (CONDSTORE)\r\n')
        a.expect(b's1 OK')
        a.send(b's2 STORE 2 +FLAGS.SILENT ($A)\r\n')  # uid 2: 5
        a.expect(b's2 OK')
        a.send(b's3 STORE 4 +FLAGS.SILENT ($B)\r\n')  # uid 4: 6
        a.expect(b's3 OK')
        a.send(b's4 STORE 3 +FLAGS.SILENT ($C)\r\n')  # uid 3: 7
        a.expect(b's4 OK')
        cases = [
            (b'SEARCH MODSEQ 5', b'* SEARCH 2 3 4 (MODSEQ 7)'),
            (b'UID SEARCH MODSEQ 6', b'* SEARCH 3 4 (MODSEQ 7)'),
            (b'SEARCH MODSEQ 8', b'* SEARCH'),
            (b'SEARCH RETURN (MIN) MODSEQ 5', b'* ESEARCH (TAG "t") MIN 2 MODSEQ 5'),
            (b'SEARCH RETURN (MAX) MODSEQ 5', b'* ESEARCH (TAG "t") MAX 4 MODSEQ 6'),
            (b'SEARCH RETURN (MIN MAX) MODSEQ 5', b'* ESEARCH (TAG "t") MIN 2 MAX 4 MODSEQ 6'),
            (b'SEARCH RETURN (COUNT) MODSEQ 5', b'* ESEARCH (TAG "t") COUNT 3 MODSEQ 7'),
            (b'SEARCH RETURN (MIN COUNT) MODSEQ 5',
             b'* ESEARCH (TAG "t") MIN 2 COUNT 3 MODSEQ 7'),
            (b'SEARCH RETURN () MODSEQ 5', b'* ESEARCH (TAG "t") ALL 2:4 MODSEQ 7'),
            (b'UID SEARCH RETURN (ALL) MODSEQ 6', b'* ESEARCH (TAG "t") UID ALL 3:4 MODSEQ 7'),
            (b'SEARCH RETURN (MIN MAX COUNT) MODSEQ 8', b'* ESEARCH (TAG "t") COUNT 0'),
            (b'SEARCH RETURN (MIN) 1:* MODSEQ 1', b'* ESEARCH (TAG "t") MIN 1 MODSEQ 1'),
        ]
        self.assert_answers(a, cases)
        b.logout()

    def test_lmtp_over_a_unix_socket(self):
        self.enrolled()
        path = os.path.join(self.vault.dir, 'lmtp.sock')
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o660)
        lmtp = smtplib.LMTP(path)  # a path: smtplib connects to the unix socket
        lmtp.ehlo('mta.example')
        self.assertEqual(lmtp.sendmail('bob@example.org', ['alice@localhost'],
                                       message('over a unix socket')), {})
        lmtp.quit()
        client = self.login()
        self.assertEqual(client.select('INBOX'), ('OK', [b'1']))
        client.logout()

    def test_binary_fetch_returns_the_raw_sealed_body(self):
        self.enrolled()
        lmtp = self.vault.lmtp()
        lmtp.sendmail('bob@example.org', ['alice@localhost'], message('binary'))
        lmtp.quit()
        client = self.login()
        self.assertIn('BINARY', client.capabilities)
        client.select('INBOX')
        typ, data = client.fetch('1', '(BINARY.PEEK[1])')
        raw = data[0][1]
        self.assertTrue(raw.startswith(b'MVSEAL'))
        # Its header's reserved byte is 0, so only a literal8 may carry it.
        self.assertEqual(raw[9], 0)
        self.assertTrue(data[0][0].endswith(b'BINARY[1] ~{%d}' % len(raw)), data[0][0])
        typ, data = client.fetch('1', '(BODY.PEEK[])')
        self.assertTrue(data[0][0].endswith(b'BODY[] {%d}' % len(data[0][1])), data[0][0])
        self.assertNotIn(b'\x00', data[0][1])
        self.assertEqual(email.message_from_bytes(data[0][1]).get_payload(decode=True), raw)
        typ, data = client.fetch('1', '(BINARY.SIZE[1])')
        self.assertIn(b'BINARY.SIZE[1] %d' % len(raw), data[0])
        client.logout()

    def test_sigterm_lets_a_delivery_in_flight_finish(self):
        self.enrolled()
        lmtp = self.vault.lmtp()
        lmtp.mail('bob@example.org')
        lmtp.rcpt('alice@localhost')
        lmtp.putcmd('data')
        self.assertEqual(lmtp.getreply()[0], 354)
        body = message('in flight', b'y' * 50000 + b'\r\n')
        lmtp.send(body[:1000])
        self.vault.proc.send_signal(signal.SIGTERM)  # mid-DATA
        time.sleep(0.3)
        lmtp.send(body[1000:] + b'.\r\n')
        self.assertEqual(lmtp.getreply()[0], 250)
        lmtp.quit()
        self.assertEqual(self.vault.proc.wait(timeout=15), 0)
        self.vault.log_file.close()
        self.vault.start()  # the acknowledged message survived the shutdown
        client = self.login()
        self.assertEqual(client.select('INBOX'), ('OK', [b'1']))
        client.logout()

    def test_wrong_password_and_unknown_account_look_the_same(self):
        self.enrolled()
        for user, password in (('alice@localhost', 'wrong password'), ('ghost@localhost', 'x')):
            client = self.vault.imap()
            with self.assertRaises(imaplib_error()) as refused:
                client.login(user, password)
            self.assertIn('AUTHENTICATIONFAILED', str(refused.exception))
            client.shutdown()


class TombstoneWindowTest(unittest.TestCase):
    """Expunge tombstones kept for the newest 3 modseqs of a mailbox only:
    a client (or a session) from before them gets a full resync that is
    still exact."""

    def setUp(self):
        self.vault = harness.Vault(storage={'tombstone_window': 3})
        self.addCleanup(self.vault.cleanup)
        token = self.vault.create_account('alice@localhost', 'correct horse battery')
        typ, _ = harness.Device().enroll(self.vault, 'alice@localhost', token)
        self.assertEqual(typ, 'OK')

    def raw_login(self):
        raw = ssl_connect(self.vault)
        self.addCleanup(raw.close)
        raw.expect(b'* OK')
        raw.send(b'a LOGIN alice@localhost "correct horse battery"\r\n')
        raw.expect(b'a OK')
        return raw

    def test_an_old_modseq_gets_every_vanished_uid_and_sessions_stay_in_step(self):
        b = self.vault.imap()
        b.login('alice@localhost', 'correct horse battery')
        for i in range(6):  # uids 1..6 at modseqs 1..6
            self.assertEqual(b.append('INBOX', None, None, message('m%d' % i))[0], 'OK')
        a = self.raw_login()
        a.send(b'e1 ENABLE QRESYNC\r\n')
        a.expect(b'e1 OK')
        a.send(b's1 SELECT INBOX\r\n')
        a.expect(b's1 OK')
        uidvalidity = int(re.search(rb'UIDVALIDITY (\d+)', a.before).group(1))
        old_modseq = int(re.search(rb'HIGHESTMODSEQ (\d+)', a.before).group(1))
        a.send(b'c1 CLOSE\r\n')
        a.expect(b'c1 OK')
        # A session that stays selected, without CONDSTORE, while the
        # window moves past its view.
        c = self.raw_login()
        c.send(b's1 SELECT INBOX\r\n')
        c.expect(b's1 OK')

        b.select('INBOX')
        b.store('1:2', '+FLAGS', '(\\Deleted)')
        b.expunge()                                   # uids 1, 2
        b.uid('STORE', '3', '+FLAGS', '(\\Deleted)')
        b.uid('STORE', '5', '+FLAGS', '(\\Deleted)')
        b.uid('STORE', '4', '+FLAGS', '(\\Flagged)')
        b.expunge()                                   # uids 3, 5: prunes 1, 2
        self.assertEqual(b.append('INBOX', None, None, message('m6'))[0], 'OK')  # uid 7
        typ, data = b.status('INBOX', '(HIGHESTMODSEQ)')
        highest = int(re.search(rb'HIGHESTMODSEQ (\d+)', data[0]).group(1))
        self.assertGreater(highest - 3, old_modseq)  # the client is below the window

        # The engine's own sync from below the floor: a full comparison.
        c.send(b'n1 NOOP\r\n')
        c.expect(b'n1 OK')
        lines = c.untagged()
        self.assertEqual(sum(1 for l in lines if l.endswith(b' EXPUNGE')), 4, lines)
        self.assertIn(b'* 3 EXISTS', lines)
        self.assertTrue(any(re.match(rb'\* 1 FETCH \(UID 4 FLAGS \(\\Flagged\)\)', l)
                            for l in lines), lines)
        c.send(b'f1 UID FETCH 1:* (FLAGS)\r\n')
        c.expect(b'f1 OK')
        self.assertEqual(re.findall(rb'\* (\d+) FETCH \([^\r]*?UID (\d+)', c.before),
                         [(b'1', b'4'), (b'2', b'6'), (b'3', b'7')])

        # QRESYNC from below the floor: VANISHED (EARLIER) for every uid
        # that is gone, as ranges, and the changed and new messages.
        a.send(b's2 SELECT INBOX (QRESYNC (%d %d))\r\n' % (uidvalidity, old_modseq))
        a.expect(b's2 OK')
        lines = a.untagged()
        self.assertIn(b'* VANISHED (EARLIER) 1:3,5', lines)
        self.assertTrue(any(re.match(rb'\* 1 FETCH \(UID 4 FLAGS \(\\Flagged\) MODSEQ', l)
                            for l in lines), lines)
        self.assertTrue(any(re.match(rb'\* 3 FETCH \(UID 7 FLAGS \(\) MODSEQ', l)
                            for l in lines), lines)
        self.assertFalse(any(b'EXPUNGE' in l for l in lines), lines)
        # With the uids the client knows: only those.
        a.send(b's3 SELECT INBOX (QRESYNC (%d %d 2:4))\r\n' % (uidvalidity, old_modseq))
        a.expect(b's3 OK')
        self.assertIn(b'* VANISHED (EARLIER) 2:3\r\n', a.before)
        # UID FETCH CHANGEDSINCE VANISHED from below the floor.
        a.send(b'f1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)\r\n' % old_modseq)
        a.expect(b'f1 OK')
        lines = a.untagged()
        self.assertEqual(lines[0], b'* VANISHED (EARLIER) 1:3,5', lines)
        self.assertEqual(sorted(re.findall(rb'UID (\d+)', b' '.join(lines[1:]))), [b'4', b'7'])
        # From a modseq inside the window the tombstones answer, exactly.
        a.send(b'f2 UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)\r\n' % (highest - 1))
        a.expect(b'f2 OK')
        self.assertNotIn(b'VANISHED', a.before)
        b.logout()


class RegionTest(unittest.TestCase):
    """An account homed in a region this node no longer serves: made by
    hosting both regions, then restarting with only one and the other
    listed as remote."""

    def test_referral_and_lmtp_region_refusal(self):
        vault = harness.Vault(regions=('local', 'us'))
        self.addCleanup(vault.cleanup)
        vault.create_account('ursula@localhost', 'correct horse battery', region='us')
        vault.stop()
        vault.regions = ('local',)
        vault.remote_regions = (('us', 'imap://us.example.net:993'),)
        vault.start()

        client = vault.imap()
        self.assertIn('LOGIN-REFERRALS', client.capabilities)
        typ, data = client._simple_command('LOGIN', 'ursula@localhost', '"anything"')
        self.assertEqual(typ, 'NO')
        self.assertIn(b'[REFERRAL imap://us.example.net:993/]', data[0])
        client.shutdown()

        lmtp = vault.lmtp()
        lmtp.mail('bob@example.org')
        code, text = lmtp.rcpt('ursula@localhost')
        self.assertEqual(code, 550)
        self.assertTrue(text.startswith(b'5.1.6'), text)
        self.assertIn(b'region us', text)
        lmtp.quit()


def imaplib_error():
    import imaplib
    return imaplib.IMAP4.error


class ssl_connect:
    """A raw TLS connection for byte-exact exchanges (or, with `plain_port`,
    a connection without TLS, as to the bridge on loopback; with `sock`,
    that connected socket, as after STARTTLS)."""

    def __init__(self, vault=None, plain_port=None, timeout=20, sock=None):
        if sock is not None:
            self.s = sock
        elif plain_port:
            self.s = socket.create_connection(('127.0.0.1', plain_port), timeout=timeout)
        else:
            sock = socket.create_connection(('127.0.0.1', vault.imaps_port), timeout=timeout)
            self.s = vault.tls_context().wrap_socket(sock, server_hostname='127.0.0.1')
        self.buffer = b''

    def send(self, data):
        self.s.sendall(data)

    def expect(self, needle):
        """Reads until `needle`; what came before it is left in `before`.
        Linear in what arrives (a large FETCH is tens of MiB): each new
        chunk is searched with the end of the one before, and the chunks
        are joined once."""
        chunks = [self.buffer]
        tail = self.buffer
        while needle not in tail:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise AssertionError('connection closed waiting for %r; got %r' %
                                     (needle, b''.join(chunks)[-2000:]))
            chunks.append(chunk)
            tail = tail[max(0, len(tail) - len(needle) + 1):] + chunk
        self.buffer = b''.join(chunks)
        at = self.buffer.index(needle)
        self.before = self.buffer[:at]
        self.buffer = self.buffer[at + len(needle):]

    def read_line(self):
        while b'\r\n' not in self.buffer:
            chunk = self.s.recv(65536)
            if not chunk:
                raise AssertionError('connection closed; got %r' % self.buffer)
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b'\r\n', 1)
        return line

    def literal_command(self, tag, *pieces):
        """One command of text pieces (bytes) and Literal pieces, each literal
        sent only after the server's "+" as a client without LITERAL+ does
        (imaplib sends at most one literal a command). Returns the tagged
        line; the untagged lines are left in `untagged`. A literal the
        server refuses ends the command: its tagged answer is returned."""
        self.untagged = []
        line = tag + b' '
        for piece in pieces:
            if not isinstance(piece, Literal):
                line += piece
                continue
            self.send(line + (b'~' if piece.binary else b'') + b'{%d}\r\n' % len(piece.data))
            line = b''
            while True:
                answer = self.read_line()
                if answer.startswith(b'+'):
                    break
                if answer.startswith(tag + b' '):
                    return answer
                self.untagged.append(answer)
            self.send(piece.data)
        self.send(line + b'\r\n')
        while True:
            answer = self.read_line()
            if answer.startswith(tag + b' '):
                return answer
            self.untagged.append(answer)

    def untagged(self):
        """The untagged response lines of what came before the last expect()."""
        return [l for l in self.before.split(b'\r\n') if l.startswith(b'* ')]

    def close(self):
        self.s.close()


class Literal:
    """A literal piece of ssl_connect.literal_command; binary: literal8 (~{n})."""

    def __init__(self, data, binary=False):
        self.data = data
        self.binary = binary


if __name__ == '__main__':
    unittest.main(verbosity=2)
