"""Asterisk call detail records (``Master.csv``) as ``cdr_csv`` or ``cdr_custom`` write them.

``cdr_csv`` writes accountcode first, then uniqueid and userfield when
``loguniqueid``/``loguserfield`` are on and peeraccount, linkedid, sequence with
``newcdrcolumns`` — 16 to 21 fields. ``cdr_custom``'s sample template starts
with clid and has 19. The layout is found from the first records: where the
disposition sits and how many fields there are. The file has no header.

One record is one call leg: ``call_id`` is the uniqueid (with the sequence
when there is one, since a channel that dials several times writes several
records). Talk time is billsec, ring time duration − billsec. The agent is
the endpoint of the channel for outbound calls and of the destination channel
for inbound ones; the campaign is the accountcode. Direction is inbound when
the context looks like a trunk's (``from-trunk``, ``from-pstn``, ``incoming``,
``did``…) or a long number called a short one. The agent's result code
(disposition) is the userfield, where dialplans usually put it with
``Set(CDR(userfield)=SALE)``. A mapping changes any of this,
e.g. ``agent_id: {column: channel, pattern: "^SIP/(\\d+)-"}``.

The caller's number is src, the called number dst; the line is the DID dialed (dst) for an
inbound call and the caller ID number the call presented (the number in clid's ``<…>``,
when it is a phone number and not the extension) for an outbound one. A call whose last
application was ``Queue`` names its queue (the first argument of lastdata); the CDR does
not say when it entered the queue nor how long it waited there, so its wait stays unknown
(docs.asterisk.org, "CDR Specification": the fields).

The ``cdr`` database table (cdr_adaptive_odbc, cdr_mysql, cdr_pgsql) dumped as CSV with a
header is read too, told from its header (``calldate``, ``src``, ``dst``, ``billsec``,
``disposition``): ``calldate`` is the start (a local date and time, or Unix seconds), the
text ``NULL`` is empty, and columns a vendor adds are kept for mappings. PBXware's
``htime`` (hold seconds) is the hold time and ``ttime`` (talk seconds) the talk time
where the dump has them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import cast

import pyarrow as pa
import pyarrow.compute as pc

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.ingest.connector import (
    DerivedCsvSource,
    add_columns,
    blank_to_null,
    endpoint,
    first_records,
    header_sniffer,
    layout_sniffer,
)
from telekpi.ingest.registry import Format, read_head, register_format
from telekpi.ingest.source import ReadOptions

# Asterisk's dispositions → canonical status (also what `mapping suggest` maps them to).
STATUS_BY_DISPOSITION = {"ANSWERED": "answered", "NO ANSWER": "no_answer", "BUSY": "busy", "FAILED": "failed",
                         "CONGESTION": "failed"}
DISPOSITIONS = tuple(STATUS_BY_DISPOSITION)
BASE = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
        "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags")
NEW_COLUMNS = ("peeraccount", "linkedid", "sequence")
CUSTOM = ("clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata", "start",
          "answer", "end", "duration", "billsec", "disposition", "amaflags", "accountcode", "uniqueid",
          "userfield", "sequence")
INBOUND_CONTEXT = r"(?i)(from-(trunk|pstn|external|did|provider)|incoming|inbound|(^|-)did($|-))"
UNIQUEID = r"^\d+\.\d+$"
TIME = r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d"

# The cdr table's columns a dump's header must name (case-insensitive).
TABLE_HEADER = ("calldate", "src", "dst", "billsec", "disposition")

MAPPING = """
columns:
  call_id: call_key
  started_at: cdr_start
  status:
    column: disposition
    values: STATUSES
  talk_s: cdr_talk
  ring_s: {column: duration, minus: billsec}
  hold_s: cdr_hold
  queue: cdr_queue
  caller_number: cdr_caller
  called_number: cdr_called
  line: cdr_line
  direction: direction_guess
  agent_id: agent
  lead_id: number
  campaign_id: accountcode
  disposition: result
""".replace("STATUSES", json.dumps(STATUS_BY_DISPOSITION))


def cdr_csv_names(record: list[str]) -> tuple[str, ...] | None:
    """The ``cdr_csv`` field names for a record of this length, or None."""
    n = len(record)
    if n < 16 or n > 21 or record[14].strip().upper() not in DISPOSITIONS:
        return None
    extra = n - 16
    tail: tuple[str, ...] = ()
    if extra >= 3:
        extra, tail = extra - 3, NEW_COLUMNS
    mid: tuple[str, ...]
    if extra == 1:
        mid = ("uniqueid",) if re.match(UNIQUEID, record[16].strip()) else ("userfield",)
    else:
        mid = ("uniqueid", "userfield")[:extra]
    return BASE + mid + tail


def layout(records: list[list[str]], strict: bool = True) -> tuple[str, tuple[str, ...]] | None:
    """('cdr_csv' | 'cdr_custom', field names) from the first readable records: by where the
    disposition sits; unless ``strict``, then by where the start time sits, then by field count."""
    for rec in records:
        if len(rec) == len(CUSTOM) and rec[13].strip().upper() in DISPOSITIONS:
            return "cdr_custom", CUSTOM
        names = cdr_csv_names(rec)
        if names:
            return "cdr_csv", names
    if strict:
        return None
    for rec in records:
        if len(rec) == len(CUSTOM) and re.match(TIME, rec[8].strip()):
            return "cdr_custom", CUSTOM
        # 16 to 21 fields with ANSWERED in the disposition's place always have names
        if 16 <= len(rec) <= 21 and re.match(TIME, rec[9].strip()):
            return "cdr_csv", cast(tuple[str, ...], cdr_csv_names(rec[:14] + ["ANSWERED"] + rec[15:]))
    for rec in records:
        if 16 <= len(rec) <= 21:
            return "cdr_csv", cast(tuple[str, ...], cdr_csv_names(rec[:14] + ["ANSWERED"] + rec[15:]))
    return None


def _unnull(arr) -> pa.Array:
    """A dump's field: trimmed, null when blank or the text NULL (an SQL null as written)."""
    v = blank_to_null(arr)
    return pc.if_else(pc.fill_null(pc.equal(pc.utf8_upper(v), "NULL"), False), pa.scalar(None, pa.string()), v)


