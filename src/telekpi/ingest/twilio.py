"""Twilio call logs: the CSV the Console's call log (Monitor → Logs → Calls) downloads.

The export has a header; its columns are the Call resource's fields, named in
Title Case (``Sid`` or ``Call Sid``, ``Parent Call Sid``, ``Date Created``,
``Start Time``, ``End Time``, ``Duration``, ``From``, ``To``, ``Direction``,
``Status``, ``Answered By``, ``Price``…). The same fields in the API's
snake_case (``sid``, ``start_time``, ``answered_by``), as scripts that dump
``calls.list()`` write them, are read too: header names are matched ignoring
case, spaces, dashes and underscores. A file is recognised by its header
naming a Sid, From, To, Direction, Status and a start time.

Times are UTC: RFC 2822 (``Tue, 05 Mar 2024 10:15:30 +0000``, what the API
writes), ``2024-03-05 10:15:30 UTC``, ISO 8601 with ``Z`` or an offset; a time
with no zone at all is read as UTC (the built-in mapping's ``timezone``).
``started_at`` is the Start Time, or Date Created for a call never dialed.

Status: completed → answered (or voicemail when answered by a machine, failed
when answered by a fax); busy → busy; no-answer and canceled → no_answer;
failed → failed. Calls that are queued, ringing or in progress are not
finished: they are quarantined with that reason and counted when a later
export, after they end, is imported. Direction: inbound and
trunking-originating are inbound; outbound-api, outbound-dial and
trunking-terminating outbound. Talk time is Duration for completed calls
(0 for the others, which never connected). The agent is a Twilio Client
identity or SIP user on either side (``client:anna``,
``sip:1001@acme.sip.twilio.com``), ours first; the lead is the far party (To
when outbound, From when inbound), or the other side when the far party is an
agent (a ``<Dial>`` to an agent's browser).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from telekpi.errors import InputError
from telekpi.i18n import _, pieces
from telekpi.ingest.connector import (
    DerivedCsvSource,
    add_columns,
    blank_to_null,
    first_records,
)
from telekpi.ingest.csv_file import CsvSource
from telekpi.ingest.registry import Format, register_format
from telekpi.ingest.source import RawBatch, ReadOptions, Reject

NAME = "twilio"
# Our name for a field → the header names it goes by, normalised (see ``key``).
FIELDS = {
    "sid": ("sid", "callsid"),
    "start": ("starttime",),
    "created": ("datecreated",),
    "duration": ("duration", "durationseconds", "callduration"),
    "from": ("from",),
    "to": ("to",),
    "direction": ("direction",),
    "status": ("status", "callstatus"),
    "answered_by": ("answeredby",),
}
REQUIRED = ("sid", "from", "to", "direction", "status")
STATUS = {"completed": "answered", "busy": "busy", "no-answer": "no_answer", "canceled": "no_answer",
          "cancelled": "no_answer", "failed": "failed"}
# Twilio's statuses of a call that has not ended yet.
PENDING = ("queued", "initiated", "ringing", "in-progress")
DIRECTION = {"inbound": "inbound", "trunking-originating": "inbound", "outbound-api": "outbound",
             "outbound-dial": "outbound", "outbound": "outbound", "trunking-terminating": "outbound"}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
RFC2822 = (r"^(?:[A-Za-z]{3},\s*)?(?P<day>\d{1,2})\s+(?P<mon>[A-Za-z]{3})\s+(?P<year>\d{4})\s+"
           r"(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?P<zone>.*)$")
# A time ending in a zone name (PST, America/New_York) once UTC/GMT are made +00:00.
ZONE_WORD = r"\d\s*[A-Za-z][A-Za-z_/]+$"
# A Twilio Client identity or SIP user (either side of the call): the agent.
AGENT = r"^(?:client:(?P<client>[^?;]+)|sip:(?P<sip>[^@;?]+)@.*)$"

MAPPING = """
timezone: UTC
columns:
  call_id: twilio_sid
  started_at: twilio_started
  status: twilio_status
  direction: twilio_direction
  talk_s: twilio_talk
  agent_id: twilio_agent
  lead_id: twilio_lead
  caller_number: twilio_from
  called_number: twilio_to
  line: twilio_line
