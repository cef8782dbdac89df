"""Workspace settings (``telekpi.toml``), declared once: the ``Settings`` dataclass, each
field with its default, help, unit and allowed values, from which validation and
docs/settings.md are derived.

Nothing is read at import time: ``load_settings(workspace)`` builds a frozen
``Settings`` that callers pass on explicitly.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telekpi.errors import ConfigError
from telekpi.i18n import LANGS, _
from telekpi.model.calling_windows import DEFAULT_WINDOWS, WindowsError, parse_windows
from telekpi.model.dispositions import DEFAULT_MAP, FLAGS

CONFIG_FILE = "telekpi.toml"
# The country of each language telekpi speaks that has one (English has many).
LOCALE_COUNTRIES = {"vi": "VN", "th": "TH", "zh_Hans": "CN", "zh_Hant": "TW"}


def _setting(default, help: str, unit: str | None = None, choices: tuple[str, ...] | None = None,
             positive: bool = False):
    """A field of ``Settings``: its default, and what docs and validation say about it
    (``positive``: a limit, which must be more than 0)."""
    return field(default=default, metadata={"help": help, "unit": unit, "choices": choices,
                                            "positive": positive})


# Recording sources known by their file naming (audio/naming.py CONVENTIONS): a
# [recording_sources.mixmonitor] or [recording_sources.freeswitch] table needs no match.
NAMED_SOURCES = ("mixmonitor", "freeswitch")


@dataclass(frozen=True)
class RecordingSource:
    """One ``[recording_sources.NAME]`` table: files whose path ``match`` (a regular
    expression) finds, or, for a NAMED_SOURCES name without ``match``, files named its way,
    have the agent on ``agent_channel``."""

    name: str
    agent_channel: str
    match: str | None = None


@dataclass(frozen=True)
class Settings:
    """The settings of one workspace; each field is a key of ``telekpi.toml``."""

    timezone: str = _setting("UTC", "IANA timezone; naive times in files, periods and --from/--to use it")
    currency: str = _setting("USD", "ISO 4217 code of every money amount")
    locale: str = _setting("en", "language and number format of output", choices=LANGS)
    phone_region: str = _setting("", "country (ISO 3166 code, such as VN or TH) of phone numbers "
                                 "written without a country code, for lead search; empty: the "
                                 "locale's country (vi: VN, th: TH, zh_Hans: CN, zh_Hant: TW), else "
                                 "the currency's (VND: VN, THB: TH, USD: US)")
    productive_min_talk_s: float = _setting(60.0, "talk seconds from which a connected call is "
                                            "productive", "seconds")
    max_unanswered_attempts: int = _setting(5, "consecutive touches without engagement that put a "
                                            "lead on the stop list", "touches")
    service_level_s: float = _setting(20.0, "queue wait within which an inbound call counts toward "
                                      "service level", "seconds")
    service_level_inclusive: bool = _setting(
        True, "true: a call answered after exactly service_level_s seconds is within service level "
        "(wait ≤ threshold, as service level is written: 80/20 means answered in 20 s or less); "
        "false: only a shorter wait is (wait < threshold)")
    service_level_basis: str = _setting(
        "offered", "what service level is a share of. offered: answered within the threshold / "
        "calls that reached the queue; answered: / answered calls; offered_minus_short_abandons: / "
        "calls that reached the queue, less those abandoned before short_abandon_s. Only calls "
        "whose wait is known count, on both sides",
        choices=("offered", "answered", "offered_minus_short_abandons"))
    short_abandon_s: float = _setting(
        0.0, "callers who hang up in the queue sooner than this are short abandons (a wrong number, "
        "a caller who changed their mind): left out of queue abandonment, above and below, and of "
        "service level with the basis offered_minus_short_abandons. 0: none are; centres often "
        "use 5", "seconds")
    ticket_sla_s: float = _setting(4 * 3600.0, "seconds within which a ticket's first response meets "
                                   "the SLA", "seconds")
    agents_see_leaderboard: bool = _setting(
        False, "true: an agent's My day lists the peers ranked with them (names and numbers) and "
        "the Agents leaderboard opens for agents; false: an agent sees only their own position "
        "(\"7th of 23\")")
    min_sample: int = _setting(30, 'groups with fewer calls are "too few to judge", not ranked', "calls")
    cost_allocation: str = _setting(
        "none", "none: a team's or campaign's cost stays with it (agent is empty); by_talk_time: "
        "shared among that month's agents of the team (or campaign) by talk time; months without "
        "talk stay unallocated", choices=("none", "by_talk_time"))
    monthly_costs_on_first: bool = _setting(
        False, "true: a cost booked on the 1st of a month with no period_end covers that calendar "
        "month, spread evenly over its days (monthly salaries, fees and licences booked on the 1st); "
        "false: a cost with no period_end covers its own day. A cost with a period_end covers "
        "incurred_on to period_end either way. Off by default: a one-off cost booked on the 1st "
        "stays on its day, and data that says what it covers needs no guess")
    max_duration_s: float = _setting(
        86400.0, "the longest plausible ring, wait, talk, hold or wrap time; a longer one is "
        "quarantined (one day: a phone number that landed in wait_s is caught; a centre whose "
        "calls can last longer raises it)", "seconds", positive=True)
    future_horizon_days: int = _setting(
        366, "how far after today a time or date may lie; a later one is quarantined, as is "
        "one before 1970-01-01. A year: costs booked ahead for a year (period_end) and "
        "campaigns planned within one pass, a typo such as 2062 for 2026 or a 9999-12-31 "
        "meaning \"no end\" (leave the cell empty for that) does not", "days")
    max_field_chars: int = _setting(
        4096, "the longest value a field of an imported row may have; a row with a longer "
        "one is quarantined, the limit named in its reason", "characters", positive=True)
    max_request_mb: float = _setting(20.0, "the largest request body the web app accepts (a JSON batch "
                                     "to /api/v1/ingest, a form); a larger one is refused with 413 "
                                     "before it is read", "MB")
    max_upload_mb: float = _setting(2048.0, "the largest file the web app's Import page accepts; a "
                                    "larger one is refused with 413 before it is stored (import it "
                                    "with `telekpi import`)", "MB")
    signin_account_failures: int = _setting(
        5, "failed sign-ins on one account name within signin_window_s that lock it for "
        "signin_lockout_s (every sign-in as that name, a right password too, gets 429); 0: never "
        "locked", "sign-ins")
    signin_address_failures: int = _setting(
        20, "failed sign-ins and invalid API tokens from one address within signin_window_s that "
        "lock the address for signin_lockout_s, whatever the name; 0: never locked", "sign-ins")
    signin_window_s: float = _setting(900.0, "the window in which failed sign-ins are counted",
                                      "seconds")
    signin_lockout_s: float = _setting(900.0, "how long a locked name or address is refused "
                                       "(fixed, not growing)", "seconds")
    trusted_proxies: str = _setting(
        "", "addresses of the reverse proxies in front of `telekpi serve`, separated by commas; a "
        "request from one of them is counted against the client address its X-Forwarded-For "
        "header names. Empty: X-Forwarded-For is ignored and every request counts against the "
        "address it came from")
    # Operations: compliance, caller-ID health, attempts (docs/operations-compliance.md).
    calling_windows: str = _setting(
        DEFAULT_WINDOWS, "the hours calls may be placed, in the called person's local time, per "
        "country of the called number: COUNTRY=HH:MM-HH:MM, optionally with days (mon-fri "
        "08:30-20:00, sat-sun 08:00-18:00), rules separated by ;, * for every other country. The "
        "default is conservative, not legal advice (docs/operations-compliance.md)")
    abandon_cap: float = _setting(0.03, "the highest outbound abandonment rate a campaign may reach "
                                  "over abandon_window_days (TCPA and Ofcom: 3 %)", "rate")
    abandon_window_days: int = _setting(30, "the rolling window of the outbound abandonment rate "
                                        "(TCPA: 30 days; Ofcom: 1)", "days", positive=True)
    sale_margin: float = _setting(1.0, "the share of a sale's revenue that is margin, for the "
                                  "attempts worth making (1: revenue; set your gross margin)", "rate")
    number_health_min_calls: int = _setting(
        10, "calls a number needs in a day before its pick-up rate is judged against its "
        "campaign's other numbers", "calls", positive=True)
    recording_agent_channel: str = _setting(
        "left", "the channel of a stereo recording that holds the agent (the other holds the "
        "customer), for `telekpi import recordings` without --agent-channel, of the files no "
        "[recording_sources.NAME] table takes (docs/settings.md, \"Recording sources\"). left suits "
        "FreeSWITCH's RECORD_STEREO on an agent's outbound call (the caller, leg A, is left) and "
        "Asterisk MixMonitor's D option run on the agent's channel (docs/call-analysis.md)",
        choices=("left", "right"))
    vad: str = _setting("webrtc", "the voice activity detector that finds speech in recordings: "
                        "webrtc (fast) or silero (a neural network; docs/call-analysis.md, \"VAD "
                        "choice\", has both measured)", choices=("webrtc", "silero"))
    interruption_min_s: float = _setting(0.5, "how long both must speak together, from the moment "
                                         "one starts over the other, for it to count as an "
                                         "interruption", "seconds", positive=True)
    transcript_agent: str = _setting(
        "auto", "which speaker or channel of an imported transcript is the agent: auto (a label "
        "that says Agent/Customer in any of the five languages, else the file's first channel or "
        "speaker), first, second, or a label as the file writes it (ch_1, spk_0, 2, Anna); "
        "`telekpi import transcripts --agent` overrides it")
    recovery_window_h: float = _setting(
        24.0, "a lost inbound call (abandoned in the queue, or rang an agent unanswered) is won "
        "back when the customer is reached again within this many hours: our answered call to "
        "them, or their own answered call (docs/operations.md). A day: the usual promise of "
        "abandoned-call callback programmes (\"we call you back the same or next business "
        "day\")", "hours", positive=True)
    callback_due_h: float = _setting(
        24.0, "a callback promised on a call (a disposition with the callback flag) is due this "
        "many hours after that call", "hours", positive=True)
    callback_tolerance_min: float = _setting(
        15.0, "a promised callback is kept on time when our next call to the customer starts no "
        "later than this many minutes after it is due; later is late", "minutes")
    fcr_window_days: float = _setting(
        7.0, "first-contact resolution: a handled inbound contact is resolved at first contact "
        "when the same customer (lead or number) does not contact the centre again within this "
        "many days (SQM's and COPC's \"no repeat contact within N days\"; 7 is common, some "
        "centres use 3 or 30)", "days", positive=True)
    review_sample_per_week: int = _setting(
        2, "the QA review queue draws this many of each agent's scored calls per ISO week, at "
        "random but the same on every look (besides every auto-failed call; docs/call-analysis.md, "
        "\"Reviewing calls\")", "calls")
    # The [dispositions] table: code -> flags; checked and documented on its own.
    dispositions: dict[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_MAP))
    # The [recording_sources.NAME] tables: which channel holds the agent, per source of
    # recordings (docs/call-analysis.md "Which channel is the agent"); checked on their own.
    recording_sources: tuple[RecordingSource, ...] = ()

    @property
    def phone_country(self) -> str | None:
        """The country a phone number without a country code belongs to (``phone_region``)."""
        return (self.phone_region or LOCALE_COUNTRIES.get(self.locale)
                or (self.currency[:2].upper() if len(self.currency) == 3 else None))

    @cached_property
    def proxies(self) -> frozenset[str]:
        """The addresses of ``trusted_proxies``."""
        return frozenset(p.strip() for p in self.trusted_proxies.split(",") if p.strip())

    @cached_property
    def tz(self) -> ZoneInfo:
        """The workspace's zone, built once; everything that needs a zone takes this one."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Setting:
    """One key of ``telekpi.toml`` as the docs and the validation see it (read from its field)."""

    name: str
    default: object
    help: str
    unit: str | None = None
    choices: tuple[str, ...] | None = None
    positive: bool = False

    @property
    def type(self) -> type:
        return type(self.default)


