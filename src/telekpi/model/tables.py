"""The canonical tables of DESIGN.md: columns, types, keys, allowed values.

Connectors produce rows in these shapes; validation checks them; the store
creates them. Types are logical: ``string``, ``timestamp`` (with time zone;
naive input means the workspace timezone), ``date``, ``seconds`` (double ≥ 0),
``double``, ``money`` (decimal), ``int``, ``phone`` (text: E.164 when the value can be a
phone number of the workspace's ``phone_region``, else as written; ``model/phones.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# The days telekpi stores and answers for, local days of the workspace: a time or date
# outside them is quarantined, a query outside them refused. Years 0, negative and from 10000
# fall outside, and so do windows and periods computed from an end: Python's dates stop at
# 9999. A stored value must also lie within the setting future_horizon_days of today.
EARLIEST = date(1970, 1, 1)
LATEST = date(2999, 12, 31)
# Plausible values (quality/plausible.py; docs/import.md, "Plausibility ranges"), besides a
# column's own min and max and the settings max_duration_s, future_horizon_days and
# max_field_chars: no UTC offset beyond MAX_OFFSET_MINUTES either way (the world's zones run
# from -12:00 to +14:00).
MAX_OFFSET_MINUTES = 14 * 60

# The warehouse type of each canonical column type.
SQL_TYPES = {
    "string": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "date": "DATE",
    "seconds": "DOUBLE",
    "double": "DOUBLE",
    "money": "DECIMAL(18,4)",
    "int": "BIGINT",
    "phone": "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    choices: tuple[str, ...] | None = None
    default: object | None = None
    min: float | None = None
    max: float | None = None
    help: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    time: str | None = None
    help: str = ""
    extra_key_columns: tuple[str, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def C(name, type="string", required=False, **kw) -> Column:  # a table-building shorthand
    return Column(name, type, required, **kw)


STATUSES = ("answered", "no_answer", "busy", "failed", "voicemail", "abandoned")
DIRECTIONS = ("outbound", "inbound")
ORDER_STATUSES = ("completed", "cancelled", "refunded")
COST_CATEGORIES = ("telco", "salary", "outsourcing", "data", "software", "other")
SITES = ("in_house", "outsourced")
AGENT_STATE_VALUES = ("available", "on_call", "wrap", "pause", "offline")
ENGAGEMENT_DIRECTIONS = ("out", "in")
# Who ended a call, when the source says.
HANGUP_PARTIES = ("agent", "customer", "system")
# The kind of work a campaign is; agents are compared only with agents of their kind.
CAMPAIGN_KINDS = ("outbound_sales", "inbound_care", "collections")
# A recording's channels: the agent and the customer apart (stereo), or one channel (mono).
SPEECH_LAYOUTS = ("stereo", "mono")
# Who speaks an utterance of a transcript (schema version 6, call analysis).
SPEAKERS = ("agent", "customer", "unknown")
# A scheduled callback: still to make (open) or done, moved or cancelled in the dialer
# (closed); for the agent who set it or whoever is free (recipient).
CALLBACK_STATUSES = ("open", "closed")
CALLBACK_RECIPIENTS = ("agent", "anyone")

TABLES: dict[str, Table] = {t.name: t for t in (
    Table("calls", ("call_id",), (
        C("call_id", required=True),
        C("started_at", "timestamp", True),
        C("agent_id"), C("campaign_id"), C("lead_id"),
        C("direction", choices=DIRECTIONS, default="outbound"),
        C("status", required=True, choices=STATUSES),
        C("disposition", help="the agent's result code, mapped to flags by the workspace"),
        C("ring_s", "seconds", min=0), C("wait_s", "seconds", min=0),
        C("talk_s", "seconds", min=0), C("hold_s", "seconds", min=0),
        C("wrap_s", "seconds", min=0),
        C("script"), C("mos", "double", min=1, max=5), C("recording_url"),
        # Schema version 5 (store/migrations.py): the queue, the numbers, the transfer, who hung up.
        C("queue", help="the queue (ACD queue, hunt group, in-group, skill) the call waited in"),
        C("queued_at", "timestamp", help="when the call entered the queue; empty: it never did "
          "(an IVR-only call, an outbound dial). Queue metrics count the calls that reached a "
          "queue (docs/metrics.md)"),
        C("caller_number", "phone", help="the number that placed the call: the customer's "
          "(inbound) or the line or extension it went out on (outbound)"),
        C("called_number", "phone", help="the number dialed: the customer's (outbound) or the "
          "DID the customer called (inbound)"),
        C("line", "phone", help="our number the call used: the caller ID or trunk number an "
          "outbound call presented, the DID an inbound call came in on"),
        C("transferred_to", help="where the call was transferred (an agent, extension, queue or "
          "number, as the source names it); empty: not transferred"),
        C("hangup_by", choices=HANGUP_PARTIES, help="who ended the call, when the source says: "
          "agent, customer or system (the switch, a timeout, the dialer)"),
    ), time="started_at", help="one row per dial attempt or inbound call"),
    Table("leads", ("lead_id",), (
        C("lead_id", required=True), C("created_at", "timestamp", True),
        C("campaign_id"), C("source"), C("segment"), C("customer_id"),
        C("name"), C("phone"),
    ), time="created_at", help="prospects to call"),
    Table("orders", ("order_id",), (
        C("order_id", required=True), C("ordered_at", "timestamp", True),
        C("amount", "money", True),
        C("status", choices=ORDER_STATUSES, default="completed"),
        C("customer_id"), C("lead_id"), C("agent_id"), C("campaign_id"),
        C("call_id"), C("product"),
    ), time="ordered_at", help="sales; cancelled and refunded orders count zero revenue"),
    Table("costs", ("cost_id",), (
        C("cost_id", required=True), C("incurred_on", "date", True),
        C("amount", "money", True),
        C("category", choices=COST_CATEGORIES, default="other"),
        C("agent_id"), C("team_id"), C("campaign_id"),
        C("period_end", "date", help="the last day of the period the cost covers, from "
          "incurred_on (inclusive); empty: its own day (or its month, with the setting "
          "monthly_costs_on_first)"),
    ), time="incurred_on", help="the columns set give the cost's scope; a cost is spread evenly "
       "over the days it covers"),
    Table("agents", ("agent_id",), (
        C("agent_id", required=True), C("name"), C("team_id"),
        C("site", choices=SITES, default="in_house"), C("vendor"),
        C("supervisor_id"), C("hired_on", "date"), C("level"),
    ), help="people who call"),
    Table("teams", ("team_id",), (
        C("team_id", required=True), C("name"), C("supervisor_id"),
    )),
    Table("campaigns", ("campaign_id",), (
        C("campaign_id", required=True), C("name"), C("industry"), C("product"),
        C("starts_on", "date"), C("ends_on", "date"),
        C("kind", choices=CAMPAIGN_KINDS, help="the kind of work: agents are compared only with "
          "agents of their kind; unset, its inbound calls are inbound care, the others "
          "outbound sales"),
    )),
    Table("surveys", ("response_id",), (
        C("response_id", required=True), C("answered_at", "timestamp", True),
        C("score", "double", True, min=0), C("scale_max", "double", True, default=5, min=1),
        C("question_id"), C("call_id"), C("customer_id"), C("agent_id"),
    ), time="answered_at"),
    Table("tickets", ("ticket_id",), (
        C("ticket_id", required=True), C("opened_at", "timestamp", True),
        C("first_response_at", "timestamp"), C("resolved_at", "timestamp"),
        C("customer_id"), C("agent_id"), C("channel"), C("priority"),
    ), time="opened_at"),
    Table("agent_states", ("agent_id", "started_at"), (
        C("agent_id", required=True),
        C("state", required=True, choices=AGENT_STATE_VALUES),
        C("started_at", "timestamp", True), C("ended_at", "timestamp", True),
        C("reason"),
    ), time="started_at", help="an agent's state intervals; key is agent and start"),
    Table("engagements", ("engagement_id",), (
        C("engagement_id", required=True), C("lead_id", required=True),
        C("at", "timestamp", True), C("channel", required=True),
        C("direction", required=True, choices=ENGAGEMENT_DIRECTIONS),
    ), time="at", help="non-call touches: sms, zalo, email, chat"),
    # Schema version 6 (store/migrations.py): the stop list (docs/operations-compliance.md).
    Table("dnc", ("number", "requested_at"), (
        C("number", "phone", True, help="the number that asked not to be called"),
        C("requested_at", "timestamp", True, help="when it asked; calls to it after this are "
          "violations"),
        C("source", help="where the request came from: a national register, a complaint, a "
          "web form"),
    ), time="requested_at", help="the stop list: numbers that asked not to be called, and when"),
    # Schema version 6 (store/migrations.py): speech analytics per call, from its recording
    # (`telekpi import recordings`, docs/call-analysis.md) or from a file of figures computed
    # elsewhere. Stereo figures name who spoke; a mono recording fills the first five only.
    Table("call_speech", ("call_id",), (
        C("call_id", required=True),
        C("layout", required=True, choices=SPEECH_LAYOUTS, help="stereo: agent and customer on "
          "channels of their own; mono: one channel, speech and silence only"),
        C("duration_s", "seconds", True, min=0, help="the recording's length"),
        C("speech_s", "seconds", min=0, help="when anyone speaks"),
        C("silence_s", "seconds", min=0, help="dead air: neither speaks, between the first and "
          "the last words"),
        C("longest_silence_s", "seconds", min=0),
        C("agent_talk_s", "seconds", min=0), C("customer_talk_s", "seconds", min=0),
        C("agent_talk_ratio", "double", min=0, max=1),
        C("overtalk_s", "seconds", min=0, help="both speak at once"),
        C("agent_interruptions", "int", min=0, help="the agent started over the customer"),
        C("customer_interruptions", "int", min=0, help="the customer started over the agent"),
        C("longest_monologue_s", "seconds", min=0),
        C("first_words_s", "seconds", min=0, help="from the recording's start to the agent's first words"),
        C("switches_per_min", "double", min=0),
        C("vad", help="the voice activity detector that found the speech (webrtc, silero)"),
    ), help="one row per analysed call: its speech figures"),
    # Schema version 6 (store/migrations.py): who is scheduled to do what, when (wfm/adherence.py).
    Table("schedules", ("agent_id", "starts_at"), (
        C("agent_id", required=True), C("starts_at", "timestamp", True), C("ends_at", "timestamp", True),
        C("activity", required=True, help="what the agent is scheduled to do: work (phones, calls, "
          "open), a pause (lunch, break, training, meeting, coaching, …) or off (leave, holiday, "
          "sick); docs/workforce.md says which agent states keep each in adherence"),
    ), time="starts_at", help="planned activities per agent; key is agent and start"),
    # Schema version 6 (store/migrations.py): call analysis from words (docs/call-analysis.md).
    Table("qa_results", ("call_id", "form_id"), (
        C("call_id", required=True), C("form_id", required=True),
        C("started_at", "timestamp", True, help="the call's start, so QA counts by the call's day"),
        C("agent_id"), C("score", "double", min=0, max=1,
                         help="the weighted share of the scored items' points; 0 when auto-failed"),
        C("passed", "int", min=0, max=1, help="1: the score reaches the form's pass mark and no "
          "auto-fail item failed"),
        C("compliant", "int", min=0, max=1, help="1: no auto-fail (compliance) item failed"),
        C("pending", "int", min=0, help="items a person still has to score"),
        C("form_hash"), C("transcript_hash"),
        C("scored_at", "timestamp", True),
    ), time="started_at", help="one row per call and QA form: the call's automatic QA score"),
    Table("call_sentiment", ("call_id",), (
        C("call_id", required=True),
        C("started_at", "timestamp", True, help="the call's start"),
        C("agent_id"),
        C("sentiment", "double", min=-1, max=1, help="the customer's mean utterance sentiment, "
          "-1 (negative) to 1 (positive)"),
        C("negative", "int", min=0, max=1, help="1: the customer's sentiment is negative (below "
          "-0.2)"),
        C("customer_utterances", "int", min=0),
        C("predicted_csat", "double", min=0, max=1, help="the chance the customer would answer a "
          "survey satisfied, from the model learned on this centre's surveyed calls; empty "
          "without one"),
        C("transcript_hash"),
    ), time="started_at", help="one row per transcribed call: the customer's sentiment"),
    # Callbacks as the dialer scheduled them (VICIdial's callback list, docs/operations.md):
    # the callbacks model takes their due time over the callback_due_h rule.
    Table("scheduled_callbacks", ("callback_id",), (
        C("callback_id", required=True, help="the dialer's id of the callback"),
        C("scheduled_at", "timestamp", True, help="when it was set (the disposition was saved)"),
        C("due_at", "timestamp", True, help="when the customer is to be called back"),
        C("lead_id"), C("campaign_id"),
        C("agent_id", help="the agent who set it (and who is to make it, when recipient is agent)"),
        C("recipient", choices=CALLBACK_RECIPIENTS, help="who is to make it: the agent who set it, "
          "or anyone free on the campaign"),
        C("status", choices=CALLBACK_STATUSES, help="open: still to make; closed: made, moved or "
          "cancelled in the dialer"),
        C("comments"),
    ), time="scheduled_at", help="callbacks the dialer scheduled, with the time promised"),
)}


def table(name: str) -> Table:
    from telekpi.errors import UsageError
    from telekpi.i18n import _

    try:
        return TABLES[name]
    except KeyError:
        raise UsageError(_("unknown table {table}; expected one of: {tables}").format(
            table=repr(name), tables=", ".join(TABLES))) from None

# The dimensions whose values have a name in a table of their own: (table, id column).
NAMED = {"agent": ("agents", "agent_id"), "team": ("teams", "team_id"),
         "campaign": ("campaigns", "campaign_id")}