"""


def key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


def find_columns(header: list[str]) -> dict[str, str]:
    """Our field name → the file's column, for the fields the header has."""
    by_key: dict[str, str] = {}
    for h in header:
        by_key.setdefault(key(h), h)
    found = {}
    for field, aliases in FIELDS.items():
        for a in aliases:
            if a in by_key:
                found[field] = by_key[a]
                break
    return found


def is_twilio_header(header: list[str]) -> bool:
    found = find_columns(header)
    return all(f in found for f in REQUIRED) and ("start" in found or "created" in found)


def utc_text(arr) -> pa.Array:
    """Twilio's time layouts → text the validator reads with its offset kept."""
    arr = blank_to_null(arr)
    parts = pc.extract_regex(arr, RFC2822)
    is_rfc = pc.is_valid(parts)
    if pc.any(is_rfc).as_py():
        mon = pc.index_in(pc.utf8_lower(pc.struct_field(parts, "mon")), pa.array(MONTHS))
        mon_txt = pc.utf8_lpad(pc.cast(pc.add(mon, 1), pa.string()), 2, "0")
        day_txt = pc.utf8_lpad(pc.struct_field(parts, "day"), 2, "0")
        zone = pc.struct_field(parts, "zone")
        rfc = pc.binary_join_element_wise(pc.struct_field(parts, "year"), mon_txt, day_txt, "-")
        rfc = pc.binary_join_element_wise(rfc, pc.struct_field(parts, "time"), " ")
        rfc = pc.binary_join_element_wise(rfc, zone, "")
        # An unknown month name leaves the value as written, for the validator to reject.
        arr = pc.if_else(pc.and_(is_rfc, pc.is_valid(mon)), rfc, arr)
    # UTC written as a word; the validator reads Z and numeric offsets itself.
    return pc.replace_substring_regex(arr, r"(?i)(\d)\s*(UTC|GMT)$", r"\1+00:00")


def identity(arr) -> pa.Array:
    """``client:anna`` → anna, ``sip:1001@acme.sip.twilio.com`` → 1001; null for phone numbers."""
    who = pc.extract_regex(arr, AGENT)
    return pc.if_else(pc.is_valid(who), pc.coalesce(blank_to_null(pc.struct_field(who, "client")),
                                                    blank_to_null(pc.struct_field(who, "sip"))),
                      pa.scalar(None, pa.string()))


def joined(message: str, **values) -> pa.Array:
    """A (translated) message per row: each ``{name}`` of ``values`` is a text or an array of texts."""
    return pc.binary_join_element_wise(*pieces(message, **values), "")


