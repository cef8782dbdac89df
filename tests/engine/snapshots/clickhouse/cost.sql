-- plan: metrics cost
-- step: m_costs aggregates cost
WITH _cost_days AS (
  SELECT
    cost_id,
    CAST(incurred_on + CAST(i AS Nullable(Int32)) AS Nullable(DATE)) AS day,
    incurred_on,
    period_end,
    CAST(intDiv(units, days) + CASE WHEN i = 0 THEN units - intDiv(units, days) * days ELSE 0 END AS Nullable(Decimal(18, 0))) * CAST(0.0001 AS Nullable(Decimal(18, 4))) AS amount,
    category,
    agent_id,
    team_id,
    campaign_id
  FROM (
    SELECT
      *,
      arrayJoin(range(assumeNotNull(0), assumeNotNull(days))) AS i
    FROM (
      SELECT
        *,
        DATE_DIFF(DAY, incurred_on, period_end) + 1 AS days,
        CAST(CAST(amount AS Nullable(Decimal(38, 4))) * 10000 AS Nullable(Int64)) AS units
      FROM (
        SELECT
          cost_id,
          incurred_on,
          amount,
          category,
          agent_id,
          team_id,
          campaign_id,
          GREATEST(COALESCE(period_end, incurred_on), incurred_on) AS period_end
        FROM costs
      ) AS k
    ) AS k
  ) AS k
), m_costs AS (
  SELECT
    d_agent,
    __period,
    SUM(amount) AS m__cost
  FROM (
    SELECT
      x.*,
      x.agent_id AS d_agent,
      CAST(dateTrunc('MONTH', x.day) AS Nullable(DATE)) AS __period
    FROM _cost_days AS x
    WHERE
      x.day >= CAST('2026-01-01' AS Nullable(DATE))
      AND x.day <= CAST('2026-03-31' AS Nullable(DATE))
  ) AS x
  GROUP BY
    d_agent,
    __period
)
SELECT
  CAST(m_costs.d_agent AS Nullable(String)) AS "agent",
  CAST(m_costs.__period AS Nullable(String)) AS "period",
  COALESCE(m_costs.m__cost, 0) AS "cost"
FROM m_costs
ORDER BY
  1,
  2
