"""mutt, a real mail client, reading a threaded mailbox through the real
bridge (issue 12): mutt runs in a detached tmux session against the
bridge's IMAP port on loopback, and the test reads its screen with
`tmux capture-pane` until the index shows, then checks the thread tree and
opens a message."""

import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from client_test import ACCOUNT, Bridge, crlf, enroll_a_device

BODY_TOKEN = 'noon-at-the-usual-place-4b7e'

# (author, subject, message id, parent ids): two threads, one three deep.
# Each reply names its parent only by In-Reply-To/References, and the
# replies keep the "Re:" subject, so mutt threads them by reference.
THREAD_MAIL = [
    ('Bob', 'Lunch plans', 'lunch1', []),
    ('Carol', 'Budget 2027', 'budget1', []),
    ('Dave', 'Re: Lunch plans', 'lunch2', ['lunch1']),
    ('Erin', 'Re: Budget 2027', 'budget2', ['budget1']),
    ('Frank', 'Re: Lunch plans', 'lunch3', ['lunch1', 'lunch2']),
]

MUTTRC = '''\
set folder="imap://{user}@127.0.0.1:{port}/"
set spoolfile="+INBOX"
set imap_user="{account}"
set imap_pass="{password}"
set imap_authenticators="login"
set ssl_starttls=no
set ssl_force_tls=no
set header_cache=""
set message_cachedir=""
set tmpdir="{tmp}"
set record=""
set postponed="{tmp}/postponed"
set mbox="{tmp}/mbox"
set move=no
set confirmappend=no
set confirmcreate=no
set wait_key=no
set quit=yes
set beep=no
set help=no
set mail_check_stats=no
set sort=threads
set sort_aux=date-sent
set ascii_chars=yes
unset hide_thread_subject
unset strict_threads
set index_format="%4C %-6.6n %s"
set status_format="MUTT-STATUS %f msgs=%m"
set pager_format="MUTT-PAGER %s"
set pager_index_lines=0
'''


def thread_message(index, author, subject, message_id, parents):
    lines = ['From: %s <%s@example.org>' % (author, author.lower()),
             'To: alice@example.com',
             'Subject: %s' % subject,
             'Date: Mon, 4 Jan 2027 %02d:00:00 +0000' % (9 + index),
             'Message-ID: <%s@example.org>' % message_id]
    if parents:
        lines.append('In-Reply-To: <%s@example.org>' % parents[-1])
        lines.append('References: %s' % ' '.join('<%s@example.org>' % p for p in parents))
    body = ('Shall we meet at noon? %s\n' % BODY_TOKEN if message_id == 'lunch1'
            else 'Message %s.\n' % message_id)
    return crlf(('\n'.join(lines) + '\n\n' + body).encode())


@unittest.skipUnless(shutil.which('mutt') and shutil.which('tmux'),
                     'needs mutt and tmux (scripts/install-deps.sh installs both)')
class MuttThreadTest(unittest.TestCase):
    def setUp(self):
        enroll_a_device(self, 'mailvault-mutt-')
        lmtp = self.vault.lmtp()
        for i, mail in enumerate(THREAD_MAIL):
            lmtp.sendmail('sender@example.org', [ACCOUNT], thread_message(i, *mail))
        lmtp.quit()
        self.home = tempfile.mkdtemp(prefix='mailvault-mutt-home-')
        self.addCleanup(shutil.rmtree, self.home, True)
        # A tmux server of this test's own, on its own socket.
        self.socket = os.path.join(self.home, 'tmux.sock')
        self.env = dict(os.environ, HOME=self.home, LANG='C.UTF-8', LC_ALL='C.UTF-8',
                        TERM='xterm-256color', MAIL='')
        self.env.pop('TMUX', None)

    def tmux(self, *args):
        return subprocess.run(['tmux', '-S', self.socket, *args], env=self.env,
                              capture_output=True, timeout=20, check=True).stdout.decode()

    def screen_until(self, condition, what, timeout=30):
        """The pane's text once `condition(text)` holds, polled."""
        deadline = time.monotonic() + timeout
        text = ''
        while time.monotonic() < deadline:
            text = self.tmux('capture-pane', '-p', '-t', 'mutt')
            if condition(text):
                return text
            time.sleep(0.1)
        self.fail('mutt never showed %s; the screen was:\n%s' % (what, text))

    def start_mutt(self, bridge):
        muttrc = os.path.join(self.home, 'muttrc')
        with open(muttrc, 'w') as f:
            f.write(MUTTRC.format(user=ACCOUNT.replace('@', '%40'), account=ACCOUNT,
                                  port=bridge.port, password=bridge.password, tmp=self.home))
        self.tmux('new-session', '-d', '-s', 'mutt', '-x', '120', '-y', '30',
                  'mutt -n -F %s' % muttrc)
        self.addCleanup(subprocess.run, ['tmux', '-S', self.socket, 'kill-server'],
                        env=self.env, capture_output=True, timeout=20)

    def test_mutt_shows_the_thread_tree_and_opens_a_message(self):
        with Bridge(self.cli) as bridge:
            self.start_mutt(bridge)
            pattern = re.compile(r'^\s*(\d+) (\S+)\s+(.*?)\s*$')
            rows = {}

            def index_shown(text):
                if 'MUTT-STATUS' not in text or 'msgs=5' not in text:
                    return False
                rows.clear()
                for line in text.splitlines():
                    match = pattern.match(line)
                    if match and ('Lunch plans' in line or 'Budget 2027' in line):
                        rows[int(match.group(1))] = (match.group(2), line)
                return len(rows) == 5

            screen = self.screen_until(index_shown, 'an index of five messages')
            authors = [rows[n][0] for n in sorted(rows)]
            # Threads in the order of their first message, each reply
            # under its parent.
            self.assertEqual(authors, ['Bob', 'Dave', 'Frank', 'Carol', 'Erin'], screen)

            def column(author):
                line = dict(rows.values())[author]
                return re.search(r'(Re: )?(Lunch plans|Budget 2027)', line).start()

            self.assertLess(column('Bob'), column('Dave'), screen)
            self.assertLess(column('Dave'), column('Frank'), screen)
            self.assertEqual(column('Bob'), column('Carol'), screen)
            self.assertLess(column('Carol'), column('Erin'), screen)
            for author in ('Dave', 'Frank', 'Erin'):
                self.assertIn('->', dict(rows.values())[author], screen)
            for author in ('Bob', 'Carol'):
                self.assertNotIn('->', dict(rows.values())[author], screen)

            # The first entry (Bob's), opened in the pager.
            self.tmux('send-keys', '-t', 'mutt', '=', 'Enter')
            pager = self.screen_until(lambda text: BODY_TOKEN in text, 'the message body')
            self.assertIn('MUTT-PAGER Lunch plans', pager)
            self.assertIn('Shall we meet at noon?', pager)
            self.tmux('send-keys', '-t', 'mutt', 'q')
            self.screen_until(lambda text: 'MUTT-STATUS' in text, 'the index again')
            self.tmux('send-keys', '-t', 'mutt', 'q')


if __name__ == '__main__':
    unittest.main(verbosity=2)
