"""The server against peers that mean harm, on real sockets: password
guessers on many connections, an LMTP peer that smuggles a second message
behind a bare LF, clients that send garbage, race an enrollment token or
ask for the same body thousands of times, and a shutdown with idle and
IDLE-ing sessions open (issue 13's server-side defects)."""

import base64
import datetime
import imaplib
import json
import os
import signal
import threading
import time
import unittest

import harness
from vault_test import message, ssl_connect

PASSWORD = 'correct horse battery'
imaplib.Commands.setdefault('XLOG', ('AUTH', 'SELECTED'))


def enrolled_vault(test, limits=None, address='alice@localhost', device=None):
    vault = harness.Vault(limits=limits)
    test.addCleanup(vault.cleanup)
    token = vault.create_account(address, PASSWORD)
    typ, _ = (device or harness.Device()).enroll(vault, address, token)
    test.assertEqual(typ, 'OK')
    return vault


def greeted(vault):
    raw = ssl_connect(vault)
    raw.expect(b'* OK')
    return raw


def append_under_way(test, vault):
    """A logged-in session whose APPEND (tag b) has sent the first 1,000
    bytes of its literal: the session, and the whole message."""
    raw = greeted(vault)
    test.addCleanup(raw.close)
    body = message('in flight', b'z' * 20000 + b'\r\n')
    raw.send(b'a LOGIN alice@localhost "%s"\r\nb APPEND INBOX {%d}\r\n'
             % (PASSWORD.encode(), len(body)))
    raw.expect(b'+ ')
    raw.send(body[:1000])
    return raw, body


def at_once(jobs):
    """Runs each job on a thread of its own, released together; returns
    (seconds from the release to the job's end, its result) per job."""
    barrier = threading.Barrier(len(jobs) + 1)
    results = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        value = job()
        results[i] = (time.monotonic() - released, value)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    released = time.monotonic()
    barrier.wait()
    for thread in threads:
        thread.join(60)
    return results


class LoginGuessingTest(unittest.TestCase):
    def test_attempts_on_many_connections_wait_their_turn_before_verifying(self):
        vault = enrolled_vault(self)
        first = greeted(vault)
        self.addCleanup(first.close)
        first.send(b'a LOGIN alice@localhost wrong-guess\r\n')
        first.expect(b'a NO [AUTHENTICATIONFAILED]')
        # The right password, on four connections at once: each attempt is
        # verified only in its turn, one delay (1.5 s) apart, so a guesser
        # cannot try passwords in parallel to go faster.
        connections = [greeted(vault) for _ in range(4)]
        for raw in connections:
            self.addCleanup(raw.close)

        def login(raw):
            def job():
                raw.send(b'b LOGIN alice@localhost "%s"\r\n' % PASSWORD.encode())
                raw.expect(b'b ')
                return raw.read_line()
            return job

        results = sorted(at_once([login(raw) for raw in connections]))
        self.assertTrue(all(answer.startswith(b'OK') for _, answer in results), results)
        times = [t for t, _ in results]
        self.assertGreater(times[0], 1.0, times)  # the failure's delay came first
        for earlier, later in zip(times, times[1:]):
            self.assertGreater(later - earlier, 1.0, times)

    def test_password_guessing_does_not_hold_up_the_customers_signature_login(self):
        device = harness.Device()
        vault = enrolled_vault(self, device=device)
        guesser = greeted(vault)
        self.addCleanup(guesser.close)
        for tag in (b'a', b'b'):
            guesser.send(tag + b' LOGIN alice@localhost wrong-guess\r\n')
            guesser.expect(tag + b' NO [AUTHENTICATIONFAILED]')
        # A password now waits 3 s for its turn; the device's signature does not.
        started = time.monotonic()
        client = vault.imap()
        typ, _ = device.login_with_signature(client, 'alice@localhost')
        self.assertEqual(typ, 'OK')
        self.assertLess(time.monotonic() - started, 1.0)
        client.logout()

    def test_a_flood_of_logins_is_refused_and_mail_goes_on(self):
        # One verifying thread and two waiting: the rest get NO [UNAVAILABLE]
        # at once instead of queueing.
        vault = enrolled_vault(self, limits={'login_threads': 1, 'max_logins_queued': 2})
        reader = greeted(vault)
        self.addCleanup(reader.close)
        reader.send(b'a LOGIN alice@localhost "%s"\r\n' % PASSWORD.encode())
        reader.expect(b'a OK')
        connections = [greeted(vault) for _ in range(12)]
        for raw in connections:
            self.addCleanup(raw.close)

        def login(i, raw):
            def job():
                raw.send(b'g LOGIN ghost%d@localhost guess\r\n' % i)
                raw.expect(b'g ')
                return raw.read_line()
            return job

        def deliver():
            lmtp = vault.lmtp()
            lmtp.sendmail('bob@example.org', ['alice@localhost'], message('during the flood'))
            lmtp.quit()
            return b'delivered'

        def noop():
            reader.send(b'n NOOP\r\n')
            reader.expect(b'n OK')
            return b'noop'

        results = at_once([login(i, raw) for i, raw in enumerate(connections)] + [deliver, noop])
        answers = [answer for _, answer in results[:12]]
        refused = [a for a in answers if a.startswith(b'NO [UNAVAILABLE] Too many logins')]
        failed = [a for a in answers if a.startswith(b'NO [AUTHENTICATIONFAILED]')]
        self.assertEqual(len(refused) + len(failed), 12, answers)
        self.assertGreaterEqual(len(refused), 12 - 3, answers)
        self.assertGreaterEqual(len(failed), 1, answers)
        # The refusals were immediate; mail work did not wait behind Argon2id.
        self.assertLess(min(t for t, a in results[:12] if a in refused), 1.0)
        self.assertLess(results[12][0], 5.0)
        self.assertLess(results[13][0], 1.0)
        reader.send(b's STATUS INBOX (MESSAGES)\r\n')
        reader.expect(b's OK')
        self.assertIn(b'(MESSAGES 1)', reader.before)


