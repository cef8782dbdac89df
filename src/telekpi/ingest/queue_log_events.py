"""What Asterisk's queue_log events mean: the events that start, connect and end a call, the
agent events that open and close states, who hung up by the ending event, and the calls and
agents an import follows until they end (``asterisk_queue_log.py`` reads them in order).

The event reference: docs.asterisk.org, "Queue Logs"; the outbound events as
QueueMetrics-style dialplans write them: docs.loway.ch, "Additional queue_log logs for
QueueMetrics"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from telekpi.ingest.connector import ENDPOINT

CALL_END = {"COMPLETEAGENT": "answered", "COMPLETECALLER": "answered", "TRANSFER": "answered",
            "ATTENDEDTRANSFER": "answered", "BLINDTRANSFER": "answered", "ABANDON": "abandoned",
            "EXITWITHKEY": "abandoned", "EXITWITHTIMEOUT": "no_answer", "EXITEMPTY": "failed"}
AGENT_IN = {"AGENTLOGIN", "ADDMEMBER", "AGENTCALLBACKLOGIN"}
AGENT_OUT = {"AGENTLOGOFF", "REMOVEMEMBER", "AGENTCALLBACKLOGOFF"}
PAUSES = {"PAUSE", "PAUSEALL"}
UNPAUSES = {"UNPAUSE", "UNPAUSEALL"}
# Events that say nothing a canonical table holds; read and accepted.
QUIET = {"QUEUESTART", "CONFIGRELOAD", "INFO", "SYSCOMPAT", "RINGNOANSWER", "RINGCANCELED",
         "AGENTDUMP", "AGENTCALLED", "ATTENDEDTRANSFERBRIDGE", "WITHDRAW", "RENAMEQUEUE"}
# Who hung up, by the event that ends the call (transfers hand it on: nobody hung up).
HANGUP_BY = {"COMPLETEAGENT": "agent", "COMPLETECALLER": "customer", "ABANDON": "customer",
             "EXITWITHKEY": "customer", "EXITWITHTIMEOUT": "system", "EXITEMPTY": "system"}
TRANSFERS = {"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
# QueueMetrics-style outbound: the events that end an outbound call not answered.
OUT_END = {"OUTCANCEL": "no_answer", "OUTCHANUNAVAIL": "failed", "OUTCONGESTION": "failed"}
OUT_EVENTS = {"OUTDIAL", "OUTANSWER", "OUTTRANSFER"} | set(OUT_END)
CALL_EVENTS = {"ENTERQUEUE", "CONNECT", "DID"} | set(CALL_END) | OUT_EVENTS
AGENT_EVENTS = AGENT_IN | AGENT_OUT | PAUSES | UNPAUSES
KNOWN = CALL_EVENTS | AGENT_EVENTS | QUIET
# The same endpoint rule as the CDR readers', so calls from both name agents alike.
ENDPOINT_RE = re.compile(ENDPOINT)


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
    did: str | None = None
    outbound: bool = False
    number: str | None = None     # outbound: the number dialed
    answered: float | None = None   # outbound: when OUTANSWER came


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


def _field(data: list[str], i: int) -> float | None:
    try:
        return _num(data[i].strip())
    except IndexError:
        return None


def _caller(data: list[str]) -> str | None:
    return (data[1].strip() or None) if len(data) > 1 else None
