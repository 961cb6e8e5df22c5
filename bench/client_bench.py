#!/usr/bin/env python3
"""Load benchmark of the customer's side against a real mailvaultd on
loopback (not part of ./test.sh; the figures go into docs/PERFORMANCE.md):

  rotation   `mailvault key rotate` over a mailbox of --messages messages
  export     `mailvault export --maildir`, cold cache and warm
  fetch      FETCH 1:* BODY[] through the bridge (cold and warm cache)
             beside the same FETCH straight from the vault

Run after a build:  /usr/bin/python3 bench/client_bench.py [--messages 100000]
"""

import argparse
import imaplib
import os
import shutil
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'integration'))
os.environ.setdefault('MAILVAULT_BIN_DIR', os.path.join(HERE, '..', 'build'))

import harness  # noqa: E402
from client_test import ACCOUNT, Bridge, Cli  # noqa: E402


def message(i, size):
    head = (b'From: Sender <s@example.org>\r\nTo: alice@example.com\r\n'
            b'Subject: message %d\r\nMessage-ID: <%d@bench>\r\n\r\n' % (i, i))
    line = b'%-74d\r\n' % i
    return head + line * max(1, (size - len(head)) // len(line))


def deliver(vault, first, count, size, connections=4):
    """LMTP deliveries over parallel connections; returns messages/s."""
    def worker(start, stop):
        lmtp = vault.lmtp()
        for i in range(start, stop):
            lmtp.sendmail('s@example.org', [ACCOUNT], message(i, size))
        lmtp.quit()
    step = (count + connections - 1) // connections
    threads = [threading.Thread(target=worker, args=(first + k * step,
                                                     first + min(count, (k + 1) * step)))
               for k in range(connections)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count / (time.monotonic() - began)


def timed(function):
    began = time.monotonic()
    function()
    return time.monotonic() - began


def fetch_all(client):
    client.select('INBOX', readonly=True)
    _, data = client.fetch('1:*', '(BODY.PEEK[])')
    return sum(len(part[1]) for part in data if isinstance(part, tuple))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--messages', type=int, default=100000, help='mailbox size for rotation')
    parser.add_argument('--size', type=int, default=2048, help='bytes per message (rotation)')
    parser.add_argument('--fetch-messages', type=int, default=200)
    parser.add_argument('--fetch-size', type=int, default=100 * 1024)
    args = parser.parse_args()

    vault = harness.Vault()
    work = tempfile.mkdtemp(prefix='mailvault-bench-')
    try:
        token = vault.create_account(ACCOUNT, password='bench password')
        cli = Cli(vault.bin_dir, work, 'laptop')
        cli.run('init', '--server', '127.0.0.1:%d' % vault.imaps_port, '--account', ACCOUNT,
                '--token', token)

        # Fetch and export on a mailbox of larger messages first.
        rate = deliver(vault, 0, args.fetch_messages, args.fetch_size)
        print('delivered %d x %d KiB: %.0f msg/s' % (args.fetch_messages, args.fetch_size >> 10, rate))
        plain_mb = sum(len(message(i, args.fetch_size)) for i in range(args.fetch_messages)) / 1e6
        direct = vault.imap()
        direct.login(ACCOUNT, 'bench password')
        wire = 0
        seconds = timed(lambda: None)
        began = time.monotonic()
        wire = fetch_all(direct)
        seconds = time.monotonic() - began
        print('vault FETCH BODY[] (sealed wrappers): %.1f MB in %.2f s = %.1f MB/s '
              '(%.1f MB of mail: %.1f MB/s)' % (wire / 1e6, seconds, wire / 1e6 / seconds,
                                               plain_mb, plain_mb / seconds))
        direct.logout()
        with Bridge(cli) as bridge:
            for label in ('cold cache', 'warm cache'):
                client = imaplib.IMAP4('127.0.0.1', bridge.port, timeout=600)
                client.login(ACCOUNT, bridge.password)
                began = time.monotonic()
                got = fetch_all(client)
                seconds = time.monotonic() - began
                client.logout()
                print('bridge FETCH BODY[] (%s): %.1f MB in %.2f s = %.1f MB/s' %
                      (label, got / 1e6, seconds, got / 1e6 / seconds))
        shutil.rmtree(cli.profile + '/cache')
        for label in ('cold cache', 'warm cache'):
            target = os.path.join(work, 'export-' + label.split()[0])
            seconds = timed(lambda: cli.run('export', '--maildir', target, '--mailbox', 'INBOX'))
            print('export --maildir (%s): %.1f MB in %.2f s = %.1f MB/s' %
                  (label, plain_mb, seconds, plain_mb / seconds))

        # Rotation over a large mailbox.
        rest = args.messages - args.fetch_messages
        rate = deliver(vault, args.fetch_messages, rest, args.size)
        print('delivered %d more x %d B: %.0f msg/s' % (rest, args.size, rate))
        result = {}
        seconds = timed(lambda: result.setdefault('r', cli.run('key', 'rotate')))
        print('key rotate over %d messages: %.1f s = %.0f messages/s' %
              (args.messages, seconds, args.messages / seconds))
        print(result['r'].stdout.decode().strip())
    finally:
        vault.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
