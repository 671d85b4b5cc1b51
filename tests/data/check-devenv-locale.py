#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when a program run from the build tree, as build-aux/dev run and demo do (through
`meson devenv`), does not speak Chinese in a Chinese session: it must take its catalogs
from the build directory, where po/ compiles them, not from the install prefix, where
there may be none.

usage: check-devenv-locale.py MESON BUILD_DIR PROGRAM
"""

import os
import subprocess
import sys


def main(meson, build_dir, program):
    env = dict(os.environ, LANGUAGE="zh_CN", LC_ALL="C.UTF-8")
    env.pop("LETTERBOX_LOCALEDIR", None)
    out = subprocess.run([meson, "devenv", "-C", build_dir, program, "--help"],
                         env=env, capture_output=True, text=True)
    text = out.stdout + out.stderr
    # "Usage:" in the zh_CN catalog.
    if "用法" not in text:
        print(f"{program} --help under meson devenv with LANGUAGE=zh_CN is not Chinese:\n{text}")
        return 1
    print("the build tree's catalogs are used")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
