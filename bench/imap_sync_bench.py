#!/usr/bin/env python3
"""Load benchmark of the IMAP engine on a large mailbox, measured from the
client side against a real mailvaultd on loopback, with --bridge also
through the customer's `mailvault bridge`, and with --dovecot (and
--dovecot-crypt) also against Dovecot 2.3 holding the same mailbox, side by
side in one table (not part of ./test.sh; the figures go into
docs/PERFORMANCE.md):

  SELECT INBOX, NOOP (selected, nothing changed), STATUS INBOX (MESSAGES
  UNSEEN), FETCH 1 (FLAGS), FETCH 1:* (UID FLAGS): medians (and 90th
  percentiles) of --runs runs; IDLE: from the delivering LMTP connection's
  250 to `* N EXISTS` at a client in IDLE. On the bridge also its first sync
  of the mailbox (the first SELECT: every summary opened, no body) and its
  resident size.

Each server gets the same --messages messages of --size bytes over LMTP and
is measured with the same code over IMAPS, one after the other (each one is
stopped and its files removed before the next starts). Dovecot is a
standalone instance in a temporary directory of its own (mdbox; with
--dovecot-crypt also mail_crypt with folder keys), on free loopback ports,
stopped by its PID; it needs root and `apt-get install dovecot-imapd
dovecot-lmtpd`. With --wait-idle S each server's measurements wait up to S
seconds for a machine at least 90% idle; the load is printed either way.

Run after a build:
  /usr/bin/python3 bench/imap_sync_bench.py [--messages 100000] [--bridge] [--dovecot]
      [--dovecot-crypt] [--wait-idle 600]
"""

import argparse
import imaplib
import os
import shutil
import signal
import smtplib
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'integration'))
os.environ.setdefault('MAILVAULT_BIN_DIR', os.path.join(HERE, '..', 'build'))

import harness  # noqa: E402
from client_bench import deliver, message  # noqa: E402
from client_test import ACCOUNT  # noqa: E402

PASSWORD = 'bench password'
IDLE = 'IDLE: 250 to EXISTS'


def measure(function, runs):
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def idle_latency(server, runs, first, bridge=None):
    """ms from the LMTP 250 to the IDLE client's EXISTS; the messages
    delivered are numbered from `first`."""
    from vault_test import ssl_connect
    raw = ssl_connect(plain_port=bridge.port, timeout=120) if bridge else ssl_connect(server)
    raw.expect(b'* OK')
    password = bridge.password if bridge else PASSWORD
    raw.send(b'a LOGIN %s "%s"\r\n' % (ACCOUNT.encode(), password.encode()))
    raw.expect(b'a OK')
    raw.send(b'b SELECT INBOX\r\n')
    raw.expect(b'b OK')
    lmtp = server.lmtp()
    times = []
    for i in range(runs):
        raw.send(b'i%d IDLE\r\n' % i)
        raw.expect(b'+ ')
        lmtp.sendmail('s@example.org', [ACCOUNT], message(first + i, 1700))
        acknowledged = time.perf_counter()
        raw.expect(b' EXISTS\r\n')
        times.append((time.perf_counter() - acknowledged) * 1000)
        raw.send(b'DONE\r\n')
        raw.expect(b'i%d OK' % i)
    lmtp.quit()
    raw.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def session_rows(client, runs):
    return [
        ('SELECT INBOX', measure(lambda: client.select('INBOX'), runs)),
        ('NOOP', measure(client.noop, runs)),
        ('STATUS INBOX (MESSAGES UNSEEN)',
         measure(lambda: client.status('INBOX', '(MESSAGES UNSEEN)'), runs)),
        ('FETCH 1 (FLAGS)', measure(lambda: client.fetch('1', '(FLAGS)'), runs)),
        ('FETCH 1:* (UID FLAGS)', measure(lambda: client.fetch('1:*', '(UID FLAGS)'), runs)),
    ]


