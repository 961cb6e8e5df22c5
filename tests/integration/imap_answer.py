"""Reads one imaplib FETCH answer into Python values, so a test can check
an ENVELOPE or BODYSTRUCTURE item by item. Iterative, not recursive: the
answers it reads may nest hundreds of levels deep."""

import re

_TOKEN = re.compile(rb'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|\{(\d+)\}|([^\s()"{]+))', re.S)


def flatten(data):
    """imaplib's list of bytes and (text, literal) tuples as one text, each
    literal replaced by a {n} marker, and the literals in order."""
    text, literals = [], []
    for item in data:
        if isinstance(item, tuple):
            text.append(item[0])
            literals.append(item[1])
        else:
            text.append(item)
    return b''.join(text), literals


def answer_size(data):
    """The octets of the answer as it came (markers and literals)."""
    text, literals = flatten(data)
    return len(text) + sum(len(literal) for literal in literals)


def parse(data):
    """The answer as nested lists of bytes (NIL is None), and the greatest
    parenthesis depth in it."""
    text, literals = flatten(data)
    literals = iter(literals)
    stack = [[]]
    deepest = 0
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos:].strip():
                raise ValueError('unreadable at %d: %r' % (pos, text[pos:pos + 40]))
            break
        pos = match.end()
        opening, closing, quoted, literal, atom = match.groups()
        if opening:
            stack.append([])
            deepest = max(deepest, len(stack) - 1)
        elif closing:
            done = stack.pop()
            stack[-1].append(done)
        elif quoted is not None:
            stack[-1].append(re.sub(rb'\\(.)', rb'\1', quoted))
        elif literal is not None:
            stack[-1].append(next(literals))
        else:
            stack[-1].append(None if atom == b'NIL' else atom)
    if len(stack) != 1:
        raise ValueError('unbalanced parentheses')
    return stack[0], deepest


def fetch_item(data, name):
    """The value of FETCH item `name` (b'ENVELOPE', b'BODYSTRUCTURE') in a
    one-message answer, and the answer's parenthesis depth."""
    values, deepest = parse(data)
    items = values[1]  # after the sequence number
    for key, value in zip(items[::2], items[1::2]):
        if key.upper() == name:
            return value, deepest
    raise KeyError(name)


def multipart_depth(body):
    """How many multiparts and message/rfc822 parts nest down the first
    branch of a BODYSTRUCTURE (a message/rfc822 body's element 8 is the
    encapsulated body), and the part at the bottom."""
    depth = 0
    while isinstance(body, list) and body:
        if isinstance(body[0], list):
            body = body[0]
        elif (len(body) > 8 and (body[0] or b'').lower() == b'message' and
              (body[1] or b'').lower() == b'rfc822'):
            body = body[8]
        else:
            break
        depth += 1
    return depth, body
