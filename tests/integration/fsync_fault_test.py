"""fsync failures (issue 13): mailvaultd runs under libfiu's fiu-run (Debian's
fiu-utils), and fsync/fdatasync are made to fail with EIO while it serves.
No delivery or APPEND may be acknowledged while they fail (the WAL is
synced before every acknowledgement, so a 250 then would be a lie); the
server must answer with a temporary failure and go on serving reads.

RocksDB 7.8 treats a failed WAL sync as a fatal background error: the
instance refuses writes until it is opened again, also after the fault has
stopped (its Resume() says "Fatal/Unrecoverable error"). So the server stays
closed for writes, still answering 451 and serving reads, until it is
restarted (an operator's `systemctl restart`, SIGTERM here); after that it
takes mail again, everything acknowledged is there, and it survives a kill
(docs/STORAGE.md, "When the disk fails")."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import harness
from acknowledged import AcknowledgedMail, message

FAULTS = ('posix/io/sync/fdatasync', 'posix/io/sync/fsync')
EIO = 5


@unittest.skipUnless(shutil.which('fiu-run') and shutil.which('fiu-ctrl'),
                     'fiu-run and fiu-ctrl (Debian package fiu-utils) are not installed; '
                     'scripts/install-deps.sh installs them')
class FsyncFaultTest(unittest.TestCase):
    def setUp(self):
        self.control = tempfile.mkdtemp(prefix='mailvault-fiu-')
        self.addCleanup(shutil.rmtree, self.control, ignore_errors=True)
        self.vault = harness.Vault(
            wrapper=['fiu-run', '-x', '-f', os.path.join(self.control, 'ctrl')])
        self.addCleanup(self.vault.cleanup)
        self.mail = AcknowledgedMail(self, self.vault)

    def fault(self, enable):
        for name in FAULTS:
            command = ('enable name=%s,failinfo=%d' % (name, EIO) if enable
                       else 'disable name=%s' % name)
            subprocess.run(['fiu-ctrl', '-f', os.path.join(self.control, 'ctrl'), '-c', command,
                            str(self.vault.proc.pid)], check=True, timeout=10)

    def health(self):
        """/healthz's status and text, and the needs-restart gauge."""
        base = 'http://127.0.0.1:%d' % self.vault.metrics_port
        try:
            with urllib.request.urlopen(base + '/healthz', timeout=10) as answer:
                status, text = answer.status, answer.read().decode()
        except urllib.error.HTTPError as refused:
            status, text = refused.code, refused.read().decode()
        gauge = [line for line in self.vault.metrics().splitlines()
                 if line.startswith('mailvault_rocksdb_needs_restart{')]
        return status, text, gauge

    def test_no_acknowledgement_while_fsync_fails_and_recovery_after(self):
        lmtp = self.vault.lmtp()
        for i in range(3):
            self.assertEqual(self.mail.deliver(lmtp, message('before %d' % i))[0], 250)
        status, _, gauge = self.health()
        self.assertEqual((status, gauge), (200, ['mailvault_rocksdb_needs_restart{region="local"} 0']))
        writer = self.mail.login()
        self.assertEqual(writer.select('INBOX')[0], 'OK')
        reader = self.mail.login()
        self.assertEqual(reader.select('INBOX')[0], 'OK')

        self.fault(True)
        acknowledged = len(self.mail.inbox)
        replies = [self.mail.deliver(lmtp, message('while failing %d' % i)) for i in range(5)]
        for code, text in replies:
            self.assertEqual(code // 100, 4, 'acknowledged without a durable WAL: %r' % text)
        typ, text = self.mail.append(writer, message('append while failing'))
        self.assertEqual(typ, 'NO', text)
        self.assertRegex(text, rb'^\[(SERVERBUG|UNAVAILABLE)\] ')
        self.assertEqual(len(self.mail.inbox), acknowledged)
        # Reads go on.
        self.assertEqual(reader.noop()[0], 'OK')
        typ, data = reader.uid('FETCH', '1:*', '(UID FLAGS)')
        self.assertEqual((typ, len([d for d in data if d])), ('OK', 3))

        self.fault(False)
        # Still closed for writes (fail closed, never a false 250), still
        # serving reads, until a restart.
        code, text = self.mail.deliver(lmtp, message('after the fault, before a restart'))
        self.assertEqual((code, text[:5]), (451, b'4.3.0'), text)
        self.assertEqual(reader.noop()[0], 'OK')
        # Monitoring is told, and told what to do.
        status, text, gauge = self.health()
        self.assertEqual(status, 503, text)
        self.assertIn('region local refuses writes after an unrecoverable storage error; '
                      'restart mailvaultd', text)
        self.assertEqual(gauge, ['mailvault_rocksdb_needs_restart{region="local"} 1'])
        lmtp.quit()
        started = time.monotonic()
        self.vault.stop()  # SIGTERM: must still stop cleanly
        self.vault.start()
        lmtp = self.vault.lmtp()
        self.assertEqual(self.mail.deliver(lmtp, message('after restart'))[0], 250)
        recovered = time.monotonic() - started
        self.assertEqual(self.health()[0], 200)
        writer = self.mail.login()
        self.assertEqual(self.mail.append(writer, message('append after'))[0], 'OK')
        lmtp.quit()
        self.mail.assert_all_there(refused_may_return=True)

        self.vault.proc.send_signal(signal.SIGKILL)
        self.vault.proc.wait()
        self.vault.log_file.close()
        self.vault.start()
        # What was refused may have reached the WAL before its sync failed
        # and come back at recovery (never acknowledged: the MTA retries,
        # the usual at-least-once); everything acknowledged must be there.
        self.mail.assert_all_there(refused_may_return=True)
        print('fsync faults: %s refused while failing; mail taken again %.1f s after the '
              'restart began' % (sorted({c for c, _ in replies}), recovered), file=sys.stderr)


if __name__ == '__main__':
    unittest.main()
