"""Starts a real mailvaultd on loopback ports of its own, with a temporary
data directory and a generated certificate, and talks to it with real
clients: imaplib over TLS (verifying the certificate), smtplib.LMTP and
mailvault-admin. Stops what it started."""

import hashlib
import imaplib
import os
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request

import nacl.bindings as sodium
import nacl.public
import nacl.signing

imaplib.Commands.update({
    'XENROLL': ('NONAUTH',),
    'XKEYS': ('AUTH', 'SELECTED'),
    'XWRAPS': ('AUTH', 'SELECTED'),
    'XSUMMARIES': ('AUTH', 'SELECTED'),
    'ENABLE': ('AUTH', 'SELECTED'),
    'UNSELECT': ('SELECTED',),
    'IDLE': ('AUTH', 'SELECTED'),
})


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


# Set by a sanitizer run (ASan keeps freed memory in quarantine and runs
# several times slower): tests measure no memory and allow more time.
SANITIZED = bool(os.environ.get('MAILVAULT_SANITIZED'))


def rss_kib(pid, field='VmRSS'):
    """The resident size of process `pid`, in KiB; field='VmHWM': its peak
    since it started or since reset_peak_rss."""
    with open('/proc/%d/status' % pid) as status:
        for line in status:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return 0


def reset_peak_rss(pid):
    """Starts VmHWM again from the current resident size (proc(5), clear_refs)."""
    with open('/proc/%d/clear_refs' % pid, 'w') as f:
        f.write('5')


