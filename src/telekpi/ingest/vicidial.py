"""VICIdial: its call logs → ``calls`` (format ``vicidial``), its agent log → ``agent_states``
(format ``vicidial-agent-log``).

**Calls** come from a table export of ``vicidial_log`` (outbound; ``uniqueid`` is its key)
or ``vicidial_closer_log`` (inbound; ``closecallid``), or from the admin *Export Calls
Report* (``call_report_export.php``: tab separated, ``call_date phone_number_dialed status
user …``; ``uniqueid``, ``queue_time`` and ``wrapup_time`` only in its EXTENDED layouts).
That report puts inbound rows after outbound ones with the queue seconds in the
``alt_dial`` column, which is how their direction is told apart.

``call_id`` is VICIdial's own call id (what ``recording_log.vicidial_id`` holds): the
uniqueid for outbound calls, the closecallid for inbound ones. A report without them
gets ``LEAD@YYYYMMDDhhmmss`` from lead_id and call_date (plus ``/IN-GROUP`` inbound,
since a call transferred to an in-group is logged again under its lead). The start is
``start_epoch`` when there is one (an instant, whatever the server's timezone), else
``call_date`` in the workspace timezone (a mapping's ``timezone:`` changes that). The
agent is ``user``, but for the dialer's own users VDAD (outbound, no agent) and VDCL
(inbound, no agent).

VICIdial keeps one code per call, ``status``: the dialer's verdict when no agent
took the call, the agent's result when one did. It becomes ``status`` and
``disposition`` (telekpi's codes, so the default disposition flags apply):

=================================================  ===========  ============
VICIdial status                                    status       disposition
=================================================  ===========  ============
SALE                                               answered     SALE
NI; DEC (declined after the pitch)                 answered     NI
DNC                                                answered     DNC
CALLBK, CBHOLD, QCFAIL (callback set)              answered     CALLBACK
NP (no pitch, no price: someone, not the buyer)    answered     GATEKEEPER
XFER (transferred; the next leg has the result)    answered     XFER (kept)
INCALL (with an agent, no result yet), DAIR,       answered     —
PU, PM, SVY* (dialer message or survey), RQXFER
NA, N, CPDNA, CPDUK, CPDERR                        no_answer    —
B, AB, CPDB                                        busy         —
A, AA, AM, AL (answering machine)                  voicemail    —
DC, ADC, ADCT, AFAX, LRERR, ERI, DNCL, DNCC, NEW,  failed       —
CPDATB, CPDREJ, CPDINV, CPDSUA, CPDSI, CPDSNC,
CPDSR, CPDSUK, CPDSV
DROP, PDROP, XDROP, IVRXFR, and the inbound drops  abandoned    —
VICIdial does not count as answered: HXFER,
QVMAIL, HOLDTO, LIVE, QUEUE, TIMEOT, AFTHRS,
NANQUE, IQNANQ, INBND, MAXCAL
=================================================  ===========  ============

Any other code is a campaign's own status. When an agent set it the call reached
that agent, so it is *answered* and the code is kept as the disposition, which
telekpi reports as unknown until ``telekpi.toml`` gives it flags. With no agent
the row is quarantined, naming the code, for a mapping to say what it means.

Talk time is ``length_in_sec`` of answered calls (less ``queue_seconds`` inbound,
which is also ``wait_s``); a call not answered talked 0 s, and an abandoned outbound
call's length is how long the answered person waited. ``wrapup_time`` (EXTENDED
reports: dispo_sec + dead_sec) is ``wrap_s``; ``recording_location`` the recording.

The customer's number (``phone_number``, or the report's ``phone_number_dialed``) is the
called number of an outbound call and the caller's of an inbound one. An inbound call's
queue is its in-group (``campaign_id`` of vicidial_closer_log), which it entered at its
``call_date`` (``queued_at``). ``term_reason`` says who hung up (VICIdial's manager manual,
"term_reason"): CALLER and ABANDON the customer, AGENT the agent, the queue's own endings
(QUEUETIMEOUT, AFTERHOURS, HOLDRECALLXFER, NOAGENT, MAXCALLS, HOLDTIME…) the system.

**Agent states** come from ``vicidial_agent_log``: each row is one cycle of an agent
— pause (``pause_epoch``/``pause_sec``, the pause code ``sub_status`` as reason),
waiting for a call (*available*), talking (*on_call*) and the disposition screen
(*wrap*). Talk ends when the customer hangs up: the last ``dead_sec`` of
``talk_sec`` are wrap, as VICIdial's own reports count them (talk = talk_sec −
dead_sec, wrap = dispo_sec + dead_sec). One row gives up to four states that share
its line; states of 0 s are left out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from telekpi.i18n import _, ngettext
from telekpi.ingest.connector import (
    DerivedCsvSource,
    add_columns,
    blank_to_null,
    first_records,
)
from telekpi.ingest.csv_file import DELIMITERS, CsvSource
from telekpi.ingest.registry import Format, register_format
from telekpi.ingest.source import RawBatch, ReadOptions, Reject

# The dialer's own users: VDAD places outbound calls no agent took, VDCL holds inbound ones.
SYSTEM_USERS = ("VDAD", "VDCL")

_ANSWERED_KEEP = ("XFER",)
_STATUSES = {
    "answered": "INCALL DAIR PU PM SVYEXT SVYVM SVYHU SVYREC SVYCLM RQXFER",
    "no_answer": "NA N CPDNA CPDUK CPDERR",
    "busy": "B AB CPDB",
    "voicemail": "A AA AM AL",
    "failed": "DC ADC ADCT AFAX LRERR ERI DNCL DNCC NEW CPDATB CPDREJ CPDINV CPDSUA CPDSI "
              "CPDSNC CPDSR CPDSUK CPDSV",
    "abandoned": "DROP PDROP XDROP IVRXFR HXFER QVMAIL HOLDTO LIVE QUEUE TIMEOT AFTHRS NANQUE "
                 "IQNANQ INBND MAXCAL",
}
_RESULTS = {"SALE": "SALE", "NI": "NI", "DEC": "NI", "DNC": "DNC", "CALLBK": "CALLBACK",
            "CBHOLD": "CALLBACK", "QCFAIL": "CALLBACK", "NP": "GATEKEEPER"}
# VICIdial status → (canonical status, telekpi disposition or None).
CODES: dict[str, tuple[str, str | None]] = {
    **{code: (status, None) for status, codes in _STATUSES.items() for code in codes.split()},
    **{code: ("answered", result) for code, result in _RESULTS.items()},
    **{code: ("answered", code) for code in _ANSWERED_KEEP},
}

CALL_HEADER = ("call_date", "status", "user", "campaign_id", "lead_id", "length_in_sec")
CALL_KEYS = ("uniqueid", "closecallid", "phone_number_dialed")
AGENT_HEADER = ("agent_log_id", "user", "pause_epoch", "pause_sec", "wait_epoch", "wait_sec",
                "talk_epoch", "talk_sec", "dispo_epoch", "dispo_sec")
NUMBER = r"^\d+(\.\d+)?$"
# term_reason → who hung up; NONE and unknown reasons say nothing.
HANGUP = {"CALLER": "customer", "ABANDON": "customer", "AGENT": "agent", "QUEUETIMEOUT": "system",
          "AFTERHOURS": "system", "HOLDRECALLXFER": "system", "NOAGENT": "system", "MAXCALLS": "system",
          "HOLDTIME": "system", "IVRXFER": "system"}

CALLS_MAPPING = """
columns:
  call_id: vd_call_id
  started_at: vd_started_at
  agent_id: vd_agent
  campaign_id: campaign_id
  lead_id: lead_id
  direction: vd_direction
  status: vd_status
  disposition: vd_disposition
  talk_s: vd_talk
  wait_s: vd_wait
  wrap_s: vd_wrap
  recording_url: vd_recording
  queue: vd_queue
  queued_at: vd_queued_at
  caller_number: vd_caller
  called_number: vd_called
  hangup_by: vd_hangup
