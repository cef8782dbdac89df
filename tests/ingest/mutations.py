"""Hypothesis strategies that damage a valid export the ways real files arrive damaged:
flipped bytes, a torn end, garbage or NUL inside, boundary numbers and times in a field,
invalid UTF-8 or another encoding, a huge field, a doubled header, a column gone."""

from __future__ import annotations

import re

from hypothesis import strategies as st

NUMBERS = ["0", "-0", "-1", "1e309", "-1e309", "inf", "-inf", "Infinity", "NaN", "nan",
           "9" * 40, "-" + "9" * 40, str(2**63), str(-(2**63) - 1), "1.7976931348623157e308", "1e-320",
           "0x1F", "1_000", "\u0661\u0662\u0663", "\uff11\uff12\uff13", "", " "]
TIMES = ["0000-01-01 00:00:00", "0001-01-01 00:00:00", "9999-12-31 23:59:59", "10000-01-01 00:00:00",
         "-0001-01-01", "2026-02-30 10:00:00", "2026-01-05 10:00:00+14:00", "2026-01-05 10:00:00-14:00",
         "2026-01-05 10:00:00+99:99", "2026-01-05T25:61:61", "1970-01-01 00:00:00", "infinity",
         "-infinity", "epoch", "2026-01-05 10:00:00.123456789", "253402300800", "-62135596800",
         "99999999999999999999", "2026/1/5 7:00", "5/1/2026 07:00 PM", ""]
ODD = ["\x00", "\x00" * 50, "\ufeff", "\u2028", "\r", '"', '""', "'", "=cmd|' /c calc'!A1", "<script>",
       "Ⅻ", "\U0001f4de", "é", "\ud7ff", "x" * 100_000]
ENCODINGS = ["utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1", "cp1258", "tis-620", "gb18030",
             "big5", "shift_jis"]


def delimiter_of(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max("|,\t;", key=first.count)


def _fields(data: bytes) -> tuple[list[list[str]], str]:
    text = data.decode("utf-8", errors="surrogateescape")
    d = delimiter_of(text)
    return [line.split(d) for line in text.split("\n")], d


def _join(lines: list[list[str]], d: str) -> bytes:
    return "\n".join(d.join(f) for f in lines).encode("utf-8", errors="surrogateescape")


@st.composite
def mutation(draw, data: bytes) -> tuple[str, bytes]:
    """One damage done to ``data``: (what was done, the damaged bytes)."""
    kind = draw(st.sampled_from(["flip", "truncate", "garbage_line", "nul", "field", "typed_field",
                                 "encoding", "bad_utf8", "long_field", "dup_header", "dup_column",
                                 "drop_column", "crlf_mix", "blank_lines"]))
    n = len(data)
    if kind == "flip":
        pos = draw(st.integers(0, max(n - 1, 0)))
        new = bytes([draw(st.integers(0, 255))])
        return f"flip@{pos}={new!r}", data[:pos] + new + data[pos + 1:]
    if kind == "truncate":
        pos = draw(st.integers(0, n))
        return f"truncate@{pos}", data[:pos]
    if kind == "nul":
        pos = draw(st.integers(0, n))
        return f"nul@{pos}", data[:pos] + b"\x00" * draw(st.integers(1, 8)) + data[pos:]
    if kind == "bad_utf8":
        pos = draw(st.integers(0, n))
        junk = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80\x80"]))
        return f"bad_utf8@{pos}", data[:pos] + junk + data[pos:]
    if kind == "encoding":
        enc = draw(st.sampled_from(ENCODINGS))
        text = data.decode("utf-8", errors="replace")
        return f"encoding={enc}", text.encode(enc, errors="replace")
    lines, d = _fields(data)
    at = draw(st.integers(0, max(len(lines) - 1, 0)))
    if kind == "garbage_line":
        junk = draw(st.one_of(st.binary(max_size=80),
                              st.text(max_size=80).map(lambda t: t.encode("utf-8", "surrogatepass"))))
        text = data.split(b"\n")
        text.insert(at, junk)
        return f"garbage_line@{at}={junk!r}", b"\n".join(text)
    if kind == "crlf_mix":
        return "crlf_mix", data.replace(b"\n", b"\r\n", draw(st.integers(1, 5))).replace(b"\r\n", b"\r", 1)
    if kind == "blank_lines":
        text = data.split(b"\n")
        text.insert(at, draw(st.sampled_from([b"", b"   ", d.encode() * 5, b"\t"])))
        return f"blank_line@{at}", b"\n".join(text)
    if kind == "dup_header":
        return "dup_header", _join([lines[0]] + lines, d)
    width = max(len(f) for f in lines)
    col = draw(st.integers(0, max(width - 1, 0)))
    if kind == "dup_column":
        return f"dup_column@{col}", _join([f[:col + 1] + f[col:] if len(f) > col else f for f in lines], d)
    if kind == "drop_column":
        return f"drop_column@{col}", _join([f[:col] + f[col + 1:] for f in lines], d)
    row = lines[at]
    if not row or col >= len(row):
        return "none", data
    if kind == "typed_field":
        old = row[col].strip('"')
        pool = (TIMES if re.search(r"\d{4}-\d\d-\d\d|\d\d:\d\d", old)
                else NUMBERS if re.fullmatch(r"-?\d+(\.\d+)?", old) else ODD)
        value = draw(st.sampled_from(pool))
    elif kind == "long_field":
        value = "x" * draw(st.sampled_from([1_000, 70_000, 300_000]))
    else:
        value = draw(st.sampled_from(NUMBERS + TIMES + ODD))
    row[col] = value
    return f"{kind}@{at}:{col}={value[:40]!r}", _join(lines, d)


def mutations(data: bytes, max_size: int = 3) -> st.SearchStrategy[tuple[list[str], bytes]]:
    """Up to ``max_size`` damages done one after the other."""

    @st.composite
    def chain(draw) -> tuple[list[str], bytes]:
        done, cur = [], data
        for _ in range(draw(st.integers(1, max_size))):
            what, cur = draw(mutation(cur))
            done.append(what)
        return done, cur
    return chain()