class LmtpSmugglingTest(unittest.TestCase):
    def test_a_bare_lf_dot_does_not_end_data_and_each_recipient_gets_a_refusal(self):
        vault = enrolled_vault(self)
        token = vault.create_account('bob@localhost', PASSWORD)
        self.assertEqual(harness.Device().enroll(vault, 'bob@localhost', token)[0], 'OK')
        lmtp = vault.lmtp()
        self.addCleanup(lmtp.close)
        self.assertEqual(lmtp.mail('mx@example.org')[0], 250)
        self.assertEqual(lmtp.rcpt('alice@localhost')[0], 250)
        self.assertEqual(lmtp.rcpt('bob@localhost')[0], 250)
        lmtp.putcmd('data')
        self.assertEqual(lmtp.getreply()[0], 354)
        # smtplib's data() would turn every bare LF into CRLF: send raw, as a
        # smuggling peer does. A lax reader ends the message at "\n.\n" and
        # takes the rest as a second transaction in alice's name.
        lmtp.send(b'Subject: innocent\r\n\r\nhello\n.\n'
                  b'MAIL FROM:<ceo@example.org>\r\nRCPT TO:<alice@localhost>\r\nDATA\r\n'
                  b'Subject: forged\r\n\r\nPay this invoice.\r\n.\r\n')
        replies = [lmtp.getreply() for _ in range(2)]
        for code, text in replies:
            self.assertEqual(code, 554)
            self.assertEqual(text, b'5.5.2 Bare LF in the message data: lines must end with '
                                   b'CRLF (RFC 5321 2.3.8); message refused')
        # Nothing else was answered: the smuggled commands were message data.
        lmtp.sock.settimeout(0.5)
        with self.assertRaises(OSError):
            lmtp.sock.recv(1)
        lmtp.sock.settimeout(30)
        # The framing is intact: the connection goes on with a clean message.
        self.assertEqual(lmtp.noop()[0], 250)
        lmtp.sendmail('mx@example.org', ['alice@localhost'], message('clean'))
        client = vault.imap()
        client.login('alice@localhost', PASSWORD)
        self.assertEqual(client.select('INBOX'), ('OK', [b'1']))
        typ, data = client.search(None, 'ALL')
        self.assertEqual(data, [b'1'])
        client.logout()
        client = vault.imap()
        client.login('bob@localhost', PASSWORD)
        self.assertEqual(client.select('INBOX'), ('OK', [b'0']))
        client.logout()