"""

STATES_MAPPING = """
columns:
  agent_id: vd_agent
  state: vd_state
  started_at: {column: vd_start, format: epoch}
  ended_at: {column: vd_end, format: epoch}
  reason: vd_reason
"""


def header_names(head: bytes) -> set[str]:
    """The header line's field names (case-folded), split on whichever delimiter fits best;
    nothing for a file that is not text (a workbook, Parquet)."""
    best: set[str] = set()
    if b"\x00" in head[:4096]:
        return best
    for d in DELIMITERS:
        try:
            recs = first_records(head, 1, d)
        except csv.Error:
            return set()
        names = {f.strip().casefold() for f in recs[0]} if recs else set()
        if len(names) > len(best):
            best = names
    return best


def sniff_calls(path: Path, head: bytes) -> bool:
    names = header_names(head)
    return set(CALL_HEADER) <= names and bool(names & set(CALL_KEYS))


def sniff_agent_log(path: Path, head: bytes) -> bool:
    return set(AGENT_HEADER) <= header_names(head)


class _Columns:
    """A batch's columns by case-insensitive name; an absent column reads as nulls."""

    def __init__(self, t: pa.Table):
        self.t, self.n = t, t.num_rows
        self.names = {c.casefold(): c for c in t.column_names}

    def has(self, name: str) -> bool:
        return name in self.names

    def text(self, name: str) -> pa.Array:
        """Trimmed values, null when blank or absent."""
        if name not in self.names:
            return pa.nulls(self.n, pa.string())
        return blank_to_null(self.t.column(self.names[name]))

    def blank_rows(self) -> pa.Array:
        """Rows whose every field is blank (blank lines): their derived values stay null too."""
        blank = pa.array(np.ones(self.n, dtype=bool))
        for c in self.t.column_names:
            blank = pc.and_(blank, pc.is_null(blank_to_null(self.t.column(c))))
        return blank


