"""Row-level views the dashboard needs besides KPIs: lead search, a lead's timeline,
the stop list, leads not called in time, an agent's recent calls, filter choices.

Like the planner, this is the engine's side of the line: front ends pass values,
never SQL; every value goes in as a named parameter (``$limit``). ``Scope`` narrows each
view to the teams or the agent a user may see: a condition built as a syntax tree, put in
the place ``$scope`` of a view's SQL, which is parsed once (``catalog.snippets.parse``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlglot import exp

from telekpi.catalog.models import FIRST_CALL_BASE, LEAD_TOUCHES, first_call_base
from telekpi.catalog.snippets import parse
from telekpi.days import day_bounds
from telekpi.engine.engine import Engine
from telekpi.engine.rollups import FIRST_CALLS_TABLE
from telekpi.engine.rollups.combos import TOUCHES_TABLE
from telekpi.engine.scope import time_filter
from telekpi.model.phones import phone_e164
from telekpi.model.tables import CAMPAIGN_KINDS, EARLIEST, LATEST, NAMED
from telekpi.sql import column


def _utc_bounds(start: date, end: date) -> dict[str, datetime]:
    """Instants around local days ``start`` to ``end`` in any zone (within 14 h of UTC):
    a range on the stored times that lets the zone maps skip the other rows."""
    return {"utc_from": datetime.combine(start - timedelta(days=1), time(0), tzinfo=UTC),
            "utc_to": datetime.combine(end + timedelta(days=2), time(0), tzinfo=UTC)}


def view(sql: str, **parts: exp.Expr) -> exp.Expr:
    """A view's SQL as a tree (parsed once), each ``$name`` in it replaced by ``parts[name]``."""
    tree = parse(sql).copy()
    for hole in list(tree.find_all(exp.Placeholder)):
        if hole.name in parts:
            hole.replace(parts[hole.name].copy())
    return tree


def one_of(col: exp.Expr, name: str, values) -> tuple[exp.Expr, dict]:
    """``col IN ($name0, $name1, …)`` and its parameters (``IN (NULL)``, nothing, for none)."""
    params = {f"{name}{i}": v for i, v in enumerate(values)}
    return (exp.In(this=col, expressions=[exp.Placeholder(this=k) for k in params] or [exp.Null()]),
            params)


def equals(col: exp.Expr, name: str, value) -> tuple[exp.Expr, dict]:
    """``col = $name`` and its parameter."""
    return exp.EQ(this=col, expression=exp.Placeholder(this=name)), {name: value}


@dataclass(frozen=True)
class Scope:
    """Whose rows a view may show: everyone (both None), some teams, or one agent."""

    teams: tuple[str, ...] | None = None
    agent: str | None = None

    def calls_filter(self, alias: str) -> tuple[exp.Expr, dict]:
        """A condition (with its parameters, ``$scope_…``) keeping calls by agents in scope."""
        if self.agent is not None:
            return equals(column("agent_id", alias), "scope_agent", self.agent)
        if self.teams is not None:
            cond, params = one_of(column("team_id"), "scope_team", self.teams)
            agents = view("SELECT agent_id FROM agents WHERE $teams", teams=cond)
            return exp.In(this=column("agent_id", alias), query=exp.Subquery(this=agents)), params
        return exp.true(), {}

    def leads_filter(self, alias: str) -> tuple[exp.Expr, dict]:
        """Leads some call in scope touched (everyone: every lead)."""
        if self.agent is None and self.teams is None:
            return exp.true(), {}
        cond, params = self.calls_filter("c")
        calls = view("SELECT c.lead_id FROM calls c WHERE $scope", scope=cond)
        return exp.In(this=column("lead_id", alias), query=exp.Subquery(this=calls)), params


EVERYONE = Scope()


@dataclass(frozen=True)
class Slice:
    """One page of a list: its rows (from ``offset``, at most ``limit``) and how many rows the
    whole list holds, so a page can say "101–200 of 2,345" without reading them all."""

    rows: list[dict]
    total: int
    offset: int = 0
    limit: int = 100


