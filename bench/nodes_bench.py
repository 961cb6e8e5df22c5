#!/usr/bin/env python3
"""Load benchmark of the multi-node set-up against real mailvaultd processes
and a real etcd on loopback (not part of ./test.sh; the figures go into
docs/PERFORMANCE.md):

  delivery   LMTP deliveries (4 connections) with the embedded directory and
             with the directory in etcd: what a directory lookup per
             delivery costs
  login      LOGIN + LOGOUT round trips, both directories
  move       `mailvault-admin move --target-socket` of a mailbox of
             --messages messages of --size bytes from node A (eu) to B (us)

Run after a build:  /usr/bin/python3 bench/nodes_bench.py [--messages 2000]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'integration'))
sys.path.insert(0, HERE)
os.environ.setdefault('MAILVAULT_BIN_DIR', os.path.join(HERE, '..', 'build'))

import harness  # noqa: E402
from client_bench import ACCOUNT, deliver  # noqa: E402
from client_test import Cli  # noqa: E402

PASSWORD = 'bench password'


def enrolled_account(vault, region, work):
    token = vault.create_account(ACCOUNT, password=PASSWORD, region=region)
    cli = Cli(vault.bin_dir, work, 'bench-%d' % time.monotonic_ns())
    cli.run('init', '--server', '127.0.0.1:%d' % vault.imaps_port, '--account', ACCOUNT,
            '--token', token)
    return cli


def logins_per_second(vault, count=200):
    began = time.monotonic()
    for _ in range(count):
        client = vault.imap()
        client.login(ACCOUNT, PASSWORD)
        client.logout()
    return count / (time.monotonic() - began)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--deliveries', type=int, default=2000)
    parser.add_argument('--messages', type=int, default=2000, help='mailbox size for the move')
    parser.add_argument('--size', type=int, default=50 * 1024, help='bytes per message (move)')
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix='mailvault-nodes-bench-')
    etcd = harness.Etcd()
    nodes = []
    try:
        for name, shared in (('embedded', None), ('etcd', etcd)):
            vault = harness.Vault(regions=('eu',), etcd=shared)
            nodes.append(vault)
            enrolled_account(vault, 'eu', work)
            rate = deliver(vault, 0, args.deliveries, 4096)
            logins = logins_per_second(vault)
            print('directory %-8s  delivery %7.0f msg/s (4 KiB)   login+logout %5.0f /s'
                  % (name, rate, logins), flush=True)
            vault.cleanup()
            nodes.remove(vault)

        etcd.cleanup()  # a fresh directory for the move
        etcd = harness.Etcd()
        a = harness.Vault(regions=('eu',), etcd=etcd)
        b = harness.Vault(regions=('us',), etcd=etcd)
        nodes += [a, b]
        cli = enrolled_account(a, 'eu', work)
        deliver(a, 0, args.messages, args.size)
        consent = os.path.join(work, 'consent')
        with open(consent, 'wb') as f:
            f.write(cli.run('consent', 'move', '--to', 'us').stdout)
        began = time.monotonic()
        subprocess.run([os.path.join(a.bin_dir, 'tools', 'mailvault-admin'), '--socket', a.socket,
                        'move', ACCOUNT, '--to', 'us', '--consent', consent,
                        '--target-socket', b.socket], check=True, capture_output=True)
        seconds = time.monotonic() - began
        megabytes = args.messages * args.size / 1e6
        print('move between nodes: %d messages, %.0f MB of mail in %.1f s = %.1f MB/s, '
              '%.0f messages/s' % (args.messages, megabytes, seconds, megabytes / seconds,
                                  args.messages / seconds), flush=True)
    finally:
        for vault in nodes:
            vault.cleanup()
        etcd.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