def server_rows(server, args, first_idle):
    """The operations straight against a server (the vault or Dovecot)."""
    loaded(args)
    client = server.imap()
    client.login(ACCOUNT, PASSWORD)
    rows = session_rows(client, args.runs)
    # The same SELECT while another session has the mailbox selected (on
    # the vault, the sessions then share the base of their views).
    holder = server.imap()
    holder.login(ACCOUNT, PASSWORD)
    holder.select('INBOX')
    rows.insert(1, ('SELECT INBOX, another session on it',
                    measure(lambda: client.select('INBOX'), args.runs)))
    holder.logout()
    client.logout()
    rows.append((IDLE, idle_latency(server, args.runs, first_idle)))
    return rows


def raw_fetch_all(bridge, runs):
    """FETCH 1:* (UID FLAGS) read as bytes until its tagged OK, on a plain
    socket: the server's share of the figure imaplib gives, which is mostly
    imaplib's own parsing."""
    sock = socket.create_connection(('127.0.0.1', bridge.port), timeout=120)

    def until(tag):
        """Reads until a line that starts with `tag` ends the data."""
        data = b''
        while True:
            if data.endswith(b'\r\n'):
                previous = data.rfind(b'\r\n', 0, len(data) - 2)
                if data[previous + 2 if previous >= 0 else 0:].startswith(tag + b' '):
                    return data
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise AssertionError('connection closed waiting for %r' % tag)
            data += chunk

    until(b'*')
    sock.sendall(b'a LOGIN %s "%s"\r\n' % (ACCOUNT.encode(), bridge.password.encode()))
    until(b'a')
    sock.sendall(b's SELECT INBOX\r\n')
    until(b's')

    def fetch():
        sock.sendall(b'f FETCH 1:* (UID FLAGS)\r\n')
        until(b'f')
    figures = measure(fetch, runs)
    sock.close()
    return figures


def session_memory(vault, sessions=10):
    """mailvaultd's resident size for each further session that selects
    the mailbox while one already has it selected (the engine shares the
    base of their views), in MiB."""
    clients = []
    for _ in range(sessions + 1):
        client = vault.imap()
        client.login(ACCOUNT, PASSWORD)
        client.select('INBOX')
        clients.append(client)
        if len(clients) == 1:
            before = resident_mib(vault.proc.pid)
    per_session = (resident_mib(vault.proc.pid) - before) / sessions
    for client in clients:
        client.logout()
    return [('mailvaultd resident size per further selected session, MiB', (per_session,) * 2)]


def bridge_rows(vault, cli, args, first_idle):
    """The same operations through `mailvault bridge` (a real CLI device)."""
    from client_test import Bridge
    loaded(args)
    with Bridge(cli) as bridge:
        client = imaplib.IMAP4('127.0.0.1', bridge.port, timeout=600)
        client.login(ACCOUNT, bridge.password)
        began = time.perf_counter()
        client.select('INBOX')
        first = (time.perf_counter() - began) * 1000
        rows = [('first sync (first SELECT)', (first, first))]
        rows += session_rows(client, args.runs)
        client.logout()
        rows.append(('FETCH 1:* (UID FLAGS), raw bytes, no client parsing',
                     raw_fetch_all(bridge, args.runs)))
        rows.append((IDLE, idle_latency(vault, args.runs, first_idle, bridge)))
        rows.append(('bridge resident size, MiB', (resident_mib(bridge.proc.pid),) * 2))
    return rows


def resident_mib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return 0


def idle_share(seconds=2.0):
    """The share of the machine's CPU time left idle over `seconds`."""
    def sample():
        with open('/proc/stat') as f:
            ticks = [int(x) for x in f.readline().split()[1:]]
        return ticks[3] + ticks[4], sum(ticks)  # idle + iowait, all
    idle, total = sample()
    time.sleep(seconds)
    idle2, total2 = sample()
    return (idle2 - idle) / max(1, total2 - total)


def loaded(args):
    """With --wait-idle, waits up to that many seconds for a machine at
    least 90% idle (other work, or a server still settling); then says how
    loaded the machine is."""
    began = time.monotonic()
    idle = idle_share()
    while idle < 0.9 and time.monotonic() - began < args.wait_idle:
        idle = idle_share()
    print('before measuring: load average %.2f %.2f %.2f, %.0f%% idle (waited %.0f s)'
          % (os.getloadavg() + (idle * 100, time.monotonic() - began)), flush=True)


