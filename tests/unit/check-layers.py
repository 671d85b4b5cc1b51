#!/usr/bin/env python3
"""Fails when an #include in src/engine points up the layers.

The engine's layers (see src/engine/meson.build):

    base       lb-error, lb-types, lb-server-config, lb-identity, lb-text-sanitize (the leaf units)
    net mime secrets providers store search imap smtp
    oauth2     sign-in and tokens (base and net only)
    goa        GNOME Online Accounts' mail accounts and their tokens (base only)
    worker     everything that runs on an account's thread
    api        the public, main-thread objects at src/engine/'s top level

Each area may include the headers of the areas listed for it below and its own, nothing
else.  A header is known by its file name (the engine's include path is flat).
"""
import os
import re
import sys

ALLOWED = {
    'base': set(),
    'net': {'base'},
    'oauth2': {'base', 'net'},
    'goa': {'base'},
    'mime': {'base'},
    'secrets': {'base'},
    'providers': {'base', 'net'},
    'store': {'base', 'mime'},
    'search': {'base', 'store'},
    'imap': {'base', 'net', 'providers', 'search'},
    'smtp': {'base', 'net', 'providers'},
    'worker': {'base', 'net', 'oauth2', 'goa', 'mime', 'secrets', 'providers', 'store', 'search', 'imap', 'smtp'},
    'api': {'base', 'net', 'oauth2', 'goa', 'mime', 'secrets', 'providers', 'store', 'search', 'imap', 'smtp',
            'worker'},
}
BASE = {'lb-error', 'lb-types', 'lb-server-config', 'lb-identity', 'lb-text-sanitize'}


def area_of(root, directory, name):
    rel = os.path.relpath(directory, root)
    if rel != '.':
        return rel.split(os.sep)[0]
    stem = name.rsplit('.', 1)[0]
    return 'base' if stem in BASE else 'api'


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), '..', '..', 'src', 'engine')
    header_area = {}
    files = []
    for directory, _, names in os.walk(root):
        if os.path.relpath(directory, root).startswith('public'):
            continue
        for name in names:
            if name.endswith(('.c', '.h')):
                files.append((directory, name))
                if name.endswith('.h'):
                    header_area[name] = area_of(root, directory, name)
    bad = []
    for directory, name in sorted(files):
        area = area_of(root, directory, name)
        if area not in ALLOWED:
            bad.append(f'{name}: unknown area {area} (add it to check-layers.py)')
            continue
        with open(os.path.join(directory, name), encoding='utf-8') as f:
            text = f.read()
        for inc in re.findall(r'^#include "([^"]+)"', text, re.M):
            target = header_area.get(inc)
            if target is None or target == area:
                continue
            if target not in ALLOWED[area]:
                bad.append(f'{os.path.relpath(os.path.join(directory, name), root)}: '
                           f'{area} includes {inc} ({target})')
    if bad:
        print('not ok - includes that point up the layers:')
        print('\n'.join(bad))
        return 1
    print(f'ok - {len(files)} engine files keep to their layers')
    return 0


if __name__ == '__main__':
    sys.exit(main())
