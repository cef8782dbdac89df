"""The built-in catalog covers METRICS.md; workspace metric YAML loads, or fails with file:line.

METRICS.md (the spec) is read from /work/shared/METRICS.md when that exists, else from the
copy beside this file (tests/catalog/METRICS.md); what the shared spec does not have yet (a
section, or rows a branch adds to a section) is read from the copy as well.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from telekpi.catalog.loader import load_catalog
from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.errors import CatalogError
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

HERE = Path(__file__).resolve().parent
SPEC = next(p for p in (Path("/work/shared/METRICS.md"), HERE / "METRICS.md") if p.exists())
SPEC_TEXT = SPEC.read_text(encoding="utf-8")   # read once: the shared file may move while tests run
COPY = (HERE / "METRICS.md").read_text(encoding="utf-8")
SECTIONS = ("Calls", "Lead funnel", "Revenue and cost", "Customer satisfaction and care", "Agents",
            "Inbound queue", "Speech analytics", "Call analysis from words", "Operations")
DEFERRED = {"target_attainment"}   # KPI templates issue


def spec_sections(text: str) -> dict[str, str]:
    out, name = {}, None
    for line in text.splitlines():
        m = re.match(r"^## (.+?)(?: \(.*\))?$", line)
        if m:
            name = m.group(1).strip()
            out[name] = ""
        elif name:
            out[name] += line + "\n"
    if text is not COPY:   # what the shared spec lacks yet (sections, rows), from the copy here
        for name, body in spec_sections(COPY).items():
            out[name] = out.get(name, "") + body
    return out


def spec_metric_ids(text: str) -> dict[str, set[str]]:
    """Metric ids of the tables of each section; ranges and <stage> templates expanded."""
    sections = spec_sections(text)
    stages = re.search(r"attempted → connected → decision_maker → qualified → won",
                       sections["Lead funnel"]).group(0).split(" → ")
    out = {}
    for name in SECTIONS:
        ids: set[str] = set()
        # A copy of the spec without a later section (the shared one before the lead merges
        # it) reads as listing none of its metrics.
        for line in sections.get(name, "").splitlines():
            if not line.startswith("| `"):
                continue
            cell = line.split("|")[1]
            names = re.findall(r"`([^`]+)`", cell)
            if "…" in cell:                                   # `leads_attempted` … `leads_won`
                prefix = names[0].rsplit("_", 1)[0] + "_"
                ids |= {prefix + s for s in stages}
            elif any("<stage>" in n for n in names):          # `dropoff_<stage>`: each step after the first
                ids |= {n.replace("<stage>", s) for n in names for s in stages[1:]}
            else:
                ids |= set(names)
        out[name] = ids
    return out


def test_spec_parses_into_every_section():
    ids = spec_metric_ids(SPEC_TEXT)
    assert set(ids) == set(SECTIONS)
    assert all(ids.values())
    assert {"leads_attempted", "leads_decision_maker", "leads_won", "dropoff_connected",
            "dropoff_won"} <= ids["Lead funnel"]
    assert "dropoff_attempted" not in ids["Lead funnel"]   # the first stage has no previous one


@pytest.mark.parametrize("section", SECTIONS)
def test_every_spec_metric_is_built_in(section):
    ids = spec_metric_ids(SPEC_TEXT)[section]
    missing = ids - set(load_catalog(None).metrics)
    assert missing <= DEFERRED, f"{section}: not in the built-in catalog: {sorted(missing - DEFERRED)}"


def test_only_target_attainment_is_missing():
    ids = set().union(*spec_metric_ids(SPEC_TEXT).values())
    assert ids - set(load_catalog(None).metrics) == DEFERRED


def test_every_built_in_metric_is_in_the_spec():
    ids = set().union(*spec_metric_ids(SPEC_TEXT).values())
    assert set(load_catalog(None).metrics) - ids == set()


# ---- workspace metric YAML ------------------------------------------------------------------

GOOD = """\
measures:
  - id: callbacks
    model: calls
    agg: count
    filter: "{flag:callback}"
metrics:
  - id: callback_rate
    name: Callback rate
    description: Calls ending in a callback / connected calls.
    type: ratio
    numerator: callbacks
    denominator: connected_calls
    unit: rate
    better: lower
  - id: revenue_per_call
    name: Revenue per call
    description: Revenue / calls.
    type: derived
    expr: "revenue / calls"
    unit: money
