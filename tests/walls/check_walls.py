"""The walls of DESIGN.md, checked on the real build: the CMake target graph
(cmake --graphviz) and the #include lines of the sources.

- common builds without Asio, OpenSSL or RocksDB and includes nothing of
  net/, storage/, server/ or client/;
- net/ (shared by mailvaultd and the bridge) knows no storage, server or
  client;
- the IMAP engine (server/imap) links no storage and includes nothing of
  server/ outside server/imap;
- the client (CLI, bridge) links no storage and nothing of mailvaultd, and
  includes nothing of server/ but the engine.

Usage: check_walls.py SOURCE_DIR BUILD_DIR, or --self-test (each rule must
catch a breach made on purpose)."""

import os
import re
import subprocess
import sys
import tempfile

# target -> targets it must not reach, directly or through others.
LINK_WALLS = {
    'mailvault_common': ['Boost::boost', 'Boost::headers', 'OpenSSL::SSL', 'OpenSSL::Crypto',
                         'RocksDB::rocksdb', 'mailvault_net', 'mailvault_storage'],
    'mailvault_net': ['RocksDB::rocksdb', 'mailvault_storage', 'mailvaultd_lib'],
    'mailvault_imap_engine': ['RocksDB::rocksdb', 'mailvault_storage', 'mailvaultd_lib'],
    'mailvault_client': ['RocksDB::rocksdb', 'mailvault_storage', 'mailvaultd_lib'],
    'mailvault_bridge': ['RocksDB::rocksdb', 'mailvault_storage', 'mailvaultd_lib'],
    'mailvault': ['RocksDB::rocksdb', 'mailvault_storage', 'mailvaultd_lib'],
}

# folder -> (include prefixes it must not use, prefixes allowed despite that)
INCLUDE_WALLS = {
    'common': (['"net/', '"storage/', '"server/', '"client/', '<boost/', '<rocksdb/',
                '<openssl/'], []),
    'net': (['"storage/', '"server/', '"client/', '<rocksdb/'], []),
    'server/imap': (['"server/', '"storage/', '"client/', '<rocksdb/'], ['"server/imap/']),
    'client': (['"server/', '"storage/', '<rocksdb/'], ['"server/imap/']),
}

INCLUDE = re.compile(r'^\s*#\s*include\s+(["<][^">]+[">])', re.M)
EDGE = re.compile(r'"(node\d+)"\s*->\s*"(node\d+)"')
LABEL = re.compile(r'"(node\d+)"\s*\[\s*label\s*=\s*"([^"]+)"')


def read_graph(build_dir):
    with tempfile.TemporaryDirectory() as folder:
        dot = os.path.join(folder, 'deps.dot')
        subprocess.run(['cmake', '--graphviz=' + dot, build_dir], check=True,
                       capture_output=True)
        with open(dot) as f:
            text = f.read()
    names = dict(LABEL.findall(text))
    edges = {}
    for a, b in EDGE.findall(text):
        edges.setdefault(names[a], set()).add(names[b])
    return edges


def reached(edges, start):
    seen, todo = set(), [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def link_breaches(edges):
    out = []
    for target, forbidden in LINK_WALLS.items():
        if target not in edges and not any(target in v for v in edges.values()):
            out.append('%s: no such target (the walls name targets that must exist)' % target)
            continue
        for bad in sorted(set(forbidden) & reached(edges, target)):
            out.append('%s links %s' % (target, bad))
    return out


def include_breaches(files):
    """files: {path: text}"""
    out = []
    for path, text in sorted(files.items()):
        for folder, (forbidden, allowed) in INCLUDE_WALLS.items():
            if not path.startswith(folder + '/'):
                continue
            if folder == 'server/imap' or not path.startswith('server/imap/'):
                for include in INCLUDE.findall(text):
                    if any(include.startswith(p) for p in forbidden) and \
                            not any(include.startswith(p) for p in allowed):
                        out.append('%s includes %s' % (path, include))
    return out


def source_files(source_dir):
    files = {}
    for folder in INCLUDE_WALLS:
        for root, _, names in os.walk(os.path.join(source_dir, folder)):
            for name in names:
                if name.endswith(('.h', '.cc')):
                    path = os.path.join(root, name)
                    with open(path, errors='replace') as f:
                        files[os.path.relpath(path, source_dir)] = f.read()
    return files


def self_test():
    edges = {'mailvault_common': {'mailvault_net'}, 'mailvault_net': {'Boost::boost'},
             'mailvault_imap_engine': {'mailvault_net'}, 'mailvault_client': {'mailvault_x'},
             'mailvault_x': {'mailvault_storage'}, 'mailvault_storage': {'RocksDB::rocksdb'},
             'mailvault_bridge': set(), 'mailvault': set()}
    breaches = link_breaches(edges)
    assert 'mailvault_common links Boost::boost' in breaches, breaches
    assert 'mailvault_client links RocksDB::rocksdb' in breaches, breaches
    assert not any(b.startswith('mailvault_imap_engine') for b in breaches), breaches
    files = {'client/cli/x.cc': '#include "server/imap/engine.h"\n#include "server/config.h"\n',
             'server/imap/y.cc': '#include "server/imap/session.h"\n#include "storage/db.h"\n',
             'common/z.cc': '#include <boost/asio.hpp>\n', 'server/delivery.cc':
             '#include "storage/region_shard.h"\n'}
    assert include_breaches(files) == ['client/cli/x.cc includes "server/config.h"',
                                       'common/z.cc includes <boost/asio.hpp>',
                                       'server/imap/y.cc includes "storage/db.h"'], \
        include_breaches(files)
    print("self-test: every rule caught its breach")


def main():
    if sys.argv[1:] == ['--self-test']:
        return self_test()
    source_dir, build_dir = sys.argv[1:3]
    breaches = link_breaches(read_graph(build_dir)) + include_breaches(source_files(source_dir))
    for breach in breaches:
        print('wall breached: ' + breach)
    if breaches:
        sys.exit(1)
    print('walls hold: %d link rules, %d include rules' % (len(LINK_WALLS), len(INCLUDE_WALLS)))


if __name__ == '__main__':
    main()
