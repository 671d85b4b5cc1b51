#!/bin/sh
# Fails when the engine library starts to depend on GTK, GDK, libadwaita or WebKit:
# no object in the static library may reference their symbols, and no engine source
# may include their headers.
set -eu
lib=$1
builddir=$2
bad=$(nm -u "$lib" 2>/dev/null | grep -E ' (gtk_|gdk_|adw_|webkit_|gsk_)' | sort -u || true)
if [ -n "$bad" ]; then
  echo "not ok - the engine references UI symbols:"; echo "$bad"; exit 1
fi
srcdir=$(dirname "$0")/../../src/engine
inc=$(grep -rlE '#include[[:space:]]*[<"](gtk/|gdk/|adwaita\.h|webkit/|gsk/)' "$srcdir" || true)
if [ -n "$inc" ]; then
  echo "not ok - engine sources include UI headers:"; echo "$inc"; exit 1
fi
# The compile commands of the engine must not carry GTK include paths either.
if grep -E '"file": "[^"]*src/engine/' -A0 "$builddir/compile_commands.json" >/dev/null 2>&1; then
  if python3 - "$builddir/compile_commands.json" <<'PY'
import json, sys
cmds = json.load(open(sys.argv[1]))
bad = [c["file"] for c in cmds if "/src/engine/" in c["file"] and ("gtk-4.0" in c["command"] or "libadwaita" in c["command"])]
if bad:
    print("not ok - engine compiled with GTK include paths:", *bad, sep="\n")
    sys.exit(0)
sys.exit(1)
PY
  then exit 1; fi
fi
echo "ok - the engine is GTK-free"
