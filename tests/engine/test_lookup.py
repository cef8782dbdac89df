"""The dashboard's row views: built as trees, every value a named parameter, the scope a
condition put in its place; the same rows as the SQL they replace (tests/web run them)."""

from collections import defaultdict
from datetime import UTC, date, datetime

import pytest
from sqlglot import exp

from telekpi.engine.dialects import transpile
from telekpi.engine.lookup import EVERYONE, Lookup, Scope
from telekpi.settings import Settings

SCOPES = [EVERYONE, Scope(teams=("T1", "T2")), Scope(teams=()), Scope(agent="A1")]
EVIL = "x' OR 1=1 --"


class Recorder:
    """An engine that records the queries a view runs and answers a row of nulls."""

    cache = None
    settings = Settings()

    def __init__(self):
        self.queries: list[tuple[exp.Expr, dict]] = []

    def rows(self, query, params):
        self.queries.append((query, params))
        return [defaultdict(lambda: None)]


def every_view(look: Lookup, scope: Scope) -> None:
    look.search_leads(EVIL + " 0912 345 678", scope)
    look.lead(EVIL, scope)
    look.timeline(EVIL, scope)
    look.stop_list(scope)
    look.slow_leads(None, scope)
    look.slow_leads(datetime(2026, 1, 1, tzinfo=UTC), scope, until=datetime(2026, 2, 1, tzinfo=UTC))
    look.top_customers(date(2026, 1, 1), date(2026, 1, 31), scope)
    look.choices(scope)
    look.recent_calls(EVIL)
    look.names("agent", scope)
    look.names("team", scope)
    look.names("campaign", scope)
    look.agents([EVIL, "A2"])
    look.agent(EVIL)
    look.campaign_industries()
    look.data_range()


@pytest.mark.parametrize("scope", SCOPES)
def test_every_value_is_a_named_parameter(scope):
    engine = Recorder()
    every_view(Lookup(engine), scope)   # type: ignore[arg-type]
    assert len(engine.queries) == 18   # three of them the names of agents, teams, campaigns; one the queues
    for query, params in engine.queries:
        holes = {p.name for p in query.find_all(exp.Placeholder)}
        assert holes == set(params), query.sql("duckdb")
        for dialect in ("duckdb", "spark", "clickhouse"):
            assert EVIL not in transpile(query, dialect)


def test_the_scope_is_a_condition_in_its_place():
    engine = Recorder()
    Lookup(engine).lead("L1", Scope(teams=("T1",)))   # type: ignore[arg-type]
    (query, params), = engine.queries
    assert params == {"lead": "L1", "scope_team0": "T1"}
    assert "l.lead_id IN (SELECT c.lead_id FROM calls AS c WHERE c.agent_id IN " \
           "(SELECT agent_id FROM agents WHERE team_id IN ($scope_team0)))" in query.sql("duckdb")
    engine.queries.clear()
    Lookup(engine).lead("L1", Scope(teams=()))   # type: ignore[arg-type]
    assert "team_id IN (NULL)" in engine.queries[0][0].sql("duckdb")   # no team: no lead


@pytest.fixture
def leads(tmp_path):
    from telekpi.engine.engine import Engine
    from telekpi.store.warehouse import Warehouse

    wh = Warehouse(tmp_path / "w.duckdb")
    wh.con.execute("""INSERT INTO leads (lead_id, name, phone, created_at) VALUES
        ('L1', 'Nguyễn Văn An', '0974442778', TIMESTAMPTZ '2026-03-01 03:00:00+00'),
        ('L2', 'Trần Thị Bình', '+84 912 345 678', TIMESTAMPTZ '2026-03-01 03:00:00+00'),
        ('L3', 'Lê Văn Cường', '(84) 98-765-4321', TIMESTAMPTZ '2026-03-01 03:00:00+00'),
        ('L4', 'John Doe', '+1 974 442 778', TIMESTAMPTZ '2026-03-01 03:00:00+00')""")
    yield lambda **settings: Lookup(Engine(wh, Settings(**settings)))
    wh.close()


@pytest.mark.parametrize("query", ["+84 974 442 778", "0974442778", "84974442778", "0084 974 442 778"])
def test_a_phone_number_finds_its_lead_however_it_is_written(leads, query):
    look = leads(locale="vi")
    assert [r["lead_id"] for r in look.search_leads(query)] == ["L1"]   # not L4: +1 974 442 778


def test_stored_phones_are_read_as_numbers_too(leads):
    look = leads(phone_region="VN")
    assert [r["lead_id"] for r in look.search_leads("0912345678")] == ["L2"]
    assert [r["lead_id"] for r in look.search_leads("+84987654321")] == ["L3"]
    assert sorted(r["lead_id"] for r in look.search_leads("442778")) == ["L1", "L4"]   # digits anywhere
    assert [r["lead_id"] for r in look.search_leads("Bình")] == ["L2"]
    # In a workspace in the United States, the stored 0974442778 is not the Vietnamese number.
    us = leads(currency="USD")
    assert us.search_leads("84974442778") == []
    assert [r["lead_id"] for r in us.search_leads("+84 912 345 678")] == ["L2"]


def test_phone_e164():
    from telekpi.model.phones import phone_e164

    assert phone_e164("0974 442 778", "VN") == ("+84974442778", "974442778")
    assert phone_e164("+66 81 234 5678", "VN") == ("+66812345678", "812345678")
    assert phone_e164("L0001", "VN") is None and phone_e164("12", "TH") is None
