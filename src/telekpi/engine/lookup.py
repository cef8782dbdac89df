"""Row-level views the dashboard needs besides KPIs: lead search, a lead's timeline,
the stop list, leads not called in time, an agent's recent calls, filter choices.

Like the planner, this is the engine's side of the line: front ends pass values,
never SQL; every value goes in as a bound parameter. ``Scope`` narrows each view
to the teams or the agent a user may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telekpi.catalog.models import _FIRST_CALL, _TOUCHES
from telekpi.engine.engine import Engine


@dataclass(frozen=True)
class Scope:
    """Whose rows a view may show: everyone (both None), some teams, or one agent."""

    teams: tuple[str, ...] | None = None
    agent: str | None = None

    def calls_filter(self, alias: str) -> tuple[str, list]:
        """SQL condition (with parameters) keeping calls by agents in scope."""
        if self.agent is not None:
            return f"{alias}.agent_id = ?", [self.agent]
        if self.teams is not None:
            marks = ", ".join("?" for _ in self.teams) or "NULL"
            return (f"{alias}.agent_id IN (SELECT agent_id FROM agents WHERE team_id IN ({marks}))",
                    list(self.teams))
        return "TRUE", []

    def leads_filter(self, alias: str) -> tuple[str, list]:
        """Leads some call in scope touched (everyone: every lead)."""
        if self.agent is None and self.teams is None:
            return "TRUE", []
        cond, args = self.calls_filter("c")
        return (f"{alias}.lead_id IN (SELECT c.lead_id FROM calls c WHERE {cond})", args)


EVERYONE = Scope()


class Lookup:
    def __init__(self, engine: Engine):
        self.engine = engine

    def _rows(self, sql: str, args: list) -> list[dict]:
        """Run a view's SQL; answers go through the engine's cache when it has one."""
        cache = self.engine.cache
        key = f"{sql}\n{args!r}"
        cached = cache.get(key) if cache else None
        if cached is not None:
            return [dict(r) for r in cached]
        rows = self.engine.rows(sql, args)
        if cache:
            cache.put(key, [dict(r) for r in rows])
        return rows

    def search_leads(self, text: str, scope: Scope = EVERYONE, limit: int = 50) -> list[dict]:
        """Leads whose id, customer id, phone or name contains ``text`` (digits of a phone
        match however it was written)."""
        text = text.strip()
        if not text:
            return []
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) < 6:   # too short to be a phone number: "L1" must not match every 1
            digits = ""
        cond, args = scope.leads_filter("l")
        like = f"%{text.lower()}%"
        return self._rows(f"""
            SELECT l.lead_id, l.name, l.phone, l.customer_id, l.campaign_id, l.created_at
            FROM leads l
            WHERE ({cond}) AND (lower(l.lead_id) LIKE ? OR lower(coalesce(l.customer_id, '')) LIKE ?
                   OR lower(coalesce(l.name, '')) LIKE ?
                   OR (? <> '' AND regexp_replace(coalesce(l.phone, ''), '[^0-9]', '', 'g') LIKE ?))
            ORDER BY lower(l.lead_id) = ? DESC, lower(coalesce(l.customer_id, '')) = ? DESC,
                     l.created_at DESC, l.lead_id LIMIT ?""",
            args + [like, like, like, digits, f"%{digits}%", text.lower(), text.lower(), limit])

    def lead(self, lead_id: str, scope: Scope = EVERYONE) -> dict | None:
        cond, args = scope.leads_filter("l")
        rows = self._rows(f"SELECT * FROM leads l WHERE l.lead_id = ? AND ({cond})",
                          [lead_id] + args)
        return rows[0] if rows else None

    def timeline(self, lead_id: str, scope: Scope = EVERYONE) -> list[dict]:
        """Everything that happened to a lead (and its customer), newest first."""
        ccond, cargs = scope.calls_filter("c")
        return self._rows(f"""
            WITH me AS (SELECT lead_id, customer_id FROM leads WHERE lead_id = ?)
            SELECT * FROM (
                SELECT c.started_at AS "at", 'call' AS kind, c.call_id AS id, c.agent_id,
                       c.direction || ' ' || c.status
                         || coalesce(' · ' || c.disposition, '')
                         || coalesce(' · talk ' || CAST(CAST(c.talk_s AS BIGINT) AS VARCHAR) || ' s', '')
                         AS detail,
                       c.recording_url AS url
                FROM calls c WHERE c.lead_id = (SELECT lead_id FROM me) AND ({ccond})
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
                FROM tickets t WHERE t.customer_id = (SELECT customer_id FROM me)
                UNION ALL
                SELECT e."at", 'engagement', e.engagement_id, NULL, e.channel || ' ' || e.direction, NULL
                FROM engagements e WHERE e.lead_id = (SELECT lead_id FROM me)
            ) ORDER BY "at" DESC, kind, id""", [lead_id] + cargs)

    def stop_list(self, scope: Scope = EVERYONE, limit: int = 200) -> list[dict]:
        """Leads touched ``max_unanswered_attempts`` times or more since they last engaged."""
        cond, args = scope.leads_filter("x")
        n = self.engine.settings.max_unanswered_attempts
        return self._rows(f"""
            SELECT x.lead_id, l.name, l.phone, l.campaign_id, x.trailing_unanswered AS touches,
                   x.last_touch_at
            FROM {_TOUCHES} LEFT JOIN leads l ON l.lead_id = x.lead_id
            WHERE x.trailing_unanswered >= ? AND ({cond})
            ORDER BY x.trailing_unanswered DESC, x.last_touch_at DESC LIMIT ?""",
            [n] + args + [limit])

    def slow_leads(self, since: datetime | None = None, scope: Scope = EVERYONE,
                   minutes: int = 5, limit: int = 200, until: datetime | None = None) -> list[dict]:
        """Leads (arrived from ``since``, before ``until``) whose first outbound call came more
        than ``minutes`` after they arrived, or never came; newest leads first."""
        cond, args = scope.leads_filter("x")
        where_since = ("AND x.created_at >= ?" if since else "") + (" AND x.created_at < ?" if until else "")
        return self._rows(f"""
            SELECT x.lead_id, x.name, x.phone, x.campaign_id, x.created_at, x.first_call_at,
                   epoch(x.first_call_at) - epoch(x.created_at) AS wait_s
            FROM {_FIRST_CALL}
            WHERE (x.first_call_at IS NULL
                   OR epoch(x.first_call_at) - epoch(x.created_at) > ?) {where_since} AND ({cond})
            ORDER BY x.created_at DESC LIMIT ?""",
            [minutes * 60] + ([since] if since else []) + ([until] if until else []) + args + [limit])

    def top_customers(self, start, end, scope: Scope = EVERYONE, limit: int = 20) -> list[dict]:
        """Customers by revenue of completed orders between local dates ``start`` and ``end``."""
        cond, args = scope.calls_filter("o")
        tz = self.engine.settings.timezone
        return self._rows(f"""
            SELECT o.customer_id, count(*) AS orders, sum(o.amount) AS revenue,
                   max(o.ordered_at) AS last_order_at
            FROM orders o
            WHERE o.status = 'completed' AND o.customer_id IS NOT NULL AND ({cond})
              AND CAST(timezone(?, o.ordered_at) AS DATE) BETWEEN ? AND ?
            GROUP BY o.customer_id ORDER BY revenue DESC, o.customer_id LIMIT ?""",
            args + [tz, start, end, limit])

    def recent_calls(self, agent_id: str, limit: int = 50) -> list[dict]:
        return self._rows("""
            SELECT call_id, started_at, lead_id, campaign_id, direction, status, disposition,
                   talk_s, recording_url
            FROM calls WHERE agent_id = ? ORDER BY started_at DESC LIMIT ?""", [agent_id, limit])

    def campaign_industries(self) -> dict[str, str | None]:
        return {r["campaign_id"]: r["industry"]
                for r in self._rows("SELECT campaign_id, industry FROM campaigns", [])}

    def agents(self, ids: list[str]) -> list[dict]:
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        return self._rows(f"SELECT * FROM agents WHERE agent_id IN ({marks}) ORDER BY agent_id", ids)

    def agent(self, agent_id: str) -> dict | None:
        rows = self._rows("SELECT * FROM agents WHERE agent_id = ?", [agent_id])
        return rows[0] if rows else None

    def choices(self, scope: Scope = EVERYONE) -> dict[str, list[str]]:
        """Values for the dashboard's filters, limited to what the scope may see."""
        con_args: list = []
        team_cond = "TRUE"
        if scope.teams is not None:
            team_cond = "team_id IN (" + (", ".join("?" for _ in scope.teams) or "NULL") + ")"
            con_args = list(scope.teams)
        if scope.agent is not None:
            team_cond, con_args = "agent_id = ?", [scope.agent]
        agents = self._rows(f"SELECT agent_id, team_id, vendor FROM agents WHERE {team_cond} "
                            "ORDER BY agent_id", con_args)
        teams = sorted({a["team_id"] for a in agents if a["team_id"]})
        vendors = sorted({a["vendor"] for a in agents if a["vendor"]})
        campaigns = [r["campaign_id"] for r in self._rows(
            "SELECT campaign_id FROM campaigns ORDER BY campaign_id", [])]
        return {"team": teams, "vendor": vendors, "campaign": campaigns,
                "agent": [a["agent_id"] for a in agents]}

    def data_range(self) -> tuple[datetime | None, datetime | None]:
        """First and last call, for a dashboard's default period."""
        row = self._rows("SELECT min(started_at) AS first, max(started_at) AS last FROM calls", [])[0]
        return row["first"], row["last"]
