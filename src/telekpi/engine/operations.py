"""The operations lists (docs/operations.md): lost calls not yet won back, oldest first, and
callbacks overdue — the rows behind ``lost_call_recovery_rate`` and ``callback_on_time_rate``.

They read the operations models' own CTEs (``catalog/operations_sql.py``), so a list and its
metric never disagree on what a lost call or a kept callback is. Values go in as named
parameters; ``Scope`` narrows a list as ``Lookup``'s views: an agent sees the calls that rang
them or that they promised; a supervisor those of their teams' agents and the calls that
reached no agent (abandoned in a queue: nobody's, everybody's to win back).
"""

from __future__ import annotations

from datetime import datetime

from sqlglot import exp

from telekpi.catalog.operations_sql import CB_PRELUDES, LOST_HOW, LOST_PRELUDES, customer_number
from telekpi.catalog.snippets import expand
from telekpi.engine.lookup import EVERYONE, Lookup, Scope, Slice
from telekpi.sql import column


def _with(preludes, settings) -> str:
    """The models' CTEs as a WITH clause, placeholders filled."""
    return "WITH " + ",\n".join(f"{name} AS ({expand(body, settings)})" for name, body in preludes)


def _window(col: exp.Expr, since: datetime | None, until: datetime | None) -> tuple[exp.Expr, dict]:
    conds: list[exp.Expr] = [exp.true()]
    params: dict = {}
    if since is not None:
        conds.append(exp.GTE(this=col.copy(), expression=exp.Placeholder(this="since")))
        params["since"] = since
    if until is not None:
        conds.append(exp.LT(this=col.copy(), expression=exp.Placeholder(this="until")))
        params["until"] = until
    return exp.and_(*conds), params


class OperationsLists(Lookup):
    def _scope(self, scope: Scope, alias: str) -> tuple[exp.Expr, dict]:
        cond, params = scope.calls_filter(alias)
        if scope.agent is None and scope.teams is not None:   # calls that reached no agent too
            cond = exp.or_(exp.Is(this=column("agent_id", alias), expression=exp.Null()), cond)
        return cond, params

    def lost_not_recovered(self, scope: Scope = EVERYONE, since: datetime | None = None,
                           until: datetime | None = None, limit: int = 100,
                           offset: int = 0, open_only: bool = False) -> Slice:
        """Lost calls (started from ``since``, before ``until``) whose customer has not been
        reached again within recovery_window_h, oldest first, with our attempts since and
        whether the window is still open (``open``: it may still be won back; ``open_only``:
        only those)."""
        settings = self.engine.settings
        cond, params = self._scope(scope, "x")
        when, wparams = _window(column("started_at", "x"), since, until)
        # The page first (the whole list counted before its LIMIT), keys only, then the page's
        # calls read back by id and our attempts counted for them alone. On 10M calls, asking
        # _lost_calls for its number and other columns of every lost call cost 3 s more than
        # its keys, and counting attempts for every lost call not won back joined them to
        # every outbound call (the list took 9.9 s; docs/operations.md, "Speed").
        return self._slice(f"""{_with(LOST_PRELUDES, settings)},
            _page AS (
              SELECT x.call_id, x.started_at,
                     epoch(current_timestamp) - epoch(x.started_at) <= $window_s AS open,
                     count(*) OVER () AS total_rows
              FROM _lost_calls x
              WHERE NOT x.recovered AND ($scope) AND ($when)
                AND (NOT $open_only OR epoch(current_timestamp) - epoch(x.started_at) <= $window_s)
              ORDER BY x.started_at, x.call_id LIMIT $limit OFFSET $offset),
            _shown AS (
              SELECT p.call_id, p.started_at, c.queue, c.agent_id, c.lead_id, c.caller_number,
                     {customer_number("c")} AS customer_number, c.status,
                     {LOST_HOW.format(t="c")} AS lost_how, c.wait_s, p.open, p.total_rows
              FROM _page p JOIN calls c ON c.call_id = p.call_id)
            SELECT p.call_id, p.started_at, p.queue, p.agent_id, p.lead_id, p.caller_number,
                   p.customer_number, p.status, p.lost_how, p.wait_s,
                   coalesce(a.attempts, 0) AS attempts, p.open, p.total_rows
            FROM _shown p
            LEFT JOIN (
              SELECT lost_id, count(DISTINCT call_id) AS attempts FROM (
                SELECT w.call_id AS lost_id, c.call_id AS call_id
                FROM _shown w JOIN calls c ON c.lead_id = w.lead_id
                WHERE c.direction = 'outbound' AND c.started_at > w.started_at
                UNION ALL
                SELECT w.call_id, c.call_id
                FROM _shown w JOIN calls c ON c.called_number = w.customer_number
                WHERE c.direction = 'outbound' AND c.started_at > w.started_at
              ) t GROUP BY lost_id) a ON a.lost_id = p.call_id
            ORDER BY p.started_at, p.call_id""",
            {**params, **wparams, "window_s": settings.recovery_window_h * 3600,
             "open_only": open_only}, limit, offset,
            scope=cond, when=when)

    def overdue_callbacks(self, scope: Scope = EVERYONE, since: datetime | None = None,
                          until: datetime | None = None, limit: int = 100,
                          offset: int = 0) -> Slice:
        """Callbacks promised (on calls from ``since``, before ``until``, or scheduled in the
        dialer then) past their due time plus callback_tolerance_min and not kept, longest
        overdue first; ``callback_id`` is the dialer's id where it scheduled the callback, and
        ``call_id`` empty for a scheduled callback no call of the warehouse set."""
        cond, params = self._scope(scope, "x")
        when, wparams = _window(column("started_at", "x"), since, until)
        return self._slice(f"""{_with(CB_PRELUDES, self.engine.settings)}
            SELECT x.call_id, x.callback_id, x.started_at, to_timestamp(x.due_epoch) AS due_at, x.agent_id,
                   x.lead_id, x.campaign_id, x.customer_number, x.disposition,
                   epoch(current_timestamp) - x.due_epoch AS overdue_s,
                   count(*) OVER () AS total_rows
            FROM _callbacks x
            WHERE x.outcome = 'never' AND ($scope) AND ($when)
            ORDER BY x.due_epoch, x.call_id, x.callback_id LIMIT $limit OFFSET $offset""",
            {**params, **wparams}, limit, offset, scope=cond, when=when)