def read_to_close(raw):
    """Everything the server sends until it closes the connection."""
    data = raw.buffer
    while True:
        chunk = raw.s.recv(65536)
        if not chunk:
            return data
        data += chunk


class BadCommandsTest(unittest.TestCase):
    BYE = b'* BYE Too many errors, closing the connection\r\n'

    def test_an_http_request_before_login_gets_bye_after_three_bad_commands(self):
        vault = enrolled_vault(self)
        raw = greeted(vault)
        self.addCleanup(raw.close)
        raw.expect(b'\r\n')
        raw.send(b'GET / HTTP/1.1\r\nHost: example.org\r\nUser-Agent: curl/7.88\r\n'
                 b'Accept: */*\r\n\r\n')
        self.assertEqual(read_to_close(raw),
                         b"GET BAD invalid '/' in command name\r\n"
                         b'Host: BAD Unknown command EXAMPLE.ORG\r\n'
                         b"User-Agent: BAD invalid '/' in command name\r\n" + self.BYE)

    def test_unknown_commands_and_garbage_before_login_get_bye_after_three(self):
        vault = enrolled_vault(self)
        for garbage in (b'a FROB\r\nb XYZZY\r\nc PLUGH\r\nd NOOP\r\n',
                        b'\x16\x03\x01\x02\r\na SELECT INBOX\r\nb FROB\r\nc NOOP\r\n'):
            raw = greeted(vault)
            self.addCleanup(raw.close)
            raw.expect(b'\r\n')
            raw.send(garbage)
            answer = read_to_close(raw)
            self.assertEqual(answer.count(b' BAD '), 3, answer)
            self.assertTrue(answer.endswith(self.BYE), answer)
            self.assertNotIn(b'NOOP completed', answer)

    def test_twenty_bad_commands_after_login_end_the_session(self):
        vault = enrolled_vault(self)
        raw = greeted(vault)
        self.addCleanup(raw.close)
        raw.send(b'a LOGIN alice@localhost "%s"\r\n' % PASSWORD.encode())
        raw.expect(b'a OK')
        bad = [b'u%d FROB' % i for i in range(10)] + [b'f%d FETCH 1 FLAGS' % i for i in range(5)]
        bad += [b'l%d LOGIN x y' % i for i in range(4)]  # 19, of three kinds
        raw.send(b''.join(line + b'\r\n' for line in bad) + b'n NOOP\r\n')
        raw.expect(b'n OK NOOP completed\r\n')
        self.assertEqual(raw.before.count(b' BAD '), 19)
        raw.send(b'GET / HTTP/1.1\r\nn2 NOOP\r\n')
        answer = read_to_close(raw)
        self.assertEqual(answer, b"GET BAD invalid '/' in command name\r\n" + self.BYE)


