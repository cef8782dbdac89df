"""Workspace settings (``telekpi.toml``), declared once with help text.

Nothing is read at import time: ``load_settings(workspace)`` builds a frozen
``Settings`` that callers pass on explicitly.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telekpi.errors import ConfigError
from telekpi.i18n import LANGS, _
from telekpi.model.dispositions import DEFAULT_MAP, FLAGS

CONFIG_FILE = "telekpi.toml"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: object
    help: str
    choices: tuple[str, ...] | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("timezone", str, "UTC", "IANA timezone; naive times in files, periods and --from/--to use it"),
    Setting("currency", str, "USD", "ISO 4217 code of every money amount"),
    Setting("locale", str, "en", "language and number format of output (en, vi, th, zh_Hans, zh_Hant)",
            LANGS),
    Setting("productive_min_talk_s", float, 60.0, "talk seconds from which a connected call is productive"),
    Setting("max_unanswered_attempts", int, 5, "consecutive touches without engagement that put a lead on the stop list"),
    Setting("service_level_s", float, 20.0, "queue wait within which an inbound call counts toward service level"),
    Setting("ticket_sla_s", float, 4 * 3600.0, "seconds within which a ticket's first response meets the SLA"),
    Setting("min_sample", int, 30, "groups with fewer calls are 'too few to judge', not ranked"),
    Setting("cost_allocation", str, "none", "none: team and campaign costs stay with their team or "
            "campaign; by_talk_time: shared among that month's agents by talk time",
            ("none", "by_talk_time")),
)


@dataclass(frozen=True)
class Settings:
    timezone: str = "UTC"
    currency: str = "USD"
    locale: str = "en"
    productive_min_talk_s: float = 60.0
    max_unanswered_attempts: int = 5
    service_level_s: float = 20.0
    ticket_sla_s: float = 4 * 3600.0
    min_sample: int = 30
    cost_allocation: str = "none"
    dispositions: dict[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_MAP))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


assert [s.name for s in SETTINGS] == [f.name for f in fields(Settings)][: len(SETTINGS)]


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
    known = {s.name: s for s in SETTINGS}
    values: dict[str, object] = {}
    for key, value in data.items():
        if key == "dispositions":
            continue
        if key not in known:
            raise ConfigError(_("unknown setting {key}; known: {known}").format(
                key=repr(key), known=", ".join(known)), file=source)
        spec = known[key]
        if spec.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, spec.type) or isinstance(value, bool):
            raise ConfigError(_("setting {key} must be a {type}, got {value}").format(
                key=repr(key), type=spec.type.__name__, value=repr(value)), file=source)
        if spec.choices and value not in spec.choices:
            raise ConfigError(_("setting {key} must be one of {choices}").format(
                key=repr(key), choices=", ".join(spec.choices)), file=source)
        if spec.type in (int, float) and value < 0:
            raise ConfigError(_("setting {key} must not be negative").format(key=repr(key)),
                              file=source)
        values[key] = value
    tz = values.get("timezone", "UTC")
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
    return Settings(**values, dispositions=dispositions)