def declared() -> tuple[Setting, ...]:
    """The scalar settings, in the order ``Settings`` declares them."""
    return tuple(Setting(f.name, f.default, **f.metadata) for f in fields(Settings) if f.metadata)


def load_settings(workspace: Path | str | None) -> Settings:
    """Read ``telekpi.toml`` in the workspace folder; defaults when absent."""
    if workspace is None:
        return Settings()
    path = Path(workspace) / CONFIG_FILE
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(_("is not UTF-8 text"), file=str(path)) from None
    except tomllib.TOMLDecodeError as e:
        line = getattr(e, "lineno", None)
        raise ConfigError(_("is not valid TOML ({error})").format(
            error=e.msg if hasattr(e, "msg") else e), file=str(path), line=line) from None
    return settings_from_dict(data, source=str(path))


def settings_from_dict(data: dict, source: str = CONFIG_FILE) -> Settings:
    known = {s.name: s for s in declared()}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("dispositions", "recording_sources"):
            continue
        if key not in known:
            raise ConfigError(_("unknown setting {key}; known: {known}").format(
                key=repr(key), known=", ".join(known)), file=source)
        spec = known[key]
        if spec.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, spec.type) or (isinstance(value, bool) and spec.type is not bool):
            raise ConfigError(_("setting {key} must be a {type}, got {value}").format(
                key=repr(key), type=spec.type.__name__, value=repr(value)), file=source)
        if spec.choices and value not in spec.choices:
            raise ConfigError(_("setting {key} must be one of {choices}").format(
                key=repr(key), choices=", ".join(spec.choices)), file=source)
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(_("setting {key} must be a finite number").format(key=repr(key)),
                              file=source)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            raise ConfigError(_("setting {key} must not be negative").format(key=repr(key)),
                              file=source)
        if spec.positive and isinstance(value, int | float) and value <= 0:
            raise ConfigError(_("setting {key} must be more than 0").format(key=repr(key)),
                              file=source)
        values[key] = value
    region = values.get("phone_region", "")
    if region and not (len(region) == 2 and region.isascii() and region.isalpha() and region.isupper()):
        raise ConfigError(_("setting {key} must be a country code of two capital letters, such as "
                            "VN").format(key=repr("phone_region")), file=source)
    for proxy in (p.strip() for p in values.get("trusted_proxies", "").split(",")):
        if proxy and not is_address(proxy):
            raise ConfigError(_("setting {key}: {value} is not an IP address").format(
                key=repr("trusted_proxies"), value=repr(proxy)), file=source)
    try:
        parse_windows(values.get("calling_windows", DEFAULT_WINDOWS))
    except WindowsError as e:
        raise ConfigError(_("setting {key}: {error}").format(key=repr("calling_windows"), error=e),
                          file=source) from None
    tz = values.get("timezone", Settings.timezone)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(_("timezone {tz} is not an IANA timezone name such as "
                            "Asia/Ho_Chi_Minh").format(tz=repr(tz)), file=source) from None
    dispositions = dict(DEFAULT_MAP)
    for code, flags in (data.get("dispositions") or {}).items():
        if not isinstance(flags, list) or any(f not in FLAGS for f in flags):
            raise ConfigError(_("disposition {code} must list flags from: {flags}").format(
                code=repr(code), flags=", ".join(FLAGS)), file=source)
        dispositions[code.upper()] = frozenset(flags)
    sources = recording_sources(data.get("recording_sources"), source)
    return Settings(**values, dispositions=dispositions, recording_sources=sources)


