#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The corpus generator (tests/fixtures/corpus.py) is deterministic and every kind of
message really is what it claims: checked with Python's own email parser, independently
of the engine."""

import email
import email.header
import email.policy
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.environ.get("LB_TEST_FIXTURES_DIR",
                                  os.path.join(os.path.dirname(__file__), "..", "fixtures")))
import corpus  # noqa: E402


def decode_header(raw):
    return str(email.header.make_header(email.header.decode_header(raw)))


def parse(data):
    return email.message_from_bytes(data, policy=email.policy.compat32)


class CorpusTest(unittest.TestCase):
    def test_deterministic(self):
        a = [(d, f) for d, _, f in corpus.generate(300, seed=11)]
        b = [(d, f) for d, _, f in corpus.generate(300, seed=11)]
        c = [(d, f) for d, _, f in corpus.generate(300, seed=12)]
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)

    def test_write_folder_and_manifest(self):
        with tempfile.TemporaryDirectory() as tmp:
            folder = os.path.join(tmp, "alice", ".Sent")
            manifest = os.path.join(tmp, "m.json")
            entries = corpus.write_folder(folder, 500, seed=3, manifest=manifest)
            names = sorted(os.listdir(os.path.join(folder, "cur")))
            self.assertEqual(len(names), 500)
            # File-name order is UID order, which Dovecot follows for new files.
            self.assertEqual([e["file"] for e in entries], names)
            m = corpus.read_manifest(manifest)
            self.assertEqual(m["count"], 500)
            self.assertEqual([e["uid"] for e in m["messages"]], list(range(1, 501)))
            for e in m["messages"][:100]:
                path = os.path.join(folder, "cur", e["file"])
                st = os.stat(path)
                self.assertEqual(int(st.st_mtime), e["date"])      # INTERNALDATE
                self.assertEqual(st.st_size, e["size"])
                self.assertIn(",S=%d:2," % e["size"], e["file"])
                self.assertTrue(e["file"].endswith(":2," + e["maildir_flags"]))
                with open(path, "rb") as f:
                    msg = parse(f.read())
                self.assertEqual(msg["Message-ID"], e["message_id"])
            # C tests read the manifest one message per line.
            with open(manifest, encoding="utf-8") as f:
                lines = [l for l in f if l.startswith('{"uid"')]
            self.assertEqual(len(lines), 500)
            # A second batch goes after the first.
            more = corpus.write_folder(folder, 10, seed=4)
            self.assertEqual(more[0]["uid"], 501)
            self.assertEqual(sorted(os.listdir(os.path.join(folder, "cur")))[-10:],
                             [e["file"] for e in more])

    def test_mix(self):
        entries = [m for _, m, _ in corpus.generate(3000, seed=5)]
        kinds = {e["kind"] for e in entries}
        self.assertEqual(kinds, set(corpus.KIND_NAMES))
        years = {int(e["date"] // (365.25 * 86400)) for e in entries}
        self.assertGreaterEqual(len(years), 4)
        replies = [e for e in entries if e["in_reply_to"]]
        self.assertGreater(len(replies), 300)
        ids = {e["message_id"] for e in entries}
        self.assertEqual(len(ids), len(entries))
        self.assertTrue(all(r["in_reply_to"] in ids for r in replies))

    def test_subjects_decode(self):
        for data, meta, _ in corpus.generate(2000, seed=9):
            msg = parse(data)
            raw = msg["Subject"]
            if "subject_header_hex" in meta:
                # Raw 8-bit GBK: the header bytes are the GBK encoding of the subject.
                self.assertEqual(bytes.fromhex(meta["subject_header_hex"]),
                                 meta["subject"].encode("gbk"))
                self.assertIn(bytes.fromhex(meta["subject_header_hex"]), data)
            else:
                self.assertEqual(raw, meta["subject_header"])
                self.assertEqual(decode_header(raw).replace(" ", ""),
                                 meta["subject"].replace(" ", ""), meta["kind"])

    def test_kinds(self):
        for kind in corpus.KIND_NAMES:
            data, meta = corpus.make_message(kind, seed=1)
            self.assertEqual(meta["kind"], kind)
            self.assertNotIn(b"\r", data)
            msg = parse(data)
            self.assertEqual(msg["Message-ID"], meta["message_id"])
            if kind == "split-word":
                words = msg["Subject"].split()
                self.assertEqual(len(words), 2)
                # Each word alone is not valid UTF-8: the cut is inside a character.
                first = email.header.decode_header(words[0])[0][0]
                with self.assertRaises(UnicodeDecodeError):
                    first.decode("utf-8")
            if kind == "gbk-unlabelled":
                self.assertIsNone(msg.get_param("charset"))
                body = msg.get_payload(decode=True)
                self.assertRaises(UnicodeDecodeError, body.decode, "utf-8")
                self.assertIn("，", body.decode("gbk"))
            if kind == "gbk-qp":
                self.assertEqual(msg.get_content_charset(), "gbk")
                self.assertEqual(msg["Content-Transfer-Encoding"], "quoted-printable")
                self.assertIn("你好", msg.get_payload(decode=True).decode("gbk"))
            if kind == "gbk-base64":
                self.assertIn("=?GBK?Q?", msg["Subject"])
                self.assertIn("你好", msg.get_payload(decode=True).decode("gbk"))
            if kind == "related":
                self.assertEqual(msg.get_content_type(), "multipart/related")
                parts = list(msg.walk())
                image = [p for p in parts if p.get_content_type() == "image/png"][0]
                cid = image["Content-ID"].strip("<>")
                html = [p for p in parts if p.get_content_type() == "text/html"][0]
                self.assertIn("cid:" + cid, html.get_payload(decode=True).decode("utf-8"))
            if kind == "alternative":
                self.assertEqual(msg.get_content_type(), "multipart/alternative")
                types = [p.get_content_type() for p in msg.get_payload()]
                self.assertEqual(types, ["text/plain", "text/html"])
            if kind.startswith("attachment"):
                att = [p for p in msg.walk() if p.get_content_disposition() == "attachment"][0]
                name = att.get_filename()
                if kind == "attachment-2047":
                    name = decode_header(name)
                self.assertEqual(name, meta["attachment"])
                if kind == "attachment-2231":
                    self.assertIn("filename*=UTF-8''", att["Content-Disposition"])
                self.assertTrue(meta["has_attachment"])

    def test_cli_message(self):
        import subprocess
        script = os.path.join(os.path.dirname(corpus.__file__), "corpus.py")
        out = subprocess.run([sys.executable, script, "message", "--kind", "gbk-qp", "--seed", "1",
                              "--crlf"], check=True, capture_output=True).stdout
        data, _ = corpus.make_message("gbk-qp", seed=1)
        self.assertEqual(out, data.replace(b"\n", b"\r\n"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
