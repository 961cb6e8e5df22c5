#!/usr/bin/env python3
"""Load benchmark of the vault's IMAP engine on a large mailbox, measured
from the client side against a real mailvaultd on loopback (not part of
./test.sh; the figures go into docs/PERFORMANCE.md):

  SELECT INBOX, NOOP (selected, nothing changed), STATUS INBOX (MESSAGES
  UNSEEN), FETCH 1 (FLAGS): medians (and 90th percentiles) of --runs runs;
  IDLE: from the delivering LMTP connection's 250 to `* N EXISTS` at a
  client in IDLE.

Run after a build:  /usr/bin/python3 bench/imap_sync_bench.py [--messages 100000]
"""

import argparse
import os
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'integration'))
os.environ.setdefault('MAILVAULT_BIN_DIR', os.path.join(HERE, '..', 'build'))

import harness  # noqa: E402

ACCOUNT = 'bench@example.com'
PASSWORD = 'bench password'


def message(i, size):
    head = (b'From: Sender <s@example.org>\r\nTo: bench@example.com\r\n'
            b'Subject: message %d\r\nMessage-ID: <%d@bench>\r\n\r\n' % (i, i))
    line = b'%-74d\r\n' % i
    return head + line * max(1, (size - len(head)) // len(line))


def deliver(vault, count, size, connections=4):
    def worker(start, stop):
        lmtp = vault.lmtp()
        for i in range(start, stop):
            lmtp.sendmail('s@example.org', [ACCOUNT], message(i, size))
        lmtp.quit()
    step = (count + connections - 1) // connections
    threads = [threading.Thread(target=worker, args=(k * step, min(count, (k + 1) * step)))
               for k in range(connections)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count / (time.monotonic() - began)


def measure(function, runs):
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def idle_latency(vault, runs):
    """ms from the LMTP 250 to the IDLE client's EXISTS."""
    from vault_test import ssl_connect
    raw = ssl_connect(vault)
    raw.expect(b'* OK')
    raw.send(b'a LOGIN %s "%s"\r\n' % (ACCOUNT.encode(), PASSWORD.encode()))
    raw.expect(b'a OK')
    raw.send(b'b SELECT INBOX\r\n')
    raw.expect(b'b OK')
    lmtp = vault.lmtp()
    times = []
    for i in range(runs):
        raw.send(b'i%d IDLE\r\n' % i)
        raw.expect(b'+ ')
        lmtp.sendmail('s@example.org', [ACCOUNT], message(10 ** 7 + i, 1700))
        acknowledged = time.perf_counter()
        raw.expect(b' EXISTS\r\n')
        times.append((time.perf_counter() - acknowledged) * 1000)
        raw.send(b'DONE\r\n')
        raw.expect(b'i%d OK' % i)
    lmtp.quit()
    raw.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--messages', type=int, default=100000)
    parser.add_argument('--size', type=int, default=1700)
    parser.add_argument('--runs', type=int, default=20)
    args = parser.parse_args()

    vault = harness.Vault()
    try:
        token = vault.create_account(ACCOUNT, PASSWORD)
        device = harness.Device()
        typ, _ = device.enroll(vault, ACCOUNT, token)
        assert typ == 'OK'
        rate = deliver(vault, args.messages, args.size)
        print('delivered %d messages of %d bytes at %.0f/s' % (args.messages, args.size, rate))

        client = vault.imap()
        client.login(ACCOUNT, PASSWORD)
        rows = []
        rows.append(('SELECT INBOX', measure(lambda: client.select('INBOX'), args.runs)))
        rows.append(('NOOP', measure(client.noop, args.runs)))
        rows.append(('STATUS INBOX (MESSAGES UNSEEN)',
                     measure(lambda: client.status('INBOX', '(MESSAGES UNSEEN)'), args.runs)))
        rows.append(('FETCH 1 (FLAGS)', measure(lambda: client.fetch('1', '(FLAGS)'), args.runs)))
        client.logout()
        rows.append(('IDLE: 250 to EXISTS', idle_latency(vault, args.runs)))

        print('\n%d-message INBOX, %d runs each' % (args.messages, args.runs))
        print('| operation | median ms | p90 ms |')
        print('|---|---|---|')
        for name, (median, p90) in rows:
            print('| %s | %.1f | %.1f |' % (name, median, p90))
    finally:
        vault.cleanup()


if __name__ == '__main__':
    main()
