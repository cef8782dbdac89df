"""Propose a mapping file (docs/import.md) for an export from its header and sample values.

Columns match by name (case, accents, punctuation ignored) the canonical names and synonyms in
English, Vietnamese, Thai and Chinese; values decide the time layout, duration unit and how codes
map onto canonical values. The table is the one whose required columns the file can fill, by header
words and values together. A date column and a time-of-day column make one time; an id that repeats
on the sample makes a key with a second column. Every guess gets a comment; a required column it
cannot decide gets a ``todo:`` rule, which the importer refuses with the sentence it carries.
"""

from __future__ import annotations

import json
import re
from collections import Counter, namedtuple
from dataclasses import dataclass, field
from pathlib import Path

from telekpi.i18n import _
from telekpi.ingest.suggest_detect import (  # noqa: F401 (detect_*, guess_encoding: the suggester's API)
    CLOCK,
    DETECT,
    ISO,
    Sample,
    detect_money,
    detect_seconds,
    detect_time,
    guess_encoding,
    sample,
)
from telekpi.ingest.suggest_words import (
    _TIME,
    CONNECTOR_STATUSES,
    DISPOSITIONS,
    NOT_CALLS,
    QUEUE_WORDS,
    SYNONYMS,
    VALUES,
    _score,
    _words,
    best_match,
    fold,
)
from telekpi.model.tables import TABLES, Table
from telekpi.model.tables import table as canonical_table

YAML_WORDS = ("yes", "no", "on", "off", "y", "n", "null", "true", "false", "~")
CODES = {k.casefold(): v for k, v in CONNECTOR_STATUSES.items()}

Guess = namedtuple("Guess", "target rule why todo")   # a column's YAML rule, its reasons, what to check


@dataclass
class Suggestion:
    table: str
    why_table: str
    read: dict                   # top-level keys: skip_rows, csv, nulls
    notes: list[str]
    guesses: list[Guess]
    missing: dict[str, str]      # required canonical columns it could not decide → why, what to do
    unused: list[str]            # file columns nothing reads
    skip: list[tuple[str, list[str], str]] = field(default_factory=list)   # (column, codes, why)
    hints: list[tuple[str, str]] = field(default_factory=list)   # (why, a skip rule) left commented out

    def yaml(self, source: str) -> str:
        intro = _("Suggested by `telekpi mapping suggest` for {source}. Every guess is explained;\n"
                  "check them (and the TODO lines) before importing.").format(source=source)
        out = [f"# {line}" for line in intro.splitlines()] + \
            [f"table: {self.table}    # {self.why_table}"] + [f"# {n}" for n in self.notes]
        out += [f"{k}: {_flow(v)}" for k, v in self.read.items()]
        if self.skip or self.hints:
            out.append(("" if self.skip else "# ") + "skip:    # " + _("rows left out, counted as skipped"))
            for column, codes, why in self.skip:
                out += [f"  # {why}", f"  - {{column: {_q(column)}, values: [{', '.join(_q(c) for c in codes)}]}}"]
            for why, rule in self.hints:
                out += [f"  # {why}", f"  # - {rule}"]
        out.append("columns:")
        for g in self.guesses:
            out += [f"  # {w}" for w in g.why]
            values = g.rule.get("values")
            if values is None and not g.todo:
                out.append(f"  {g.target}: {_flow(g.rule)}")
                continue
            out.append(f"  {g.target}:")
            out += [f"    {k}: {_q(v)}" for k, v in g.rule.items() if k != "values"]
            if values:
                out += ["    values:"] + [f"      {_q(k)}: {_q(v)}" for k, v in values.items()]
            out += [f"    # TODO {t}" for t in g.todo]
        for col, todo in self.missing.items():
            out += [f"  # TODO {todo}", f"  {col}: {{todo: {_q(todo)}}}"]
        if self.unused:
            out.append("# " + _("Not used (nothing matched their names): {columns}").format(
                columns=", ".join(json.dumps(u, ensure_ascii=False) for u in self.unused)))
        return "\n".join(out) + "\n"


def _q(v) -> str:
    """A YAML scalar: plain when it is a number or a safe word, else double-quoted; ~ for None."""
    if v is None:
        return "~"
    plain = isinstance(v, int) or (re.fullmatch(r"[a-z_][a-z0-9_]*", v) and v not in YAML_WORDS)
    return str(v) if plain else json.dumps(v, ensure_ascii=False)


def _flow(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_q(x) for x in v) + "]"
    if not isinstance(v, dict):
        return _q(v)
    return _q(v["column"]) if set(v) == {"column"} else "{" + ", ".join(f"{k}: {_q(x)}" for k, x in v.items()) + "}"


