"""Connections opened and closed in every way a client can (a normal
LOGOUT, a reset in the middle of a session, a failed TLS handshake, a
close before the greeting is read): mailvaultd's open descriptors return
to where they were and its memory stays within 10 % (issue 13). CI runs
a few thousand; `connection_churn_test.py --connections 100000` runs the
issue's hundred thousand."""

import argparse
import os
import socket
import struct
import sys
import time
import unittest

import harness
from hostile_peer_test import enrolled_vault

PASSWORD = 'correct horse battery'
CONNECTIONS = 3000


def open_descriptors(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


class ConnectionChurnTest(unittest.TestCase):
    def setUp(self):
        self.vault = enrolled_vault(self)
        self.pid = self.vault.proc.pid
        self.context = self.vault.tls_context()

    def tls(self):
        sock = socket.create_connection(('127.0.0.1', self.vault.imaps_port), timeout=20)
        return self.context.wrap_socket(sock, server_hostname='127.0.0.1')

    def logout(self, log_in):
        conn = self.tls()
        conn.recv(4096)
        if log_in:  # Argon2id costs 0.14 s: one session in 25 logs in
            conn.sendall(b'a LOGIN alice@localhost "%s"\r\nb SELECT INBOX\r\n' %
                         PASSWORD.encode())
        conn.sendall(b'c LOGOUT\r\n')
        answer = b''
        while b'c OK' not in answer:
            answer += conn.recv(65536)
        conn.close()

    def reset(self):
        conn = self.tls()
        conn.recv(4096)
        conn.sendall(b'a NOOP\r\n')
        # SO_LINGER 0: the close is a RST, as a client that crashes sends.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        conn.close()

    def failed_handshake(self):
        sock = socket.create_connection(('127.0.0.1', self.vault.imaps_port), timeout=20)
        sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')  # not a TLS ClientHello
        try:
            while sock.recv(4096):
                pass
        except OSError:
            pass
        sock.close()

    def closed_early(self):
        sock = socket.create_connection(('127.0.0.1', self.vault.imaps_port), timeout=20)
        sock.close()

    def churn(self, count):
        kinds = [self.reset, self.failed_handshake, self.closed_early]
        for i in range(count):
            if i % 4 == 0:
                self.logout(log_in=i % 100 == 0)
            else:
                kinds[i % 4 - 1]()

    def settled(self, baseline_fds):
        """Descriptors once the server has noticed every close."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and open_descriptors(self.pid) > baseline_fds:
            time.sleep(0.1)
        return open_descriptors(self.pid)

    def test_descriptors_and_memory_return_after_connections_come_and_go(self):
        # Warm up first: allocator arenas, TLS session caches and thread
        # stacks settle in the first few hundred connections.
        self.churn(400)
        fds_before = self.settled(10**6)
        rss_before = harness.rss_kib(self.pid)
        self.churn(CONNECTIONS)
        fds_after = self.settled(fds_before)
        rss_after = harness.rss_kib(self.pid)
        print('\n%d connections: descriptors %d -> %d, RSS %d -> %d KiB' %
              (CONNECTIONS, fds_before, fds_after, rss_before, rss_after), file=sys.stderr)
        self.assertLessEqual(fds_after, fds_before)
        # ASan's quarantine keeps freed memory: there, descriptors only.
        if not harness.SANITIZED:
            self.assertLess(rss_after, rss_before * 1.10)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--connections', type=int, default=CONNECTIONS)
    args, rest = parser.parse_known_args()
    CONNECTIONS = args.connections
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
