#!/usr/bin/env python3
"""Load benchmark of the IMAP engine on a large mailbox, measured from the
client side against a real mailvaultd on loopback, and with --bridge
through the customer's `mailvault bridge` (not part of ./test.sh; the
figures go into docs/PERFORMANCE.md):

  SELECT INBOX, NOOP (selected, nothing changed), STATUS INBOX (MESSAGES
  UNSEEN), FETCH 1 (FLAGS), and on the bridge FETCH 1:* (UID FLAGS):
  medians (and 90th percentiles) of --runs runs; IDLE: from the delivering
  LMTP connection's 250 to `* N EXISTS` at a client in IDLE. On the bridge
  also its first sync of the mailbox (the first SELECT: every summary
  opened, no body).

Run after a build:
  /usr/bin/python3 bench/imap_sync_bench.py [--messages 100000] [--bridge]
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'integration'))
os.environ.setdefault('MAILVAULT_BIN_DIR', os.path.join(HERE, '..', 'build'))

import harness  # noqa: E402
from client_bench import deliver, message  # noqa: E402
from client_test import ACCOUNT  # noqa: E402

PASSWORD = 'bench password'


def measure(function, runs):
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def idle_latency(vault, runs, bridge=None):
    """ms from the LMTP 250 to the IDLE client's EXISTS."""
    from vault_test import ssl_connect
    raw = ssl_connect(plain_port=bridge.port, timeout=120) if bridge else ssl_connect(vault)
    raw.expect(b'* OK')
    password = bridge.password if bridge else PASSWORD
    raw.send(b'a LOGIN %s "%s"\r\n' % (ACCOUNT.encode(), password.encode()))
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


def bridge_rows(vault, token, args):
    """The same operations through `mailvault bridge` (a real CLI device)."""
    import imaplib
    import tempfile
    from client_test import Bridge, Cli
    work = tempfile.mkdtemp(prefix='mailvault-bench-')
    cli = Cli(vault.bin_dir, work, 'laptop')
    cli.run('init', '--server', '127.0.0.1:%d' % vault.imaps_port, '--account', ACCOUNT,
            '--token', token)
    rate = deliver(vault, 0, args.messages, args.size)
    print('delivered %d messages of %d bytes at %.0f/s' % (args.messages, args.size, rate))
    rows = []
    with Bridge(cli) as bridge:
        client = imaplib.IMAP4('127.0.0.1', bridge.port, timeout=600)
        client.login(ACCOUNT, bridge.password)
        began = time.perf_counter()
        client.select('INBOX')
        first = (time.perf_counter() - began) * 1000
        rows.append(('first sync (first SELECT)', (first, first)))
        rows += session_rows(client, args.runs)
        rows.append(('FETCH 1:* (UID FLAGS)',
                     measure(lambda: client.fetch('1:*', '(UID FLAGS)'), args.runs)))
        client.logout()
        rows.append(('IDLE: 250 to EXISTS', idle_latency(vault, args.runs, bridge)))
        rows.append(('bridge resident size, MiB', (resident_mib(bridge.proc.pid),) * 2))
    return rows


def resident_mib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return 0


def session_rows(client, runs):
    return [
        ('SELECT INBOX', measure(lambda: client.select('INBOX'), runs)),
        ('NOOP', measure(client.noop, runs)),
        ('STATUS INBOX (MESSAGES UNSEEN)',
         measure(lambda: client.status('INBOX', '(MESSAGES UNSEEN)'), runs)),
        ('FETCH 1 (FLAGS)', measure(lambda: client.fetch('1', '(FLAGS)'), runs)),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--messages', type=int, default=100000)
    parser.add_argument('--size', type=int, default=1700)
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--bridge', action='store_true', help='through mailvault bridge')
    args = parser.parse_args()

    vault = harness.Vault()
    try:
        token = vault.create_account(ACCOUNT, PASSWORD)
        if args.bridge:
            print_rows(bridge_rows(vault, token, args), args, 'through the bridge')
            return
        device = harness.Device()
        typ, _ = device.enroll(vault, ACCOUNT, token)
        assert typ == 'OK'
        rate = deliver(vault, 0, args.messages, args.size)
        print('delivered %d messages of %d bytes at %.0f/s' % (args.messages, args.size, rate))

        client = vault.imap()
        client.login(ACCOUNT, PASSWORD)
        rows = []
        rows += session_rows(client, args.runs)
        client.logout()
        rows.append(('IDLE: 250 to EXISTS', idle_latency(vault, args.runs)))
        print_rows(rows, args, 'on the vault')
    finally:
        vault.cleanup()


def print_rows(rows, args, where):
    print('\n%d-message INBOX %s, %d runs each' % (args.messages, where, args.runs))
    print('| operation | median ms | p90 ms |')
    print('|---|---|---|')
    for name, (median, p90) in rows:
        print('| %s | %.1f | %.1f |' % (name, median, p90))


if __name__ == '__main__':
    main()