def _epoch_text(arr) -> pa.Array:
    """Unix seconds as a UTC time the validator reads; any other value as it is."""
    is_epoch = pc.fill_null(pc.match_substring_regex(arr, r"^\d{9,11}(\.\d+)?$"), False)
    seconds = pc.if_else(is_epoch, arr, pa.scalar(None, pa.string())).cast(pa.float64())
    instant = pc.cast(pc.cast(pc.cast(pc.floor(seconds), pa.int64()), pa.timestamp("s", tz="UTC")), pa.string())
    return pc.if_else(is_epoch, instant, arr)


def derive(t: pa.Table) -> pa.Table:
    names = t.column_names
    n = t.num_rows
    dump = "calldate" in names

    def col(name):
        if name not in names:
            return pa.nulls(n, pa.string())
        return _unnull(t.column(name)) if dump else t.column(name)

    context = pc.fill_null(col("dcontext"), "")
    src, dst = blank_to_null(col("src")), blank_to_null(col("dst"))
    long_src = pc.match_substring_regex(pc.fill_null(src, ""), r"^\+?\d{7,}$")
    short_dst = pc.match_substring_regex(pc.fill_null(dst, ""), r"^\d{1,6}$")
    inbound = pc.or_(pc.match_substring_regex(context, INBOUND_CONTEXT), pc.and_(long_src, short_dst))
    direction = pc.if_else(inbound, "inbound", "outbound")
    agent = pc.if_else(inbound, endpoint(col("dstchannel")), endpoint(col("channel")))
    number = pc.if_else(inbound, src, dst)
    uid = blank_to_null(col("uniqueid"))
    seq = blank_to_null(col("sequence"))
    start = col("calldate") if dump else col("start")
    fallback = pc.binary_join_element_wise(pc.fill_null(start, ""), pc.fill_null(col("channel"), ""),
                                           pc.fill_null(col("dstchannel"), ""), "|")
    keyed = pc.if_else(pc.is_valid(seq), pc.binary_join_element_wise(uid, seq, "#"), uid)
    key = pc.if_else(pc.is_valid(uid), keyed, fallback)
    null = pa.scalar(None, pa.string())
    # The caller ID an outbound call presented: the number in clid's <…>, when it is a phone number.
    cid = pc.extract_regex(pc.fill_null(col("clid"), ""), r"<(?P<n>\+?[\d ()-]{7,})>")
    cid_number = pc.if_else(pc.is_valid(cid), pc.struct_field(cid, [0]), null)
    line = pc.if_else(inbound, dst, cid_number)
    queue_app = pc.fill_null(pc.equal(pc.utf8_lower(pc.fill_null(col("lastapp"), "")), "queue"), False)
    queue_name = blank_to_null(pc.fill_null(pc.replace_substring_regex(col("lastdata"), r"[,|].*$", ""), ""))
    talk = pc.coalesce(blank_to_null(col("ttime")), blank_to_null(col("billsec")))
    return add_columns(t, call_key=key, direction_guess=direction, agent=agent, number=number,
                       result=blank_to_null(col("userfield")), cdr_start=_epoch_text(blank_to_null(start)),
                       cdr_talk=talk, cdr_hold=blank_to_null(col("htime")),
                       cdr_queue=pc.if_else(queue_app, queue_name, null), cdr_caller=src, cdr_called=dst,
                       cdr_line=line)


def is_cdr_table(head: bytes) -> bool:
    """A dump of the cdr table: a header naming its columns."""
    return b"\x00" not in head[:4096] and header_sniffer(*TABLE_HEADER)(Path(), head)


def open_cdr(path: Path, options: ReadOptions) -> DerivedCsvSource:
    head = read_head(path)
    if not options.names and is_cdr_table(head):
        return DerivedCsvSource(path, options, derive)
    found = layout(first_records(head), strict=False)
    if options.names:
        names = options.names
    elif found:
        names = found[1]
    else:
        raise InputError(_("is not an Asterisk Master.csv: no record in its first lines has a disposition "
                           "({dispositions}) where cdr_csv or cdr_custom put it").format(
            dispositions=", ".join(DISPOSITIONS)), file=str(path), line=1)
    return DerivedCsvSource(path, options, derive, names=names)


FORMAT = register_format(Format(
    name="asterisk-cdr", help="Asterisk Master.csv (cdr_csv or cdr_custom order, no header), or the cdr "
                              "database table dumped as CSV with a header",
    open=open_cdr, sniff=lambda path, head: is_cdr_table(head) or layout_sniffer(layout)(path, head),
    priority=50, mapping=MAPPING, tables=("calls",), followable=True))