class Lookup:
    def __init__(self, engine: Engine):
        self.engine = engine

    def _rows(self, sql: str, params: dict, **parts: exp.Expr) -> list[dict]:
        """Run a view (``view(sql, **parts)``) with its parameters; answers go through the
        engine's cache when it has one."""
        query = view(sql, **parts)
        cache = self.engine.cache
        key = f"{query.sql('duckdb')}\n{sorted(params.items())!r}"
        cached = cache.get(key) if cache else None
        if cached is not None:
            return [dict(r) for r in cached]
        rows = self.engine.rows(query, params)
        if cache:
            cache.put(key, [dict(r) for r in rows])
        return rows

    def _slice(self, sql: str, params: dict, limit: int, offset: int, **parts: exp.Expr) -> Slice:
        """A list's page: ``sql`` selects ``count(*) OVER () AS total_rows`` (the whole list's
        size, counted before ``LIMIT $limit OFFSET $offset``)."""
        limit, offset = max(1, int(limit)), max(0, int(offset))
        rows = self._rows(sql, {**params, "limit": limit, "offset": offset}, **parts)
        first = rows or (self._rows(sql, {**params, "limit": 1, "offset": 0}, **parts) if offset else [])
        total = int(first[0].get("total_rows") or 0) if first else 0
        for r in rows:
            r.pop("total_rows", None)
        return Slice(rows, total, offset, limit)

    def search_leads(self, text: str, scope: Scope = EVERYONE, limit: int = 50) -> list[dict]:
        """Leads whose id, customer id, phone or name contains ``text``. A phone number finds
        its lead however either was written: ``+84 974 442 778``, ``0974442778`` and
        ``84974442778`` are one number (E.164 ``+84974442778``) in a Vietnamese workspace
        (``phone_e164``); six digits or more also match anywhere in a phone."""
        text = text.strip()
        if not text:
            return []
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) < 6:   # too short to be a phone number: "L1" must not match every 1
            digits = ""
        region = self.engine.settings.phone_country
        number = phone_e164(text, region) if digits else None
        # The stored phones that can be this number end with its national digits (974442778);
        # they are the candidates, and each is kept only if it is the same number in E.164.
        national = number[1] if number else ""
        cond, params = scope.leads_filter("l")
        rows = self._rows("""
            SELECT l.lead_id, l.name, l.phone, l.customer_id, l.campaign_id, l.created_at,
                   NOT (lower(l.lead_id) LIKE $like OR lower(coalesce(l.customer_id, '')) LIKE $like
                        OR lower(coalesce(l.name, '')) LIKE $like
                        OR ($digits <> '' AND regexp_replace(coalesce(l.phone, ''), '[^0-9]', '', 'g')
                                              LIKE $digits_like)) AS by_number
            FROM leads l
            WHERE ($scope) AND (lower(l.lead_id) LIKE $like OR lower(coalesce(l.customer_id, '')) LIKE $like
                   OR lower(coalesce(l.name, '')) LIKE $like
                   OR ($digits <> '' AND regexp_replace(coalesce(l.phone, ''), '[^0-9]', '', 'g') LIKE $digits_like)
                   OR ($national <> '' AND regexp_replace(coalesce(l.phone, ''), '[^0-9]', '', 'g')
                                           LIKE $national_like))
            ORDER BY lower(l.lead_id) = $text DESC, lower(coalesce(l.customer_id, '')) = $text DESC,
                     l.created_at DESC, l.lead_id LIMIT $limit""",
            {**params, "like": f"%{text.lower()}%", "digits": digits, "digits_like": f"%{digits}%",
             "national": national, "national_like": f"%{national}", "text": text.lower(), "limit": limit},
            scope=cond)
        out = []
        for r in rows:
            by_number = r.pop("by_number", None)
            if not by_number or (number and r.get("phone")
                                 and (phone_e164(r["phone"], region) or ("",))[0] == number[0]):
                out.append(r)
        return out

    def lead(self, lead_id: str, scope: Scope = EVERYONE) -> dict | None:
        cond, params = scope.leads_filter("l")
        rows = self._rows("SELECT * FROM leads l WHERE l.lead_id = $lead AND ($scope)",
                          {**params, "lead": lead_id}, scope=cond)
        return rows[0] if rows else None

    def timeline(self, lead_id: str, scope: Scope = EVERYONE) -> list[dict]:
        """Everything that happened to a lead (and its customer), newest first. Calls and the
        customer's tickets are those handled in ``scope`` (an agent sees their own)."""
        cond, params = scope.calls_filter("c")
        tickets, ticket_params = scope.calls_filter("t")
        return self._rows("""
            WITH me AS (SELECT lead_id, customer_id FROM leads WHERE lead_id = $lead)
            SELECT * FROM (
                SELECT c.started_at AS "at", 'call' AS kind, c.call_id AS id, c.agent_id,
                       c.direction || ' ' || c.status
                         || coalesce(' · ' || c.disposition, '')
                         || coalesce(' · talk ' || CAST(CAST(c.talk_s AS BIGINT) AS VARCHAR) || ' s', '')
                         AS detail,
                       c.recording_url AS url
                FROM calls c WHERE c.lead_id = (SELECT lead_id FROM me) AND ($scope)
                UNION ALL
                SELECT o.ordered_at, 'order', o.order_id, o.agent_id,
                       o.status || ' · ' || coalesce(o.product, '') || ' · '
                         || CAST(o.amount AS VARCHAR), NULL
                FROM orders o WHERE o.lead_id = (SELECT lead_id FROM me)
                   OR (o.customer_id IS NOT NULL AND o.customer_id = (SELECT customer_id FROM me))
                UNION ALL
                SELECT s.answered_at, 'survey', s.response_id, s.agent_id,
                       'score ' || CAST(s.score AS VARCHAR) || ' / ' || CAST(s.scale_max AS VARCHAR), NULL
                FROM surveys s WHERE s.customer_id = (SELECT customer_id FROM me)
                   OR s.call_id IN (SELECT call_id FROM calls WHERE lead_id = (SELECT lead_id FROM me))
                UNION ALL
                SELECT t.opened_at, 'ticket', t.ticket_id, t.agent_id,
                       coalesce(t.channel, '') || coalesce(' · ' || t.priority, '')
                         || CASE WHEN t.resolved_at IS NULL THEN ' · open' ELSE ' · resolved' END, NULL
                FROM tickets t WHERE t.customer_id = (SELECT customer_id FROM me) AND ($tickets)
                UNION ALL
                SELECT e."at", 'engagement', e.engagement_id, NULL, e.channel || ' ' || e.direction, NULL
                FROM engagements e WHERE e.lead_id = (SELECT lead_id FROM me)
            ) ORDER BY "at" DESC, kind, id""", {**params, **ticket_params, "lead": lead_id},
            scope=cond, tickets=tickets)

    def stop_list(self, scope: Scope = EVERYONE, limit: int = 200, offset: int = 0,
                  since: datetime | None = None, until: datetime | None = None) -> Slice:
        """Leads touched ``max_unanswered_attempts`` times or more since they last engaged;
        with ``since``/``until``, those whose last touch is in that window (as the
        ``overcontacted_leads`` metric counts them for a scope)."""
        cond, params = scope.leads_filter("x")
        window = {"since": since, "until": until} if since and until else {}
        # the page first, then its leads' names: not a join for every lead on the list
        return self._slice(f"""
            SELECT p.lead_id, l.name, l.phone, l.campaign_id, p.touches, p.last_touch_at, p.total_rows
            FROM (
                SELECT x.lead_id, x.trailing_unanswered AS touches, x.last_touch_at,
                       count(*) OVER () AS total_rows
                FROM {self._lead_touches()}
                WHERE x.trailing_unanswered >= $touches AND ($scope)
                  {"AND x.last_touch_at >= $since AND x.last_touch_at < $until" if window else ""}
                ORDER BY x.trailing_unanswered DESC, x.last_touch_at DESC, x.lead_id
                LIMIT $limit OFFSET $offset) p
            LEFT JOIN leads l ON l.lead_id = p.lead_id
            ORDER BY p.touches DESC, p.last_touch_at DESC, p.lead_id""",
            {**params, **window, "touches": self.engine.settings.max_unanswered_attempts}, limit,
            offset, scope=cond)

    def slow_leads(self, since: datetime | None = None, scope: Scope = EVERYONE,
                   minutes: int = 5, limit: int = 200, until: datetime | None = None,
                   offset: int = 0) -> Slice:
        """Leads (arrived from ``since``, before ``until``) whose first outbound call came more
        than ``minutes`` after they arrived, or never came; newest leads first."""
        cond, params = scope.leads_filter("x")
        created = column("created_at", "x")
        after = exp.GTE(this=created, expression=exp.Placeholder(this="since")) if since else exp.true()
        before = exp.LT(this=created.copy(), expression=exp.Placeholder(this="until")) if until else exp.true()
        return self._slice(f"""
            SELECT x.lead_id, x.name, x.phone, x.campaign_id, x.created_at, x.first_call_at,
                   epoch(x.first_call_at) - epoch(x.created_at) AS wait_s,
                   count(*) OVER () AS total_rows
            FROM {self._first_call_base()}
            WHERE (x.first_call_at IS NULL
                   OR epoch(x.first_call_at) - epoch(x.created_at) > $wait_s) AND $after AND $before
              AND ($scope)
            ORDER BY x.created_at DESC, x.lead_id LIMIT $limit OFFSET $offset""",
            {**params, "wait_s": minutes * 60, **({"since": since} if since else {}),
             **({"until": until} if until else {})}, limit, offset,
            after=after, before=before, scope=cond)

    def _first_call_base(self) -> str:
        """Each lead with its first outbound call: from the warehouse's table of first calls
        while the leads rollup is current (the table is kept with it, write by write), else
        from every call."""
        if getattr(self.engine, "warehouse", None) is not None and "leads" in self.engine.planner.rollups:
            return first_call_base(FIRST_CALLS_TABLE)
        return FIRST_CALL_BASE

    def _lead_touches(self) -> str:
        """Each lead's touch history: the warehouse's table of it while the lead_stages rollup
        it is kept with is current, else from every call and engagement."""
        if getattr(self.engine, "warehouse", None) is not None and "lead_stages" in self.engine.planner.rollups:
            return f"{TOUCHES_TABLE} x"
        return LEAD_TOUCHES

    def top_customers(self, start, end, scope: Scope = EVERYONE, limit: int = 20) -> list[dict]:
        """Customers by revenue of completed orders between local dates ``start`` and ``end``."""
        cond, params = scope.calls_filter("o")
        return self._rows("""
            SELECT o.customer_id, count(*) AS orders, sum(o.amount) AS revenue,
                   max(o.ordered_at) AS last_order_at
            FROM orders o
            WHERE o.status = 'completed' AND o.customer_id IS NOT NULL AND ($scope)
              AND CAST(timezone($tz, o.ordered_at) AS DATE) BETWEEN $start AND $end
              AND o.ordered_at >= $utc_from AND o.ordered_at < $utc_to
            GROUP BY o.customer_id ORDER BY revenue DESC, o.customer_id LIMIT $limit""",
            {**params, "tz": self.engine.settings.timezone, "start": start, "end": end,
             "limit": limit, **_utc_bounds(start, end)}, scope=cond)

    def recent_calls(self, agent_id: str, limit: int = 50, offset: int = 0,
                     start: date | None = None, end: date | None = None) -> Slice:
        """An agent's calls, newest first; from local day ``start`` to ``end`` (both included)
        when given (the dashboard's view, a day clicked in a chart)."""
        since, until = day_bounds(start, end, self.engine.settings.tz)
        params: dict[str, object] = {"agent": agent_id}
        after: exp.Expr = exp.true()
        before: exp.Expr = exp.true()
        if since:
            params["since"] = since
            after = exp.GTE(this=column("started_at"), expression=exp.Placeholder(this="since"))
        if until:
            params["until"] = until
            before = exp.LT(this=column("started_at"), expression=exp.Placeholder(this="until"))
        return self._slice("""
            SELECT c.call_id, c.started_at, c.lead_id, c.campaign_id, c.direction, c.status,
                   c.disposition, c.talk_s, c.recording_url, s.layout AS speech_layout,
                   s.agent_talk_ratio, s.silence_s, s.overtalk_s, s.agent_interruptions,
                   count(*) OVER () AS total_rows
            FROM calls c LEFT JOIN call_speech s ON s.call_id = c.call_id
            WHERE c.agent_id = $agent AND $after AND $before
            ORDER BY c.started_at DESC, c.call_id
            LIMIT $limit OFFSET $offset""", params, limit, offset, after=after, before=before)

    def call_analysis(self, call_id: str, scope: Scope = EVERYONE) -> dict | None:
        """A call in ``scope`` with what its analysis found: its recording (file, hash, what it
        holds), its speech figures and its speech segments (docs/call-analysis.md); None when
        there is no such call the scope may see. Each part is a key of its own, so later
        analyses (a transcript, a QA result) are added beside them."""
        cond, params = scope.calls_filter("c")
        calls = self._rows("SELECT * FROM calls c WHERE c.call_id = $call AND ($scope)",
                           {**params, "call": call_id}, scope=cond)
        if not calls:
            return None
        recording = self._rows("SELECT call_id, path, sha256, bytes, duration_s, channels, sample_rate, "
                               "codec, agent_channel, analysis, imported_at FROM recordings "
                               "WHERE call_id = $call", {"call": call_id})
        speech = self._rows("SELECT * FROM call_speech WHERE call_id = $call", {"call": call_id})
        segments = self._rows("SELECT speaker, start_s, end_s FROM speech_segments WHERE call_id = $call "
                              "ORDER BY start_s, speaker", {"call": call_id})
        return {"call": calls[0], "recording": recording[0] if recording else None,
                "speech": speech[0] if speech else None, "segments": segments}

    def campaign_industries(self) -> dict[str, str | None]:
        return {r["campaign_id"]: r["industry"]
                for r in self._rows("SELECT campaign_id, industry FROM campaigns", {})}

    def kinds(self, by: str = "agent", start: date | None = None,
              end: date | None = None) -> dict[str, str]:
        """The kind of work of each agent (``by="agent"``) or team (``"team"``): the kind of the
        campaigns most of their calls from ``start`` to ``end`` (local days, both included)
        are on; a tie goes to the kind listed first (``CAMPAIGN_KINDS``). A call's kind is
        its campaign's; where the campaign sets none, or the call has none, an inbound call is
        inbound care and an outbound call outbound sales."""
        since, until = day_bounds(start, end, self.engine.settings.tz)
        params: dict[str, object] = {}
        after: exp.Expr = exp.true()
        before: exp.Expr = exp.true()
        if since:
            params["since"] = since
            after = exp.GTE(this=column("started_at", "c"), expression=exp.Placeholder(this="since"))
        if until:
            params["until"] = until
            before = exp.LT(this=column("started_at", "c"), expression=exp.Placeholder(this="until"))
        calls = self._rows("""
            SELECT c.agent_id AS agent, a.team_id AS team, c.campaign_id, c.direction,
                   count(*) AS n
            FROM calls c LEFT JOIN agents a ON a.agent_id = c.agent_id
            WHERE c.agent_id IS NOT NULL AND $after AND $before
            GROUP BY c.agent_id, a.team_id, c.campaign_id, c.direction""", params,
            after=after, before=before)
        # SELECT *: a warehouse opened read-only before its campaigns had a kind reads as unset
        kind_of = {r["campaign_id"]: r.get("kind") for r in self._rows("SELECT * FROM campaigns", {})}
        counts: dict[str, dict[str, int]] = {}
        for r in calls:
            if r[by] is None:
                continue
            kind = kind_of.get(r["campaign_id"]) or (
                "inbound_care" if r["direction"] == "inbound" else "outbound_sales")
            per = counts.setdefault(r[by], {})
            per[kind] = per.get(kind, 0) + r["n"]
        order = {k: i for i, k in enumerate(CAMPAIGN_KINDS)}
        return {key: min(per, key=lambda k: (-per[k], order.get(k, len(order))))
                for key, per in counts.items()}

    def agents(self, ids: list[str]) -> list[dict]:
        if not ids:
            return []
        wanted, params = one_of(column("agent_id"), "agent", ids)
        return self._rows("SELECT * FROM agents WHERE $wanted ORDER BY agent_id", params,
                          wanted=wanted)

    def agent(self, agent_id: str) -> dict | None:
        rows = self._rows("SELECT * FROM agents WHERE agent_id = $agent", {"agent": agent_id})
        return rows[0] if rows else None

    def names(self, dim: str, scope: Scope = EVERYONE) -> dict[str, str]:
        """``{id: name}`` of a named dimension's values (``NAMED``) that ``scope`` may see, those
        with a name: a supervisor's agents and teams, an agent's self and team; campaigns are
        every user's to choose from (the filters' list). ``telekpi.engine.names`` uses it."""
        table, key = NAMED[dim]
        cond: exp.Expr = exp.true()
        params: dict[str, object] = {}
        if dim != "campaign" and scope.agent is not None:
            cond, params = equals(column("agent_id"), "scope_agent", scope.agent)
            if dim == "team":
                mine = view("SELECT team_id FROM agents WHERE $me", me=cond)
                cond = exp.In(this=column("team_id"), query=exp.Subquery(this=mine))
        elif dim != "campaign" and scope.teams is not None:
            cond, params = one_of(column("team_id"), "scope_team", scope.teams)
        rows = self._rows(f"SELECT {key} AS id, name FROM {table} WHERE $scope", params, scope=cond)
        return {str(r["id"]): str(r["name"]).strip() for r in rows
                if r["id"] is not None and r["name"] is not None and str(r["name"]).strip()}

    def choices(self, scope: Scope = EVERYONE) -> dict[str, list[str]]:
        """Values for the dashboard's filters, limited to what the scope may see."""
        cond: exp.Expr = exp.true()
        params: dict[str, object] = {}
        if scope.teams is not None:
            cond, params = one_of(column("team_id"), "team", scope.teams)
        if scope.agent is not None:
            cond, params = equals(column("agent_id"), "agent", scope.agent)
        agents = self._rows("SELECT agent_id, team_id, vendor FROM agents WHERE $scope "
                            "ORDER BY agent_id", params, scope=cond)
        teams = sorted({a["team_id"] for a in agents if a["team_id"]})
        vendors = sorted({a["vendor"] for a in agents if a["vendor"]})
        campaigns = [r["campaign_id"] for r in self._rows(
            "SELECT campaign_id FROM campaigns ORDER BY campaign_id", {})]
        # the inbound queues: the centre's, the same for every scope
        queues = [r["queue"] for r in self._rows(
            "SELECT DISTINCT queue FROM calls WHERE queue IS NOT NULL ORDER BY queue", {})]
        return {"team": teams, "vendor": vendors, "campaign": campaigns,
                "agent": [a["agent_id"] for a in agents], "queue": queues}

    def data_range(self) -> tuple[datetime | None, datetime | None]:
        """First and last call, for a dashboard's default period: of the calls within the days
        telekpi answers for (a warehouse written before times were checked can hold a call in
        year 10000, which would be no period at all)."""
        within = time_filter(column("started_at"), False, self.engine.settings.timezone, EARLIEST, LATEST)
        row = self._rows("SELECT min(started_at) AS first, max(started_at) AS last FROM calls WHERE $within",
                         {}, within=exp.and_(*within))[0]
        return row["first"], row["last"]
