"""mailvaultd's operability end to end: the Prometheus endpoint and the
health check, read with curl as a monitoring system would."""

import re
import smtplib
import subprocess
import unittest

import harness

ACCOUNT = 'ops@example.com'


def curl(vault, path, *extra):
    result = subprocess.run(['curl', '-sS', '-o', '-', '-w', '\n%{http_code}', *extra,
                             'http://127.0.0.1:%d%s' % (vault.metrics_port, path)],
                            capture_output=True, text=True, timeout=30)
    body, _, code = result.stdout.rpartition('\n')
    return int(code), body


def metric(text, name, labels=''):
    pattern = r'^%s%s (\S+)$' % (re.escape(name), re.escape('{%s}' % labels) if labels else '')
    found = re.search(pattern, text, re.M)
    return float(found.group(1)) if found else None


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.vault = harness.Vault()

    @classmethod
    def tearDownClass(cls):
        cls.vault.cleanup()

    def test_health(self):
        code, body = curl(self.vault, '/healthz')
        self.assertEqual(code, 200)
        self.assertIn('region local open', body)
        self.assertEqual(curl(self.vault, '/nothing')[0], 404)
        self.assertEqual(curl(self.vault, '/metrics', '-X', 'POST')[0], 405)

    def test_counters_follow_deliveries_and_sessions(self):
        _, before = curl(self.vault, '/metrics')
        self.assertEqual(metric(before, 'mailvault_sealed_bytes_total'), 0)
        self.assertIsNotNone(metric(before, 'mailvault_rocksdb_stall_seconds_total',
                                    'region="local"'))
        self.assertIsNotNone(metric(before, 'mailvault_rocksdb_pending_compaction_bytes',
                                    'region="local"'))

        # A delivery to an account without keys (450 at RCPT), one to nobody
        # (550 at RCPT), then a real one.
        token = self.vault.create_account(ACCOUNT)
        for recipient, code in ((ACCOUNT, 450), ('nobody@example.com', 550)):
            lmtp = self.vault.lmtp()
            with self.assertRaises(smtplib.SMTPRecipientsRefused) as refused:
                lmtp.sendmail('s@example.org', [recipient], b'Subject: early\r\n\r\nx\r\n')
            self.assertEqual(refused.exception.recipients[recipient][0], code)
            lmtp.quit()
        device = harness.Device()
        device.enroll(self.vault, ACCOUNT, token)
        message = b'Subject: counted\r\n\r\n' + b'x' * 1000 + b'\r\n'
        lmtp = self.vault.lmtp()
        lmtp.sendmail('s@example.org', [ACCOUNT], message)
        lmtp.quit()

        imap = self.vault.imap()
        device.login_with_signature(imap, ACCOUNT)
        _, during = curl(self.vault, '/metrics')
        imap.logout()

        self.assertEqual(metric(during, 'mailvault_lmtp_deliveries_total', 'code="250"'), 1)
        self.assertEqual(metric(during, 'mailvault_lmtp_deliveries_total', 'code="450"'), 1)
        self.assertEqual(metric(during, 'mailvault_lmtp_deliveries_total', 'code="550"'), 1)
        self.assertEqual(metric(during, 'mailvault_sealed_bytes_total'), len(message))
        self.assertEqual(metric(during, 'mailvault_append_duration_seconds_count'), 1)
        self.assertEqual(metric(during, 'mailvault_append_duration_seconds_bucket', 'le="+Inf"'), 1)
        self.assertEqual(metric(during, 'mailvault_imap_sessions'), 1)
        self.assertGreaterEqual(metric(during, 'mailvault_connections_open', 'protocol="imap"'), 1)
        self.assertGreaterEqual(metric(during, 'mailvault_connections_total', 'protocol="lmtp"'), 2)
        self.assertIsNotNone(metric(during, 'mailvault_rocksdb_live_blob_bytes', 'region="local"'))
        # Nothing about accounts in the exposition.
        self.assertNotIn(ACCOUNT, during)


if __name__ == '__main__':
    unittest.main(verbosity=2)
