#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Renders Letterbox's icons to PNG for the GResource.

    data/icons/render-png.py

GTK 4.8 draws SVG icons through gdk-pixbuf's SVG loader, which loads librsvg: some 8 MB of
resident memory, at every start if an SVG icon is on screen then (the sidebar's folder
icons; on X11 the window icon).  PNGs load without it.  So the resource carries PNGs only:
the symbolic folder icons as .symbolic.png masks (GTK recolours them) at the sizes the
sidebar (16 px) and the empty list (96 px) use, at scales 1 and 2, and the application icon
at the sizes GTK puts in an X11 window icon.  Run this after changing one of the SVGs and
commit the PNGs; the SVGs stay the sources (and the installed application icon).
"""
import os

import gi
gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf, GLib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# Each symbolic icon at the sizes it is shown at: the folder icons in the sidebar (16 px)
# and the empty list (96 px), the attachment Open button's in the reader (16 px).
SYMBOLIC = {
    "mail-inbox-symbolic": [16, 96],
    "mail-archive-symbolic": [16, 96],
    "mail-outbox-symbolic": [16, 96],
    "external-link-symbolic": [16],
}
APP_ID = "io.github.letterbox.Letterbox"
# What GTK 4.8 puts in _NET_WM_ICON (gtkwindow.c, icon_list_from_theme).
APP_SIZES = [16, 24, 32, 48, 64, 128, 256]


def save(pixbuf, folder, name):
    target = os.path.join(HERE, folder)
    os.makedirs(target, exist_ok=True)
    pixbuf.savev(os.path.join(target, name), "png", [], [])
    print(os.path.join(folder, name))


def mask(pixbuf):
    """Black where the icon is drawn: GTK takes black as the foreground colour."""
    if not pixbuf.get_has_alpha():
        pixbuf = pixbuf.add_alpha(False, 0, 0, 0)
    pixels = bytearray(pixbuf.get_pixels())
    stride, n = pixbuf.get_rowstride(), pixbuf.get_n_channels()
    for y in range(pixbuf.get_height()):
        for x in range(pixbuf.get_width()):
            i = y * stride + x * n
            pixels[i:i + 3] = b"\0\0\0"
    return GdkPixbuf.Pixbuf.new_from_bytes(GLib.Bytes.new(bytes(pixels)),
                                           GdkPixbuf.Colorspace.RGB, True, 8,
                                           pixbuf.get_width(), pixbuf.get_height(), stride)


for name, sizes in SYMBOLIC.items():
    svg = os.path.join(HERE, "symbolic", "actions", name + ".svg")
    for size in sizes:
        for scale in (1, 2):
            pixbuf = GdkPixbuf.Pixbuf.new_from_file_at_size(svg, size * scale, size * scale)
            folder = "%dx%d%s" % (size, size, "@2" if scale == 2 else "")
            save(mask(pixbuf), os.path.join("png", folder, "actions"), name + ".symbolic.png")

svg = os.path.join(HERE, "hicolor", "scalable", "apps", APP_ID + ".svg")
for size in APP_SIZES:
    save(GdkPixbuf.Pixbuf.new_from_file_at_size(svg, size, size),
         os.path.join("png", "%dx%d" % (size, size), "apps"), APP_ID + ".png")