def _number(arr) -> pa.Array:
    """float64 of the values that are plain numbers; null otherwise."""
    ok = pc.fill_null(pc.match_substring_regex(arr, NUMBER), False)
    return pc.if_else(ok, arr, pa.scalar(None, pa.string())).cast(pa.float64())


def _seconds(value, raw) -> pa.Array:
    """A computed number as text; where it could not be computed, the raw text (the validator
    then rejects the row showing it)."""
    return pc.if_else(pc.is_valid(value), pc.cast(value, pa.string()), raw)


def derive_calls(t: pa.Table) -> pa.Table:
    c = _Columns(t)
    null = pa.scalar(None, pa.string())
    user = c.text("user")
    agent = pc.if_else(pc.is_in(pc.utf8_upper(user), pa.array(SYSTEM_USERS)), null, user)
    has_agent = pc.is_valid(agent)

    raw = c.text("status")
    code = pc.utf8_upper(raw)
    idx = pc.index_in(code, value_set=pa.array(list(CODES)))
    mapped_status = pc.take(pa.array([s for s, _ in CODES.values()]), idx)
    mapped_result = pc.take(pa.array([d for _, d in CODES.values()], pa.string()), idx)
    unknown = pc.and_(pc.is_null(idx), pc.is_valid(raw))
    status = pc.coalesce(mapped_status, pc.if_else(pc.and_(unknown, has_agent), "answered", raw))
    disposition = pc.if_else(unknown, raw, mapped_result)

    if c.has("closecallid") or c.has("queue_seconds"):          # vicidial_closer_log
        inbound = pa.array(np.ones(c.n, dtype=bool))
        queue = c.text("queue_seconds")
    else:                                                      # vicidial_log, or the report
        alt = c.text("alt_dial")
        inbound = pc.fill_null(pc.match_substring_regex(alt, NUMBER), False)
        queue = pc.if_else(inbound, alt, null)
    direction = pc.if_else(inbound, "inbound", "outbound")

    # call_id: uniqueid outbound, closecallid inbound; else lead@call_date, and inbound
    # (where a uniqueid is shared by the legs of a transferred call) uniqueid@call_date/in-group.
    date_digits = pc.replace_substring_regex(pc.fill_null(c.text("call_date"), ""), r"\D", "")
    uniqueid, lead = c.text("uniqueid"), c.text("lead_id")
    outbound_id = pc.coalesce(uniqueid, pc.binary_join_element_wise(lead, date_digits, "@"))
    inbound_id = pc.binary_join_element_wise(
        pc.binary_join_element_wise(pc.coalesce(uniqueid, lead), date_digits, "@"),
        pc.fill_null(c.text("campaign_id"), ""), "/")
    call_id = pc.if_else(inbound, pc.coalesce(c.text("closecallid"), inbound_id), outbound_id)

    epoch = _number(c.text("start_epoch"))
    epoch = pc.if_else(pc.and_(pc.greater(epoch, 0.0), pc.less(epoch, 1e11)), pc.floor(epoch),
                       pa.scalar(None, pa.float64()))
    instant = pc.cast(pc.cast(pc.cast(epoch, pa.int64()), pa.timestamp("s", tz="UTC")), pa.string())
    started = pc.if_else(pc.is_valid(epoch), instant, c.text("call_date"))

    answered = pc.equal(pc.fill_null(status, ""), "answered")
    abandoned = pc.equal(pc.fill_null(status, ""), "abandoned")
    length_raw = c.text("length_in_sec")
    length, wait = _number(length_raw), _number(queue)
    in_talk = pc.max_element_wise(pc.subtract(length, pc.fill_null(wait, 0.0)), 0.0, skip_nulls=False)
    talk = pc.if_else(answered, in_talk, pc.if_else(pc.is_valid(length), 0.0, pa.scalar(None, pa.float64())))
    wait_out = pc.if_else(inbound, _seconds(wait, queue),
                          pc.if_else(abandoned, _seconds(length, length_raw), null))
    phone = pc.coalesce(c.text("phone_number"), c.text("phone_number_dialed"))
    derived = {
        "vd_call_id": call_id, "vd_started_at": started, "vd_agent": agent,
        "vd_direction": direction, "vd_status": status, "vd_disposition": disposition,
        "vd_talk": _seconds(talk, length_raw), "vd_wait": wait_out,
        "vd_wrap": c.text("wrapup_time"), "vd_recording": c.text("recording_location"),
        "vd_queue": pc.if_else(inbound, c.text("campaign_id"), null),
        "vd_queued_at": pc.if_else(inbound, started, null),
        "vd_caller": pc.if_else(inbound, phone, null), "vd_called": pc.if_else(inbound, null, phone),
        "vd_hangup": pc.take(pa.array(list(HANGUP.values()), pa.string()),
                             pc.index_in(pc.utf8_upper(c.text("term_reason")), pa.array(list(HANGUP)))),
    }
    blank = c.blank_rows()
    return add_columns(t, **{k: pc.if_else(blank, null, v) for k, v in derived.items()})