class DisclosureTest(unittest.TestCase):
    def disclosure_log(self, vault):
        """The disclosure log entries alice can see (up to the first under
        embargo), decoded."""
        client = vault.imap()
        client.login('alice@localhost', PASSWORD)
        typ, _ = client._simple_command('XLOG', 'DISCLOSURE')
        self.assertEqual(typ, 'OK')
        entries = [base64.b64decode(line.split()[1])
                   for line in client.untagged_responses.pop('XLOG', [])]
        client.logout()
        return entries

    def test_the_log_entry_comes_before_the_bundle_and_embargoes_are_bounded(self):
        vault = enrolled_vault(self)
        lmtp = vault.lmtp()
        lmtp.sendmail('bob@example.org', ['alice@localhost'], message('disclosed'))
        lmtp.quit()
        # The bundle cannot be written (a path through a regular file: even
        # root cannot make it): the disclosure is recorded all the same.
        blocker = os.path.join(vault.dir, 'not-a-directory')
        open(blocker, 'w').close()
        failed = vault.admin('disclose', 'alice@localhost', '--order', 'CASE-9', '--out',
                             os.path.join(blocker, 'bundle'), check=False)
        self.assertNotEqual(failed.returncode, 0)
        self.assertIn("recorded in the account's disclosure log, but its bundle could not be "
                      "written", failed.stderr)
        self.assertFalse(os.path.exists(os.path.join(blocker, 'bundle')))
        entries = self.disclosure_log(vault)
        self.assertEqual(len(entries), 1)
        self.assertIn(b'CASE-9', entries[0])

        # An embargo over the bound is refused before anything is logged or
        # written (it would hide every later disclosure from the customer).
        today = datetime.date.today()
        too_long = vault.admin('disclose', 'alice@localhost', '--order', 'CASE-10', '--out',
                               os.path.join(vault.dir, 'b10'), '--embargo-until',
                               (today + datetime.timedelta(days=400)).isoformat(), check=False)
        self.assertNotEqual(too_long.returncode, 0)
        self.assertIn('an embargo ends at most 366 days from today', too_long.stderr)
        self.assertFalse(os.path.exists(os.path.join(vault.dir, 'b10')))
        vault.admin('disclose', 'alice@localhost', '--order', 'CASE-11', '--out',
                    os.path.join(vault.dir, 'b11'))
        entries = self.disclosure_log(vault)
        self.assertEqual(len(entries), 2)  # CASE-10 left no entry to hide this one behind
        self.assertIn(b'CASE-11', entries[1])
        self.assertTrue(os.path.exists(os.path.join(vault.dir, 'b11', 'manifest.json')))


class EnrollmentRaceTest(unittest.TestCase):
    def test_two_simultaneous_xenrolls_with_one_token_have_one_winner(self):
        vault = harness.Vault()
        self.addCleanup(vault.cleanup)
        for round_ in range(6):
            address = 'race%d@localhost' % round_
            token = vault.create_account(address)
            devices = [harness.Device(), harness.Device()]
            connections = [greeted(vault) for _ in devices]
            for raw in connections:
                self.addCleanup(raw.close)

            def enroll(raw, device):
                def job():
                    raw.send(b'e XENROLL %s %s %s %s\r\n' % (
                        address.encode(), token.encode(),
                        base64.b64encode(device.encryption_public),
                        base64.b64encode(device.signing_public)))
                    raw.expect(b'e ')
                    return raw.read_line()
                return job

            answers = [a for _, a in at_once([enroll(r, d) for r, d in zip(connections, devices)])]
            winners = [i for i, a in enumerate(answers) if a.startswith(b'OK Enrolled')]
            self.assertEqual(len(winners), 1, answers)
            self.assertEqual(answers[1 - winners[0]],
                             b'NO [AUTHENTICATIONFAILED] Enrollment refused: unknown account or '
                             b'invalid token')
            shown = json.loads(vault.admin('--json', 'account', 'show', address).stdout)
            winner = devices[winners[0]]
            self.assertEqual(sorted(k['key_id'] for k in shown['keys']),
                             sorted([winner.key_id(), winner.signing_key_id().hex()]))