def derive(t: pa.Table, cols: dict[str, str]) -> pa.Table:
    n = t.num_rows

    def col(field):
        name = cols.get(field)
        return t.column(name) if name else pa.nulls(n, pa.string())

    null = pa.scalar(None, pa.string())
    status = pc.utf8_lower(pc.fill_null(blank_to_null(col("status")), ""))
    answered_by = pc.utf8_lower(pc.fill_null(blank_to_null(col("answered_by")), ""))
    completed = pc.equal(status, "completed")
    mapped = pc.take(pa.array(list(STATUS.values())), pc.index_in(status, pa.array(list(STATUS))))
    machine = pc.starts_with(answered_by, "machine")
    completed_as = pc.if_else(machine, "voicemail",
                              pc.if_else(pc.equal(answered_by, "fax"), "failed", "answered"))
    # An unknown status is kept as written, for the validator to reject with the allowed list.
    canonical = pc.if_else(completed, completed_as, pc.coalesce(mapped, blank_to_null(status)))

    direction = pc.utf8_lower(pc.fill_null(blank_to_null(col("direction")), ""))
    dir_mapped = pc.take(pa.array(list(DIRECTION.values())), pc.index_in(direction, pa.array(list(DIRECTION))))
    dir_out = pc.coalesce(dir_mapped, blank_to_null(direction))
    inbound = pc.fill_null(pc.equal(dir_mapped, "inbound"), False)

    src, dst = blank_to_null(col("from")), blank_to_null(col("to"))
    near, far = pc.if_else(inbound, dst, src), pc.if_else(inbound, src, dst)
    near_agent, far_agent = identity(near), identity(far)
    agent = pc.coalesce(near_agent, far_agent)
    # The far party, unless it is an agent's client or SIP identity (a <Dial> to an agent's
    # browser or phone): then the customer is the other side.
    lead = pc.if_else(pc.is_null(far_agent), far, pc.if_else(pc.is_null(near_agent), near, null))

    duration = blank_to_null(col("duration"))
    # Calls that never connected have no talk time; Twilio leaves Duration empty or 0 on them.
    talk = pc.if_else(completed, duration, pc.coalesce(duration, pa.scalar("0")))

    started = pc.coalesce(utc_text(col("start")), utc_text(col("created")))
    # Rows the source itself turns away: calls not yet ended, and times in a zone named by a
    # word DuckDB would silently drop (its TIMESTAMP cast ignores "PST").
    pending = pc.is_in(status, pa.array(PENDING))
    zoned = pc.fill_null(pc.match_substring_regex(started, ZONE_WORD), False)
    problem = pc.if_else(pending, joined(
        _("call still in progress (status {status}); import again when it has ended"), status=status), null)
    problem = pc.if_else(pc.and_(pc.invert(pending), zoned), joined(
        _("{column}: {value} names a time zone other than UTC; Twilio writes UTC "
          "(2024-03-05 10:15:30 UTC, +0000 or Z)"), column="started_at",
        value=pc.binary_join_element_wise("'", started, "'", "")), problem)
    return add_columns(t, twilio_sid=blank_to_null(col("sid")), twilio_started=started,
                       twilio_status=canonical, twilio_direction=dir_out, twilio_talk=talk,
                       twilio_agent=agent, twilio_lead=lead, twilio_problem=problem,
                       twilio_from=src, twilio_to=dst,
                       twilio_line=pc.if_else(pc.is_null(near_agent), near, null),
                       twilio_problem_column=pc.if_else(pending, "status", pa.scalar("started_at")))


class TwilioSource(DerivedCsvSource):
    """The export, less the calls that have not ended: those come back as rejects."""

    def __init__(self, path: Path, options: ReadOptions):
        probe = CsvSource(path, options)
        header, header_line = probe.columns, probe.header_line
        probe.close()
        cols = find_columns(header)
        if not is_twilio_header(header):
            missing = [f for f in REQUIRED if f not in cols] + ([] if "start" in cols or "created" in cols
                                                                else ["Start Time"])
            raise InputError(_("is not a Twilio call log export: its header has no column for {columns}").format(
                columns=", ".join(m.replace("_", " ").title() for m in missing)), file=str(path), line=header_line)
        self.pending = 0
        super().__init__(path, options, lambda t: derive(t, cols))

    def batches(self) -> Iterator[RawBatch]:
        for b in self.inner.batches():
            t = self.derive(b.table)
            bad = t.column("twilio_problem").is_valid().to_numpy(zero_copy_only=False)
            if not bad.any():
                yield RawBatch(t, b.lines, b.rejects)
                continue
            rejects = list(b.rejects)
            reasons, columns = t.column("twilio_problem"), t.column("twilio_problem_column")
            for i in np.flatnonzero(bad):
                row = {c: b.table.column(c)[int(i)].as_py() for c in b.table.column_names}
                column = columns[int(i)].as_py()
                self.pending += column == "status"
                rejects.append(Reject(int(b.lines[i]), reasons[int(i)].as_py(),
                                      raw=json.dumps(row, ensure_ascii=False), column=column))
            yield RawBatch(t.filter(pa.array(~bad)), b.lines[~bad], sorted(rejects, key=lambda r: r.line or 0))

    def notes(self) -> list[str]:
        if not self.pending:
            return []
        return [_("{n} call(s) still queued, ringing or in progress were quarantined; "
                  "import a later export when they have ended").format(n=f"{self.pending:,}")]


def sniff_twilio(path: Path, head: bytes) -> bool:
    if b"\x00" in head[:4096]:
        return False
    recs = first_records(head, 1)
    return bool(recs) and is_twilio_header(recs[0])


FORMAT = register_format(Format(
    name=NAME, help="Twilio call log CSV (Console export or the Call resource's fields)",
    open=TwilioSource, sniff=sniff_twilio, priority=40, mapping=MAPPING, tables=("calls",)))
