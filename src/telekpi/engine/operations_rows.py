"""The rows the telesales-operations checks read (docs/operations-compliance.md): outbound
calls to judge against the calling windows, calls to numbers after they asked to stop, calls
whose QA found no recording disclosure, daily abandonment per campaign, daily pick-ups per
outbound number, calls by attempt number.

The engine's side of the line, as ``lookup.py``: front ends and ``analysis/`` pass values,
never SQL; each value is a named parameter; ``Scope`` narrows the calls to the agents a user
may see. Times are instants (``since`` inclusive, ``until`` exclusive); days are the
workspace's local days.
"""

from __future__ import annotations

from datetime import datetime

from sqlglot import exp

from telekpi.engine.engine import Engine
from telekpi.engine.lookup import EVERYONE, Lookup, Scope, Slice, one_of
from telekpi.model.dispositions import codes_with
from telekpi.sql import column

# A person picked up: a live answer, or an answer the dialer dropped for want of an agent (an
# abandon); a voicemail is a machine. TCPA's "calls answered live by a person".
PICKED_UP = "('answered', 'abandoned')"


class OperationsRows(Lookup):
    def __init__(self, engine: Engine):
        super().__init__(engine)

    def _codes(self, flag: str) -> tuple:
        """``upper(c.disposition) IN (…)``: the codes the workspace maps to ``flag``."""
        return one_of(exp.Upper(this=column("disposition", "c")), flag,
                      codes_with(flag, self.engine.settings.dispositions))

    def outbound_calls(self, since: datetime, until: datetime, scope: Scope = EVERYONE) -> list[dict]:
        """Outbound calls placed from ``since`` to ``until`` with a called number: what the
        calling-window check reads (the call, when, to whom; ``calls_by_id`` gives the rest)."""
        cond, params = scope.calls_filter("c")
        return self._rows("""
            SELECT c.call_id, c.started_at, c.called_number
            FROM calls c
            WHERE c.direction = 'outbound' AND c.called_number IS NOT NULL
              AND c.started_at >= $since AND c.started_at < $until AND ($scope)
            ORDER BY c.started_at, c.call_id""", {**params, "since": since, "until": until},
            scope=cond)

    def calls_by_id(self, ids: list[str]) -> dict[str, dict]:
        """Who placed each of the calls ``ids``, for which campaign and lead."""
        cond, params = one_of(column("call_id", "c"), "id", ids)
        return {r["call_id"]: r for r in self._rows(
            "SELECT c.call_id, c.agent_id, c.campaign_id, c.lead_id FROM calls c WHERE $ids",
            params, ids=cond)}

    def dnc_violations(self, since: datetime, until: datetime, scope: Scope = EVERYONE,
                       limit: int = 200, offset: int = 0) -> Slice:
        """Outbound calls placed from ``since`` to ``until`` to a number after it asked to stop:
        after the earliest of its requests on the stop list (``dnc``) and its calls that ended
        with a DNC disposition. A call at the very instant of the request is not after it."""
        cond, params = scope.calls_filter("c")
        dnc, dnc_params = self._codes("dnc")
        return self._slice("""
            WITH asked AS (
                SELECT "number", requested_at AS "at", coalesce(source, 'stop list') AS source
                FROM dnc
                UNION ALL
                SELECT c.called_number, c.started_at, 'disposition ' || upper(c.disposition)
                FROM calls c WHERE c.direction = 'outbound' AND c.called_number IS NOT NULL
                  AND $dnc
            ), stops AS (
                SELECT "number", min("at") AS stop_at, arg_min(source, "at") AS source
                FROM asked GROUP BY "number"
            )
            SELECT c.call_id, c.started_at, c.agent_id, c.campaign_id, c.lead_id, c.called_number,
                   s.stop_at, s.source, count(*) OVER () AS total_rows
            FROM calls c JOIN stops s ON s."number" = c.called_number AND c.started_at > s.stop_at
            WHERE c.direction = 'outbound' AND c.started_at >= $since AND c.started_at < $until
              AND ($scope)
            ORDER BY c.started_at DESC, c.call_id LIMIT $limit OFFSET $offset""",
            {**params, **dnc_params, "since": since, "until": until}, limit, offset,
            scope=cond, dnc=dnc)

    def disclosure_failures(self, item: str, since: datetime, until: datetime, scope: Scope = EVERYONE,
                            limit: int = 200, offset: int = 0) -> Slice:
        """Calls placed from ``since`` to ``until`` on which a QA form's item ``item`` (the
        recording disclosure) failed, newest first, with the forms that found it missing."""
        cond, params = scope.calls_filter("c")
        return self._slice("""
            SELECT c.call_id, c.started_at, c.agent_id, c.campaign_id, c.lead_id,
                   string_agg(DISTINCT i.form_id, ', ' ORDER BY i.form_id) AS forms,
                   count(*) OVER () AS total_rows
            FROM qa_items i JOIN calls c ON c.call_id = i.call_id
            WHERE i.item_id = $item AND i.status = 'fail'
              AND c.started_at >= $since AND c.started_at < $until AND ($scope)
            GROUP BY c.call_id, c.started_at, c.agent_id, c.campaign_id, c.lead_id
            ORDER BY c.started_at DESC, c.call_id LIMIT $limit OFFSET $offset""",
            {**params, "item": item, "since": since, "until": until}, limit, offset, scope=cond)

    def disclosure_checked(self, item: str, since: datetime, until: datetime, scope: Scope = EVERYONE) -> int:
        """Calls placed from ``since`` to ``until`` whose recording disclosure a QA form judged
        (passed or failed)."""
        cond, params = scope.calls_filter("c")
        return int(self._rows("""
            SELECT count(DISTINCT c.call_id) AS n FROM qa_items i JOIN calls c ON c.call_id = i.call_id
            WHERE i.item_id = $item AND i.status IN ('pass', 'fail')
              AND c.started_at >= $since AND c.started_at < $until AND ($scope)""",
            {**params, "item": item, "since": since, "until": until}, scope=cond)[0]["n"])

    def abandonment_by_day(self, since: datetime, until: datetime) -> list[dict]:
        """Per campaign and local day: outbound calls a person picked up (``live``) and those the
        dialer dropped for want of an agent (``abandoned``), whoever placed them (a drop reaches
        no agent)."""
        return self._rows(f"""
            SELECT c.campaign_id, CAST(timezone($tz, c.started_at) AS DATE) AS day,
                   count(*) FILTER (WHERE c.status = 'abandoned') AS abandoned,
                   count(*) AS live
            FROM calls c
            WHERE c.direction = 'outbound' AND c.status IN {PICKED_UP}
              AND c.started_at >= $since AND c.started_at < $until
            GROUP BY 1, 2 ORDER BY 1, 2""",
            {"tz": self.engine.settings.timezone, "since": since, "until": until})

    def campaigns_called(self, since: datetime, until: datetime, scope: Scope) -> set[str | None]:
        """The campaigns the agents in ``scope`` placed outbound calls for from ``since`` to
        ``until``."""
        cond, params = scope.calls_filter("c")
        return {r["campaign_id"] for r in self._rows("""
            SELECT DISTINCT c.campaign_id FROM calls c
            WHERE c.direction = 'outbound' AND c.started_at >= $since AND c.started_at < $until
              AND ($scope)""", {**params, "since": since, "until": until}, scope=cond)}

    def pickups_by_line(self, since: datetime, until: datetime, scope: Scope = EVERYONE) -> list[dict]:
        """Per campaign, outbound number (``line``) and local day: calls placed and calls a
        person picked up."""
        cond, params = scope.calls_filter("c")
        return self._rows(f"""
            SELECT c.campaign_id, c.line, CAST(timezone($tz, c.started_at) AS DATE) AS day,
                   count(*) AS calls,
                   count(*) FILTER (WHERE c.status IN {PICKED_UP}) AS picked_up
            FROM calls c
            WHERE c.direction = 'outbound' AND c.line IS NOT NULL
              AND c.started_at >= $since AND c.started_at < $until AND ($scope)
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
            {**params, "tz": self.engine.settings.timezone, "since": since, "until": until},
            scope=cond)

    def attempts(self, since: datetime, until: datetime, scope: Scope = EVERYONE) -> list[dict]:
        """Per campaign, lead source and attempt number (the nth outbound call to a lead, counted
        from its first call ever, up to ``until``): calls and those that ended in a sale, for
        the leads first called from ``since`` to ``until``."""
        cond, params = scope.calls_filter("n")
        sale, sale_params = self._codes("sale")
        return self._rows("""
            WITH numbered AS (
                SELECT c.lead_id, c.agent_id, coalesce(c.campaign_id, l.campaign_id) AS campaign_id,
                       l.source, c.started_at, $sale AS sold,
                       row_number() OVER (PARTITION BY c.lead_id ORDER BY c.started_at, c.call_id)
                           AS attempt,
                       min(c.started_at) OVER (PARTITION BY c.lead_id) AS first_at
                FROM calls c LEFT JOIN leads l ON l.lead_id = c.lead_id
                WHERE c.direction = 'outbound' AND c.lead_id IS NOT NULL AND c.started_at < $until
            )
            SELECT n.campaign_id, n.source, n.attempt, count(*) AS calls,
                   count(*) FILTER (WHERE n.sold) AS sales
            FROM numbered n
            WHERE n.first_at >= $since AND ($scope)
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
            {**params, **sale_params, "since": since, "until": until}, scope=cond, sale=sale)
