#!/bin/sh
# valgrind-wrapper.sh COMMAND ARGS...: the `meson test --wrapper` of build-aux/dev test --valgrind
#
# Runs memcheck on our own programs only.  A test that goes through run-headless gets
# valgrind inside it (around the test binary, not around bash); interpreters (the Python
# corpus checks) run as they are; children of the test (letterbox-cli) are traced too,
# system programs they start (sh, python3, dovecot, openssl ...) are not.
# SPDX-License-Identifier: GPL-3.0-or-later
here=$(cd "$(dirname "$0")" && pwd)
set -- "$@"
vg="valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
  --suppressions=$here/../valgrind.supp --num-callers=30 --trace-children=yes
  --trace-children-skip=/usr/*,/bin/*,/sbin/*,/lib/*"
case "$1" in
  */run-headless)
    # run-headless's own options (--x11) come before the program it runs.
    rh=$1; shift
    opts=
    while [ $# -gt 0 ] && [ "${1#--}" != "$1" ]; do opts="$opts $1"; shift; done
    exec "$rh" $opts $vg "$@" ;;
  */python3*|*.py|*/sh|*/bash)
    exec "$@" ;;
  *)
    exec $vg "$@" ;;
esac
