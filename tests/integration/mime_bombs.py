"""Hostile plaintext messages for the bridge's MIME engine (issue 13): each
is legal enough to be delivered, and built to make a naive parser recurse,
go quadratic or answer without bound. Lines stay within RFC 5322's 998
bytes and end in CRLF: the size comes from their number."""

NESTING = 10_000
ADDRESSES = 100_000
PARAMETERS = 100_000
HEADER_BYTES = 20 << 20


def _top(subject, more=b''):
    return (b'From: Mallory <mallory@example.org>\r\nTo: alice@example.com\r\n'
            b'Subject: ' + subject + b'\r\nMessage-ID: <' + subject + b'@example.org>\r\n'
            b'MIME-Version: 1.0\r\n' + more)


def nested_multiparts(same_boundary):
    """NESTING multipart/mixed parts, each the first part of the one around
    it, closed in order; with `same_boundary` every level uses "x", so each
    delimiter line matches every open multipart."""
    opening, closing = [], []
    for level in range(NESTING):
        boundary = b'x' if same_boundary else b'b%d' % level
        opening.append(b'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n--%s\r\n'
                       % (boundary, boundary))
        closing.append(b'\r\n--%s--' % boundary)
    innermost = b'Content-Type: text/plain\r\n\r\nthe innermost part'
    subject = b'nested-same' if same_boundary else b'nested'
    return _top(subject) + b''.join(opening) + innermost + b''.join(reversed(closing)) + b'\r\n'


def rfc822_loop():
    """A message whose body is itself: message/rfc822 holding the same
    message again, NESTING times, each level with its own envelope."""
    levels = b''.join(b'From: level%d@example.org\r\nSubject: loop level %d\r\n'
                      b'Content-Type: message/rfc822\r\n\r\n' % (i, i) for i in range(NESTING))
    return _top(b'rfc822-loop', b'Content-Type: message/rfc822\r\n\r\n') + levels + \
        b'From: bottom@example.org\r\nSubject: the bottom\r\n\r\nbottom\r\n'


def multipart_rfc822_loop():
    """A multipart whose only part is a message/rfc822 holding the same
    multipart, boundary and all: every level's delimiter is the same line."""
    level = (b'Content-Type: multipart/mixed; boundary="loop"\r\n\r\n'
             b'--loop\r\nContent-Type: message/rfc822\r\n\r\nSubject: again\r\n')
    return (_top(b'multipart-loop') + level * NESTING + b'\r\nbottom' +
            b'\r\n--loop--' * NESTING + b'\r\n')


def digest_loop():
    """multipart/digest, whose parts default to message/rfc822 (RFC 2046
    5.1.5), each part's message being the same digest again."""
    level = b'Content-Type: multipart/digest; boundary="d"\r\n\r\n--d\r\n\r\n'
    return _top(b'digest-loop') + level * NESTING + b'Subject: end\r\n\r\nend' + \
        b'\r\n--d--' * NESTING + b'\r\n'


def many_header_fields():
    """HEADER_BYTES of short fields; the ENVELOPE's fields come last, so
    finding them reads the whole header."""
    filler = b'X-Filler-%07d: ' + b'f' * 80 + b'\r\n'
    count = HEADER_BYTES // len(filler % 0)
    return (b''.join(filler % i for i in range(count)) + _top(b'many-fields') +
            b'\r\nA short body.\r\n')


