"""QA forms: sections of weighted items a call is scored on, read from YAML and checked as
a whole (every problem with file, line and reason before any is reported), as KPI
templates are (targets/template.py).

Item kinds: ``phrase`` (the agent said one of ``phrases``, optionally ``within_s`` of the
call's start), ``forbidden`` (the agent said none of them), ``speech`` (from speech
analytics: ``agent_talk_ratio: [min, max]``, ``max_silence_s``, ``max_interruptions``) and
``human`` (a person scores it, pass or fail, or on a scale: ``scale: 5`` asks for a mark
from 0 to 5; pending until then). ``auto_fail: true`` makes an item a
compliance item: failing it fails the call whatever its score. docs/call-analysis.md,
"QA forms", is the QA lead's guide."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from telekpi.errors import ConfigError, Issue, raise_issues
from telekpi.i18n import LANGS, _
from telekpi.yaml_lines import KEY_LINES, LINE, load_file

KINDS = ("phrase", "forbidden", "speech", "human")
TOP_KEYS = {"id", "name", "language", "direction", "pass_mark", "threshold", "fold_diacritics", "sections"}
ITEM_KEYS = {"id", "name", "kind", "weight", "auto_fail", "phrases", "within_s", "speaker",
             "agent_talk_ratio", "max_silence_s", "max_interruptions", "threshold", "scale"}
MAX_SCALE = 100   # the most marks a scale may have (0 to 100: a percentage)
SPEECH_KEYS = ("agent_talk_ratio", "max_silence_s", "max_interruptions")
# rapidfuzz's 0–100 similarity a phrase must reach unless the form says (docs/call-analysis.md):
# a Chinese phrase is a few characters, one of which misheard costs it 15 or more.
DEFAULT_THRESHOLD = 85.0
DEFAULT_THRESHOLDS = {"zh_Hans": 80.0, "zh_Hant": 80.0}


def default_threshold(language: str) -> float:
    return DEFAULT_THRESHOLDS.get(language, DEFAULT_THRESHOLD)


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    section: str
    kind: str
    weight: float
    auto_fail: bool = False
    phrases: tuple[str, ...] = ()
    within_s: float | None = None
    speaker: str = "agent"
    talk_ratio: tuple[float, float] | None = None
    max_silence_s: float | None = None
    max_interruptions: float | None = None
    threshold: float | None = None
    scale: int | None = None       # a human item scored 0..scale (None: pass or fail)


@dataclass(frozen=True)
class Form:
    id: str
    name: str
    file: str
    language: str
    pass_mark: float
    threshold: float
    fold_diacritics: bool
    items: tuple[Item, ...]
    hash: str
    direction: str | None = None     # only the calls of this direction (inbound care, outbound sales)

    @property
    def sections(self) -> list[str]:
        return list(dict.fromkeys(i.section for i in self.items))


def _num(v) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def load_form(path: str | Path) -> Form:
    """Read and check a QA form; ConfigError listing every problem with its line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(_("cannot read the QA form ({reason})").format(reason=e.strerror or e),
                          file=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(_("is not UTF-8 text"), file=str(path)) from None
    data = load_file(path, _("cannot read the QA form ({reason})"), text=text)
    f = str(path)
    issues: list[Issue] = []

    def err(line, message):
        issues.append(Issue("error", f, line, message))

    if not isinstance(data, dict):
        raise ConfigError(_("a QA form is a YAML mapping with name, language, pass_mark and sections"), file=f)
    keys = data.get(KEY_LINES, {})
    for k in sorted(set(data) - TOP_KEYS - {LINE, KEY_LINES}, key=str):
        err(keys.get(k), _("unknown key {key}; expected one of: {keys}").format(
            key=repr(k), keys=", ".join(sorted(TOP_KEYS))))
    language = data.get("language", "en")
    if language not in LANGS:
        err(keys.get("language"), _("language {given} is not one of: {allowed}").format(
            given=repr(language), allowed=", ".join(LANGS)))
    pass_mark = _num(data.get("pass_mark", 0.8))
    if pass_mark is None or not 0 <= pass_mark <= 1:
        err(keys.get("pass_mark"), _("pass_mark must be a share between 0 and 1 (0.8 = 80 % of the points)"))
    threshold = _num(data.get("threshold", default_threshold(language if isinstance(language, str) else "en")))
    if threshold is None or not 50 <= threshold <= 100:
        err(keys.get("threshold"), _("threshold must be a similarity between 50 and 100 (100: exact words)"))
    direction = data.get("direction")
    if direction is not None and direction not in ("inbound", "outbound"):
        err(keys.get("direction"), _("direction must be inbound or outbound (leave it out for every call)"))
    fold = data.get("fold_diacritics", False)
    if not isinstance(fold, bool):
        err(keys.get("fold_diacritics"), _("fold_diacritics must be true or false"))
    items: list[Item] = []
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        err(keys.get("sections") or data.get(LINE), _("sections: list at least one section with its items"))
        sections = []
    for sec in sections:
        if not isinstance(sec, dict) or not isinstance(sec.get("items"), list) or not sec["items"]:
            err(sec.get(LINE) if isinstance(sec, dict) else keys.get("sections"),
                _("a section is a mapping with a name and a list of items"))
            continue
        section = str(sec.get("name") or _("Section {n}").format(n=len(items) + 1))
        for raw_item in sec["items"]:
            item = _item(raw_item, section, sec.get(LINE), err)
            if item is None:
                continue
            if any(i.id == item.id for i in items):
                err(raw_item.get(LINE), _("item {id} is listed twice").format(id=item.id))
            items.append(item)
    if items and not any(i.weight > 0 for i in items):
        err(keys.get("sections"), _("no item has a weight: give the items weights above 0"))
    raise_issues(issues, _("{n} problem(s) in the QA form:"))
    digest = hashlib.sha256(raw).hexdigest()
    return Form(id=str(data.get("id") or path.stem), name=str(data.get("name") or path.stem), file=f,
                language=language, pass_mark=pass_mark if pass_mark is not None else 0.8,
                threshold=threshold or DEFAULT_THRESHOLD, fold_diacritics=bool(fold), items=tuple(items),
                hash=digest, direction=direction)


def _item(raw, section: str, line, err) -> Item | None:
    if not isinstance(raw, dict):
        err(line, _("an item is a mapping with id, kind and weight"))
        return None
    at = raw.get(KEY_LINES, {})
    line = raw.get(LINE, line)
    for k in sorted(set(raw) - ITEM_KEYS - {LINE, KEY_LINES}, key=str):
        err(at.get(k, line), _("unknown key {key}; expected one of: {keys}").format(
            key=repr(k), keys=", ".join(sorted(ITEM_KEYS))))
    iid = raw.get("id")
    if not isinstance(iid, str) or not iid.strip():
        err(line, _("an item needs an id (a short name such as greeting)"))
        return None
    kind = raw.get("kind", "phrase")
    if kind not in KINDS:
        err(at.get("kind", line), _("{item}: kind {given} is not one of: {allowed}").format(
            item=iid, given=repr(kind), allowed=", ".join(KINDS)))
        return None
    weight = _num(raw.get("weight", 1))
    if weight is None or weight < 0:
        err(at.get("weight", line), _("{item}: weight must be a number ≥ 0").format(item=iid))
    auto_fail = raw.get("auto_fail", False)
    if not isinstance(auto_fail, bool):
        err(at.get("auto_fail", line), _("{item}: auto_fail must be true or false").format(item=iid))
    phrases: tuple[str, ...] = ()
    within = None
    speaker = raw.get("speaker", "agent")
    if kind in ("phrase", "forbidden"):
        given = raw.get("phrases")
        if not isinstance(given, list) or not given or not all(isinstance(p, str) and p.strip() for p in given):
            err(at.get("phrases", line), _("{item}: phrases must be a list of words or sentences").format(item=iid))
        else:
            phrases = tuple(p.strip() for p in given)
        if raw.get("within_s") is not None:
            within = _num(raw.get("within_s"))
            if within is None or within <= 0:
                err(at.get("within_s", line), _("{item}: within_s must be a number of seconds above 0").format(
                    item=iid))
        if speaker not in ("agent", "customer"):
            err(at.get("speaker", line), _("{item}: speaker must be agent or customer").format(item=iid))
    talk = silence = interruptions = None
    if kind == "speech":
        given_keys = [k for k in SPEECH_KEYS if k in raw]
        if len(given_keys) != 1:
            err(line, _("{item}: a speech item gives one of {keys}").format(item=iid, keys=", ".join(SPEECH_KEYS)))
        tr = raw.get("agent_talk_ratio")
        if tr is not None:
            if (not isinstance(tr, list) or len(tr) != 2 or any(_num(v) is None for v in tr)
                    or not 0 <= tr[0] <= tr[1] <= 1):
                err(at.get("agent_talk_ratio", line), _("{item}: agent_talk_ratio is a range [min, max] of "
                                                        "shares between 0 and 1").format(item=iid))
            else:
                talk = (float(tr[0]), float(tr[1]))
        for key in ("max_silence_s", "max_interruptions"):
            if key in raw and (_num(raw[key]) is None or raw[key] < 0):
                err(at.get(key, line), _("{item}: {key} must be a number ≥ 0").format(item=iid, key=key))
        silence, interruptions = _num(raw.get("max_silence_s")), _num(raw.get("max_interruptions"))
    scale = raw.get("scale")
    if scale is not None:
        if kind != "human":
            err(at.get("scale", line), _("{item}: only an item a person scores (kind human) has a scale").format(
                item=iid))
            scale = None
        elif isinstance(scale, bool) or not isinstance(scale, int) or not 2 <= scale <= MAX_SCALE:
            err(at.get("scale", line), _("{item}: scale must be a whole number from 2 to {most} (scale: 5 "
                                         "asks for a mark from 0 to 5)").format(item=iid, most=MAX_SCALE))
            scale = None
        elif auto_fail is True:
            err(at.get("auto_fail", line), _("{item}: an item on a scale cannot auto-fail; make a pass/fail "
                                             "item for what fails the call").format(item=iid))
    threshold = _num(raw.get("threshold")) if raw.get("threshold") is not None else None
    if raw.get("threshold") is not None and (threshold is None or not 50 <= threshold <= 100):
        err(at.get("threshold", line), _("threshold must be a similarity between 50 and 100 (100: exact words)"))
    return Item(id=iid.strip(), name=str(raw.get("name") or iid), section=section, kind=kind,
                weight=weight if weight is not None else 0.0, auto_fail=auto_fail is True, phrases=phrases,
                within_s=within, speaker=speaker if speaker in ("agent", "customer") else "agent",
                talk_ratio=talk, max_silence_s=silence, max_interruptions=interruptions, threshold=threshold,
                scale=scale)