def _fits(col, values: list[str]) -> bool:
    values = values[:100]
    if col.type in DETECT:
        return DETECT[col.type](values) is not None
    if col.choices and col.required and values:   # the codes must be its values (a status, not a disposition)
        return sum(_choice(col, v) is not None or _not_a_call(v) for v in values) >= 0.5 * len(values)
    return True


def _choice(col, value: str) -> str | None:
    if col.name == "status" and (code := CODES.get(value.strip().casefold())):
        return code if code in col.choices else None
    return best_match(value, {k: VALUES.get(k, "") for k in col.choices})


def _not_a_call(value: str) -> bool:
    return _score(fold(value), _words(NOT_CALLS))[0] > 0


def _date_only(values: list[str]) -> str | None:
    """The strptime layout of values that are dates without a time of day, or None."""
    got = detect_time(values)
    if not got or not values:
        return None
    fmt = got[0]
    if fmt is None:   # ISO: a date only when no value has a time part
        return "%Y-%m-%d" if all(len(v) == 10 for v in values) else None
    return fmt if fmt not in ("epoch", "epoch_ms") and "%H" not in fmt else None


def _time_of_day(values: list[str]) -> str | None:
    """'%H:%M:%S' or '%H:%M' for times of day like 08:03:12, or None."""
    if not values or not all(CLOCK.match(v) and int(v.split(":")[0]) < 24 for v in values):
        return None
    return "%H:%M:%S" if all(v.count(":") == 2 for v in values) else "%H:%M"


@dataclass
class Plan:
    """How one table would read the file."""
    table: Table
    chosen: dict[str, tuple[str, str | None]]          # target → (file column, header word or None)
    built: dict[str, tuple[dict, list[str]]] = field(default_factory=dict)   # target → (rule, reasons)
    missing: dict[str, str] = field(default_factory=dict)
    score: int = 0

    @property
    def used(self) -> set[str]:
        cols = {h for h, _ in self.chosen.values()}
        return cols | {f for rule, _ in self.built.values() if "template" in rule
                       for f in re.findall(r"\{([^}]*)\}", rule["template"])}


def plan(t: Table, smp: Sample, stem: str = "file") -> Plan:
    """Which file column fills which column of ``t``: by name, the values vetoing misfits."""
    rows, header = smp.rows, smp.header
    # columns whose codes are call statuses fill status, not disposition, whatever their name
    statuses = {h for h in header if "status" in t.names and t.column("status").required and rows[h]
                and _fits(t.column("status"), rows[h])}
    cands = []
    for col in t.columns:
        words = [fold(col.name), fold(re.sub(r"_(id|s|at)$", "", col.name))] + \
            _words(SYNONYMS.get(col.name, "")) + (_words(_TIME) if col.name == t.time else [])
        for h in header:
            if col.name == "disposition" and h in statuses:
                continue
            n, w = _score(fold(h), words)
            fits = _fits(col, rows[h])
            if n and fits:
                cands.append((n + (5 if col.required else 0), col.name, h, w))
            elif fits and col.choices and col.required and rows[h]:   # its codes say it: a status column
                cands.append((35, col.name, h, None))
    p = Plan(t, {})
    for n, target, h, w in sorted(cands, key=lambda c: -c[0]):
        if target not in p.chosen and h not in p.used:
            p.chosen[target], p.score = (h, w), p.score + n
    _date_and_time(p, smp)
    for col in (c for c in t.columns if c.required and c.type == "timestamp" and c.name not in p.chosen
                and c.name not in p.built):   # a required time no header named: the first that fits
        if fit := next((h for h in header if h not in p.used and rows[h] and _fits(col, rows[h])), None):
            p.chosen[col.name], p.score = (fit, None), p.score + 10
    if t.name == "calls" and "direction" not in p.chosen and \
            (queue := next((h for h in header if _score(fold(h), _words(QUEUE_WORDS))[0]), None)):
        p.built["direction"] = ({"constant": "inbound"}, [_(
            "a queue column ({column}): calls come in to queues, so inbound; say outbound if they do not").format(
            column=repr(queue))])
    _key(p, smp)
    for c in t.required:
        if c not in p.chosen and c not in p.built and t.column(c).default is None:
            p.missing[c] = _missing(t, c, stem)
    p.score -= 60 * len(p.missing)
    return p


