"""The vault's key commands end to end on a real mailvaultd: registering a
further device's keys signed by an existing signing key, revoking keys, and
rotation (XWRAPS PUT), checked with PyNaCl as an independent client."""

import base64
import email
import imaplib
import os
import re
import unittest

import nacl.bindings as sodium
import nacl.signing

import harness
from vault_test import message, ssl_connect

imaplib.Commands.setdefault('XKEY', ('AUTH', 'SELECTED'))

ACCOUNT = 'alice@localhost'
PASSWORD = 'correct horse battery'
ENCRYPTION, SIGNING = 1, 2


def b64(data):
    return base64.b64encode(data).decode()


def key_id(public_key):
    import hashlib
    return hashlib.blake2b(public_key, digest_size=32).digest()[:16].hex()


def register_statement(account, kind, public_key):
    return (b'mailvault-key-register-v1\x00' + account.encode() + b'\x00' + bytes([kind]) +
            public_key)


def revoke_statement(account, key_id_hex):
    return b'mailvault-key-revoke-v1\x00' + account.encode() + b'\x00' + bytes.fromhex(key_id_hex)


def sign(signing_key, statement):
    return signing_key.sign(statement).signature


def run(client, *args):
    """Sends one command; returns (status, tagged text). BAD comes back as a
    status too instead of imaplib's exception."""
    try:
        typ, data = client._simple_command(*args)
    except imaplib.IMAP4.error as e:
        return 'BAD', str(e)
    text = data[-1] if data else b''
    return typ, (text or b'').decode()


def untagged(client, name):
    _, data = client._untagged_response('OK', [None], name)
    return [d.decode() for d in data if d is not None]


