"""Asterisk's queue_log (``epoch|uniqueid|queue|agent|EVENT|data1|data2…``) → inbound calls and agent states.

A call is the events of one uniqueid: ENTERQUEUE starts it; CONNECT gives the
queue wait (holdtime) and ring time and the agent; COMPLETEAGENT,
COMPLETECALLER and the transfers end it answered with its talk time (calltime);
ABANDON and EXITWITHKEY end it abandoned, EXITWITHTIMEOUT unanswered
(no_answer), EXITEMPTY failed (no agent in the queue), each with the wait.
Agent events become state intervals: AGENTLOGIN/ADDMEMBER open *available*,
PAUSE/PAUSEALL *pause* (the reason is kept), UNPAUSE/UNPAUSEALL available
again, CONNECT *on_call* until the call ends, AGENTLOGOFF/REMOVEMEMBER close
the state (an agent who leaves one queue of several stays logged in).

A call still in the queue at the end of the file, and each agent's open state,
are kept in the warehouse (``connector_state``) and finished by a later import
(the next file, or the next piece of a followed file). They are never rows
until they end, so nothing is counted twice, and re-importing an older file
does not disturb state saved by a newer one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from telekpi.i18n import _
from telekpi.ingest.connector import ENDPOINT
from telekpi.ingest.registry import Format, read_head, register_format
from telekpi.ingest.source import RawBatch, ReadOptions, Reject
from telekpi.store.connector_state import ConnectorState, Entry
from telekpi.store.warehouse import absent_keys

NAME = "asterisk-queue-log"
# The columns of the queue_log table a switch logs to a database (realtime queue_log): a CSV dump
# of it is this log, by another road (`mapping suggest` says so).
DUMP_COLUMNS = ("time", "callid", "queuename", "agent", "event")
CALL_END = {"COMPLETEAGENT": "answered", "COMPLETECALLER": "answered", "TRANSFER": "answered",
            "ATTENDEDTRANSFER": "answered", "BLINDTRANSFER": "answered", "ABANDON": "abandoned",
            "EXITWITHKEY": "abandoned", "EXITWITHTIMEOUT": "no_answer", "EXITEMPTY": "failed"}
AGENT_IN = {"AGENTLOGIN", "ADDMEMBER", "AGENTCALLBACKLOGIN"}
AGENT_OUT = {"AGENTLOGOFF", "REMOVEMEMBER", "AGENTCALLBACKLOGOFF"}
PAUSES = {"PAUSE", "PAUSEALL"}
UNPAUSES = {"UNPAUSE", "UNPAUSEALL"}
# Events that say nothing a canonical table holds; read and accepted.
QUIET = {"QUEUESTART", "CONFIGRELOAD", "DID", "INFO", "SYSCOMPAT", "RINGNOANSWER", "RINGCANCELED",
         "AGENTDUMP", "AGENTCALLED", "ATTENDEDTRANSFERBRIDGE", "WITHDRAW", "RENAMEQUEUE"}
CALL_EVENTS = {"ENTERQUEUE", "CONNECT"} | set(CALL_END)
AGENT_EVENTS = AGENT_IN | AGENT_OUT | PAUSES | UNPAUSES
KNOWN = CALL_EVENTS | AGENT_EVENTS | QUIET
LINE = re.compile(rb"^\d{9,11}(\.\d+)?\|[^|\n]*\|[^|\n]*\|[^|\n]*\|[A-Z_]+")
# The same endpoint rule as the CDR readers', so calls from both name agents alike.
ENDPOINT_RE = re.compile(ENDPOINT)
BATCH = 100_000
# How far back an event may be dated before its call entered the queue (clock jitter).
JITTER_S = 2


def agent_name(member: str) -> str | None:
    """``SIP/1001``, ``Local/1001@from-queue/n``, ``Agent/1001`` → ``1001``; a member name stays."""
    member = member.strip()
    if not member or member.upper() == "NONE":
        return None
    m = ENDPOINT_RE.match(member)
    return m.group("endpoint") if m else member


@dataclass
class Call:
    uid: str
    start: float
    line: int
    queue: str | None = None
    caller: str | None = None
    agent: str | None = None
    wait: float | None = None
    ring: float | None = None


@dataclass
class Agent:
    state: str
    since: float
    line: int
    reason: str | None = None
    queues: set[str] = field(default_factory=set)
    after: tuple[str, str | None] | None = None   # the state to return to when the call ends


def _num(v: str) -> float | None:
    try:
        x = float(v)
    except ValueError:
        return None
    return x if x == x and x >= 0 else None


class QueueLogSource:
    """A queue_log file read line by line; rows for ``options.table`` (calls or agent_states)."""

    def __init__(self, path: Path, options: ReadOptions):
        read_head(path)
        self.path, self.table = path, options.table or "calls"
        self.encoding = options.encoding or "utf-8"
        self.columns = (["call_id", "started_at", "agent_id", "campaign_id", "lead_id", "direction",
                         "status", "wait_s", "talk_s", "ring_s"] if self.table == "calls" else
                        ["agent_id", "state", "started_at", "ended_at", "reason"])
        self.header_line = 0
        self.size = path.stat().st_size or 1
        self._read = 0
        self.calls: dict[str, Call] = {}
        self.agents: dict[str, Agent] = {}
        self.loaded: dict[str, float] = {}   # the saved entries this import took over, by key
        self.first_epoch: float | None = None
        self.open_calls = 0
        self.lines_read = 0   # source.MakesRows: lines read, as against the rows they make

    # State carried between imports (store/connector_state.py) ---------------------------
    def begin(self, con) -> None:
        """Load what earlier imports left open, as of just before this file's first event."""
        self.first_epoch = self._first_epoch()
        if self.first_epoch is None:
            return
        for e in self._state(con).before(self.first_epoch):
            v = json.loads(e.value)
            if self.table == "calls":
                self.calls[e.key] = Call(**v)
            else:
                v["queues"] = set(v["queues"])
                self.agents[e.key] = Agent(**v)
            self.loaded[e.key] = e.at

    def commit(self, con) -> None:
        """Save what is still open, inside the import's transaction: what this import loaded is
        replaced, and an entry is kept only where no newer import saved a later one."""
        if self.table == "calls":
            entries = [Entry(key, c.start, json.dumps(vars(c)), c.line) for key, c in self.calls.items()]
        else:
            entries = [Entry(key, a.since, json.dumps(vars(a) | {"queues": sorted(a.queues)}), a.line)
                       for key, a in self.agents.items()]
        self._state(con).replace(self.loaded, entries, str(self.path))
        if self.table == "calls":
            # A call already in the warehouse stays open here too: re-importing an older log
            # leaves it pending, and re-importing the log that ends it then finds it whole.
            self.open_calls = absent_keys(con, "calls", list(self.calls))

    def _state(self, con) -> ConnectorState:
        return ConnectorState(con, NAME, "call" if self.table == "calls" else "agent")

    def notes(self) -> list[str]:
        if self.table == "calls" and self.open_calls:
            return [_("{n} call(s) still in the queue or talking at the end of the file stay pending; "
                      "a later import of the log completes them").format(n=f"{self.open_calls:,}")]
        if self.table == "agent_states" and self.agents:
            return [_("{n} agent(s) still logged in: their current state is written when it ends").format(
                n=f"{len(self.agents):,}")]
        return []

    def _first_epoch(self) -> float | None:
        with open(self.path, "rb") as f:
            for raw in f:
                head = raw.split(b"|", 1)[0]
                try:
                    return float(head)
                except ValueError:
                    continue
        return None

    # Reading ----------------------------------------------------------------------------
    def progress(self) -> float:
        return min(1.0, self._read / self.size)

    def close(self) -> None:
        pass

    def batches(self) -> Iterator[RawBatch]:
        rows: list[tuple] = []
        lines: list[int] = []
        rejects: list[Reject] = []
        handle = self._call_event if self.table == "calls" else self._agent_event
        with open(self.path, "rb") as f:
            for n, raw in enumerate(f, 1):
                self._read += len(raw)
                self.lines_read = n
                text = raw.rstrip(b"\r\n")
                if not text.strip():
                    continue
                try:
                    line = text.decode(self.encoding)
                except UnicodeDecodeError:
                    if self.table == "calls":
                        rejects.append(Reject(n, _("is not valid UTF-8 text"), raw=text.decode("utf-8", "replace")))
                    continue
                parts = line.split("|")
                if len(parts) < 5:
                    if self.table == "calls":
                        rejects.append(Reject(n, _("is cut short: {n} field(s), expected at least 5 "
                                                   "({layout})").format(n=len(parts),
                                                                        layout="epoch|uniqueid|queue|agent|event"),
                                              raw=line))
                    continue
                event = parts[4].strip()
                epoch = _num(parts[0])
                if epoch is None or event not in KNOWN:
                    if self.table == "calls":
                        why = (_("the time {value} is not Unix seconds").format(value=repr(parts[0]))
                               if epoch is None else
                               _("unknown queue_log event {event}").format(event=repr(event)))
                        rejects.append(Reject(n, why, raw=line, column="epoch" if epoch is None else "event"))
                    continue
                if self.first_epoch is None:
                    self.first_epoch = epoch
                problem = handle(n, epoch, parts, rows, lines)
                if problem:
                    rejects.append(Reject(n, problem, raw=line))
                if len(rows) >= BATCH:
                    yield self._batch(rows, lines, rejects)
                    rows, lines, rejects = [], [], []
        yield self._batch(rows, lines, rejects)

    def _batch(self, rows, lines, rejects) -> RawBatch:
        cols = list(zip(*rows, strict=True)) if rows else [() for _ in self.columns]
        arrays = {}
        for name, values in zip(self.columns, cols, strict=True):
            if name in ("started_at", "ended_at"):
                arrays[name] = pa.array([round(v * 1000) for v in values], pa.int64()).cast(
                    pa.timestamp("ms", tz="UTC"))
            elif name.endswith("_s"):
                arrays[name] = pa.array(values, pa.float64())
            else:
                arrays[name] = pa.array(values, pa.string())
        return RawBatch(pa.table(arrays), np.asarray(lines, dtype=np.int64), list(rejects))

    def _call_event(self, n: int, t: float, p: list[str], rows: list, lines: list) -> str | None:
        uid, queue, event, data = p[1].strip(), p[2].strip(), p[4].strip(), p[5:]
        if event not in CALL_EVENTS:
            return None
        call = self.calls.get(uid)
        if event == "ENTERQUEUE":
            if call is not None:
                self.calls[uid] = Call(uid, t, n, queue, _caller(data))
                return _("uniqueid {uid} entered the queue again (line {line}) before its earlier entry "
                         "at line {earlier} ended; the earlier entry is dropped").format(
                    uid=uid, line=n, earlier=call.line)
            self.calls[uid] = Call(uid, t, n, queue, _caller(data))
            return None
        if event == "CONNECT":
            hold, ring = _field(data, 0), _field(data, 2)
            if hold is None:
                return _("CONNECT without a holdtime (data1 {value} is not seconds)").format(
                    value=repr((data or [""])[0]))
            if call is None:   # its ENTERQUEUE is in a log not imported: date it from the wait
                call = self.calls[uid] = Call(uid, t - hold, n, queue)
            elif t + JITTER_S < call.start:
                return self._jump(uid, call, n, t)
            call.agent, call.wait, call.ring = agent_name(p[3]), hold, ring
            return None
        status = CALL_END[event]
        if status == "answered":
            hold, talk = _field(data, -3), _field(data, -2)
            if event == "COMPLETEAGENT" or event == "COMPLETECALLER":
                hold, talk = _field(data, 0), _field(data, 1)
            if talk is None:
                return _("{event} without a talk time (calltime) in seconds").format(event=event)
        else:
            hold, talk = _field(data, -1), 0.0
            if hold is None:
                return _("{event} without a wait time in seconds").format(event=event)
        if call is None:   # entered in a log not imported: date it back from wait and talk
            call = Call(uid, t - (hold or 0) - talk, n, queue)
        elif t + JITTER_S < call.start:
            return self._jump(uid, call, n, t)
        self.calls.pop(uid, None)
        agent = call.agent or (agent_name(p[3]) if status == "answered" else None)
        wait = call.wait if call.wait is not None else hold
        rows.append((uid, call.start, agent, call.queue or queue or None, call.caller, "inbound",
                     status, wait, talk, call.ring))
        lines.append(n)
        return None

    def _jump(self, uid: str, call: Call, n: int, t: float) -> str:
        del self.calls[uid]
        return _("the clock jumped back: this event is {seconds} s before the call entered the queue "
                 "(line {line}); the call is not counted").format(seconds=f"{call.start - t:,.0f}", line=call.line)

    def _agent_event(self, n: int, t: float, p: list[str], rows: list, lines: list) -> str | None:
        event = p[4].strip()
        if event not in AGENT_EVENTS and event not in ("CONNECT",) and event not in CALL_END:
            return None
        name = agent_name(p[3])
        if name is None:
            return None
        a = self.agents.get(name)
        if a is not None and t + JITTER_S < a.since:
            return _("the clock jumped back: {event} for agent {agent} is {seconds} s before the state it "
                     "ends began (line {line})").format(event=event, agent=name, seconds=f"{a.since - t:,.0f}",
                                                        line=a.line)
        queue = p[2].strip()

        def switch(state: str | None, reason: str | None = None) -> None:
            if a is not None and t > a.since:
                rows.append((name, a.state, a.since, t, a.reason))
                lines.append(n)
            if state is None:
                self.agents.pop(name, None)
            elif a is None:
                self.agents[name] = Agent(state, t, n, reason)
            else:
                a.state, a.since, a.line, a.reason = state, t, n, reason

        if event in AGENT_IN:
            if a is None:
                switch("available")
                self.agents[name].queues.add(queue)
            else:
                a.queues.add(queue)
        elif event in AGENT_OUT:
            if a is None:
                return None
            a.queues.discard(queue)
            if not a.queues or event in ("AGENTLOGOFF", "AGENTCALLBACKLOGOFF"):
                switch(None)
        elif event in PAUSES or event in UNPAUSES:
            state = "pause" if event in PAUSES else "available"
            reason = ((p[5].strip() if len(p) > 5 else "") or None) if state == "pause" else None
            if a is None:
                switch(state, reason)
                self.agents[name].queues.add(queue)
            elif a.state == "on_call":
                a.after = (state, reason)
            elif (a.state, a.reason) != (state, reason):
                switch(state, reason)
        elif event == "CONNECT":
            after = (a.state, a.reason) if a is not None and a.state in ("pause", "available") \
                else ("available", None)
            if a is None or a.state != "on_call":
                switch("on_call")
            self.agents[name].after = after
            self.agents[name].queues.add(queue)
        elif a is not None and a.state == "on_call" and CALL_END.get(event) == "answered":
            state, reason = a.after or ("available", None)
            switch(state, reason)
            self.agents[name].after = None
        return None


def _field(data: list[str], i: int) -> float | None:
    try:
        return _num(data[i].strip())
    except IndexError:
        return None


def _caller(data: list[str]) -> str | None:
    return (data[1].strip() or None) if len(data) > 1 else None


def sniff_queue_log(path: Path, head: bytes) -> bool:
    first = [ln for ln in head.splitlines()[:11] if ln.strip()][:10]
    hits = sum(1 for ln in first if LINE.match(ln))
    return hits > 0 and hits * 5 >= len(first) * 3    # most of the first lines: a few may be damaged


FORMAT = register_format(Format(
    name=NAME, help="Asterisk queue_log (epoch|uniqueid|queue|agent|event|data…): inbound calls "
                    "and agent states", open=QueueLogSource, sniff=sniff_queue_log, priority=60,
    tables=("calls", "agent_states"), followable=True))
