"""Page content through the real app: the numbers pages show are the engine's."""

from __future__ import annotations

import json
import re
from html import unescape

from telekpi.engine.request import Request


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_upload_shows_the_four_counts_and_the_quarantine(as_user, app, tmp_path):
    c = as_user("boss")
    page = c.get("/import")
    body = ("call_id,started_at,status,talk_s\n"
            "UP-1,2026-02-01 09:00:00,answered,30\n"
            "UP-2,2026-02-01 09:01:00,exploded,0\n"
            "UP-3,2026-02-01 09:02:00,busy,0\n")
    r = c.post("/import", data={"table": "calls", "csrf": csrf_of(page.text), "mapping": ""},
               files={"file": ("my calls.csv", body.encode(), "text/csv")})
    assert r.status_code == 200, r.text[:500]
    counts = dict(re.findall(r'data-count="(\w+)">([\d,]+)<', r.text))
    assert counts == {"rows_read": "3", "inserted": "2", "updated": "0", "unchanged": "0",
                      "quarantined": "1"}
    assert "status: &#39;exploded&#39; is not one of" in r.text
    again = c.post("/import", data={"table": "calls", "csrf": csrf_of(page.text)},
                   files={"file": ("my calls.csv", body.encode(), "text/csv")})
    counts = dict(re.findall(r'data-count="(\w+)">([\d,]+)<', again.text))
    # Uploading the same rows again changes nothing.
    assert (counts["inserted"], counts["unchanged"], counts["quarantined"]) == ("0", "2", "1")


def test_upload_needs_the_forms_token(as_user):
    c = as_user("boss")
    r = c.post("/import", data={"table": "calls", "csrf": "forged"},
               files={"file": ("x.csv", b"call_id\n", "text/csv")})
    assert r.status_code == 403


def test_leaderboard_numbers_are_the_engines(as_user, app):
    with app.state.web.workspace.session() as engine:
        rows = engine.query(Request(("calls", "call_conversion_rate"), by=("agent",),
                                    start=None, end=None)).rows
    c = as_user("boss")
    html = c.get("/agents?from=2000-01-01&to=2100-12-31").text
    judged = [r for r in rows if (r["calls"] or 0) >= 30 and r["agent"]]
    best = max(judged, key=lambda r: r["call_conversion_rate"])
    first_row = re.search(r"<tbody>\s*<tr>\s*<td><a href=\"/agents/([^?\"]+)", html).group(1)
    assert first_row == best["agent"]
    few = [r["agent"] for r in rows if (r["calls"] or 0) < 30 and r["agent"]]
    for agent in few:
        assert f'title="{agent}"' in html.split("Too few to judge")[1]   # named, the id on hover


def test_campaign_page_tests_script_variants(as_user):
    html = as_user("boss").get("/campaigns?from=2000-01-01&to=2100-12-31").text
    assert "Script variants" in html
    assert "unlikely to be chance" in html or "could be chance" in html
    # the statistics are one click away, not in the verdicts and tables a manager reads first
    shown, _, details = html.partition('<details class="stats">')
    assert "z-test" not in shown and "<th>p</th>" not in shown
    assert "z-test" in details and "<th>p</th>" in details


def test_best_time_lists_slots_with_intervals(as_user):
    html = as_user("boss").get("/best-time?from=2000-01-01&to=2100-12-31").text
    slots = re.findall(r"<tr><td>(Mon|Tue|Wed|Thu|Fri|Sat|Sun)</td><td>(\d\d):00</td>", html)
    assert len(slots) >= 5


def test_scorecards_page_matches_the_engine_and_respects_scope(as_user, app, demo_db):
    from telekpi.targets.scorecard import scorecard
    from telekpi.targets.template import load_template

    with app.state.web.workspace.session() as engine:
        data = scorecard(engine, load_template(demo_db.parent / "scorecards" / "in-house-sales.yaml",
                                               engine.catalog))
    html = as_user("boss").get("/scorecards?template=in-house-sales.yaml").text
    shown = re.findall(r'<td><a href="/agents/(A\d+)">', html)
    assert shown == [a["agent"] for a in data["agents"]]
    judged = next(a for a in data["agents"] if a["judged"])
    assert judged["tier"] in html
    sup = as_user("sup1").get("/scorecards?template=in-house-sales.yaml").text
    mine = [a["agent"] for a in data["agents"] if a["team"] == "T1"]
    assert re.findall(r'<td><a href="/agents/(A\d+)">', sup) == mine
    assert as_user("boss").get("/scorecards?template=nope.yaml").status_code == 404


