"""Disk full (issue 13): the region's data directory on a small file system
that the test fills up. Deliveries must be refused with a temporary,
precise answer (LMTP `452 4.3.1`, APPEND `NO` with a response code and a
clear text), reads and other sessions must go on, nothing acknowledged may
be lost, and once a filler file is removed the server must take mail again
without a restart, and keep it across a kill.

The small file system is a tmpfs (`mount -t tmpfs -o size=...`), or else an
ext4 image on a loop device; both need root (or CAP_SYS_ADMIN). Where
neither can be mounted the test is skipped and says why.

RocksDB 7.8 resumes writes by itself once the free space reaches its
largest write buffer (64 MiB), and preallocates each WAL by 1.1 write
buffers, which a disk that fills later still takes writes into
(docs/STORAGE.md, "When the disk fails"). So the file system is 96 MiB,
mostly filled before the server starts (its WAL cannot preallocate), and
that first filler is the one removed to give the space back."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import harness
from acknowledged import AcknowledgedMail, message

SIZE_MB = 96
LEFT_AT_START_MB = 12


def mount_small(path):
    """Mounts a SIZE_MB file system at `path`; returns how to undo it, or
    raises unittest.SkipTest naming why neither kind could be mounted."""
    tmpfs = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%dm,mode=0700' % SIZE_MB,
                            'tmpfs', path], capture_output=True, text=True)
    if tmpfs.returncode == 0:
        return lambda: subprocess.run(['umount', path], check=False)
    image = path + '.img'
    try:
        with open(image, 'wb') as f:
            f.truncate(SIZE_MB << 20)
        subprocess.run(['mkfs.ext4', '-q', '-F', image], check=True, capture_output=True)
        subprocess.run(['mount', '-o', 'loop', image, path], check=True, capture_output=True,
                       text=True)
    except (OSError, subprocess.CalledProcessError) as e:
        if os.path.exists(image):
            os.unlink(image)
        raise unittest.SkipTest('cannot mount a small file system here (tmpfs: %s; loop: %s); '
                                'run as root or with CAP_SYS_ADMIN' %
                                (tmpfs.stderr.strip(), getattr(e, 'stderr', e)))

    def undo():
        subprocess.run(['umount', path], check=False)
        os.unlink(image)
    return undo


def fill(directory, name, limit=None):
    """Writes a filler file until the file system refuses another byte (or
    `limit` bytes are written)."""
    path = os.path.join(directory, name)
    written = 0
    with open(path, 'wb', buffering=0) as f:
        for chunk in (1 << 20, 1 << 12, 1):
            block = b'\0' * chunk
            while limit is None or written + chunk <= limit:
                try:
                    f.write(block)
                except OSError:
                    break
                written += chunk
    return path


class DiskFullTest(unittest.TestCase):
    def setUp(self):
        directory = tempfile.mkdtemp(prefix='mailvault-full-')
        self.region_dir = os.path.join(directory, 'local')
        os.mkdir(self.region_dir)
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        self.addCleanup(mount_small(self.region_dir))
        self.space = fill(self.region_dir, 'space', (SIZE_MB - LEFT_AT_START_MB) << 20)
        self.vault = harness.Vault(directory=directory)
        self.addCleanup(self.vault.cleanup)
        self.mail = AcknowledgedMail(self, self.vault)

    def test_full_disk_refuses_for_now_and_recovers_when_space_returns(self):
        lmtp = self.vault.lmtp()
        for i in range(5):
            self.assertEqual(self.mail.deliver(lmtp, message('before %d' % i))[0], 250)
        reader = self.mail.login()
        self.assertEqual(reader.select('INBOX')[0], 'OK')
        writer = self.mail.login()
        self.assertEqual(writer.select('INBOX')[0], 'OK')

        fill(self.region_dir, 'filler')
        # LMTP: a temporary refusal that says why, per recipient.
        started = time.monotonic()
        refused = []
        for i in range(3):
            code, text = self.mail.deliver(lmtp, message('while full %d' % i, 20000))
            refused.append((code, text))
        for code, text in refused:
            self.assertEqual((code, text[:5]), (452, b'4.3.1'), text)
        self.assertIn(b'full', text)
        # APPEND: NO with a response code and a text that says why.
        typ, append_refusal = self.mail.append(writer, message('append while full', 20000))
        self.assertEqual(typ, 'NO', append_refusal)
        self.assertRegex(append_refusal, rb'^\[(OVERQUOTA|SERVERBUG|UNAVAILABLE)\] ')
        self.assertIn(b'full', append_refusal)
        # STORE changes nothing, and says so the same way.
        typ, data = writer.uid('STORE', '1', '+FLAGS', '(\\Flagged)')
        self.assertEqual(typ, 'NO', data)
        self.assertIn(b'full', data[-1])
        # So do the mailbox commands, and a MOVE.
        for typ, data in (writer.create('Full'), writer.subscribe('INBOX'),
                          writer.rename('Archive', 'Archived'),
                          writer.uid('MOVE', '1', 'Trash')):
            self.assertEqual(typ, 'NO', data)
            self.assertTrue(data[-1].startswith(b'[UNAVAILABLE] ') and b'full' in data[-1], data)
        # Meanwhile reads go on, in the other session and in new ones.
        self.assertEqual(reader.noop()[0], 'OK')
        typ, data = reader.uid('FETCH', '1:*', '(UID FLAGS)')
        self.assertEqual(typ, 'OK')
        self.assertEqual(len([d for d in data if d]), 5)
        fresh = self.mail.login()
        self.assertEqual(fresh.select('INBOX', readonly=True), ('OK', [b'5']))
        self.assertLess(time.monotonic() - started, 10)

        # Space returns: mail is taken again without a restart.
        os.unlink(self.space)
        deadline = time.monotonic() + 30
        while True:
            code, text = self.mail.deliver(lmtp, message('after %d' % len(self.mail.inbox)))
            if code == 250:
                break
            self.assertEqual((code, text[:5]), (452, b'4.3.1'), text)
            self.assertLess(time.monotonic(), deadline, 'no recovery within 30 s')
            time.sleep(0.5)
        recovered = time.monotonic() - deadline + 30
        self.assertEqual(self.mail.append(writer, message('append after'))[0], 'OK')
        for i in range(3):
            self.assertEqual(self.mail.deliver(lmtp, message('later %d' % i))[0], 250)
        self.assertEqual(writer.uid('STORE', '1', '+FLAGS', '(\\Flagged)')[0], 'OK')
        lmtp.quit()
        self.mail.assert_all_there()

        # And it all survives a kill after the episode.
        self.vault.proc.send_signal(signal.SIGKILL)
        self.vault.proc.wait()
        self.vault.log_file.close()
        self.vault.start()
        self.mail.assert_all_there()
        print('disk full: refused 3 deliveries with 452 4.3.1 and an APPEND with %r; '
              'took mail again %.1f s after space returned' % (append_refusal, recovered),
              file=sys.stderr)


if __name__ == '__main__':
    unittest.main()
