#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the flatpak manifest, which cannot be built here: it must be valid JSON, build
the right application with the permissions it needs and no more, and pin every download."""

import json
import re
import sys

APP_ID = "io.github.letterbox.Letterbox"
REQUIRED_FINISH_ARGS = [
    "--share=network",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--talk-name=org.freedesktop.secrets",
]
# Mail never needs these; they would defeat the sandbox.
FORBIDDEN_FINISH_ARGS = ["--filesystem=home", "--filesystem=host", "--socket=x11",
                         "--socket=session-bus", "--device=all"]


def main(path):
    errors = []
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{path}: not valid JSON: {e}")
        return 1

    app_id = manifest.get("id", manifest.get("app-id"))
    if app_id != APP_ID:
        errors.append(f"id is {app_id!r}, expected {APP_ID!r}")
    if manifest.get("command") != "letterbox":
        errors.append(f"command is {manifest.get('command')!r}, expected 'letterbox'")
    for key in ("runtime", "runtime-version", "sdk"):
        if not manifest.get(key):
            errors.append(f"{key} is missing")

    finish_args = manifest.get("finish-args", [])
    for arg in REQUIRED_FINISH_ARGS:
        if arg not in finish_args:
            errors.append(f"finish-args lacks {arg}")
    if not any("notification" in arg.lower() for arg in finish_args):
        errors.append("finish-args lets the application send no notifications")
    for arg in FORBIDDEN_FINISH_ARGS:
        if arg in finish_args:
            errors.append(f"finish-args has {arg}, which the application does not need")

    modules = manifest.get("modules", [])
    names = [m.get("name") if isinstance(m, dict) else m for m in modules]
    if "gmime" not in names:
        errors.append("no gmime module (the GNOME runtime does not ship GMime)")
    if not names or names[-1] != "letterbox":
        errors.append("the last module must be letterbox itself")

    for module in modules:
        if not isinstance(module, dict):
            continue
        for source in module.get("sources", []):
            if not isinstance(source, dict):
                continue
            kind = source.get("type")
            if kind in ("archive", "file"):
                url = source.get("url", "")
                if not url.startswith("https://"):
                    errors.append(f"{module['name']}: source url {url!r} is not https")
                if not re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", "")):
                    errors.append(f"{module['name']}: source {url!r} has no sha256")
            elif kind == "git":
                if not re.fullmatch(r"[0-9a-f]{40}", source.get("commit", "")):
                    errors.append(f"{module['name']}: git source is not pinned to a commit")

    letterbox = next((m for m in modules if isinstance(m, dict) and m.get("name") == "letterbox"),
                     None)
    if letterbox is not None and letterbox.get("buildsystem") != "meson":
        errors.append("letterbox must be built with meson")

    for error in errors:
        print(f"{path}: {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: check-flatpak-manifest.py MANIFEST")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
