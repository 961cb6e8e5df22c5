"""SIGTERM while sessions are still being made and still at work, the paths
where a session can outlive what it refers to. Under scripts/sanitize.sh the
server is instrumented (ASan, LSan, UBSan), and the harness fails the test
if it left a report: a use after free at shutdown, or a leak at exit."""

import signal
import socket
import threading
import time
import unittest

from hostile_peer_test import append_under_way, enrolled_vault, greeted

GRACE = 10  # seconds (kShutdownGrace in server/mailvaultd.cc)


def read_until(connection, needle):
    """What arrives on a plain socket up to and including `needle`."""
    data = b''
    while needle not in data:
        chunk = connection.recv(4096)
        if not chunk:
            raise AssertionError('closed waiting for %r; got %r' % (needle, data))
        data += chunk
    return data


class ShutdownTest(unittest.TestCase):
    def test_a_session_still_in_a_command_after_the_grace_is_ended_at_exit(self):
        # The literal never arrives: the session holds the shutdown for the
        # whole grace, and is then destroyed with its io_context, suspended.
        vault = enrolled_vault(self)
        append_under_way(self, vault)
        unauthenticated = greeted(vault)  # waits for a command, pre-login
        self.addCleanup(unauthenticated.close)
        handshaking = socket.create_connection(('127.0.0.1', vault.imaps_port))
        self.addCleanup(handshaking.close)  # never starts TLS
        lmtp = socket.create_connection(('127.0.0.1', vault.lmtp_port))
        self.addCleanup(lmtp.close)
        lmtp.sendall(b'LHLO test.example\r\nMAIL FROM:<a@b.example>\r\n'
                     b'RCPT TO:<alice@localhost>\r\nDATA\r\nSubject: half\r\n')
        time.sleep(0.5)
        started = time.monotonic()
        vault.proc.send_signal(signal.SIGTERM)
        self.assertEqual(vault.proc.wait(timeout=GRACE + 20), 0)
        self.assertGreaterEqual(time.monotonic() - started, GRACE - 1)

    def test_lmtp_is_told_421_and_a_message_under_way_is_delivered_first(self):
        vault = enrolled_vault(self)
        idle = socket.create_connection(('127.0.0.1', vault.lmtp_port), timeout=20)
        self.addCleanup(idle.close)
        idle.sendall(b'LHLO test.example\r\n')
        sending = socket.create_connection(('127.0.0.1', vault.lmtp_port), timeout=20)
        self.addCleanup(sending.close)
        sending.sendall(b'LHLO test.example\r\nMAIL FROM:<a@b.example>\r\n'
                        b'RCPT TO:<alice@localhost>\r\nDATA\r\nSubject: under way\r\n')
        for connection in (idle, sending):
            wanted = b'250 ' if connection is idle else b'354 '
            self.assertIn(wanted, read_until(connection, wanted))
        started = time.monotonic()
        vault.proc.send_signal(signal.SIGTERM)
        # The idle one hears at once, before the grace is out.
        told = read_until(idle, b'\r\n')
        self.assertRegex(told, rb'^421 4\.3\.2 .* shutting down')
        self.assertLess(time.monotonic() - started, 2)
        self.assertEqual(idle.recv(100), b'')
        # The message under way is read to its end, delivered, then 421.
        sending.sendall(b'\r\nStill part of it.\r\n.\r\n')
        answers = read_until(sending, b'421 ')
        while not answers.endswith(b'\r\n'):
            answers += sending.recv(4096)
        self.assertRegex(answers, rb'^250 2\.\d\.\d .*\r\n421 4\.3\.2 ')
        self.assertEqual(vault.proc.wait(timeout=GRACE), 0)
        self.assertLess(time.monotonic() - started, GRACE - 1)

    def test_connections_made_while_the_listeners_close(self):
        # Connections arrive on IMAP and LMTP while SIGTERM closes the
        # listeners, and an APPEND under way keeps the server running past
        # that moment: a session accepted last may start on its thread after
        # its listener's accept loop has ended and freed what it held.
        vault = enrolled_vault(self)
        raw, body = append_under_way(self, vault)
        stop = threading.Event()
        made = [0]

        def connect_in_a_loop(port):
            while not stop.is_set():
                try:
                    with socket.create_connection(('127.0.0.1', port), timeout=2) as s:
                        made[0] += 1
                        s.sendall(b'a NOOP\r\n')
                except OSError:
                    pass

        threads = [threading.Thread(target=connect_in_a_loop, args=(port,))
                   for port in (vault.imaps_port, vault.lmtp_port, vault.starttls_port) * 2]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1.0)
            vault.proc.send_signal(signal.SIGTERM)
            time.sleep(1.0)
        finally:
            stop.set()
            for thread in threads:
                thread.join(10)
        raw.send(body[1000:] + b'\r\n')
        raw.expect(b'b OK [APPENDUID ')
        self.assertEqual(vault.proc.wait(timeout=GRACE + 20), 0)
        self.assertGreater(made[0], 0)

if __name__ == '__main__':
    unittest.main(verbosity=2)
