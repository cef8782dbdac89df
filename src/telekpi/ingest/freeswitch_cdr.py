"""FreeSWITCH call detail records as ``mod_cdr_csv`` writes them (``Master.csv``, no header).

The layout is the ``example`` template that ``cdr_csv.conf.xml`` makes the
default (15 fields)::

    caller_id_name, caller_id_number, destination_number, context, start_stamp,
    answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid,
    accountcode, read_codec, write_codec

The stock ``linksys`` (17 fields: + sip_user_agent, sip_p_rtp_stat) and
``snom`` (20 fields: + sip_user_agent, call_clientcode, sip_rtp_rxstat,
sip_rtp_txstat, sofia_record_file) templates start with the same 15 and are
read too. A file is recognised by a UUID in field 11 and a hangup cause
(``NORMAL_CLEARING``, ``USER_BUSY``…) in field 10.

One record is one call leg (the a-leg with the default ``legs=a``):
``call_id`` is the uuid, talk time is billsec, ring time duration − billsec.
The status comes from billsec, answer_stamp and the hangup cause (the table
in ``STATUS_BY_CAUSE`` and docs/connectors/freeswitch.md). Direction is
inbound when the context is ``public`` (where FreeSWITCH's stock dialplan
puts calls from gateways), else outbound. The agent is the internal
extension on our side of the call (caller_id_number when outbound,
destination_number when inbound) when it looks like one (2–6 digits); the
lead is the far party's number; the campaign is the accountcode. Times are
local times without an offset (the workspace timezone); ``2020/2/10 22:41``,
as a spreadsheet re-saves them, is read too. A mapping changes any of this,
e.g. ``direction: {column: context, values: {from-carrier: inbound}, otherwise: outbound}``.

The caller's number is caller_id_number, the called number destination_number (the
variables of the same names, developer.signalwire.com "Channel Variables"); an inbound
call's line is the number it came in on (destination_number). The example templates carry
no queue (``cc_queue``) nor ``sip_hangup_disposition``: a template that writes them is read
with a mapping naming its fields (``csv: {names: [...]}``) and mapping them onto ``queue``
and ``hangup_by``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.ingest.connector import (
    DerivedCsvSource,
    add_columns,
    blank_to_null,
    first_records,
    iso_slashes,
    layout_sniffer,
)
from telekpi.ingest.registry import Format, read_head, register_format
from telekpi.ingest.source import ReadOptions

NAME = "freeswitch-cdr"
EXAMPLE = ("caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp",
           "answer_stamp", "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid",
           "accountcode", "read_codec", "write_codec")
LAYOUTS = {
    15: EXAMPLE,
    17: EXAMPLE + ("sip_user_agent", "sip_p_rtp_stat"),                        # linksys template
    20: EXAMPLE + ("sip_user_agent", "call_clientcode", "sip_rtp_rxstat",       # snom template
                   "sip_rtp_txstat", "sofia_record_file"),
}
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CAUSE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{4,}$")
# Unanswered calls by hangup cause; any other cause of an unanswered call is `failed`.
STATUS_BY_CAUSE = {
    "NO_ANSWER": "no_answer", "NO_USER_RESPONSE": "no_answer", "ORIGINATOR_CANCEL": "no_answer",
    "ALLOTTED_TIMEOUT": "no_answer",
    "USER_BUSY": "busy", "CALL_REJECTED": "busy",
}
INBOUND_CONTEXT = "public"
EXTENSION = r"^\d{2,6}$"
POSITIVE = r"^(\d*[1-9]\d*(\.\d*)?|\d*\.\d*[1-9]\d*)$"   # a number above zero

MAPPING = """
columns:
  call_id: uuid
  started_at: started
  status: status_guess
  talk_s: billsec
  ring_s: {column: duration, minus: billsec}
  direction: direction_guess
  agent_id: agent
  lead_id: number
  campaign_id: accountcode
  caller_number: caller_id_number
  called_number: destination_number
  line: fs_line
"""


def layout(records: list[list[str]]) -> tuple[str, ...] | None:
    """The field names of the first record that is a cdr_csv record of a known template."""
    for rec in records:
        names = LAYOUTS.get(len(rec))
        if names and UUID.match(rec[10].strip()) and CAUSE.match(rec[9].strip()):
            return names
    return None


def derive(t: pa.Table) -> pa.Table:
    n = t.num_rows

    def col(name):
        return t.column(name) if name in t.column_names else pa.nulls(n, pa.string())

    null = pa.scalar(None, pa.string())
    context = pc.utf8_lower(pc.fill_null(blank_to_null(col("context")), ""))
    inbound = pc.equal(context, INBOUND_CONTEXT)
    caller, called = blank_to_null(col("caller_id_number")), blank_to_null(col("destination_number"))
    near = pc.if_else(inbound, called, caller)
    far = pc.if_else(inbound, caller, called)
    agent = pc.if_else(pc.match_substring_regex(pc.fill_null(near, ""), EXTENSION), near, null)
    # '&' (an application run by originate) and other non-numbers are not a party to call back.
    number = pc.if_else(pc.match_substring_regex(pc.fill_null(far, ""), r"\d"), far, null)

    billsec = pc.fill_null(blank_to_null(col("billsec")), "")
    answered = pc.or_(pc.match_substring_regex(billsec, POSITIVE),
                      pc.is_valid(blank_to_null(col("answer_stamp"))))
    cause = pc.utf8_upper(pc.fill_null(blank_to_null(col("hangup_cause")), ""))
    causes = pa.array(list(STATUS_BY_CAUSE), pa.string())
    by_cause = pc.take(pa.array(list(STATUS_BY_CAUSE.values()), pa.string()), pc.index_in(cause, causes))
    unanswered = pc.fill_null(by_cause, "failed")
    # A billsec that is not a number is left to the validator (talk_s), which names it.
    status = pc.if_else(answered, "answered", unanswered)

    started = iso_slashes(blank_to_null(col("start_stamp")))
    return add_columns(t, started=started, status_guess=status,
                       direction_guess=pc.if_else(inbound, "inbound", "outbound"),
                       agent=agent, number=number, fs_line=pc.if_else(inbound, called, null))


def open_cdr(path: Path, options: ReadOptions) -> DerivedCsvSource:
    names = options.names or layout(first_records(read_head(path)))
    if not names:
        raise InputError(_("is not a FreeSWITCH cdr_csv file: no record in its first lines has {counts} "
                           "fields with a hangup cause (e.g. NORMAL_CLEARING) in field 10 and a UUID in "
                           "field 11, as the example template writes them").format(
            counts=", ".join(str(k) for k in LAYOUTS)), file=str(path), line=1)
    return DerivedCsvSource(path, options, derive, names=names)


FORMAT = register_format(Format(
    name=NAME, help="FreeSWITCH mod_cdr_csv Master.csv (example template, no header)",
    open=open_cdr, sniff=layout_sniffer(layout), priority=50, mapping=MAPPING, tables=("calls",), followable=True))
