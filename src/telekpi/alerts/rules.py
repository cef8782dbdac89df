"""Alert rules in YAML, checked as a whole with file and line for every problem.

    channels:
      webhook: {url: https://hooks.example.vn/telekpi}
      email: {host: smtp.example.vn, port: 587, from: telekpi@example.vn,
              to: [lead@example.vn], starttls: true, user: telekpi, password_env: SMTP_PASSWORD}
    rules:
      - {id: csat-low, metric: csat, below: 0.7, by: team, window: last_7_days}
      - {id: drop-cap, metric: drop_rate, above: 0.03, by: campaign, window: today}
      - {id: conversion-band, metric: call_conversion_rate, band: [poor], by: agent}
      - {id: revenue-drop, metric: revenue, drop_pct: 20, by: team, window: last_7_days}
      - {id: slow-leads, kind: slow_leads, minutes: 5, window: today}
      - {id: stop-list, kind: overcontacted}
      - {id: rules-kept, kind: compliance, window: today}
      - {id: caller-ids, kind: caller_ids}
      - {id: schedule-short, kind: short_schedule}    # tomorrow's rota against the requirement
      - {id: lost-waiting, kind: lost_calls, minutes: 30}

A rule without ``channels`` goes to every channel configured; windows are the named ones of
``analysis.windows``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from telekpi.analysis.windows import WINDOWS
from telekpi.catalog.loader import Catalog
from telekpi.errors import ConfigError, Issue, raise_issues
from telekpi.i18n import _
from telekpi.yaml_lines import KEY_LINES, LINE, load_file

# compliance: calls outside the calling window or after a stop request, and campaigns over the
# abandonment cap or crossing it within a week; caller_ids: outbound numbers whose pick-up rate
# fell well below their campaign's other numbers (docs/operations-compliance.md); lost_calls:
# lost inbound calls still to win back (docs/operations.md) waiting longer than ``minutes``
# since they were lost.
KINDS = ("metric", "slow_leads", "overcontacted", "compliance", "caller_ids", "short_schedule", "lost_calls")
SCOPES = ("agent", "team", "campaign", "vendor", "site")
RULE_KEYS = {"id", "kind", "metric", "by", "window", "above", "below", "band", "drop_pct",
             "minutes", "channels", "min_calls", "message"}


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str = "metric"
    metric: str | None = None
    by: str | None = None
    window: str = "today"
    above: float | None = None
    below: float | None = None
    bands: tuple[str, ...] = ()
    drop_pct: float | None = None
    minutes: int = 5
    channels: tuple[str, ...] | None = None
    min_calls: int | None = None
    line: int | None = None


@dataclass
class Rules:
    file: str
    rules: list[Rule]
    webhook: dict | None = None
    email: dict | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def channel_names(self) -> list[str]:
        return [n for n in ("webhook", "email") if getattr(self, n)]


def default_rules_text() -> str:
    return resources.files("telekpi.alerts").joinpath("default_rules.yaml").read_text("utf-8")


def load_rules(path: str | Path | None, catalog: Catalog) -> Rules:
    """The rules of ``path`` (or the built-in defaults); ConfigError lists every problem."""
    f = str(path) if path else _("<built-in alert rules>")
    data = load_file(f, _("cannot read the alert rules ({reason})"), None if path else default_rules_text())
    issues: list[Issue] = []

    def err(line, message):
        issues.append(Issue("error", f, line, message))

    if not isinstance(data, dict):
        raise ConfigError(_("alert rules are a YAML mapping with rules (and channels)"), file=f)
    keys = data.get(KEY_LINES, {})
    for k in set(data) - {"rules", "channels", LINE, KEY_LINES}:
        err(keys.get(k), _("unknown key {key}; expected rules and channels").format(key=repr(k)))
    channels = data.get("channels") or {}
    webhook, email = channels.get("webhook"), channels.get("email")
    ck = channels.get(KEY_LINES, {}) if isinstance(channels, dict) else {}
    if webhook is not None and not (isinstance(webhook, dict) and str(webhook.get("url", "")).startswith(("http://", "https://"))):
        err(ck.get("webhook"), _("channels.webhook needs a url starting with http:// or https://"))
        webhook = None
    if email is not None and (not isinstance(email, dict) or not email.get("host") or not email.get("to")
                              or not email.get("from")):
        err(ck.get("email"), _("channels.email needs host, from and to (a list of addresses)"))
        email = None
    for k in set(channels) - {"webhook", "email", LINE, KEY_LINES} if isinstance(channels, dict) else ():
        err(ck.get(k), _("unknown channel {channel}; expected webhook or email").format(channel=repr(k)))
    rules, seen = [], set()
    for raw in data.get("rules") or []:
        line = raw.get(LINE) if isinstance(raw, dict) else keys.get("rules")
        if not isinstance(raw, dict) or not raw.get("id"):
            err(line, _("a rule needs an id"))
            continue
        at = raw.get(KEY_LINES, {})
        rid = str(raw["id"])
        for k in set(raw) - RULE_KEYS - {LINE, KEY_LINES}:
            err(at.get(k, line), _("rule {id}: unknown key {key}").format(id=rid, key=repr(k)))
        if rid in seen:
            err(line, _("rule {id} is defined twice").format(id=rid))
        seen.add(rid)
        kind = raw.get("kind", "metric")
        if kind not in KINDS:
            err(at.get("kind", line), _("rule {id}: kind must be one of {kinds}").format(
                id=rid, kinds=", ".join(KINDS)))
            continue
        window = raw.get("window", "today" if kind != "overcontacted" else "last_30_days")
        if window not in WINDOWS:
            err(at.get("window", line), _("rule {id}: window must be one of {windows}").format(
                id=rid, windows=", ".join(WINDOWS)))
        by = raw.get("by")
        if by is not None and by not in SCOPES:
            err(at.get("by", line), _("rule {id}: by must be one of {scopes}").format(
                id=rid, scopes=", ".join(SCOPES)))
        names = raw.get("channels")
        if names is not None:
            names = tuple(names if isinstance(names, list) else [names])
            for n in names:
                if n not in ("webhook", "email"):
                    err(at.get("channels", line), _("rule {id}: unknown channel {channel}").format(
                        id=rid, channel=repr(n)))
        bands = raw.get("band")
        bands = () if bands is None else tuple(bands if isinstance(bands, list) else [bands])
        metric = raw.get("metric")
        if kind == "metric":
            m = catalog.metrics.get(metric) if isinstance(metric, str) else None
            if m is None:
                err(at.get("metric", line), _("rule {id}: unknown metric {metric}").format(
                    id=rid, metric=repr(metric)))
            conditions = [k for k in ("above", "below", "band", "drop_pct") if raw.get(k) is not None]
            if not conditions:
                err(line, _("rule {id}: say when it fires: above, below, band or drop_pct").format(id=rid))
            for k in ("above", "below", "drop_pct"):
                if raw.get(k) is not None and not isinstance(raw.get(k), int | float):
                    err(at.get(k, line), _("rule {id}: {key} must be a number").format(id=rid, key=k))
            if m is not None and bands:
                levels = {b.level for b in m.bands} | {b.level for bs in m.bands_by_industry.values() for b in bs}
                for b in bands:
                    if b not in levels:
                        if levels:
                            text = _("rule {id}: {metric} has no band {band}; its bands are {bands}")
                        else:
                            text = _("rule {id}: {metric} has no band {band}; its bands are none")
                        err(at.get("band", line), text.format(id=rid, metric=metric, band=repr(b),
                                                              bands=", ".join(sorted(levels))))
        rules.append(Rule(
            rid, kind, metric, by, window,
            _f(raw.get("above")), _f(raw.get("below")), tuple(str(b) for b in bands),
            _f(raw.get("drop_pct")), int(raw.get("minutes", 5)), names,
            None if raw.get("min_calls") is None else int(raw["min_calls"]), line))
    raise_issues(issues, _("{n} problem(s) in the alert rules:"))
    return Rules(f, rules, webhook, email)


def _f(v) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None