def _date_and_time(p: Plan, smp: Sample) -> None:
    """The table's time from a date column and a time-of-day column, when it has no date-time column."""
    t, rows = p.table, smp.rows
    if t.time is None or t.column(t.time).type != "timestamp":
        return
    have = p.chosen.get(t.time)
    if have and not _date_only(rows[have[0]]):
        return
    dates = ([have[0]] if have else []) + [h for h in smp.header if h not in p.used and _date_only(rows[h])]
    clocks = [h for h in smp.header if h not in p.used and _time_of_day(rows[h])]
    # a time-of-day column named as one ('time', 'giờ'), not a duration that happens to look alike
    clocks.sort(key=lambda h: -_score(fold(h), _words(_TIME))[0])
    if not dates or not clocks or _score(fold(clocks[0]), _words(_TIME))[0] == 0:
        return
    date, clock = dates[0], clocks[0]
    fmt = f"{_date_only(rows[date])} {_time_of_day(rows[clock])}"
    p.chosen.pop(t.time, None)
    p.built[t.time] = ({"template": f"{{{date}}} {{{clock}}}", "format": fmt}, [
        _("{date} + {time} → {column}: a date column and a time-of-day column, read together as {format}").format(
            date=repr(date), time=repr(clock), column=t.time, format=fmt)])
    p.score += 100


def _key(p: Plan, smp: Sample) -> None:
    """A key of two columns when the id column repeats on the sample (transfer legs, retries)."""
    t = p.table
    if len(t.key) != 1 or t.key[0] not in p.chosen:
        return
    k = p.chosen[t.key[0]][0]
    ids = smp.cells[k]
    repeats = sum(n - 1 for v, n in Counter(v for v in ids if v is not None).items() if n > 1)
    if not repeats:
        return
    p.score -= 40   # a list of agents, leads, orders does not repeat its ids: likely another table
    time_cols = re.findall(r"\{([^}]*)\}", p.built[t.time][0]["template"]) if t.time in p.built else \
        [p.chosen[t.time][0]] if t.time in p.chosen else []
    agent = [p.chosen["agent_id"][0]] if "agent_id" in p.chosen else []
    order = [c for c in time_cols[::-1] + agent + smp.header if c != k]
    for other in dict.fromkeys(order):
        vals = smp.cells[other]
        if all(v is not None for v in vals) and len(set(zip(ids, vals, strict=True))) == len(ids):
            p.chosen.pop(t.key[0])
            p.built[t.key[0]] = ({"template": f"{{{k}}}-{{{other}}}"}, [_(
                "{column} repeats on the sample ({n} lines share an id with an earlier one: transfer legs or "
                "retries), so the key is {column} and {other} together, unique on the {rows} rows sampled; "
                "rows with one key are one row, the last line winning").format(
                column=repr(k), n=repeats, other=repr(other), rows=smp.n)])
            return
    p.missing[t.key[0]] = _("{key} is required to be unique and {column} repeats on the sample ({n} lines share "
                            "an id) with no second column that makes it unique; name two columns, e.g. "
                            "{example}").format(key=t.key[0], column=repr(k), n=repeats,
                                                example=f"{{template: \"{{{k}}}-{{…}}\"}}")
    p.chosen.pop(t.key[0])


def _missing(t: Table, c: str, stem: str) -> str:
    if (c,) == t.key:
        return _("{column} is required and no column of the file matched it; map it, e.g.  {example}  or, "
                 "the file having no id, its line number:  {line_example}").format(
            column=c, example=f"{c}: {{column: \"…\"}}", line_example=f"{c}: {{template: \"{stem}-{{__line}}\"}}")
    if t.column(c).type == "timestamp":
        return _("{column} is required and no column holds a date and time (nor a date column and a "
                 "time-of-day column) in a layout telekpi knows; map it, e.g.  {example}").format(
            column=c, example=f"{c}: {{column: \"…\", format: \"%d/%m/%Y %H:%M\"}}")
    if t.column(c).choices:
        return _("{column} is required and no column's values are mostly {choices}; map a column and its "
                 "codes, e.g.  {example}").format(column=c, choices=", ".join(t.column(c).choices or ()),
                                                  example=f"{c}: {{column: \"…\", values: {{…}}}}")
    return _("{column} is required and no column of the file matched it; map it, e.g.  {example}").format(
        column=c, example=f"{c}: {{column: \"…\"}}")


