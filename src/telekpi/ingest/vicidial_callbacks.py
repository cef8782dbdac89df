"""VICIdial's callback list → ``scheduled_callbacks`` (format ``vicidial-callbacks``).

A table export of ``vicidial_callbacks`` (a CSV dump with its header, as ``vicidial_log`` is
read by ``ingest/vicidial.py``). Its columns, as VICIdial's own schema declares them
(``extras/MySQL_AST_CREATE_tables.sql``, ``CREATE TABLE vicidial_callbacks``; e.g. the
mirror github.com/inktel/Vicidial):

====================  ===========================================================
callback_id           the key (INT AUTO_INCREMENT)
lead_id, list_id      the lead to call back, and its list
campaign_id           the campaign
status                ACTIVE (set, not yet due), LIVE (due, shown to the agent),
                      INACTIVE (called back, moved or removed); ARCHIVE in the
                      ``vicidial_callbacks_archive`` copy
entry_time            when it was set (the agent saved the CALLBK disposition)
callback_time         when the customer is to be called back
modify_date           the row's last change
user                  the agent who set it
recipient             USERONLY (that agent only) or ANYONE (whoever is free)
comments, user_group  the agent's note; the agent's user group
lead_status           the disposition that set it (CALLBK by default)
customer_timezone…    newer versions: the customer's zone and local time
====================  ===========================================================

Each row becomes one scheduled callback: ``callback_id``; ``scheduled_at`` from entry_time
and ``due_at`` from callback_time (DATETIMEs in the server's zone: the workspace timezone,
or a mapping's ``timezone:``); ``lead_id``, ``campaign_id``; ``agent_id`` from user (blank
and the dialer's own users VDAD/VDCL are no agent); ``recipient`` agent or anyone;
``status`` open (ACTIVE, LIVE) or closed (INACTIVE, ARCHIVE); ``comments``. MySQL's
"zero date" (``0000-00-00 00:00:00``) is no date: such a row is quarantined naming it.
A status or recipient VICIdial does not have is kept as written, so the row is quarantined
naming the value (a mapping can say what it means).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from telekpi.ingest.connector import DerivedCsvSource, add_columns, blank_to_null
from telekpi.ingest.registry import Format, register_format
from telekpi.ingest.source import ReadOptions
from telekpi.ingest.vicidial import SYSTEM_USERS, header_names

HEADER = ("callback_id", "lead_id", "campaign_id", "entry_time", "callback_time", "recipient")
STATUSES = {"ACTIVE": "open", "LIVE": "open", "INACTIVE": "closed", "ARCHIVE": "closed"}
RECIPIENTS = {"USERONLY": "agent", "ANYONE": "anyone"}

MAPPING = """
columns:
  callback_id: callback_id
  scheduled_at: vc_scheduled_at
  due_at: vc_due_at
  lead_id: lead_id
  campaign_id: campaign_id
  agent_id: vc_agent
  recipient: vc_recipient
  status: vc_status
  comments: comments
"""


def sniff(path: Path, head: bytes) -> bool:
    return set(HEADER) <= header_names(head)


def _text(t: pa.Table, name: str) -> pa.Array:
    """A column's trimmed values by case-insensitive name, null when blank or absent."""
    names = {c.casefold(): c for c in t.column_names}
    if name not in names:
        return pa.nulls(t.num_rows, pa.string())
    return blank_to_null(t.column(names[name]))


def _coded(raw: pa.Array, codes: dict[str, str]) -> pa.Array:
    """VICIdial's code → telekpi's value (case-insensitive); another code is kept as written."""
    found = pc.take(pa.array(list(codes.values()), pa.string()),
                    pc.index_in(pc.utf8_upper(raw), pa.array(list(codes))))
    return pc.coalesce(found, raw)


def derive(t: pa.Table) -> pa.Table:
    null = pa.scalar(None, pa.string())
    user = _text(t, "user")
    agent = pc.if_else(pc.fill_null(pc.is_in(pc.utf8_upper(user), pa.array(SYSTEM_USERS)), False),
                       null, user)
    return add_columns(
        t, vc_scheduled_at=_text(t, "entry_time"),
        vc_due_at=_text(t, "callback_time"), vc_agent=agent,
        vc_recipient=_coded(_text(t, "recipient"), RECIPIENTS),
        vc_status=_coded(_text(t, "status"), STATUSES))


def open_callbacks(path: Path, options: ReadOptions) -> DerivedCsvSource:
    return DerivedCsvSource(path, options, derive)


FORMAT = register_format(Format(
    name="vicidial-callbacks", help="VICIdial vicidial_callbacks export: callbacks scheduled by agents",
    open=open_callbacks, sniff=sniff, priority=40, mapping=MAPPING, tables=("scheduled_callbacks",)))