def wait_for_port(port, proc, log_path, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError('mailvaultd exited early:\n' + open(log_path).read())
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError('mailvaultd did not listen on %d:\n%s' % (port, open(log_path).read()))


# Set by scripts/sanitize.sh: the folder where ASan, LSan and UBSan write
# their reports (log_path=<folder>/report, one file per process id).
SANITIZER_REPORTS = os.environ.get('MAILVAULT_SANITIZER_REPORTS')
# ASan's runtime library (libasan.so), also set by scripts/sanitize.sh.
ASAN_RUNTIME = os.environ.get('MAILVAULT_ASAN_RUNTIME')


def hang_up(client):
    """Closes an imaplib or smtplib client's connection for real: both read
    through a makefile() object, which keeps the socket open until it is
    closed too (closing .sock alone leaves the server a live session)."""
    for part in (getattr(client, 'file', None), getattr(client, 'sock', None)):
        try:
            if part is not None:
                part.close()
        except OSError:
            pass


TCP_REPAIR = 19  # linux/tcp.h; Python's socket module does not name it


def vanish(client):
    """Makes an imaplib or smtplib client disappear as a laptop that lost
    its network does: its socket is closed in TCP repair mode, which sends
    no FIN and no RST, so the server hears nothing. Raises PermissionError
    without CAP_NET_ADMIN."""
    client.sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
    hang_up(client)


def metric(text, name, labels=''):
    """The value of one sample in Prometheus text (`labels` as written
    between the braces), or None."""
    pattern = r'^%s%s (\S+)$' % (re.escape(name), re.escape('{%s}' % labels) if labels else '')
    found = re.search(pattern, text, re.M)
    return float(found.group(1)) if found else None


def sanitizer_report(pid):
    """The sanitizer report a process left under scripts/sanitize.sh, or None."""
    if not SANITIZER_REPORTS:
        return None
    path = os.path.join(SANITIZER_REPORTS, 'report.%d' % pid)
    if not os.path.exists(path):
        return None
    with open(path, errors='replace') as f:
        return f.read()


def _kill_and_remove(proc, log_file, directory, log_path=None):
    """Ends a server started here, at once, and removes its files. Under
    the sanitizers it is asked to stop (SIGTERM) instead, so that
    LeakSanitizer checks it at exit, and a report it left fails the test;
    its log, which holds UBSan's own message, is kept beside the report."""
    if proc.poll() is None:
        if SANITIZER_REPORTS:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log_file.close()
    report = sanitizer_report(proc.pid)
    if report is not None and log_path and os.path.exists(log_path):
        shutil.copy(log_path, os.path.join(SANITIZER_REPORTS, 'log.%d' % proc.pid))
    shutil.rmtree(directory, ignore_errors=True)
    if report is not None:
        raise AssertionError('%s left a sanitizer report:\n%s' % (proc.args[0], report))


class Etcd:
    """A real etcd (Debian's etcd-server) on loopback ports of its own, for
    nodes that share their directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='mailvault-etcd-')
        for attempt in range(5):
            self.port, peer = free_port(), free_port()
            self.endpoint = 'http://127.0.0.1:%d' % self.port
            peer_url = 'http://127.0.0.1:%d' % peer
            self.log = os.path.join(self.dir, 'etcd.log')
            self.log_file = open(self.log, 'a')
            self.proc = subprocess.Popen(
                ['etcd', '--name', 'test', '--data-dir', os.path.join(self.dir, 'data'),
                 '--listen-client-urls', self.endpoint, '--advertise-client-urls', self.endpoint,
                 '--listen-peer-urls', peer_url, '--initial-advertise-peer-urls', peer_url,
                 '--initial-cluster', 'test=' + peer_url],
                stdout=self.log_file, stderr=subprocess.STDOUT)
            try:
                wait_for_port(self.port, self.proc, self.log)
                return
            except RuntimeError as e:
                self.log_file.close()
                if 'address already in use' not in str(e) or attempt == 4:
                    raise

    def cleanup(self):
        _kill_and_remove(self.proc, self.log_file, self.dir)


class Vault:
    def __init__(self, limits=None, regions=('local',), remote_regions=(), directory=None,
                 etcd=None, storage=None, wrapper=()):
        """remote_regions: (name, imap_url) or (name, imap_url, lmtp); etcd: an
        Etcd whose directory this node shares; storage: the [storage] keys
        (e.g. {'tombstone_window': 3}); wrapper: a command that runs the
        server (e.g. fiu-run for fault injection)."""
        self.bin_dir = os.environ['MAILVAULT_BIN_DIR']
        self.dir = directory or tempfile.mkdtemp(prefix='mailvault-it-')
        self.limits = limits
        self.storage = storage
        self.regions = regions
        self.remote_regions = remote_regions
        self.etcd = etcd
        self.wrapper = list(wrapper)
        self.start()

    def start(self, attempts=5, keep_ports=False):
        """(Re)starts the server on the same data directory, on new ports
        unless keep_ports (other nodes name them). A port picked free can be
        taken by another test running in parallel before the server binds
        it: then it starts again on other ports."""
        for attempt in range(attempts):
            try:
                return self._start_once(keep_ports and attempt == 0)
            except RuntimeError as e:
                self.log_file.close()
                if 'Address already in use' not in str(e) or attempt + 1 == attempts:
                    raise

    def _start_once(self, keep_ports=False):
        if not keep_ports:
            self.imaps_port = free_port()
            self.starttls_port = free_port()
            self.lmtp_port = free_port()
            self.metrics_port = free_port()
        self.socket = os.path.join(self.dir, 'admin.sock')
        lines = [
            '[server]',
            'state_dir = "%s"' % os.path.join(self.dir, 'state'),
            'admin_socket = "%s"' % self.socket,
            'threads = 2',
            'log_level = "debug"',
            '[imap]',
            'listen = "127.0.0.1:%d"' % self.imaps_port,
            'starttls_listen = "127.0.0.1:%d"' % self.starttls_port,
            '[lmtp]',
            'listen = "127.0.0.1:%d"' % self.lmtp_port,
            'socket = "%s"' % os.path.join(self.dir, 'lmtp.sock'),
            '[metrics]',
            'listen = "127.0.0.1:%d"' % self.metrics_port,
        ]
        for region in self.regions:
            lines += ['[[region]]', 'name = "%s"' % region,
                      'data_dir = "%s"' % os.path.join(self.dir, region)]
        for region, url, *lmtp in self.remote_regions:
            lines += ['[[remote_region]]', 'name = "%s"' % region, 'imap_url = "%s"' % url]
            lines += ['lmtp = "%s"' % endpoint for endpoint in lmtp]
        if self.etcd:
            lines += ['[directory]', 'etcd_endpoints = ["%s"]' % self.etcd.endpoint]
        if self.limits:
            lines.append('[limits]')
            lines += ['%s = %d' % kv for kv in self.limits.items()]
        if self.storage:
            lines.append('[storage]')
            lines += ['%s = %d' % kv for kv in self.storage.items()]
        self.config = os.path.join(self.dir, 'mailvaultd.toml')
        with open(self.config, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        self.log = os.path.join(self.dir, 'mailvaultd.log')
        self.log_file = open(self.log, 'a')
        command = [os.path.join(self.bin_dir, 'server', 'mailvaultd'), '--config', self.config]
        if self.wrapper and ASAN_RUNTIME:
            # A wrapper that preloads libraries (fiu-run) puts them ahead of
            # ASan's runtime, which must come first or the server does not
            # start: put it back in front, after the wrapper has run.
            command = ['sh', '-c', 'LD_PRELOAD="%s $LD_PRELOAD" exec "$@"' % ASAN_RUNTIME,
                       'sh'] + command
        self.proc = subprocess.Popen(self.wrapper + command, stdout=self.log_file,
                                     stderr=subprocess.STDOUT)
        wait_for_port(self.imaps_port, self.proc, self.log)
        wait_for_port(self.lmtp_port, self.proc, self.log)
        wait_for_port(self.metrics_port, self.proc, self.log)  # bound last
        self.cert = os.path.join(self.dir, 'state', 'tls', 'cert.pem')

    def stop(self):
        """SIGTERM, and the server must stop cleanly on its own."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            code = self.proc.wait(timeout=30)
            self.log_file.close()
            report = sanitizer_report(self.proc.pid)
            if report is not None:
                shutil.copy(self.log, os.path.join(SANITIZER_REPORTS, 'log.%d' % self.proc.pid))
                raise AssertionError('mailvaultd left a sanitizer report:\n' + report)
            if code != 0:
                raise RuntimeError('mailvaultd exited %d:\n%s' % (code, open(self.log).read()))

    def cleanup(self):
        _kill_and_remove(self.proc, self.log_file, self.dir, self.log)

    def admin(self, *args, check=True, stdin=None):
        return subprocess.run(
            [os.path.join(self.bin_dir, 'tools', 'mailvault-admin'), '--socket', self.socket,
             *args], capture_output=True, text=True, check=check, input=stdin)

    def create_account(self, address, password=None, region='local'):
        out = self.admin('--json', 'account', 'create', address, '--region', region).stdout
        import json
        token = json.loads(out)['token']
        if password:
            pw = os.path.join(self.dir, 'pw')
            with open(pw, 'w') as f:
                f.write(password + '\n')
            self.admin('password', 'set', address, '--password-file', pw)
        return token

    def fingerprint(self):
        """The SHA-256 fingerprint of the server's certificate, AB:CD:..."""
        with open(self.cert) as f:
            der = ssl.PEM_cert_to_DER_cert(f.read())
        return ':'.join('%02X' % b for b in hashlib.sha256(der).digest())

    def tls_context(self):
        # The generated certificate is trusted explicitly and its names are
        # checked, as a careful client does.
        context = ssl.create_default_context(cafile=self.cert)
        return context

    def metrics(self):
        """The text of GET /metrics."""
        url = 'http://127.0.0.1:%d/metrics' % self.metrics_port
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.read().decode()

    def imap(self):
        return imaplib.IMAP4_SSL('127.0.0.1', self.imaps_port, ssl_context=self.tls_context(),
                                 timeout=30)

    def lmtp(self):
        client = smtplib.LMTP('127.0.0.1', self.lmtp_port, timeout=30)
        client.ehlo('test.example')
        return client

    def files_contain(self, needle):
        """True if any file under the data directory (the server's log
        included) holds `needle`."""
        for root, _, files in os.walk(self.dir):
            for name in files:
                path = os.path.join(root, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                with open(path, 'rb') as f:
                    if needle in f.read():
                        return True
        return False


_libssl = None


def channel_binding(tls_socket):
    """RFC 9266's tls-exporter (label "EXPORTER-Channel-Binding", 32 bytes,
    no context) of a connection made with Python's ssl module, which has no
    API for it (3.11): SSL_export_keying_material from the libssl that the
    ssl module itself uses, on the connection's SSL*, which CPython keeps
    right after PyObject_HEAD and the socket reference in its PySSLSocket.
    Checked against the socket's descriptor before use."""
    import ctypes
    global _libssl
    if _libssl is None:
        _libssl = ctypes.CDLL('libssl.so.3')
        _libssl.SSL_get_fd.argtypes = [ctypes.c_void_p]
        _libssl.SSL_export_keying_material.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
    ssl_object = tls_socket._sslobj
    pointer = ctypes.c_void_p.from_address(id(ssl_object) + 3 * ctypes.sizeof(ctypes.c_void_p))
    if _libssl.SSL_get_fd(pointer.value) != tls_socket.fileno():
        raise RuntimeError('cannot find the SSL* of this Python build')
    label = b'EXPORTER-Channel-Binding'
    out = ctypes.create_string_buffer(32)
    if _libssl.SSL_export_keying_material(pointer.value, out, 32, label, len(label), None, 0,
                                          0) != 1:
        raise RuntimeError('SSL_export_keying_material failed')
    return out.raw


class Device:
    """A customer's device keys, made with libsodium through PyNaCl."""

    def __init__(self):
        self.encryption = nacl.public.PrivateKey.generate()
        self.signing = nacl.signing.SigningKey.generate()

    @property
    def encryption_public(self):
        return bytes(self.encryption.public_key)

    @property
    def signing_public(self):
        return bytes(self.signing.verify_key)

    def key_id(self):
        return hashlib.blake2b(self.encryption_public, digest_size=32).digest()[:16].hex()

    def signing_key_id(self):
        return hashlib.blake2b(self.signing_public, digest_size=32).digest()[:16]

    def login_with_signature(self, client, account, binding=None):
        """AUTHENTICATE X-MAILVAULT-ED25519 (docs/PROTOCOL.md), signing the
        channel binding of the client's own TLS connection unless `binding`
        says otherwise."""
        steps = []

        def respond(challenge):
            steps.append(challenge)
            if len(steps) == 1:
                return account.encode()
            return self.login_answer(account, binding or channel_binding(client.sock), challenge)

        return client.authenticate('X-MAILVAULT-ED25519', respond)

    def login_answer(self, account, binding, challenge):
        signed = b'mailvault-auth-v2\x00' + account.encode() + b'\x00' + binding + challenge
        return self.signing_key_id() + self.signing.sign(signed).signature

    def enroll(self, vault, account, token):
        import base64
        client = vault.imap()
        typ, data = client._simple_command(
            'XENROLL', account, token, base64.b64encode(self.encryption_public).decode(),
            base64.b64encode(self.signing_public).decode())
        client.logout()
        return typ, data


# --- An independent reader of docs/FORMAT.md, written from the document. ---

def _subkey(data_key, subkey_id, context):
    # crypto_kdf_derive_from_key: BLAKE2b keyed with the data key, salt =
    # id (little-endian u64) || 8 zero bytes, personal = context || 8 zeros.
    return hashlib.blake2b(b'', digest_size=32, key=data_key,
                           salt=subkey_id.to_bytes(8, 'little') + bytes(8),
                           person=context + bytes(8)).digest()


def unwrap(wrap, device):
    return sodium.crypto_box_seal_open(wrap, device.encryption_public,
                                       bytes(device.encryption))


def padme(n):
    if n < 2:
        return n
    e = n.bit_length() - 1
    s = e.bit_length()
    z = e - s
    if z <= 0:
        return n
    mask = (1 << z) - 1
    return (n + mask) & ~mask


def open_sealed_body(body, data_key, account, blob_id_hex):
    header = body[:66]
    assert header[:6] == b'MVSEAL' and header[6] == 1 and header[7] == 1 and header[8] == 16
    assert header[10:26].hex() == blob_id_hex, 'wrong blob'
    assert header[26:42] == hashlib.blake2b(account.encode(), digest_size=32).digest()[:16]
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    sodium.crypto_secretstream_xchacha20poly1305_init_pull(
        state, header[42:66], _subkey(data_key, 1, b'MVbody01'))
    stream = b''
    offset = 66
    final = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
    while True:
        chunk = body[offset:offset + 65536 + 17]
        offset += len(chunk)
        plain, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, chunk, header)
        stream += plain
        if tag == final:
            break
    assert offset == len(body), 'trailing data'
    size = int.from_bytes(stream[:8], 'big')
    assert len(stream) == padme(8 + size), 'padding is not Padme'
    return stream[8:8 + size]


def seal_upload(plaintext, account, device, subject='', device_seal=None):
    """A second, independent sealer written from docs/FORMAT.md: returns
    (blob id hex, sealed body, upload container) for `device`'s key.
    `device_seal`: the 80 bytes (signer id, signature) of a device seal
    claim to put in the summary."""
    import os as _os
    data_key = _os.urandom(32)
    blob_id = _os.urandom(16)
    tag = hashlib.blake2b(account.encode(), digest_size=32).digest()[:16]
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    stream_header = sodium.crypto_secretstream_xchacha20poly1305_init_push(
        state, _subkey(data_key, 1, b'MVbody01'))
    header = b'MVSEAL' + bytes([1, 1, 16, 0]) + blob_id + tag + stream_header
    padded_size = padme(8 + len(plaintext))
    stream = len(plaintext).to_bytes(8, 'big') + plaintext
    stream += bytes(padded_size - len(stream))
    body = header
    for offset in range(0, padded_size, 65536):
        chunk = stream[offset:offset + 65536]
        last = offset + 65536 >= padded_size
        body += sodium.crypto_secretstream_xchacha20poly1305_push(
            state, chunk, header,
            sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL if last else 0)
    fields = [b'', account.encode(), subject.encode(), b'', b'']
    record = b'\x01' + b''.join(len(f).to_bytes(4, 'big') + f for f in fields)
    record += len(plaintext).to_bytes(8, 'big')
    record += b'\x02' + device_seal if device_seal else b'\x00'
    record += bytes(-len(record) % 256)
    nonce = _os.urandom(24)
    summary = b'\x01' + nonce + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        record, b'\x01' + blob_id + tag, nonce, _subkey(data_key, 2, b'MVsumm01'))
    key_id = hashlib.blake2b(device.encryption_public, digest_size=32).digest()[:16]
    wrap = sodium.crypto_box_seal(data_key, device.encryption_public)
    upload = (b'MVCONT' + bytes([1, 0]) + blob_id + (1).to_bytes(2, 'big') + key_id + wrap +
              len(summary).to_bytes(4, 'big') + summary + body)
    return blob_id.hex(), body, upload


def sealed_message(payload):
    """An RFC 5322 message carrying a sealed payload, as clients APPEND it."""
    import base64 as _b64
    encoded = _b64.encodebytes(payload).replace(b'\n', b'\r\n')
    return (b'From: mailvault <vault@localhost>\r\nSubject: sealed upload\r\n'
            b'MIME-Version: 1.0\r\nContent-Type: application/vnd.mailvault.sealed\r\n'
            b'Content-Transfer-Encoding: base64\r\n\r\n' + encoded)