def _choice_values(col, values: list[str], g: Guess, skip: list) -> None:
    mapped, unknown, not_calls = {}, [], []
    for v, n in Counter(values).most_common(40):
        canon = best_match(v, DISPOSITIONS) if col.name == "disposition" else _choice(col, v)
        if canon is None and col.name == "status" and _not_a_call(v):
            not_calls.append((v, n))
        elif canon is None:
            unknown.append((v, n))
        elif v.strip().casefold() != canon.casefold():   # the importer compares codes trimmed, any case
            mapped[v] = canon
    if mapped:
        g.rule["values"] = mapped
        g.why.append(_("codes mapped by their words onto {values}").format(
            values=", ".join(sorted(set(mapped.values())))))
    if not_calls:
        skip.append((g.rule["column"], [v for v, _ in not_calls], _(
            "{codes} ({n} of {total} sampled): not a call (no caller on the line); skipped, not counted. "
            "Delete this rule to import them, mapping the code to a status").format(
            codes=", ".join(v for v, _ in not_calls), n=sum(n for _, n in not_calls), total=len(values))))
    for v, n in unknown:
        todo = _("{value} ({n} of {total} sampled) fits no default code: it is kept and flags nothing; "
                 "map it here or in telekpi.toml [dispositions]") if col.name == "disposition" else \
            _("{value} ({n} of {total} sampled) is not {choices}: map it here or its rows are quarantined")
        g.todo.append(todo.format(value=repr(v), n=n, total=len(values), choices=", ".join(col.choices or ())))


def suggest(path: Path, table: str | None = None, encoding: str | None = None) -> Suggestion:
    """A mapping for ``path`` onto ``table`` (guessed when None)."""
    smp = sample(path, table, encoding)
    stem = re.sub(r"[^\w.-]", "_", path.stem)
    if table is not None:
        p, why_table = plan(canonical_table(table), smp, stem), _("as asked")
    else:
        plans = sorted((plan(t, smp, stem) for t in TABLES.values()),
                       key=lambda q: -q.score)   # each required column it cannot fill costs 60
        p, runner = plans[0], plans[1]
        why_table = _why_table(p, runner, smp)
    t, rows = p.table, smp.rows
    guesses: list[Guess] = []
    skip: list[tuple[str, list[str], str]] = []
    for col in t.columns:
        if col.name in p.built:
            rule, why = p.built[col.name]
            guesses.append(Guess(col.name, dict(rule), list(why), []))
            continue
        if col.name not in p.chosen:
            continue
        h, w = p.chosen[col.name]
        how = _("{header} → {column}: its codes are {column} codes (no header named it)") \
            if w is None and col.choices else \
            _("{header} → {column}: its values fit (no header named it)") if w is None else \
            _("{header} → {column}: same name") if w == fold(col.name) else \
            _("{header} → {column}: header word {word}")
        g, values = Guess(col.name, {"column": h}, [how.format(header=repr(h), column=col.name, word=repr(w))],
                          []), rows[h][:200]
        if col.type in DETECT:
            keys, reasons = DETECT[col.type](values, h) or ({}, [])
            g.rule.update({"format": keys} if isinstance(keys, str) else keys or {})
            g.why.extend(reasons)
            if col.type == "timestamp" and _date_only(values):
                g.todo.append(_("dates without a time of day: every row is placed at midnight, so hours and "
                                "intervals mean nothing; if another column holds the time, read both: "
                                "{example}").format(example=f"{{template: \"{{{h}}} {{…}}\", format: \"…\"}}"))
        elif col.name == "disposition" or col.choices:
            _choice_values(col, values, g, skip)
        elif col.name == "queue" and (ivr := sorted({v for v in values if v.casefold() == "ivr"})):
            # a caller who hung up in the IVR reached no queue: not offered, not a queue abandon
            g.rule["values"] = {v: None for v in ivr}
            g.why.append(_("{value} is the IVR, not a queue: its calls are kept with no queue, so they "
                           "are neither offered nor queue abandons").format(value=repr(ivr[0])))
        guesses.append(g)
    used = p.used | {c for c, _, _ in skip}
    hints: list[tuple[str, str]] = []
    return Suggestion(t.name, why_table, smp.read, [_("read as {format}").format(format=smp.format)] + smp.notes,
                      guesses, p.missing, [h for h in smp.header if h not in used], skip, hints)


def _why_table(p: Plan, runner: Plan, smp: Sample) -> str:
    named = len(p.used)
    why = _("guessed: {named} of {total} columns read").format(named=named, total=len(smp.header))
    if p.table.time in p.built:
        why += ", " + _("{column} from date + time").format(column=p.table.time)
    if p.missing:
        why += "; " + _("no table has all its required columns here: check the TODO lines")
    elif not runner.missing and runner.score >= 0.8 * p.score:
        why += "; " + _("unsure: {table} fits almost as well; pass --table to choose").format(table=runner.table.name)
    return why + " " + _("(next best: {table}, {n} columns; pass --table to choose)").format(
        table=runner.table.name, n=len(runner.used))
