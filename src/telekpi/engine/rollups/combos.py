"""The funnel's rollup: leads counted per combination of their stage flags.

A lead's funnel stages (model ``lead_stages``) are a handful of booleans aggregated over the
lead's calls in scope (attempted, connected, decision maker, qualified, won) and a count of
attempts. The funnel counts leads by those flags, so it needs no lead at all once the leads
are counted per combination of flags: this rollup holds, per workspace month (and once
for all time, ``__month`` NULL) and per grouping set (nothing, a team, a campaign, an agent
with their team), one row per combination of flags with the number of leads (``__n``)
and their attempts: a few thousand rows, whatever the number of leads.

A lead's flags are not a sum of its days (a lead attempted on two days is one lead), so the
rollup answers only the scopes its rows were counted in: all time, one whole month (``--from``
the 1st to a day on or after the month's last call of a lead: ``months_sql``), or ``--period month``; and
dimensions of one grouping set, a set's other dimensions filtered only under its first (its
key: a lead of two agents is one lead of their team). Other requests read the rows.

A write does not rebuild it: ``upkeep.RollupUpkeep`` counts, in the write's transaction, the
combinations of the leads it touches as they were before the write and as they are after
(``delta_sql``), and keeps the difference in ``DELTA_TABLE``; folding that in adds it to the
counts (a lead that moved on from "connected" to "qualified" leaves one combination for
another).
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from telekpi.catalog.models import LEAD_TOUCHES, MODELS
from telekpi.catalog.snippets import tree
from telekpi.engine.dialects import localize
from telekpi.engine.scope import local_time, period_expr
from telekpi.settings import Settings
from telekpi.sql import alias, cast, column, fn, is_not_null, select

MODEL = "lead_stages"
TABLE = "_rollup_lead_stages"
DELTA_TABLE = "_rollup_lead_stages_delta"
DIMS = ("agent", "team", "campaign")
# each set's first dimension is its key; the others follow from it (an agent's team)
SETS: tuple[tuple[str, ...], ...] = ((), ("team",), ("campaign",), ("agent", "team"))


def flag_columns(settings: Settings) -> tuple[list[str], list[str]]:
    """The model's grain columns that are flags (``bool_or``) and those that add up (counts)."""
    flags: list[str] = []
    sums: list[str] = []
    for name, sql in MODELS[MODEL].grain_columns.items():
        node = tree(sql, settings)
        inner = node.this if isinstance(node, exp.Filter) else node
        (flags if isinstance(inner, exp.LogicalOr) else sums).append(name)
    return flags, sums


def columns(settings: Settings) -> list[str]:
    """The rollup's stored value columns, as its meta records them."""
    flags, sums = flag_columns(settings)
    return [*flags, *sums]


def mask(dims: tuple[str, ...]) -> int:
    """``grouping(d_agent, d_team, d_campaign)`` of a set's rows."""
    return sum(1 << (len(DIMS) - 1 - i) for i, d in enumerate(DIMS) if d not in dims)


def combos_sql(settings: Settings, *, calls: str = "calls", orders: str = "orders",
               leads: str | None = None) -> str:
    """The rollup's rows from the calls and orders of the tables named (the warehouse's, or a
    write's before-image); ``leads``: a table of ``lead_id``s: only their combinations."""
    model = MODELS[MODEL]
    tz = settings.timezone
    time = tree(model.time, settings)
    grain = tree(model.grain or "", settings)
    dims = {d: tree(model.dims[d], settings) for d in DIMS}
    cols = {k: tree(v, settings) for k, v in model.grain_columns.items()}
    month = period_expr("month", time.copy(), False, tz)
    base = exp.table_(calls, alias="x")
    where: list[exp.Expr] = [is_not_null(grain.copy())]
    only = None
    if leads is not None:
        only = exp.Subquery(this=select([column("lead_id")], exp.table_(leads)))
        where.append(exp.In(this=grain.copy(), query=only.copy()))
    joins = model.joins_for([*dims.values(), *cols.values()])
    for j in joins:
        for t in list(j.find_all(exp.Table)):
            if t.name == "orders":
                src = select([exp.Star()], exp.table_(orders),
                             where=[exp.In(this=column("lead_id"), query=only.copy())] if only else [])
                t.replace(exp.Subquery(this=src, alias=exp.TableAlias(this=exp.to_identifier("orders"))))
    sets = exp.GroupingSets(expressions=[
        exp.Tuple(expressions=[column("__grain"), *([column("__month")] if monthly else []),
                               *(column(f"d_{d}") for d in s)])
        for s in SETS for monthly in (True, False)])
    per_lead = select(
        [alias(fn("grouping", *(column(f"d_{d}") for d in DIMS)), "__set"),
         alias(grain.copy(), "__grain"), alias(month, "__month"),
         *(alias(e, f"d_{d}") for d, e in dims.items()),
         *(alias(e, k) for k, e in cols.items())],
        base, joins=joins, where=where, group=[sets])
    flags, sums = flag_columns(settings)
    keys = ["__set", "__month", *(f"d_{d}" for d in DIMS), *flags]
    query = select(
        [*(column(k) for k in keys), alias(exp.Count(this=exp.Star(), big_int=True), "__n"),
         *(alias(cast(fn("sum", column(s)), "BIGINT"), s) for s in sums)],
        per_lead.subquery("p", copy=False), group=[column(k) for k in keys])
    return localize(query, tz, copy=False).sql("duckdb")


