"""Asterisk's queue_log (``epoch|uniqueid|queue|agent|EVENT|data1|data2…``) → calls and agent states.

The same events are read from the ``queue_log`` database table (Asterisk's realtime
queue_log, ``queue_log_to_file`` off) dumped as CSV with a header: ``time, callid,
queuename, agent, event`` and either ``data1`` … ``data5`` or one ``data`` column holding
them pipe-separated (Asterisk's ``queue_log_realtime_use_gmt`` / ``data`` layouts,
docs.asterisk.org "Queue Logs"; Wazo's table, wazo.readthedocs.io "Queue logs"). ``time``
is Unix seconds or ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (read in the workspace timezone unless
it carries an offset); the text ``NULL`` (how a dump writes an SQL null) is empty; columns
a vendor adds are ignored. The layout is told from the header line.

A call is the events of one uniqueid: ENTERQUEUE starts it; CONNECT gives the
queue wait (holdtime) and ring time and the agent; COMPLETEAGENT,
COMPLETECALLER and the transfers end it answered with its talk time (calltime);
ABANDON and EXITWITHKEY end it abandoned, EXITWITHTIMEOUT unanswered
(no_answer), EXITEMPTY failed (no agent in the queue), each with the wait.
Agent events become state intervals: AGENTLOGIN/ADDMEMBER open *available*,
PAUSE/PAUSEALL *pause* (the reason is kept), UNPAUSE/UNPAUSEALL available
again, CONNECT *on_call* until the call ends, AGENTLOGOFF/REMOVEMEMBER close
the state (an agent who leaves one queue of several stays logged in).

Each call keeps its queue (``queue``, also its campaign), when it entered it (``queued_at``:
the ENTERQUEUE time), the caller id ENTERQUEUE gives (``caller_number``), the DID of a DID
event before it (``called_number`` and ``line``), the target of TRANSFER/BLINDTRANSFER
(``transferred_to``: the extension) and who hung up (``hangup_by``): COMPLETEAGENT the
agent, COMPLETECALLER, ABANDON and EXITWITHKEY the customer, EXITWITHTIMEOUT and EXITEMPTY
the system (docs.asterisk.org, "Queue Logs": the event reference).

Outbound calls, as QueueMetrics-style outbound dialplans log them with ``QueueLog()``
(docs.loway.ch, "Additional queue_log logs for QueueMetrics"), are read too: OUTDIAL
(data1: the number dialed) starts an outbound call of that agent in that queue (the
campaign), OUTANSWER marks it answered (the ring time is up to it), and COMPLETEAGENT /
COMPLETECALLER (holdtime|calltime) or OUTTRANSFER (target…) end it answered; OUTCANCEL
ends it no_answer, OUTCHANUNAVAIL and OUTCONGESTION failed. An outbound call never entered a
queue: its ``queued_at`` is empty and it is not offered.

A call still in the queue at the end of the file, and each agent's open state,
are kept in the warehouse (``connector_state``) and finished by a later import
(the next file, or the next piece of a followed file). They are never rows
until they end, so nothing is counted twice, and re-importing an older file
does not disturb state saved by a newer one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from telekpi.i18n import _
from telekpi.ingest.queue_log_events import (
    AGENT_EVENTS,
    AGENT_IN,
    AGENT_OUT,
    CALL_END,
    CALL_EVENTS,
    HANGUP_BY,
    KNOWN,
    OUT_END,
    OUT_EVENTS,
    PAUSES,
    TRANSFERS,
    UNPAUSES,
    Agent,
    Call,
    _caller,
    _field,
    agent_name,
)
from telekpi.ingest.queue_log_records import Records, _time, dump_columns, sniff_queue_log
from telekpi.ingest.registry import Format, read_head, register_format
from telekpi.ingest.source import RawBatch, ReadOptions, Reject
from telekpi.store.connector_state import ConnectorState, Entry
from telekpi.store.warehouse import absent_keys

NAME = "asterisk-queue-log"
# Most DIDs remembered for calls not yet in a queue (a DID event with no ENTERQUEUE after it).
MAX_DIDS = 100_000
BATCH = 100_000
# How far back an event may be dated before its call entered the queue (clock jitter).
JITTER_S = 2


class QueueLogSource:
    """A queue_log file read line by line; rows for ``options.table`` (calls or agent_states)."""

    def __init__(self, path: Path, options: ReadOptions):
        head = read_head(path)
        self.path, self.table = path, options.table or "calls"
        self.encoding = options.encoding or "utf-8"
        self.columns = (["call_id", "started_at", "agent_id", "campaign_id", "lead_id", "direction",
                         "status", "wait_s", "talk_s", "ring_s", "queue", "queued_at", "caller_number",
                         "called_number", "line", "transferred_to", "hangup_by"]
                        if self.table == "calls" else
                        ["agent_id", "state", "started_at", "ended_at", "reason"])
        # A database table dump: its header line names the columns (``dump_columns``).
        dump = dump_columns(head, self.encoding)
        self.header_line = 1 if dump else 0
        self._records = Records(path, self.encoding, dump)
        self.size = path.stat().st_size or 1
        self.calls: dict[str, Call] = {}
        self.agents: dict[str, Agent] = {}
        self.dids: dict[str, str] = {}
        self.loaded: dict[str, float] = {}   # the saved entries this import took over, by key
        self.first_epoch: float | None = None
        self.open_calls = 0
        self.naive = False   # a dump's times without an offset: written out for the workspace zone

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
        for __, parts in self._records(count=False):
            if isinstance(parts, list) and (epoch := _time(parts[0])[0]) is not None:
                return epoch
        return None

    # Reading ----------------------------------------------------------------------------
    def progress(self) -> float:
        return min(1.0, self._records.read / self.size)

    @property
    def lines_read(self) -> int:
        """source.MakesRows: lines read, as against the rows they make."""
        return self._records.lines_read

    def close(self) -> None:
        pass

    def batches(self) -> Iterator[RawBatch]:
        rows: list[tuple] = []
        lines: list[int] = []
        rejects: list[Reject] = []
        calls = self.table == "calls"
        handle = self._call_event if calls else self._agent_event
        for n, parts in self._records():
            if isinstance(parts, Reject):
                if calls:
                    rejects.append(parts)
                continue
            if parts is None:
                continue
            event = parts[4].strip()
            epoch, naive = _time(parts[0])
            if epoch is None or event not in KNOWN:
                if calls:
                    why = (_("the time {value} is not Unix seconds or a date and time").format(value=repr(parts[0]))
                           if epoch is None else
                           _("unknown queue_log event {event}").format(event=repr(event)))
                    rejects.append(Reject(n, why, raw="|".join(parts), column="epoch" if epoch is None else "event"))
                continue
            self.naive = self.naive or naive
            if self.first_epoch is None:
                self.first_epoch = epoch
            problem = handle(n, epoch, parts, rows, lines)
            if problem:
                rejects.append(Reject(n, problem, raw="|".join(parts)))
            if len(rows) >= BATCH:
                yield self._batch(rows, lines, rejects)
                rows, lines, rejects = [], [], []
        yield self._batch(rows, lines, rejects)

    def _batch(self, rows, lines, rejects) -> RawBatch:
        cols = list(zip(*rows, strict=True)) if rows else [() for _ in self.columns]
        arrays = {}
        for name, values in zip(self.columns, cols, strict=True):
            if name in ("started_at", "ended_at", "queued_at"):
                millis = pa.array([None if v is None else round(v * 1000) for v in values], pa.int64())
                if self.naive:   # a dump's local times: as text, for the workspace timezone
                    arrays[name] = pc.strftime(millis.cast(pa.timestamp("ms")), "%Y-%m-%d %H:%M:%S")
                else:
                    arrays[name] = millis.cast(pa.timestamp("ms", tz="UTC"))
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
        if event == "DID":   # the number the caller dialed, logged before the call enters the queue
            if len(self.dids) >= MAX_DIDS:
                self.dids.clear()
            self.dids[uid] = (data[0].strip() if data else "") or ""
            return None
        if event in OUT_EVENTS or (call is not None and call.outbound):
            return self._outbound_event(n, t, p, rows, lines)
        if event == "ENTERQUEUE":
            entry = Call(uid, t, n, queue, _caller(data), did=self.dids.pop(uid, None) or None)
            self.calls[uid] = entry
            if call is not None:
                return _("uniqueid {uid} entered the queue again (line {line}) before its earlier entry "
                         "at line {earlier} ended; the earlier entry is dropped").format(
                    uid=uid, line=n, earlier=call.line)
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
        name = call.queue or queue or None
        # TRANSFER and BLINDTRANSFER: extension|context|…; ATTENDEDTRANSFER: method|target|…
        target = ((data[1] if event == "ATTENDEDTRANSFER" else data[0]).strip() or None) \
            if event in TRANSFERS and len(data) > 1 else None
        rows.append((uid, call.start, agent, name, call.caller, "inbound", status, wait, talk, call.ring,
                     name, call.start, call.caller, call.did, call.did, target, HANGUP_BY.get(event)))
        lines.append(n)
        return None

    def _outbound_event(self, n: int, t: float, p: list[str], rows: list, lines: list) -> str | None:
        """QueueMetrics-style outbound: OUTDIAL starts, OUTANSWER answers, the end events end it."""
        uid, queue, event, data = p[1].strip(), p[2].strip(), p[4].strip(), p[5:]
        call = self.calls.get(uid)
        if event == "OUTDIAL":
            number = (data[0].strip() if data else "") or None
            self.calls[uid] = Call(uid, t, n, queue or None, agent=agent_name(p[3]), outbound=True,
                                   number=number)
            return None
        if call is None:
            if event in ("OUTANSWER", "CONNECT", "ENTERQUEUE"):
                return _("{event} of an outbound call whose OUTDIAL is not in this log").format(event=event)
            return _("{event} ends an outbound call whose OUTDIAL is not in this log; it is not "
                     "counted").format(event=event)
        if t + JITTER_S < call.start:
            return self._jump(uid, call, n, t)
        if event == "OUTANSWER":
            call.answered = t
            return None
        if event in ("CONNECT", "ENTERQUEUE"):
            return None
        target = None
        if event in OUT_END:
            status, talk, hangup = OUT_END[event], 0.0, None
        elif call.answered is None:
            return _("{event} of an outbound call never answered (no OUTANSWER)").format(event=event)
        else:
            status = "answered"
            calltime = _field(data, 1) if event in ("COMPLETEAGENT", "COMPLETECALLER") else None
            talk = calltime if calltime is not None else max(t - call.answered, 0.0)
            hangup = HANGUP_BY.get(event)
            if event in TRANSFERS or event == "OUTTRANSFER":
                target = (data[0].strip() if data else "") or None
        ring = max((call.answered if call.answered is not None else t) - call.start, 0.0)
        self.calls.pop(uid, None)
        rows.append((uid, call.start, call.agent, call.queue, call.number, "outbound", status, None, talk,
                     ring, call.queue, None, None, call.number, None, target, hangup))
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


FORMAT = register_format(Format(
    name=NAME, help="Asterisk queue_log (epoch|uniqueid|queue|agent|event|data…, or the queue_log "
                    "table dumped as CSV with a header): calls and agent states",
    open=QueueLogSource, sniff=sniff_queue_log, priority=60,
    tables=("calls", "agent_states"), followable=True))