def test_alerts_reach_the_dashboard_scoped_by_role(as_user, app, demo_db):
    from zoneinfo import ZoneInfo

    (demo_db.parent / "alerts.yaml").write_text(
        "rules:\n  - {id: aht-high, metric: aht, above: 1, by: agent, window: month}\n"
        "  - {id: t-calls, metric: calls, above: 0, by: team, window: month}\n")
    from telekpi.engine.lookup import Lookup

    with app.state.web.workspace.session() as engine:   # as of A003's last call: A003 has numbers
        last = Lookup(engine).recent_calls("A003", 1).rows[0]["started_at"]
    try:
        firing = app.state.web.workspace.check_alerts(last.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")))
    finally:
        (demo_db.parent / "alerts.yaml").unlink()
    assert "aht-high|agent A003" in {a.key for a in firing}
    with app.state.web.workspace.session() as engine:
        name = Lookup(engine).names("agent")["A003"]
    mine = next(a for a in firing if a.key == "aht-high|agent A003")
    assert f"for agent {name} (A003)" in mine.message and mine.scope == "agent A003"   # mails say who
    boss = as_user("boss").get("/alerts").text
    for a in firing:
        assert a.message.replace("'", "&#39;") in boss
    sup = as_user("sup1").get("/alerts").text
    assert "(T1)" in sup and "(T2)" not in sup   # "team Hà Nội Sales (T1)"
    agent = as_user("agent3").get("/alerts").text
    assert "(A003)" in agent and "(A004)" not in agent and "(T1)" not in agent


def test_overview_compares_a_whole_month_with_the_month_before(as_user, app):
    from datetime import date

    from telekpi.units import human

    c = as_user("boss")
    r = c.get("/?from=2026-11-01&to=2026-11-30&lang=en")
    assert r.status_code == 200
    assert "vs October 2026" in r.text
    with app.state.web.workspace.session() as engine:
        before = engine.query(Request(("calls",), start=date(2026, 10, 1), end=date(2026, 10, 31))).rows[0]
    card = re.search(r'data-metric="calls".*?</article>', r.text, re.S).group(0)
    shown = human(before["calls"], "count")
    assert f'vs <span title="{shown}">{shown}</span>' in card   # a count this small is exact


def test_csat_of_exactly_80_percent_is_coloured_very_good(as_user, app):
    """A band holds its min: 80.0 % is "very good ≥ 80%" on every page, written in percentages."""
    from telekpi.presentation import BAND_COLOURS

    colour = app.state.templates.env.globals["band_colour"]
    assert colour("csat", 0.8) == BAND_COLOURS["excellent"]
    assert colour("csat", 0.7999) == BAND_COLOURS["fair"]
    assert colour("drop_rate", 0.03) == BAND_COLOURS["poor"]
    html = as_user("boss").get("/care?from=2000-01-01&to=2100-12-31&lang=en").text
    assert "very good ≥ 80%" in html and "acceptable ≥ 70% and &lt; 80%" in html
    assert "0.8" not in re.search(r"CSAT bands:(.*?)</p>", html, re.S).group(1)


def test_funnel_page_headline_speaks_for_the_teams(as_user, app):
    from telekpi.analysis.funnel import summary
    from telekpi.i18n import language

    html = as_user("boss").get("/funnel?from=2000-01-01&to=2100-12-31&lang=en").text
    from telekpi.engine.lookup import Lookup
    from telekpi.engine.names import Names

    with app.state.web.workspace.session() as engine, language("en"):
        names = Names(Lookup(engine))
        data = summary(engine, Request((), start=__import__("datetime").date(2000, 1, 1),
                                       end=__import__("datetime").date(2100, 12, 31)), names=names)
        short = [names.of("team", g["team"]) for g in data["breakdown"]["groups"] if g["bottleneck"]["metric"]]
    shown = re.search(r'<p class="bottleneck">(.*?)</p>', html, re.S).group(1)
    assert shown == data["headline"].replace("'", "&#39;")
    assert short and all(f"{t}: " in shown for t in short)   # teams by name
    assert "below its band" not in html and "% of leads attempted" in html
    assert "Leads reaching a decision maker / Leads attempted" in html


def test_best_time_page_asks_two_questions(as_user):
    html = as_user("boss").get("/best-time?from=2000-01-01&to=2100-12-31&lang=en").text
    assert re.findall(r'data-question="(\w+)" data-figure', html) == ["connection_rate", "connected_conversion"]
    assert "When people pick up" in html and "When pick-ups turn into sales" in html
    assert 'data-question="connected_conversion"><thead>' in html


def test_scorecard_scores_are_written_as_the_cli_writes_them(as_user, app, demo_db):
    from telekpi.i18n.numbers import Formatter
    from telekpi.targets.scorecard import scorecard
    from telekpi.targets.template import load_template

    with app.state.web.workspace.session() as engine:
        data = scorecard(engine, load_template(demo_db.parent / "scorecards" / "in-house-sales.yaml",
                                               engine.catalog))
    html = as_user("boss").get("/scorecards?template=in-house-sales.yaml&lang=en").text
    fmt = Formatter("en")
    for a in data["agents"]:
        row = re.search(rf'<a href="/agents/{a["agent"]}">.*?</tr>', html, re.S).group(0)
        assert f'<td class="num">{fmt.attainment(a["score"])}</td>' in row


def test_money_is_written_in_the_workspace_currency(tmp_path):
    """A VND workspace's dashboard writes an amount of nothing as "0", as the CLI does."""
    from fastapi.testclient import TestClient

    from telekpi.store.warehouse import Warehouse
    from telekpi.web.app import create_app
    from telekpi.web.auth import Users

    from .conftest import login

    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\ncurrency = "VND"\n')
    with Warehouse(tmp_path / "telekpi.duckdb") as wh:
        wh.con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('a1', 't1')")
        wh.con.execute("INSERT INTO calls (call_id, started_at, agent_id, direction, status) VALUES "
                       "('c1', TIMESTAMPTZ '2026-03-10 03:00:00+00', 'a1', 'outbound', 'no_answer')")
        wh.con.execute("INSERT INTO orders (order_id, ordered_at, amount, status, agent_id, product) VALUES "
                       "('o1', TIMESTAMPTZ '2026-03-10 03:00:00+00', 1234.5, 'cancelled', 'a1', 'P')")
    users = Users.beside(tmp_path / "telekpi.duckdb")
    users.add("boss", "correct horse", "admin", (), None)
    users.close()
    app = create_app(tmp_path / "telekpi.duckdb")
    try:
        with TestClient(app) as c:
            assert login(c, "boss", "correct horse").status_code == 303
            html = c.get("/revenue?from=2026-03-01&to=2026-03-31&lang=en").text
    finally:
        app.state.web.close()
    cells = re.findall(r'<td class="num">([^<]*)</td>', html)
    assert "0" in cells and "0.00" not in cells


def test_money_by_campaign_keeps_the_row_no_campaign_carries_and_says_why_ratios_are_empty(as_user, app):
    """Issue 21: salaries and team costs are on no campaign; the revenue and campaign pages show
    them as a last row in words (so the rows add up), never drop them, and a cost ratio the
    rows cannot carry is empty with the reason under the table."""
    with app.state.web.workspace.session() as engine:
        res = engine.query(Request(("cost", "cost_benefit_ratio"), by=("campaign",)))
    rest = next(r for r in res.rows if r["campaign"] is None)
    assert rest["cost"] > 0 and "cost_benefit_ratio" in res.not_meaningful
    c = as_user("boss")
    for page in ("/revenue", "/campaigns"):
        html = c.get(f"{page}?from=2000-01-01&to=2100-12-31").text
        row = re.search(r'<tr class="remainder"><td><em>([^<]+)</em></td>(.*?)</tr>', html, re.S)
        assert row and row.group(1) == "not attributable to any campaign", page
        assert "None" not in row.group(2)
        assert "Cost-benefit ratio by campaign is not meaningful: " in html, page


# ---- issue 21: like with like, and metrics that have no value by a dimension ---------------

def leaderboard_sections(html: str) -> dict[str, str]:
    """The agents page's tables by kind of work: kind -> the table's HTML."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r'<table class="leaderboard" data-kind="([a-z_]+)">(.*?)</table>', html, re.DOTALL)}


def test_leaderboard_ranks_the_care_team_apart_and_says_why(as_user, app):
    from telekpi.engine.lookup import Lookup

    with app.state.web.workspace.session() as engine:
        care = {a["agent_id"] for a in Lookup(engine).agents([f"A{i:03d}" for i in range(1, 17)])
                if a["team_id"] == "T4"}
    html = as_user("boss").get("/agents?from=2000-01-01&to=2100-12-31").text
    sections = leaderboard_sections(html)
    assert set(sections) == {"outbound_sales", "inbound_care"}
    sellers = set(re.findall(r'<a href="/agents/(A\d+)', sections["outbound_sales"]))
    carers = set(re.findall(r'<a href="/agents/(A\d+)', sections["inbound_care"]))
    assert carers == care and not sellers & care          # not ranked among the sellers
    assert "Call conversion rate" in sections["outbound_sales"]
    assert "Call conversion rate" not in sections["inbound_care"]   # not their work: not shown
    assert "Connection rate" not in sections["inbound_care"]
    assert "CSAT" in sections["inbound_care"]
    words = re.search(r'<p class="note compared">(.*?)</p>', html, re.DOTALL).group(1)
    assert "only with agents of the same kind of work" in words
    assert "Inbound care is not judged on Connection rate, Call conversion rate, Revenue." in words
    teams = leaderboard_sections(as_user("boss").get("/agents?group=team&from=2000-01-01&to=2100-12-31").text)
    assert "T4" in teams["inbound_care"] and "T4" not in teams["outbound_sales"]


def test_a_supervisor_sees_the_drop_rate_as_not_applicable_with_the_reason(as_user):
    html = as_user("sup1").get("/?from=2026-11-01&to=2026-11-30").text
    card = re.search(r'<article class="card na" data-metric="drop_rate".*?</article>', html, re.DOTALL)
    assert card, "the drop rate is a card that says it has no value for a team"
    text = card.group(0)
    assert "—" in text and "0.0%" not in text and "within the 3 % cap" not in text
    assert "Drop rate has no value by team: calls the dialer drops reach no agent" in text
    campaigns = as_user("sup1").get("/campaigns?from=2026-11-01&to=2026-11-30").text
    assert "Drop rate has no value by team" in campaigns
    assert "no value by" not in as_user("boss").get("/?from=2026-11-01&to=2026-11-30").text


def test_the_api_answers_a_drop_rate_by_team_with_null_and_a_reason(as_user):
    c = as_user("boss")
    by_team = c.get("/api/v1/kpi?metric=drop_rate,calls&by=team&from=2026-11-01&to=2026-11-30").json()
    assert by_team["rows"] and all(r["drop_rate"] is None for r in by_team["rows"])
    assert all(r["calls"] is not None for r in by_team["rows"])
    assert by_team["not_meaningful"]["drop_rate"]["reason"].startswith("Drop rate has no value by team:")
    centre = c.get("/api/v1/kpi?metric=drop_rate&from=2026-11-01&to=2026-11-30").json()
    assert 0 < centre["rows"][0]["drop_rate"] < 0.1 and centre["not_meaningful"] == {}
    cat = {m["id"]: m for m in c.get("/api/v1/catalog").json()}
    assert {"agent", "team", "site", "vendor"}.isdisjoint(cat["drop_rate"]["dimensions"])
    assert cat["drop_rate"]["not_by"] == ["agent", "team", "site", "vendor"]
    assert "reach no agent" in cat["drop_rate"]["reason"] and "campaign" in cat["drop_rate"]["dimensions"]
    assert cat["call_conversion_rate"]["kinds"] == ["outbound_sales", "collections"]
    assert cat["csat"]["kinds"] == [] and "team" in cat["csat"]["dimensions"]


def test_the_stylesheet_carries_the_band_colours_defined_once(client):
    from telekpi.presentation import BAND_COLOURS

    css = client.get("/static/app.css").text
    for level, colour in BAND_COLOURS.items():
        assert f"--band-{level}: {colour};" in css
    assert css.index("--band-poor") < css.index("--bad: var(--band-poor)")


def test_every_chart_has_its_data_table_and_a_caption(as_user):
    html = as_user("boss").get("/revenue?from=2026-11-01&to=2026-11-30&lang=th").text
    figures = re.findall(r'<figure class="figure">(.*?)</figure>', html, re.S)
    assert len(figures) == 2
    for f in figures:
        assert "<figcaption>" in f and '<details class="data"><summary>ข้อมูล</summary>' in f
        assert re.search(r"<tbody>\s*<tr><th scope=\"row\">", f)
    # a month, as Thai writes it, linked to that month's page (a click on its point goes there too)
    assert '<th scope="row"><a href="/revenue?from=2026-11-01&amp;to=2026-11-30">พ.ย. 2026</a></th>' in figures[0]
    drawn = json.loads(unescape(re.search(r"data-figure='(.*?)'", figures[0]).group(1)))
    assert set(drawn) == {"data", "layout"} and "title" not in drawn["layout"]   # the title is HTML
