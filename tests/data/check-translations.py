#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when a translation is incomplete or a file with translatable strings is not
listed in po/POTFILES.in, and when the Chinese translation breaks its typography: corner
brackets 「」 where the rest of it uses “” quotation marks, a Chinese character right
next to a Latin letter or digit (the Chinese copywriting guidelines put a space between
them: 在 Gmail 中), or a mnemonic suffix such as 取消(_C) on a header bar button, where
it shows as 取消(C).

The template is regenerated from the sources (not taken from the repository), so a string
added to the code but not to the .po files is caught.  Exit status 77 (skipped) when the
gettext tools are missing.

usage: check-translations.py SOURCE_ROOT
"""

import os
import re
import xml.etree.ElementTree as ET
import shutil
import subprocess
import sys
import tempfile

# The keywords of meson's i18n.gettext(preset: 'glib').
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
]

C_MARKER = re.compile(r"(?<![\w])(?:_|N_|C_|NC_|g_dngettext|ngettext)\s*\(")
XML_MARKER = re.compile(r"""translatable\s*=\s*["'](?:yes|true|1)["']""")
SCANNED_DIRS = ("src", "data")
ALWAYS_TRANSLATABLE = (".desktop.in", ".desktop.in.in", ".metainfo.xml.in", ".appdata.xml.in")


CJK = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
CJK_LATIN = re.compile(f"{CJK}[A-Za-z0-9]|[A-Za-z0-9]{CJK}")
# What is not prose: printf conversions, escapes and mnemonic suffixes such as (_A).
NOT_PROSE = re.compile(r"%(?:\d+\$)?[-#0 +']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?[a-zA-Z]"
                       r"|\\[nt\"\\]|\(_[A-Za-z0-9]\)")
HEADER_BARS = ("AdwHeaderBar", "GtkHeaderBar")
BUTTONS = ("GtkButton", "GtkToggleButton", "GtkMenuButton")


def read_list(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f
                if line.strip() and not line.lstrip().startswith("#")]


def has_translatable_strings(path):
    name = os.path.basename(path)
    if name.endswith(ALWAYS_TRANSLATABLE):
        return True
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return False
    if name.endswith((".c", ".h")):
        return C_MARKER.search(text) is not None
    if name.endswith(".gschema.xml"):
        return "gettext-domain" in text
    if name.endswith((".ui", ".xml", ".in", ".blp")):
        return XML_MARKER.search(text) is not None
    return False


def check_potfiles(srcdir, potfiles):
    errors = []
    listed = set(potfiles)
    for entry in potfiles:
        if not os.path.isfile(os.path.join(srcdir, entry)):
            errors.append(f"po/POTFILES.in lists {entry}, which does not exist")
    for top in SCANNED_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(srcdir, top)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for filename in sorted(filenames):
                path = os.path.join(dirpath, filename)
                rel = os.path.relpath(path, srcdir)
                if rel not in listed and has_translatable_strings(path):
                    errors.append(f"{rel} has translatable strings but is not in po/POTFILES.in")
    return errors


def messages(po_file, *attrib_args):
    """The msgids selected by msgattrib with the given filter."""
    out = subprocess.run(["msgattrib", "--no-wrap", *attrib_args, po_file],
                         check=True, capture_output=True, text=True).stdout
    ids = re.findall(r'^msgid "(.*)"$', out, flags=re.MULTILINE)
    return [i for i in ids if i]


def header_bar_labels(srcdir):
    """The translatable labels of buttons in the header bars of data/ui/*.ui."""
    labels = set()

    def walk(element, in_header_bar):
        for child in element:
            if child.tag == "object":
                cls = child.get("class")
                if cls in ("GtkPopover", "GtkPopoverMenu"):
                    continue
                here = in_header_bar or cls in HEADER_BARS
                if here and cls in BUTTONS:
                    for prop in child.findall("property"):
                        if (prop.get("name") == "label" and prop.text
                                and prop.get("translatable") in ("yes", "true", "1")):
                            labels.add(prop.text)
                walk(child, here)
            elif child.tag in ("child", "property", "template"):
                if child.tag == "property" and child.get("name") in ("popover", "menu-model"):
                    continue
                walk(child, in_header_bar)

    uidir = os.path.join(srcdir, "data", "ui")
    for name in sorted(os.listdir(uidir)) if os.path.isdir(uidir) else []:
        if name.endswith(".ui"):
            walk(ET.parse(os.path.join(uidir, name)).getroot(), False)
    return labels


def translations(po_file):
    """(msgid, [msgstr...]) of every current entry."""
    out = subprocess.run(["msgattrib", "--no-wrap", "--no-obsolete", po_file],
                         check=True, capture_output=True, text=True).stdout
    entries = []
    for block in out.split("\n\n"):
        msgid = re.search(r'^msgid "(.*)"$', block, flags=re.MULTILINE)
        msgstrs = re.findall(r'^msgstr(?:\[\d+\])? "(.*)"$', block, flags=re.MULTILINE)
        if msgid and msgid.group(1):
            entries.append((msgid.group(1), msgstrs))
    return entries


def check_chinese(srcdir, lang, po):
    """The typography of a Chinese translation (see the module's docstring)."""
    errors = []
    header_bar = header_bar_labels(srcdir)
    for msgid, msgstrs in translations(po):
        for msgstr in msgstrs:
            if "「" in msgstr or "」" in msgstr:
                errors.append(f"po/{lang}.po: “” quotation marks, not 「」: \"{msgstr}\"")
            # Desktop keyword lists ("mail;inbox;QQ邮箱;") are search terms, not prose.
            prose = NOT_PROSE.sub(" ", msgstr)
            if not msgid.endswith(";") and CJK_LATIN.search(prose):
                errors.append(f"po/{lang}.po: a space between Chinese and Latin words: "
                              f"\"{msgstr}\"")
            if msgid in header_bar and re.search(r"\(_[A-Za-z0-9]\)", msgstr):
                errors.append(f"po/{lang}.po: no mnemonic suffix on the header bar button "
                              f"\"{msgid}\": \"{msgstr}\"")
    return errors


def check_language(srcdir, lang, template, tmpdir):
    errors = []
    po = os.path.join(srcdir, "po", f"{lang}.po")
    if not os.path.isfile(po):
        return [f"po/LINGUAS lists {lang} but po/{lang}.po does not exist"]

    check = subprocess.run(["msgfmt", "--check", "-o", os.devnull, po],
                           capture_output=True, text=True)
    if check.returncode != 0:
        errors.append(f"po/{lang}.po: msgfmt --check failed:\n{check.stderr.strip()}")
    if lang.startswith("zh"):
        errors.extend(check_chinese(srcdir, lang, po))

    # The .po file as such, and merged with the template regenerated from the sources.
    merged = os.path.join(tmpdir, f"{lang}.merged.po")
    merge = subprocess.run(["msgmerge", "--quiet", "--no-wrap", "-o", merged, po, template],
                           capture_output=True, text=True)
    if merge.returncode != 0:
        return errors + [f"po/{lang}.po: msgmerge failed:\n{merge.stderr.strip()}"]
    for label, path in ((f"po/{lang}.po", po), (f"po/{lang}.po merged with the sources", merged)):
        for msgid in messages(path, "--only-fuzzy", "--no-obsolete"):
            errors.append(f"{label}: fuzzy: \"{msgid}\"")
        for msgid in messages(path, "--untranslated", "--no-obsolete"):
            errors.append(f"{label}: untranslated: \"{msgid}\"")
    return errors


def main(srcdir):
    for tool in ("xgettext", "msgmerge", "msgattrib", "msgfmt"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing: skipped")
            return 77

    potfiles = read_list(os.path.join(srcdir, "po", "POTFILES.in"))
    linguas = []
    for line in read_list(os.path.join(srcdir, "po", "LINGUAS")):
        linguas.extend(line.split())

    errors = check_potfiles(srcdir, potfiles)
    with tempfile.TemporaryDirectory() as tmpdir:
        template = os.path.join(tmpdir, "letterbox.pot")
        files = os.path.join(tmpdir, "POTFILES")
        with open(files, "w", encoding="utf-8") as f:
            f.write("\n".join(p for p in potfiles
                              if os.path.isfile(os.path.join(srcdir, p))) + "\n")
        subprocess.run(["xgettext", *XGETTEXT_ARGS, "--package-name=letterbox",
                        f"--files-from={files}", f"--directory={srcdir}", "-o", template],
                       check=True)
        if not os.path.isfile(template):
            errors.append("xgettext found no translatable string at all")
        else:
            for lang in linguas:
                errors.extend(check_language(srcdir, lang, template, tmpdir))

    for error in errors:
        print(error)
    if not errors:
        print(f"translations complete for {', '.join(linguas)} ({len(potfiles)} source files)")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(os.path.abspath(sys.argv[1])))