class FetchAmplificationTest(unittest.TestCase):
    def one_message_selected(self, body):
        """A vault holding one delivered message with `body`, a raw session
        with INBOX selected, and the message's RFC822.SIZE."""
        vault = enrolled_vault(self)
        lmtp = vault.lmtp()
        lmtp.sendmail('bob@example.org', ['alice@localhost'], message('big', body))
        lmtp.quit()
        raw = greeted(vault)
        self.addCleanup(raw.close)
        raw.send(b'a LOGIN alice@localhost "%s"\r\nb SELECT INBOX\r\n' % PASSWORD.encode())
        raw.expect(b'b OK')
        raw.send(b'c FETCH 1 RFC822.SIZE\r\n')
        raw.expect(b'c OK')
        return vault, raw, int(raw.before.split(b'RFC822.SIZE ')[1].split(b')')[0])

    def test_repeated_and_overlapping_fetch_items_are_bounded(self):
        _, raw, size = self.one_message_selected(b'x' * 100000)
        # ~9,000 copies of one item in one 63 KB line: answered once.
        raw.send(b'd FETCH 1 (' + b'BODY[] ' * 9000 + b'FLAGS)\r\n')
        raw.expect(b'd OK FETCH completed\r\n')
        self.assertEqual(raw.before.count(b'BODY[] {%d}' % size), 1)
        self.assertLess(len(raw.before), size + 1000)
        # Different partials that each cover the whole message: refused once
        # the response would exceed four times the message, nothing sent.
        partials = b' '.join(b'BODY.PEEK[]<%d.%d>' % (i, size) for i in range(63))
        raw.send(b'e FETCH 1 (' + partials + b')\r\n')
        raw.expect(b'e NO [LIMIT] The FETCH response for message 1 would exceed four times '
                   b'its size')
        self.assertNotIn(b'FETCH (', raw.before)
        partials = b' '.join(b'BODY.PEEK[]<%d.10>' % i for i in range(65))
        raw.send(b'f FETCH 1 (' + partials + b')\r\n')
        raw.expect(b'f BAD FETCH: too many message data items (at most 64 different ones)')
        raw.send(b'g FETCH 1 (BODY.PEEK[] BODY.PEEK[TEXT] BINARY.PEEK[1] FLAGS)\r\n')
        raw.expect(b'g OK FETCH completed')

    def test_large_sections_are_sent_from_the_message_without_copies(self):
        """BODY[] and BODY[TEXT] of a 20 MiB message together: the server's
        peak memory grows by reading the sealed message from storage and
        rendering it (2.4 times the message, measured), not by a copy per
        section and a whole response built before sending."""
        vault, raw, size = self.one_message_selected(b'0123456789abcdef' * (20 << 16))
        time.sleep(0.5)
        harness.reset_peak_rss(vault.proc.pid)
        before = harness.rss_kib(vault.proc.pid)
        raw.send(b'd FETCH 1 (BODY.PEEK[] BODY.PEEK[TEXT])\r\n')
        raw.expect(b'd OK FETCH completed\r\n')
        self.assertIn(b'BODY[] {%d}\r\n' % size, raw.before)
        self.assertGreater(len(raw.before), 2 * size - 10000)  # both sections came whole
        growth_kib = harness.rss_kib(vault.proc.pid, 'VmHWM') - before
        if not harness.SANITIZED:
            self.assertLess(growth_kib * 1024, 3 * size,
                            'a %d-byte message cost %d KiB' % (size, growth_kib))


class ShutdownTest(unittest.TestCase):
    BYE = b'* BYE The server is shutting down; reconnect later\r\n'

    def test_sigterm_says_bye_to_idle_and_idling_sessions_at_once(self):
        vault = enrolled_vault(self)
        idle = greeted(vault)
        idle.send(b'a LOGIN alice@localhost "%s"\r\n' % PASSWORD.encode())
        idle.expect(b'a OK')
        idle.expect(b'Logged in\r\n')
        idling = greeted(vault)
        idling.send(b'a LOGIN alice@localhost "%s"\r\nb SELECT INBOX\r\nc IDLE\r\n'
                    % PASSWORD.encode())
        idling.expect(b'+ idling\r\n')
        not_logged_in = greeted(vault)
        not_logged_in.expect(b'\r\n')
        for raw in (idle, idling, not_logged_in):
            self.addCleanup(raw.close)
        started = time.monotonic()
        vault.proc.send_signal(signal.SIGTERM)
        self.assertEqual(vault.proc.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - started, 2.0)  # not the 10 s grace
        for raw in (idle, idling, not_logged_in):
            self.assertEqual(read_to_close(raw), self.BYE)

    def test_an_append_under_way_at_sigterm_is_finished_and_answered(self):
        vault = enrolled_vault(self)
        raw, body = append_under_way(self, vault)
        vault.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        raw.send(body[1000:] + b'\r\n')
        raw.expect(b'b OK [APPENDUID ')
        self.assertEqual(read_to_close(raw)[-len(self.BYE):], self.BYE)
        self.assertEqual(vault.proc.wait(timeout=10), 0)


if __name__ == '__main__':
    unittest.main(verbosity=2)