"""


def write(ws: Path, text: str, name: str = "mine.yaml") -> Path:
    (ws / "metrics").mkdir(exist_ok=True)
    path = ws / "metrics" / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_user_metrics_load_and_run(tmp_path):
    write(tmp_path, GOOD)
    catalog = load_catalog(tmp_path)
    assert {"callback_rate", "revenue_per_call", "calls"} <= set(catalog.metrics)
    assert catalog.metrics["callback_rate"].where.file.endswith("mine.yaml")
    wh = Warehouse(tmp_path / "telekpi.duckdb")
    try:
        wh.con.execute("""INSERT INTO calls (call_id, started_at, status, disposition) VALUES
            ('c1', '2026-01-05 05:00:00+00', 'answered', 'callback'),
            ('c2', '2026-01-05 06:00:00+00', 'answered', 'NI'),
            ('c3', '2026-01-05 07:00:00+00', 'busy', NULL)""")
        wh.con.execute("INSERT INTO orders (order_id, ordered_at, amount, status) VALUES "
                       "('o1', '2026-01-05 05:00:00+00', 90, 'completed')")
        rows = Engine(wh, Settings(), catalog).query(Request(("callback_rate", "revenue_per_call"))).rows
    finally:
        wh.close()
    # 1 callback / 2 connected; 90 revenue / 3 calls
    assert rows == [{"callback_rate": pytest.approx(0.5), "revenue_per_call": pytest.approx(30.0)}]


def test_empty_metrics_folder_and_no_workspace(tmp_path):
    (tmp_path / "metrics").mkdir()
    assert set(load_catalog(tmp_path).metrics) == set(load_catalog(None).metrics)


def _metric(mid: str, extra: str) -> str:
    return f"  - id: {mid}\n    name: {mid}\n    description: {mid}.\n" + extra


BAD = {
    # (yaml, line the error names, words of the message)
    "unknown_measure": ("metrics:\n" + _metric("m1", "    type: ratio\n    numerator: nope\n"
                                               "    denominator: calls\n"),
                        6, "numerator 'nope' is not a measure"),
    "unknown_column": ("measures:\n  - id: x1\n    model: calls\n    agg: count\n"
                       "    filter: \"colour = 'red'\"\n",
                       5, "unknown column 'colour'"),
    "unknown_model": ("measures:\n  - id: x2\n    model: callz\n    agg: count\n",
                      3, "unknown model 'callz'"),
    "cycle": ("metrics:\n" + _metric("m2", "    type: derived\n    expr: \"m3 + 1\"\n")
              + _metric("m3", "    type: derived\n    expr: \"m2 * 2\"\n"),
              6, "refers to itself through m2 → m3 → m2"),
    "self_cycle": ("metrics:\n" + _metric("m4", "    type: derived\n    expr: \"m4 - calls\"\n"),
                   6, "refers to itself"),
    "bad_syntax": ("metrics:\n  - id: m5\n    name: [unclosed\n", 4, "not valid YAML"),
    "bad_indent": ("metrics:\n  - id: m6\n   name: x\n", 3, "not valid YAML"),
    "unknown_metric_key": ("metrics:\n" + _metric("m7", "    colour: red\n"), 5, "unknown key 'colour'"),
    "unknown_measure_key": ("measures:\n  - id: x3\n    model: calls\n    agg: count\n    colour: red\n",
                            5, "unknown key 'colour'"),
    "unknown_top_key": ("metrics: []\ncolours: [red]\n", 1, "unknown top-level key 'colours'"),
    "unknown_agg": ("measures:\n  - id: x4\n    model: calls\n    agg: mode\n    expr: talk_s\n",
                    4, "agg must be one of"),
    "duplicate_builtin": ("metrics:\n" + _metric("calls", "    measure: calls\n"), 2, "already defined"),
    "derived_unknown_ref": ("metrics:\n" + _metric("m8", "    type: derived\n    expr: \"calls / nothing\"\n"),
                            6, "'nothing', which is no metric or measure"),
    "unknown_placeholder": ("measures:\n  - id: x5\n    model: calls\n    agg: count\n"
                            "    filter: \"talk_s > {talk_min}\"\n", 5, "unknown placeholder"),
    "not_by_no_dimension": ("measures:\n  - id: x6\n    model: calls\n    agg: count\n"
                            "    not_by: [colour]\n    reason: no colours here.\n",
                            5, "not_by names 'colour', which is no dimension"),
    "not_by_without_reason": ("metrics:\n" + _metric("m9", "    measure: calls\n    not_by: [team]\n"),
                              6, "not_by needs a reason"),
    "unknown_kind": ("metrics:\n" + _metric("m10", "    measure: calls\n    kinds: [telepathy]\n"),
                     6, "unknown kind of work 'telepathy'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_invalid_user_yaml_names_file_and_line(tmp_path, case):
    text, line, words = BAD[case]
    path = write(tmp_path, text, f"{case}.yaml")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    message = str(info.value)
    assert f"{path}:{line}:" in message, message
    assert words in message, message
    assert all(i.file == str(path) for i in info.value.issues if i.level == "error"), message


def test_every_problem_is_reported_at_once(tmp_path):
    write(tmp_path, BAD["unknown_column"][0], "a.yaml")
    write(tmp_path, BAD["unknown_measure"][0], "b.yaml")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert len([i for i in info.value.issues if i.level == "error"]) == 2
    assert "a.yaml:5:" in str(info.value) and "b.yaml:6:" in str(info.value)


def test_not_strict_returns_the_valid_part(tmp_path):
    write(tmp_path, GOOD + _metric("bad_one", "    type: ratio\n    numerator: nope\n    denominator: calls\n"))
    catalog = load_catalog(tmp_path, strict=False)
    assert "callback_rate" in catalog.metrics


# ---- what a metric applies to (issue 21) ---------------------------------------------------

def test_the_catalog_says_which_dimensions_each_metric_has_a_value_by():
    cat = load_catalog(None)
    drop = cat.applies["drop_rate"]
    assert drop.not_by == ("agent", "team", "site", "vendor") and "reach no agent" in drop.reason
    assert "campaign" in drop.dimensions and not {"agent", "team"} & set(drop.dimensions)
    assert set(drop.missing) == {"agent", "team", "site", "vendor"}
    for mid in ("abandoned_calls", "abandonment_rate", "offered", "service_level", "queue_abandonment_rate"):
        assert cat.applies[mid].not_by == ("agent", "team", "site", "vendor"), mid
    assert "team" in cat.applies["connection_rate"].dimensions and not cat.applies["asa"].not_by
    assert "team" in cat.applies["speed_to_lead"].missing and not cat.applies["speed_to_lead"].not_by
    assert cat.metrics["call_conversion_rate"].kinds == ("outbound_sales", "collections")
    assert not cat.metrics["call_conversion_rate"].applies_to("inbound_care")
    assert cat.metrics["csat"].applies_to("inbound_care") and cat.metrics["csat"].kinds == ()


def test_a_workspace_metric_built_on_dialer_drops_has_no_value_by_team_either(tmp_path):
    write(tmp_path, """\
        metrics:
          - id: drops_per_call
            name: Drops per call
            description: Dialer drops / calls.
            type: ratio
            numerator: dialer_drops
            denominator: calls
            unit: rate
          - id: drop_share
            name: Drop share
            description: Drops per call, derived.
            type: derived
            expr: "drops_per_call * 1"
            unit: rate
        """)
    cat = load_catalog(tmp_path)
    for mid in ("drops_per_call", "drop_share"):
        assert cat.applies[mid].not_by == ("agent", "team", "site", "vendor"), mid
    wh = Warehouse(tmp_path / "telekpi.duckdb")
    try:
        wh.con.execute("""INSERT INTO calls (call_id, started_at, agent_id, status) VALUES
            ('c1', '2026-01-05 05:00:00+00', NULL, 'abandoned'),
            ('c2', '2026-01-05 06:00:00+00', 'a1', 'answered')""")
        answer = Engine(wh, Settings(), cat).query(Request(("drop_share", "calls"), by=("agent",)))
    finally:
        wh.close()
    assert {r["agent"]: (r["drop_share"], r["calls"]) for r in answer.rows} == {"a1": (None, 1), None: (None, 1)}
    assert answer.reasons(cat)["drop_share"] == ("Drop share has no value by agent: calls the dialer drops "
                                            "reach no agent, so they belong to no agent, team, site or vendor.")
