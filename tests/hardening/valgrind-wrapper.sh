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
    rh=$1; shift
    exec "$rh" $vg "$@" ;;
  */python3*|*.py|*/sh|*/bash)
    exec "$@" ;;
  *)
    exec $vg "$@" ;;
esac