def open_calls(path: Path, options: ReadOptions) -> DerivedCsvSource:
    return DerivedCsvSource(path, options, derive_calls)


class _Field:
    """One numeric column of the agent log: its values, raw text and whether it is bad."""

    def __init__(self, c: _Columns, name: str):
        self.name = name
        text = c.text(name)
        self.raw = np.asarray(text.to_pylist(), dtype=object)
        num = _number(text)
        self.v = num.to_numpy(zero_copy_only=False).astype(float)
        self.bad = np.asarray(pc.and_(pc.is_valid(text), pc.is_null(num)).to_pylist(), dtype=bool)

    def shown(self, i: int) -> str:
        value = self.raw[i] if self.raw[i] is not None else _("(blank)")
        return f"{self.name} {value}"


STATES = ("pause", "available", "on_call", "wrap")


def _intervals(c: _Columns):
    """Per state: (kept rows, start, end, start text, end text) over the batch's rows.

    A start or end that cannot be computed (a field is not a number) is given as text
    naming the fields, so the row is quarantined with them.
    """
    f = {name: _Field(c, name) for name in
         ("pause_epoch", "pause_sec", "wait_epoch", "wait_sec", "talk_epoch", "talk_sec",
          "dispo_epoch", "dispo_sec", "dead_sec")}
    talk_s = f["talk_sec"].v
    # Dead time is the end of the talk time; without a talk time it means nothing.
    dead = np.where(np.isnan(talk_s), 0.0, np.minimum(np.nan_to_num(f["dead_sec"].v), talk_s))
    dead = np.where(f["dead_sec"].bad, np.nan, dead)
    talk_end = f["talk_epoch"].v + talk_s
    # a start or end as text: the field's raw text, or the fields it is computed from
    out: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, Callable[..., object], Callable[..., object]]] = {}
    for state, e, s in (("pause", "pause_epoch", "pause_sec"), ("available", "wait_epoch", "wait_sec")):
        E, S = f[e], f[s]
        keep = S.bad | (np.nan_to_num(S.v) > 0)
        out[state] = (keep, E.v, E.v + S.v, lambda i, E=E: E.raw[i],
                      lambda i, E=E, S=S: f"{E.shown(i)} + {S.shown(i)}")
    T, TS, DS = f["talk_epoch"], f["talk_sec"], f["dead_sec"]
    keep = TS.bad | ((np.nan_to_num(TS.v) > 0) & (DS.bad | (np.nan_to_num(TS.v) - dead > 0)))
    out["on_call"] = (keep, T.v, talk_end - dead, lambda i: T.raw[i],
                      lambda i: f"{T.shown(i)} + {TS.shown(i)} - {DS.shown(i)}")
    D, DSEC = f["dispo_epoch"], f["dispo_sec"]
    has_dead = dead > 0
    keep = DSEC.bad | (np.nan_to_num(DSEC.v) > 0) | has_dead
    start = np.where(has_dead, talk_end - dead, D.v)
    end = np.where(DSEC.bad | (np.nan_to_num(DSEC.v) > 0), D.v + DSEC.v, np.where(has_dead, talk_end, np.nan))

    def wrap_start(i):
        return f"{T.shown(i)} + {TS.shown(i)} - {DS.shown(i)}" if has_dead[i] else D.raw[i]

    out["wrap"] = (keep, start, end, wrap_start, lambda i: f"{D.shown(i)} + {DSEC.shown(i)}")
    return out