def recording_sources(tables: object, source: str = CONFIG_FILE) -> tuple[RecordingSource, ...]:
    """The ``[recording_sources.NAME]`` tables, checked, in the file's order."""
    import re

    if tables is None:
        return ()
    if not isinstance(tables, dict):
        raise ConfigError(_("recording_sources must be tables such as [recording_sources.inbound]"),
                          file=source)
    out = []
    for name, table in tables.items():
        where = f"[recording_sources.{name}]"
        if not isinstance(table, dict) or set(table) - {"match", "agent_channel"}:
            raise ConfigError(_("{table} takes match and agent_channel only").format(table=where),
                              file=source)
        channel, match = table.get("agent_channel"), table.get("match")
        if channel not in ("left", "right"):
            raise ConfigError(_("{table}: agent_channel must be left or right, not {value}").format(
                table=where, value=repr(channel)), file=source)
        if match is None and name not in NAMED_SOURCES:
            raise ConfigError(_("{table} needs match, a regular expression searched in the file's "
                                "path (only {named} are known by their file names)").format(
                table=where, named=", ".join(NAMED_SOURCES)), file=source)
        if match is not None:
            try:
                if not isinstance(match, str):
                    raise re.error("not a string")
                re.compile(match)
            except re.error as e:
                raise ConfigError(_("{table}: match is not a regular expression ({error})").format(
                    table=where, error=e), file=source) from None
        out.append(RecordingSource(name=name, agent_channel=channel, match=match))
    return tuple(out)


def is_address(text: str) -> bool:
    """Is ``text`` an IPv4 or IPv6 address?"""
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