def folded_subject():
    """One Subject field folded over HEADER_BYTES of continuation lines."""
    line = b' ' + b'word ' * 15 + b'\r\n'
    return (b'From: Mallory <mallory@example.org>\r\nTo: alice@example.com\r\n'
            b'Subject: start\r\n' + line * (HEADER_BYTES // len(line)) +
            b'Message-ID: <folded-subject@example.org>\r\n\r\nA short body.\r\n')


def many_addresses():
    """To: of ADDRESSES plain addresses; Cc: of ADDRESSES in groups of ten
    with display names and comments."""
    to = b',\r\n '.join(b'u%d@example.org' % i for i in range(ADDRESSES))
    groups = []
    for g in range(ADDRESSES // 10):
        members = b', '.join(b'"User %d" <u%d@example.net> (c)' % (g * 10 + i, g * 10 + i)
                             for i in range(10))
        groups.append(b'team%d: %s;' % (g, members))
    cc = b',\r\n '.join(groups)
    return (b'From: Mallory <mallory@example.org>\r\nTo: ' + to + b'\r\nCc: ' + cc +
            b'\r\nSubject: many-addresses\r\nMessage-ID: <many-addresses@example.org>\r\n'
            b'\r\nHello all.\r\n')


def many_from_addresses():
    """From: of ADDRESSES mailboxes and no Sender or Reply-To, which
    ENVELOPE fills in from From (RFC 9051 7.5.2)."""
    senders = b',\r\n '.join(b'Sender %d <s%d@example.org>' % (i, i) for i in range(ADDRESSES))
    return (b'From: ' + senders + b'\r\nTo: alice@example.com\r\nSubject: many-from\r\n'
            b'\r\nHello.\r\n')


def rfc2231_continuations():
    """One name parameter in PARAMETERS RFC 2231 pieces, extended and
    plain mixed, out of order; and a filename in PARAMETERS pieces with a
    gap, which is listed piece by piece."""
    pieces = [b'name*%d*=%%41%d' % (i, i) if i % 2 else b'name*%d="p%d"' % (i, i)
              for i in range(PARAMETERS)]
    pieces.reverse()
    gapped = [b'filename*%d=g%d' % (i, i) for i in range(1, PARAMETERS + 1)]  # no *0
    return (_top(b'rfc2231') + b'Content-Type: application/octet-stream;\r\n ' +
            b';\r\n '.join(pieces) + b'\r\nContent-Disposition: attachment;\r\n ' +
            b';\r\n '.join(gapped) + b'\r\n\r\nAAAA\r\n')


def many_parameters():
    """PARAMETERS distinct plain parameters on a multipart's own Content-Type
    and on its one part."""
    params = b';\r\n '.join(b'p%d=v%d' % (i, i) for i in range(PARAMETERS))
    return (_top(b'many-params') + b'Content-Type: multipart/mixed; boundary=z;\r\n ' + params +
            b'\r\n\r\n--z\r\nContent-Type: text/plain; ' + params + b'\r\n\r\npart\r\n--z--\r\n')


def dense_addresses():
    """HEADER_BYTES of the shortest addresses a From: can hold ("a@b,",
    several million), copied to Sender and Reply-To by ENVELOPE: what a
    parser keeps per address, times three, against four bytes of input."""
    line = b' ' + b'a@b,' * 19 + b'\r\n'
    return (b'From: ' + line * (HEADER_BYTES // len(line)) + b' z@b\r\nTo: alice@example.com\r\n'
            b'Subject: dense-addresses\r\n\r\nHello.\r\n')


def dense_parameters():
    """HEADER_BYTES of the shortest parameters, plain ("a=b;") and RFC 2231
    pieces ("c*7=d;") alternating, on one Content-Type."""
    lines, size, piece = [], 0, 0
    while size < HEADER_BYTES:
        lines.append(b' ' + b''.join(b'a=b; c*%d=d;' % (piece + i) for i in range(6)) + b'\r\n')
        size += len(lines[-1])
        piece += 6
    return (_top(b'dense-params') + b'Content-Type: text/plain;\r\n' + b''.join(lines) +
            b' e=f\r\n\r\nbody\r\n')


def digest_of_dense_addresses():
    """A multipart/digest of small messages, each with a From: of as many
    four-byte addresses as ENVELOPE lists: BODYSTRUCTURE gives every part's
    envelope, From three times over."""
    line = b' ' + b'a@b,' * 20 + b'\r\n'
    part = b'--d\r\n\r\nFrom:' + line * 50 + b' z@b\r\nSubject: dense\r\n\r\nx\r\n'
    return (_top(b'digest-of-dense', b'Content-Type: multipart/digest; boundary=d\r\n\r\n') +
            part * (HEADER_BYTES // len(part)) + b'--d--\r\n')


def empty_digest_parts():
    """As many empty multipart/digest parts as the engine lists (each a
    message/rfc822 with an envelope of NILs) in a message of 70 KB."""
    return (_top(b'empty-digest', b'Content-Type: multipart/digest; boundary=d\r\n\r\n') +
            b'--d\r\n\r\n' * NESTING + b'--d--\r\n')


# (name, builder) in delivery order: UID n is BOMBS[n - 1].
BOMBS = [
    ('nested multiparts', lambda: nested_multiparts(same_boundary=False)),
    ('nested multiparts, one boundary', lambda: nested_multiparts(same_boundary=True)),
    ('message/rfc822 loop', rfc822_loop),
    ('multipart and message/rfc822 loop', multipart_rfc822_loop),
    ('multipart/digest loop', digest_loop),
    ('20 MiB of header fields', many_header_fields),
    ('20 MiB folded Subject', folded_subject),
    ('100,000 To and Cc addresses', many_addresses),
    ('100,000 From addresses', many_from_addresses),
    ('100,000 RFC 2231 pieces', rfc2231_continuations),
    ('100,000 parameters', many_parameters),
    ('20 MiB of 4-byte From addresses', dense_addresses),
    ('20 MiB of short parameters', dense_parameters),
    ('digest of 4-byte From addresses', digest_of_dense_addresses),
    ('10,000 empty digest parts', empty_digest_parts),
]
