"""The costs model's SQL: a cost spread over the days it covers, and a team's or campaign's
cost shared among its agents by talk time (the ``cost_allocation`` setting). The planner puts
these in front of a query as preludes (``models.model_for``); docs/metrics.md, "Costs"."""

from __future__ import annotations

# A cost covers the days from incurred_on to the end of its period: its period_end, else, with
# monthly_costs_on_first, the end of its month when it is booked on the 1st, else its own day.
# One row per cost and day it covers, carrying the day's even share. Shares are counted in
# units of 0.0001 (the money type's scale) and the first day also carries what the division
# leaves over, so a cost's days add up to its amount exactly, on every engine.
COST_DAYS = "_cost_days"
_UNDATED_END = {False: "incurred_on",
                True: "CASE WHEN day(incurred_on) = 1 THEN last_day(incurred_on) ELSE incurred_on END"}
_COST_DAYS_BODY = """
  SELECT cost_id, CAST(incurred_on + CAST(i AS INTEGER) AS DATE) AS day, incurred_on, period_end,
         CAST(units // days + CASE WHEN i = 0 THEN units - units // days * days ELSE 0 END
              AS DECIMAL(18, 0)) * CAST(0.0001 AS DECIMAL(18, 4)) AS amount,
         category, agent_id, team_id, campaign_id
  FROM (
    SELECT *, unnest(range(0, days)) AS i
    FROM (
      SELECT *, date_diff('day', incurred_on, period_end) + 1 AS days,
             CAST(CAST(amount AS DECIMAL(38, 4)) * 10000 AS BIGINT) AS units
      FROM (
        SELECT cost_id, incurred_on, amount, category, agent_id, team_id, campaign_id,
               greatest(coalesce(period_end, {undated_end}), incurred_on) AS period_end
        FROM costs
      ) k
    ) k
  ) k"""
COST_DAY_COLUMNS = ("cost_id", "day", "incurred_on", "period_end", "amount", "category",
                    "agent_id", "team_id", "campaign_id")


def cost_days(monthly_on_first: bool) -> tuple[str, str]:
    """The CTE of the costs' days: (name, body)."""
    return COST_DAYS, _COST_DAYS_BODY.format(undated_end=_UNDATED_END[monthly_on_first]).strip()


# cost_allocation = "by_talk_time": a team's (or campaign's) cost without an agent is
# shared, day by day, among the agents who talked in that team (or campaign) in the day's
# month, by talk time; a day whose month had no such talk stays with the team (campaign).
# Shares are fractions: amounts are doubles here (one type for both branches, on every engine).
ALLOCATED_COSTS = f"""(
    SELECT k.cost_id, k.day, k.incurred_on, k.period_end, CAST(k.amount AS DOUBLE) AS amount,
           k.category, k.agent_id, k.team_id, k.campaign_id
    FROM {COST_DAYS} k
    LEFT JOIN (SELECT DISTINCT scope, id, month FROM _talk) t
      ON t.month = date_trunc('month', k.day)
     AND ((t.scope = 'team' AND t.id = k.team_id)
          OR (t.scope = 'campaign' AND t.id = k.campaign_id AND k.team_id IS NULL))
    WHERE k.agent_id IS NOT NULL OR t.id IS NULL
    UNION ALL
    SELECT k.cost_id, k.day, k.incurred_on, k.period_end, CAST(k.amount AS DOUBLE) * s.share, k.category,
           s.agent_id, k.team_id, k.campaign_id
    FROM {COST_DAYS} k JOIN _talk s
      ON s.month = date_trunc('month', k.day)
     AND ((s.scope = 'team' AND s.id = k.team_id)
          OR (s.scope = 'campaign' AND s.id = k.campaign_id AND k.team_id IS NULL))
    WHERE k.agent_id IS NULL
) x"""

TALK_SHARES = """
  SELECT scope, id, month, agent_id, talk / sum(talk) OVER (PARTITION BY scope, id, month) AS share
  FROM (
    SELECT 'team' AS scope, a.team_id AS id, CAST(date_trunc('month', timezone({tz}, c.started_at)) AS DATE) AS month,
           c.agent_id, sum(c.talk_s) AS talk
    FROM calls c JOIN agents a ON a.agent_id = c.agent_id
    WHERE c.talk_s > 0 AND a.team_id IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT 'campaign', c.campaign_id, CAST(date_trunc('month', timezone({tz}, c.started_at)) AS DATE),
           c.agent_id, sum(c.talk_s)
    FROM calls c WHERE c.talk_s > 0 AND c.agent_id IS NOT NULL AND c.campaign_id IS NOT NULL
    GROUP BY ALL
  ) t"""