def fill(server, args, connections, where):
    rate = deliver(server, 0, args.messages, args.size, connections)
    print('delivered %d messages of %d bytes to %s at %.0f/s (%d LMTP connections)'
          % (args.messages, args.size, where, rate, connections), flush=True)


def vault_columns(args):
    """The vault directly, and with --bridge then through the bridge, on
    the same mailbox."""
    vault = harness.Vault()
    work = tempfile.mkdtemp(prefix='mailvault-bench-')
    try:
        token = vault.create_account(ACCOUNT, PASSWORD)
        if args.bridge:
            from client_test import Cli
            cli = Cli(vault.bin_dir, work, 'laptop')
            cli.run('init', '--server', '127.0.0.1:%d' % vault.imaps_port, '--account', ACCOUNT,
                    '--token', token)
        else:
            typ, _ = harness.Device().enroll(vault, ACCOUNT, token)
            assert typ == 'OK'
        fill(vault, args, 4, 'the vault')
        columns = [('vault', server_rows(vault, args, 10 ** 7) + session_memory(vault))]
        if args.bridge:
            columns.append(('bridge', bridge_rows(vault, cli, args, 10 ** 7 + args.runs)))
        return columns
    finally:
        vault.cleanup()
        shutil.rmtree(work, ignore_errors=True)


DOVECOT_CONF = '''\
instance_name = mailvault-bench-dovecot
protocols = imap lmtp
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/log/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = mdbox:~/mdbox
ssl = yes
ssl_cert = <{dir}/ssl/cert.pem
ssl_key = <{dir}/ssl/key.pem
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {dir}/users
}}
userdb {{
  driver = passwd-file
  args = {dir}/users
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
  unix_listener lmtp {{
    mode = 0600
  }}
}}
service doveadm {{
  unix_listener doveadm-server {{
    mode = 0600
  }}
}}
'''

# Folder keys with unencrypted user keys, as documented for 2.3.
DOVECOT_CRYPT = '''\
mail_attribute_dict = file:%h/mdbox/dovecot-attributes
mail_plugins = $mail_plugins mail_crypt
plugin {
  mail_crypt_curve = prime256v1
  mail_crypt_save_version = 2
}
'''


class Dovecot:
    """A standalone Dovecot 2.3 in a temporary directory, on free loopback
    ports, with ACCOUNT / PASSWORD as its one user (mail owned by an unused
    uid); it answers what the measurements ask of a server: imaps_port,
    tls_context(), imap(), lmtp(). Stopped by its master's PID."""

    UID = 5000

    def __init__(self, crypt=False):
        self.dir = tempfile.mkdtemp(prefix='mailvault-bench-dovecot-')
        try:
            self._start(crypt)
        except BaseException:
            self.cleanup()
            raise

    def _start(self, crypt):
        os.chmod(self.dir, 0o755)  # the login and auth processes run as other users
        for sub in ('run', 'state', 'log', 'ssl', 'mail'):
            os.mkdir(os.path.join(self.dir, sub))
        mail = os.path.join(self.dir, 'mail')
        os.chown(mail, self.UID, self.UID)
        os.chmod(mail, 0o700)
        with open(os.path.join(self.dir, 'users'), 'w') as f:
            f.write('%s:{PLAIN}%s:%d:%d::%s/alice::\n' % (ACCOUNT, PASSWORD, self.UID, self.UID,
                                                         mail))
        os.chmod(os.path.join(self.dir, 'users'), 0o644)
        self.cert = os.path.join(self.dir, 'ssl', 'cert.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                        'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
                        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                        '-keyout', os.path.join(self.dir, 'ssl', 'key.pem'), '-out', self.cert],
                       check=True, capture_output=True)
        self.imaps_port, self.lmtp_port = harness.free_port(), harness.free_port()
        self.conf = os.path.join(self.dir, 'dovecot.conf')
        with open(self.conf, 'w') as f:
            f.write(DOVECOT_CONF.format(dir=self.dir, uid=self.UID, imaps_port=self.imaps_port,
                                        lmtp_port=self.lmtp_port))
            if crypt:
                f.write(DOVECOT_CRYPT)
        self.log = os.path.join(self.dir, 'log', 'dovecot.log')
        self.out = open(os.path.join(self.dir, 'log', 'foreground.out'), 'w')
        self.proc = subprocess.Popen(['dovecot', '-c', self.conf, '-F'], stdout=self.out,
                                     stderr=subprocess.STDOUT)
        for port in (self.lmtp_port, self.imaps_port):
            self._wait_for(port)
        if crypt:
            subprocess.run(['doveadm', '-c', self.conf, 'mailbox', 'cryptokey', 'generate',
                            '-u', ACCOUNT, '-U'], check=True, capture_output=True)

    def _wait_for(self, port):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('dovecot did not listen on %d:\n%s' % (port, self.logs()))

    def logs(self):
        text = ''
        for path in (self.out.name, self.log):
            if os.path.exists(path):
                text += open(path).read()
        return text

    def tls_context(self):
        return ssl.create_default_context(cafile=self.cert)

    def imap(self):
        return imaplib.IMAP4_SSL('127.0.0.1', self.imaps_port, ssl_context=self.tls_context(),
                                 timeout=120)

    def lmtp(self):
        client = smtplib.LMTP('127.0.0.1', self.lmtp_port, timeout=120)
        client.ehlo('test.example')
        return client

    def cleanup(self):
        proc = getattr(self, 'proc', None)
        if proc and proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)  # the master stops its children
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        if getattr(self, 'out', None):
            self.out.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def dovecot_rows(args, crypt):
    dovecot = Dovecot(crypt)
    try:
        fill(dovecot, args, args.dovecot_connections,
             'Dovecot (mdbox%s)' % (', mail_crypt' if crypt else ''))
        return server_rows(dovecot, args, 10 ** 7)
    finally:
        dovecot.cleanup()


