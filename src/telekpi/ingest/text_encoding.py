"""The text encoding of a file: told (``--encoding``), marked (a byte-order mark) or seen
(UTF-16 without a mark), and the file's bytes as UTF-8 for the readers.

Bytes that are not text in the file's encoding come through as bytes that are not
UTF-8 either (0xFF), so the reader that splits the rows quarantines the row that holds
them, with its column, instead of storing a replacement character.
"""

from __future__ import annotations

import codecs
from typing import BinaryIO

from telekpi.errors import InputError
from telekpi.i18n import _

SAMPLE_BYTES = 8192
BAD_BYTES = "telekpi-bad-bytes"


def _mark_bad(e: UnicodeError) -> tuple[str, int]:
    if not isinstance(e, UnicodeDecodeError):
        raise e
    return "\udcff" * (e.end - e.start), e.end   # encoded with surrogateescape: byte 0xFF


codecs.register_error(BAD_BYTES, _mark_bad)


def utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the sample is UTF-16 with no byte-order mark.

    A table's delimiters, digits and line ends are ASCII, so in UTF-16 every other byte
    is zero: at odd offsets (little-endian) or even ones (big-endian). Thai or Chinese
    text between them still leaves most code units with a zero byte."""
    sample = head[:SAMPLE_BYTES]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0:pairs * 2:2], sample[1:pairs * 2:2]
    zero_even, zero_odd = even.count(0), odd.count(0)
    for enc, zeros, other in (("utf-16-le", zero_odd, zero_even), ("utf-16-be", zero_even, zero_odd)):
        if zeros >= 0.3 * pairs and other <= 0.05 * pairs:
            try:
                codecs.getincrementaldecoder(enc)().decode(sample[:pairs * 2])
            except UnicodeDecodeError:
                continue
            return enc
    return None


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return utf16_without_bom(head) or "utf-8"


def checked_encoding(encoding: str, file: str) -> str:
    """``encoding`` when Python knows it; else a sentence naming the usual ones."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(_("unknown encoding {encoding}; try utf-8, utf-16, cp1258 (Vietnamese), "
                           "cp874 (Thai), gb18030 or big5").format(encoding=repr(encoding)),
                         file=file) from None
    return encoding


def is_utf8(encoding: str) -> bool:
    """Whether the file's bytes are UTF-8 already (read as they are, a byte-order mark skipped)."""
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


def as_utf8(head: bytes, encoding: str | None) -> bytes:
    """A file's first bytes as UTF-8 for the formats' sniffers: in the encoding told, or in
    UTF-16 when the file is (with or without a byte-order mark); else as they are."""
    enc = encoding or detect_encoding(head)
    if is_utf8(enc):
        return head
    text = codecs.getincrementaldecoder(enc)(errors="replace").decode(head, final=False)
    return text.encode("utf-8")


def looks_like_text(head: bytes) -> bool:
    """Text rather than a binary file: few control bytes (compressed data has 11 %), and NUL
    bytes only here and there (executables and Office 97 files are full of them; a table with a
    NUL in a value is still a table, whose row is quarantined)."""
    if detect_encoding(head) != "utf-8":
        return True
    sample = head[:SAMPLE_BYTES]
    if sample.count(0) > len(sample) // 20:
        return False
    controls = sum(1 for b in sample if b < 0x20 and b not in (0, 9, 10, 13))
    return controls <= len(sample) // 10


class Utf8Reader:
    """A binary file read as UTF-8 bytes, block by block, in the encoding given."""

    def __init__(self, f: BinaryIO, encoding: str):
        self.f = f
        name = codecs.lookup(encoding).name
        self.passthrough = name == "utf-8"
        self.skip_bom = name == "utf-8-sig"
        self.decoder = None if self.passthrough or self.skip_bom else \
            codecs.getincrementaldecoder(encoding)(errors=BAD_BYTES)

    def read(self, n: int) -> bytes:
        """Up to about ``n`` bytes of UTF-8; b"" at the end of the file."""
        while True:
            raw = self.f.read(n)
            if self.skip_bom:
                self.skip_bom = False
                if raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
                    if not raw:
                        continue
            if self.decoder is None:
                return raw
            text = self.decoder.decode(raw, final=not raw)
            if text or not raw:
                return text.encode("utf-8", errors="surrogateescape")