class KeysTest(unittest.TestCase):
    def setUp(self):
        self.vault = harness.Vault()
        self.addCleanup(self.vault.cleanup)
        token = self.vault.create_account(ACCOUNT, PASSWORD)
        self.first = harness.Device()
        typ, _ = self.first.enroll(self.vault, ACCOUNT, token)
        self.assertEqual(typ, 'OK')
        self.client = self.vault.imap()
        typ, _ = self.first.login_with_signature(self.client, ACCOUNT)
        self.assertEqual(typ, 'OK')
        self.addCleanup(self.client.shutdown)

    # --- helpers ---

    def register(self, kind, public_key, signer=None, signer_id=None, account=ACCOUNT,
                 statement_kind=None):
        signer = signer or self.first.signing
        signer_id = signer_id or key_id(bytes(signer.verify_key))
        signature = sign(signer, register_statement(account, statement_kind or kind, public_key))
        return run(self.client, 'XKEY', 'REGISTER',
                   'ENCRYPTION' if kind == ENCRYPTION else 'SIGNING', b64(public_key),
                   signer_id, b64(signature))

    def register_device(self, device):
        for kind, public in ((ENCRYPTION, device.encryption_public),
                             (SIGNING, device.signing_public)):
            typ, text = self.register(kind, public)
            self.assertEqual(typ, 'OK', text)
            self.assertIn(key_id(public), text)

    def revoke(self, target_id, signer=None, signer_id=None):
        signer = signer or self.first.signing
        signer_id = signer_id or key_id(bytes(signer.verify_key))
        signature = sign(signer, revoke_statement(ACCOUNT, target_id))
        return run(self.client, 'XKEY', 'REVOKE', target_id, signer_id, b64(signature))

    def keys(self):
        typ, text = run(self.client, 'XKEYS')
        self.assertEqual(typ, 'OK', text)
        out = {}
        for line in untagged(self.client, 'XKEY'):
            kid, kind, public, registered_at, state = line.split(' ')
            self.assertEqual(key_id(base64.b64decode(public)), kid)
            self.assertTrue(registered_at.isdigit())
            out[kid] = (kind, state)
        return out

    def wraps(self, device_key_id, mailbox='INBOX', uids='1:*'):
        typ, text = run(self.client, 'XWRAPS', mailbox, device_key_id, uids)
        self.assertEqual(typ, 'OK', text)
        out = {}
        for line in untagged(self.client, 'XWRAP'):
            uid, blob_id, wrap = line.split(' ')
            out[int(uid)] = (blob_id, base64.b64decode(wrap))
        return out

    def deliver(self, *messages):
        lmtp = self.vault.lmtp()
        for m in messages:
            self.assertEqual(lmtp.sendmail('bob@example.org', [ACCOUNT], m), {})
        lmtp.quit()

    def sealed_bodies(self):
        """uid -> (blob id, sealed body), from the generic wrapper."""
        self.assertEqual(self.client.select('INBOX', readonly=True)[0], 'OK')
        typ, data = self.client.uid('FETCH', '1:*', '(UID BODY.PEEK[])')
        self.assertEqual(typ, 'OK')
        out = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            uid = int(re.search(rb'UID (\d+)', item[0]).group(1))
            parsed = email.message_from_bytes(item[1])
            blob_id = re.search(r'Sealed message ([0-9a-f]{32})', parsed['Subject']).group(1)
            out[uid] = (blob_id, parsed.get_payload(decode=True))
        self.client.unselect()
        return out

    def put(self, target_id, pairs):
        items = ' '.join('%s %s' % (blob, b64(wrap)) for blob, wrap in pairs)
        return run(self.client, 'XWRAPS', 'PUT', target_id, '(%s)' % items)

    # --- tests ---

    def test_a_login_signature_is_good_on_its_own_connection_only(self):
        # What a relaying server would hold: the customer's signature over
        # the binding of the customer's connection with it, not of the
        # relay's connection with the vault.
        elsewhere = self.vault.imap()
        self.addCleanup(elsewhere.shutdown)
        relayed = self.vault.imap()
        self.addCleanup(relayed.shutdown)
        with self.assertRaises(imaplib.IMAP4.error) as refused:
            self.first.login_with_signature(relayed, ACCOUNT,
                                            binding=harness.channel_binding(elsewhere.sock))
        self.assertIn('AUTHENTICATIONFAILED', str(refused.exception))
        typ, _ = self.first.login_with_signature(elsewhere, ACCOUNT)
        self.assertEqual(typ, 'OK')

    def test_a_password_login_cannot_change_keys_or_wraps(self):
        client = self.vault.imap()
        client.login(ACCOUNT, PASSWORD)
        self.addCleanup(client.shutdown)
        device = harness.Device()
        typ, data = client._simple_command(
            'XKEY', 'REGISTER', 'ENCRYPTION', b64(device.encryption_public),
            key_id(self.first.signing_public),
            b64(sign(self.first.signing, register_statement(
                ACCOUNT, 1, device.encryption_public))))
        self.assertEqual(typ, 'NO')
        self.assertIn(b'[AUTHORIZATIONFAILED]', data[0])
        typ, data = client._simple_command('XWRAPS', 'PUT', self.first.key_id(), '()')
        self.assertEqual(typ, 'NO')
        self.assertIn(b'[AUTHORIZATIONFAILED]', data[0])

    def test_second_device_registered_with_a_signature_shows_in_xkeys(self):
        self.assertIn('X-MAILVAULT', self.client.capabilities)
        second = harness.Device()
        self.register_device(second)
        keys = self.keys()
        self.assertEqual(keys[second.key_id()], ('ENCRYPTION', 'ACTIVE'))
        self.assertEqual(keys[key_id(second.signing_public)], ('SIGNING', 'ACTIVE'))
        self.assertEqual(keys[self.first.key_id()], ('ENCRYPTION', 'ACTIVE'))
        self.assertEqual(len(keys), 4)
        # The second device's signing key is itself a valid signer now.
        third = harness.Device()
        typ, text = self.register(ENCRYPTION, third.encryption_public, signer=second.signing)
        self.assertEqual(typ, 'OK', text)
        self.assertEqual(text, 'Registered encryption key ' + third.key_id())

    def test_registrations_not_signed_by_the_account_are_refused(self):
        new = harness.Device()
        stranger = nacl.signing.SigningKey.generate()
        refusals = [
            # Signed by a key the account never registered.
            self.register(ENCRYPTION, new.encryption_public, signer=stranger),
            # The first device's signature, but naming its encryption key as signer.
            self.register(ENCRYPTION, new.encryption_public, signer_id=self.first.key_id()),
            # A signature made for another account.
            self.register(ENCRYPTION, new.encryption_public, account='mallory@localhost'),
            # A signature made for the other kind.
            self.register(SIGNING, new.signing_public, statement_kind=ENCRYPTION),
        ]
        for typ, text in refusals:
            self.assertEqual(typ, 'NO', text)
            self.assertIn('[AUTHORIZATIONFAILED]', text)
        # A valid signature with one bit flipped.
        signature = bytearray(sign(self.first.signing,
                                   register_statement(ACCOUNT, ENCRYPTION, new.encryption_public)))
        signature[10] ^= 1
        typ, text = run(self.client, 'XKEY', 'REGISTER', 'ENCRYPTION', b64(new.encryption_public),
                        key_id(self.first.signing_public), b64(bytes(signature)))
        self.assertEqual(typ, 'NO')
        self.assertIn('[AUTHORIZATIONFAILED]', text)
        self.assertNotIn(new.key_id(), self.keys())

        # Replaying a valid registration: the key is already there.
        self.assertEqual(self.register(ENCRYPTION, new.encryption_public)[0], 'OK')
        typ, text = self.register(ENCRYPTION, new.encryption_public)
        self.assertEqual(typ, 'NO')
        self.assertIn('[ALREADYEXISTS]', text)

        # Syntax: BAD, naming nothing the client sent as a secret.
        good_sig = b64(sign(self.first.signing, b'x'))
        signer = key_id(self.first.signing_public)
        for args in (('REGISTER', 'BOTH', b64(new.encryption_public), signer, good_sig),
                     ('REGISTER', 'ENCRYPTION', b64(b'short'), signer, good_sig),
                     ('REGISTER', 'ENCRYPTION', b64(new.encryption_public), 'nothex', good_sig),
                     ('REGISTER', 'ENCRYPTION', b64(new.encryption_public), signer, b64(b'x' * 63)),
                     ('REGISTER', 'ENCRYPTION', b64(new.encryption_public), signer),
                     ('RENAME',),
                     ()):
            typ, text = run(self.client, 'XKEY', *args)
            self.assertEqual(typ, 'BAD', (args, text))
        # A low-order X25519 point would make every delivery fail.
        zero = bytes(32)
        typ, text = self.register(ENCRYPTION, zero)
        self.assertEqual(typ, 'BAD', text)

    def test_rotation_rewraps_and_revocation_removes_the_old_key(self):
        originals = [message('rotate %d' % i, b'Body %d\r\n' % i) for i in range(3)]
        self.deliver(*originals)
        old = self.first
        new = harness.Device()
        self.register_device(new)  # the new device's keys, signed by the old device

        old_wraps = self.wraps(old.key_id())
        self.assertEqual(sorted(old_wraps), [1, 2, 3])
        self.assertEqual(self.wraps(new.key_id()), {})  # delivered before the key existed
        pairs = []
        for uid, (blob_id, wrap) in sorted(old_wraps.items()):
            data_key = harness.unwrap(wrap, old)
            pairs.append((blob_id, sodium.crypto_box_seal(data_key, new.encryption_public)))
        typ, text = self.put(new.key_id(), pairs)
        self.assertEqual(typ, 'OK', text)
        self.assertIn('3 wraps', text)

        new_wraps = self.wraps(new.key_id())
        self.assertEqual({u: b for u, (b, _) in new_wraps.items()},
                         {u: b for u, (b, _) in old_wraps.items()})
        bodies = self.sealed_bodies()
        for uid, original in zip((1, 2, 3), originals):
            blob_id, wrap = new_wraps[uid]
            self.assertEqual(bodies[uid][0], blob_id)
            data_key = harness.unwrap(wrap, new)
            self.assertEqual(harness.open_sealed_body(bodies[uid][1], data_key, ACCOUNT, blob_id),
                             original)

        # Revoke the old device's encryption key, signed by the new device.
        typ, text = self.revoke(old.key_id(), signer=new.signing)
        self.assertEqual(typ, 'OK', text)
        self.assertIn(old.key_id(), text)
        self.assertEqual(self.wraps(old.key_id()), {})
        self.assertEqual(self.keys()[old.key_id()], ('ENCRYPTION', 'REVOKED'))
        # A replayed revocation changes nothing; a replayed registration of
        # the revoked key is refused: revoked stays revoked.
        self.assertEqual(self.revoke(old.key_id(), signer=new.signing)[0], 'OK')
        typ, text = self.register(ENCRYPTION, old.encryption_public, signer=new.signing)
        self.assertEqual(typ, 'NO')
        self.assertIn('[ALREADYEXISTS]', text)
        # No wraps for a revoked key.
        typ, text = self.put(old.key_id(), pairs[:1])
        self.assertEqual(typ, 'NO')
        self.assertIn('[CANNOT]', text)

        # The last encryption key stays.
        typ, text = self.revoke(new.key_id(), signer=new.signing)
        self.assertEqual(typ, 'NO')
        self.assertIn('[CANNOT]', text)
        self.assertEqual(self.keys()[new.key_id()], ('ENCRYPTION', 'ACTIVE'))

        # New mail is sealed to the remaining key only.
        fourth = message('after rotation')
        self.deliver(fourth)
        self.assertEqual(self.wraps(old.key_id()), {})
        blob_id, wrap = self.wraps(new.key_id(), uids='4')[4]
        body = self.sealed_bodies()[4]
        self.assertEqual(body[0], blob_id)
        self.assertEqual(harness.open_sealed_body(body[1], harness.unwrap(wrap, new), ACCOUNT,
                                                  blob_id), fourth)

        # The old device's signing key can be revoked by itself now that the
        # new device has one, and then signs nothing any more.
        old_signing = key_id(old.signing_public)
        self.assertEqual(self.revoke(old_signing, signer=old.signing)[0], 'OK')
        typ, text = self.register(ENCRYPTION, harness.Device().encryption_public,
                                  signer=old.signing)
        self.assertEqual(typ, 'NO')
        self.assertIn('[AUTHORIZATIONFAILED]', text)

    def test_revocation_refusals(self):
        signing_id = key_id(self.first.signing_public)
        typ, text = self.revoke(self.first.key_id())
        self.assertEqual(typ, 'NO')
        self.assertIn('[CANNOT]', text)
        typ, text = self.revoke(signing_id)
        self.assertEqual(typ, 'NO')
        self.assertIn('[CANNOT]', text)
        typ, text = self.revoke(os.urandom(16).hex())
        self.assertEqual(typ, 'NO')
        self.assertIn('[NONEXISTENT]', text)

        second = harness.Device()
        self.register_device(second)
        stranger = nacl.signing.SigningKey.generate()
        typ, text = self.revoke(second.key_id(), signer=stranger)
        self.assertEqual(typ, 'NO')
        self.assertIn('[AUTHORIZATIONFAILED]', text)
        # A signature over another key id does not revoke this one.
        other = sign(self.first.signing, revoke_statement(ACCOUNT, self.first.key_id()))
        typ, text = run(self.client, 'XKEY', 'REVOKE', second.key_id(), signing_id, b64(other))
        self.assertEqual(typ, 'NO')
        self.assertIn('[AUTHORIZATIONFAILED]', text)
        self.assertEqual(self.keys()[second.key_id()], ('ENCRYPTION', 'ACTIVE'))
        for args in (('REVOKE', 'zz', signing_id, b64(other)),
                     ('REVOKE', second.key_id(), signing_id),
                     ('REVOKE', second.key_id(), signing_id, 'not-base64')):
            self.assertEqual(run(self.client, 'XKEY', *args)[0], 'BAD', args)

    def test_put_wraps_refusals_write_nothing(self):
        self.deliver(message('one'), message('two'))
        new = harness.Device()
        self.register_device(new)
        old_wraps = self.wraps(self.first.key_id(), uids='1')  # a numeric uid set works
        self.assertEqual(list(old_wraps), [1])
        blob_id, wrap = old_wraps[1]
        rewrapped = sodium.crypto_box_seal(harness.unwrap(wrap, self.first),
                                           new.encryption_public)
        unknown_blob = os.urandom(16).hex()

        typ, text = self.put(new.key_id(), [(blob_id, rewrapped), (unknown_blob, rewrapped)])
        self.assertEqual(typ, 'NO')
        self.assertIn('[NONEXISTENT]', text)
        self.assertIn(unknown_blob, text)
        self.assertNotIn(b64(rewrapped), text)
        self.assertEqual(self.wraps(new.key_id()), {})  # all or nothing

        typ, text = self.put(key_id(new.signing_public), [(blob_id, rewrapped)])
        self.assertEqual(typ, 'NO')
        self.assertIn('[CANNOT]', text)
        typ, text = self.put(os.urandom(16).hex(), [(blob_id, rewrapped)])
        self.assertEqual(typ, 'NO')
        self.assertIn('[NONEXISTENT]', text)

        for pairs in ([(blob_id, rewrapped[:79])], [(blob_id, rewrapped), (blob_id, rewrapped)],
                      [('nothex', rewrapped)]):
            typ, text = self.put(new.key_id(), pairs)
            self.assertEqual(typ, 'BAD', text)
        self.assertEqual(run(self.client, 'XWRAPS', 'PUT', new.key_id(), '(%s)' % blob_id)[0],
                         'BAD')
        too_many = ' '.join('a b' for _ in range(1001))
        typ, text = run(self.client, 'XWRAPS', 'PUT', new.key_id(), '(%s)' % too_many)
        self.assertEqual(typ, 'BAD')
        self.assertIn('1000', text)
        self.assertEqual(self.wraps(new.key_id()), {})

        # The valid pair alone is written, and replacing it is allowed.
        for _ in range(2):
            typ, text = self.put(new.key_id(), [(blob_id, rewrapped)])
            self.assertEqual(typ, 'OK', text)
        self.assertEqual(self.wraps(new.key_id()), {1: (blob_id, rewrapped)})
        # Wraps may come as literals (a full 1000-pair batch does not fit in
        # one 64 KiB line inline).
        raw = ssl_connect(self.vault)
        self.addCleanup(raw.close)
        raw.expect(b'* OK')
        raw.expect(b'\r\n')  # the rest of the greeting (it holds "LITERAL+ ")
        # AUTHENTICATE X-MAILVAULT-ED25519 by hand: SASL-IR, then the challenge.
        raw.send(b'a AUTHENTICATE X-MAILVAULT-ED25519 %s\r\n' % b64(ACCOUNT.encode()).encode())
        raw.expect(b'+ ')
        line_end = raw.buffer.index(b'\r\n')
        challenge = base64.b64decode(raw.buffer[:line_end])
        raw.buffer = raw.buffer[line_end + 2:]
        answer = self.first.login_answer(ACCOUNT, harness.channel_binding(raw.s), challenge)
        raw.send(base64.b64encode(answer) + b'\r\n')
        raw.expect(b'a OK')
        wrap_b64 = b64(rewrapped).encode()
        raw.send(b'b XWRAPS PUT %s (%s {%d+}\r\n%s)\r\n' %
                 (new.key_id().encode(), blob_id.encode(), len(wrap_b64), wrap_b64))
        raw.expect(b'b OK XWRAPS PUT completed: 1 wraps')
        raw.close()
        # A mailbox may still be called PUT.
        self.assertEqual(self.client.create('PUT')[0], 'OK')
        self.assertEqual(self.wraps(new.key_id(), mailbox='PUT'), {})


if __name__ == '__main__':
    unittest.main(verbosity=2)