def dovecot_version():
    if not shutil.which('dovecot') or not shutil.which('doveadm'):
        sys.exit('--dovecot: no dovecot here (apt-get install -y dovecot-imapd dovecot-lmtpd)')
    if os.geteuid() != 0:
        sys.exit('--dovecot: run as root (Dovecot switches to its users)')
    return subprocess.run(['dovecot', '--version'], capture_output=True, text=True,
                          check=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--messages', type=int, default=100000)
    parser.add_argument('--size', type=int, default=1700)
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--bridge', action='store_true', help='also through mailvault bridge')
    parser.add_argument('--dovecot', action='store_true', help='also Dovecot 2.3 (mdbox)')
    parser.add_argument('--dovecot-crypt', action='store_true',
                        help='also Dovecot 2.3 (mdbox) with mail_crypt')
    parser.add_argument('--dovecot-connections', type=int, default=4,
                        help='LMTP connections delivering to Dovecot')
    parser.add_argument('--wait-idle', type=float, default=0, metavar='SECONDS',
                        help='before each server is measured, wait up to this long for an idle '
                             'machine')
    args = parser.parse_args()
    if args.dovecot or args.dovecot_crypt:
        print('dovecot', dovecot_version(), flush=True)

    columns = vault_columns(args)
    if args.dovecot:
        columns.append(('dovecot', dovecot_rows(args, False)))
    if args.dovecot_crypt:
        columns.append(('dovecot mail_crypt', dovecot_rows(args, True)))
    print_table(columns, args)


def print_table(columns, args):
    """One row per operation, a median and a p90 column per server."""
    names = []
    for _, rows in columns:
        at = 0
        for name, _ in rows:
            if name in names:
                at = names.index(name) + 1
            else:
                names.insert(at, name)
                at += 1
    print('\n%d-message INBOX, %d runs each, ms' % (args.messages, args.runs))
    print('| operation |' + ''.join(' %s median | %s p90 |' % (c, c) for c, _ in columns))
    print('|---|' + '---|---|' * len(columns))
    for name in names:
        cells = []
        for _, rows in columns:
            figures = dict(rows).get(name)
            cells += ['%.1f' % f for f in figures] if figures else ['', '']
        print('| %s | %s |' % (name, ' | '.join(cells)))


if __name__ == '__main__':
    main()