def _epoch_text(values: np.ndarray) -> np.ndarray:
    return np.asarray(pa.array(values, pa.float64(), from_pandas=True).cast(pa.string()).to_pylist(),
                      dtype=object)


class AgentLogSource:
    """``vicidial_agent_log`` rows, each expanded into its state intervals (lines repeat)."""

    def __init__(self, path: Path, options: ReadOptions):
        self.inner = CsvSource(path, options)
        self.inner.block_bytes = 16 << 20   # each row becomes up to four: keep batches small
        self.path, self.header_line = path, self.inner.header_line
        self.columns = list(self.inner.columns) + ["vd_agent", "vd_state", "vd_start", "vd_end",
                                                   "vd_reason"]
        self.empty_rows = 0

    def batches(self) -> Iterator[RawBatch]:
        for b in self.inner.batches():
            yield self._expand(b)

    def _expand(self, b: RawBatch) -> RawBatch:
        c = _Columns(b.table)
        blank = np.asarray(c.blank_rows().to_pylist(), dtype=bool)
        parts = _intervals(c)
        keeps = {s: parts[s][0] & ~blank for s in STATES}
        rejects = list(b.rejects)
        # Two states of one row starting together would share a key: VICIdial's times disagree;
        # the later state is kept, the earlier one quarantined with the reason.
        for i, a in enumerate(STATES):
            for later in STATES[i + 1:]:
                clash = keeps[a] & keeps[later] & (parts[a][1] == parts[later][1])
                for r in np.flatnonzero(clash):
                    rejects.append(Reject(int(b.lines[r]), _(
                        "{column}: the {state} and {later} states of this log row both start at epoch "
                        "{epoch}; kept {later}").format(column="started_at", state=a, later=later,
                                                        epoch=f"{parts[a][1][r]:.0f}"),
                                          raw=_row_json(b.table, r), column="started_at"))
                keeps[a] = keeps[a] & ~clash
        self.empty_rows += int((~blank & ~np.logical_or.reduce([keeps[s] for s in STATES])).sum())
        rows, kinds = [], []
        for k, s in enumerate(STATES):
            idx = np.flatnonzero(keeps[s])
            rows.append(idx)
            kinds.append(np.full(idx.size, k))
        row, kind = np.concatenate(rows), np.concatenate(kinds)
        order = np.lexsort((kind, row))
        row, kind = row[order], kind[order]
        starts, ends = np.empty(row.size, dtype=object), np.empty(row.size, dtype=object)
        for k, s in enumerate(STATES):
            sel = kind == k
            __, start, end, start_text, end_text = parts[s]
            rs = row[sel]
            st, en = _epoch_text(start[rs]), _epoch_text(end[rs])
            for j in np.flatnonzero(np.isnan(start[rs])):   # only rows with a field not a number
                st[j] = start_text(rs[j])
            for j in np.flatnonzero(np.isnan(end[rs])):
                en[j] = end_text(rs[j])
            starts[sel], ends[sel] = st, en
        sub = c.text("sub_status").to_numpy(zero_copy_only=False)
        # numpy's stubs take no None in np.where (numpy makes it an object array) and pick the 1-argument form
        reason: np.ndarray = np.where(kind == 0, sub[row], None)  # type: ignore[assignment]
        taken = b.table.take(pa.array(row, pa.int64()))
        table = add_columns(
            taken, vd_agent=pc.take(c.text("user"), pa.array(row, pa.int64())),
            vd_state=pa.array(np.asarray(STATES, dtype=object)[kind].tolist(), pa.string()),
            vd_start=pa.array(starts.tolist(), pa.string()), vd_end=pa.array(ends.tolist(), pa.string()),
            vd_reason=pa.array(reason.tolist(), pa.string()))
        return RawBatch(table, b.lines[row], rejects)

    def notes(self) -> list[str]:
        if not self.empty_rows:
            return []
        n = self.empty_rows
        return [ngettext("{n} agent log row held no time (every duration 0, as a row still open "
                         "when the log was exported) and gave no state",
                         "{n} agent log rows held no time (every duration 0, as a row still open "
                         "when the log was exported) and gave no state", n).format(n=f"{n:,}")]

    def progress(self) -> float:
        return self.inner.progress()

    def close(self) -> None:
        self.inner.close()


def _row_json(t: pa.Table, i: int | np.integer) -> str:
    return json.dumps({c: t.column(c)[i].as_py() for c in t.column_names}, ensure_ascii=False)


CALLS_FORMAT = register_format(Format(
    name="vicidial", help="VICIdial vicidial_log / vicidial_closer_log export or Export Calls Report",
    open=open_calls, sniff=sniff_calls, priority=40, mapping=CALLS_MAPPING, tables=("calls",)))
AGENT_LOG_FORMAT = register_format(Format(
    name="vicidial-agent-log", help="VICIdial vicidial_agent_log export: pause, wait, talk, dispo times",
    open=AgentLogSource, sniff=sniff_agent_log, priority=40, mapping=STATES_MAPPING,
    tables=("agent_states",)))