def key_columns(settings: Settings) -> list[str]:
    flags, _ = flag_columns(settings)
    return ["__set", "__month", *(f"d_{d}" for d in DIMS), *flags]


def merged_sql(settings: Settings, *tables: str) -> str:
    """The rows of ``tables`` (the rollup and its delta) added up per combination; the
    combinations no lead holds any more left out."""
    keys = ", ".join(key_columns(settings))
    _, sums = flag_columns(settings)
    rows = " UNION ALL ".join(f"SELECT * FROM {t}" for t in tables)
    added = ", ".join(f"CAST(sum({s}) AS BIGINT) AS {s}" for s in sums)
    return (f"SELECT {keys}, CAST(sum(__n) AS BIGINT) AS __n, {added} "
            f"FROM ({rows}) GROUP BY ALL HAVING sum(__n) <> 0")


def delta_sql(settings: Settings, leads: str, before_calls: str, before_orders: str) -> str:
    """What a write changed: the combinations of ``leads`` now, less those they had before
    it (from the tables as they were: ``before_calls``, ``before_orders``)."""
    _, sums = flag_columns(settings)
    keys = ", ".join(key_columns(settings))
    now = combos_sql(settings, leads=leads)
    was = combos_sql(settings, calls=before_calls, orders=before_orders, leads=leads)
    negated = ", ".join(f"-{s} AS {s}" for s in sums)
    return (f"SELECT * FROM ({now}) UNION ALL "
            f"SELECT {keys}, -__n AS __n, {negated} FROM ({was})")


def months_sql(settings: Settings, calls: str = "calls") -> str:
    """Each month with calls of leads (ISO) and its last local day with one: which scopes of
    a month the rollup's counts answer (``month_of_scope``)."""
    tz = settings.timezone
    day = cast(local_time(tz, column("started_at")), "DATE")
    month = period_expr("month", column("started_at"), False, tz)
    query = select([alias(cast(month, "VARCHAR"), "month"), alias(cast(fn("max", day), "VARCHAR"), "last")],
                   exp.table_(calls), where=[is_not_null(column("lead_id"))], group=[column("month")])
    return localize(query, tz, copy=False).sql("duckdb") + " ORDER BY 1"


# Each lead's touch history (``catalog.models.LEAD_TOUCHES``: its last touch, its latest run of
# touches without engagement), kept in the warehouse with this rollup, lead by lead: the stop
# list reads it instead of ordering every call and engagement of every lead.
TOUCHES_TABLE = "_rollup_lead_touches"


def touches_sql(leads: str | None = None) -> str:
    """The SELECT of LEAD_TOUCHES' rows; with ``leads`` (a table of ``lead_id``s), only theirs."""
    body = LEAD_TOUCHES.strip()
    body = body[1:body.rindex(")")]   # "( SELECT … ) x" → "SELECT …"
    if leads is None:
        return body
    only = f"lead_id IN (SELECT lead_id FROM {leads})"
    calls, engagements = "FROM calls WHERE lead_id IS NOT NULL", "FROM engagements"
    assert body.count(calls) == 1 and body.count(engagements) == 1, "LEAD_TOUCHES changed"
    return (body.replace(calls, f"{calls} AND {only}")
            .replace(engagements, f"{engagements} WHERE {only}"))


def month_of_scope(start: date | None, end: date | None,
                   months: tuple[tuple[str, str], ...]) -> str | bool | None:
    """Which rows answer a time scope: ``None`` all time (no --from, --to), a month (its
    first day, ISO) when the scope is that whole month as far as its data goes; False when
    the rollup cannot answer it."""
    if start is None and end is None:
        return None
    if start is None or end is None or start.day != 1:
        return False
    last = dict(months).get(start.isoformat())
    after = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if last is None or end >= after or end.isoformat() < last:
        return False
    return start.isoformat()
