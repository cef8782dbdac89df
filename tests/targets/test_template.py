"""KPI templates are checked as a whole; every problem names file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from telekpi.catalog.loader import load_catalog
from telekpi.errors import ConfigError
from telekpi.targets.template import load_template

CATALOG = load_catalog(None)
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "telekpi" / "targets" / "examples"

GOOD = """name: T
goal: g
period: {start: 2026-01-01, end: 2026-01-31}
cadence: weekly
items:
  - {metric: revenue, target: 1000, weight: 60}
  - {metric: aht, target: 240, weight: 40}
reward:
  tiers:
    - {min: 0, max: 1, bonus: 0}
    - {min: 1, bonus: 100}
"""


def write(tmp_path, text):
    p = tmp_path / "t.yaml"
    p.write_text(text)
    return p


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_examples_load(path):
    t = load_template(path, CATALOG)
    assert t.items and t.tiers and t.commission


def test_a_good_template(tmp_path):
    t = load_template(write(tmp_path, GOOD), CATALOG)
    assert [i.better for i in t.items] == ["higher", "lower"]      # aht's direction from the catalog
    assert t.total_weight == 100 and t.cadence == "weekly"


BAD = {
    "unknown metric": (GOOD.replace("metric: aht", "metric: ahtt"), 7, "unknown metric 'ahtt'"),
    "weights": (GOOD.replace("weight: 40", "weight: 30"), 5, "weights add up to 90"),
    "overlapping tiers": (GOOD.replace("{min: 1, bonus: 100}", "{min: 0.9, bonus: 100}"), 9,
                          "tiers overlap"),
    "inverted tier": (GOOD.replace("{min: 0, max: 1, bonus: 0}", "{min: 1, max: 0.5, bonus: 0}"),
                      10, "tier min 1 is not below its max 0.5"),
    "period": (GOOD.replace("end: 2026-01-31", "end: 2025-12-31"), 3, "period starts 2026-01-01 after"),
    "cadence": (GOOD.replace("cadence: weekly", "cadence: hourly"), 4, "cadence 'hourly' is not one of"),
    "unknown key": (GOOD + "bonus_pool: 5\n", 12, "unknown key 'bonus_pool'"),
    "target of no item": (GOOD + "targets:\n  agents:\n    A1: {csat: 0.9}\n", 14,
                          "targets.agents.A1: 'csat' is not an item"),
    "negative weight": (GOOD.replace("weight: 40", "weight: -40"), 7, "weight must be a positive"),
    "growth item": (GOOD.replace("metric: aht, target: 240", "metric: revenue_growth, target: 0.1"),
                    7, "compares periods"),
    "cap below floor": (GOOD.replace("reward:\n",
                                     "reward:\n  commission: {rate: 0.1, of: revenue, floor: 9, cap: 5}\n"),
                        9, "commission cap is below its floor"),
    "commission of a rate": (GOOD.replace("reward:\n", "reward:\n  commission: {rate: 0.1, of: csat}\n"),
                             9, "expected a money metric"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_templates_name_file_line_and_reason(tmp_path, case):
    text, line, words = BAD[case]
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_template(path, CATALOG)
    message = str(info.value)
    assert f"{path}:{line}: " in message and words in message, message


def test_every_problem_at_once(tmp_path):
    text = GOOD.replace("metric: aht", "metric: nope").replace("cadence: weekly", "cadence: x")
    with pytest.raises(ConfigError) as info:
        load_template(write(tmp_path, text), CATALOG)
    assert "2 problem(s)" in str(info.value)


def test_not_yaml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_template(write(tmp_path, "items: [\n"), CATALOG)
    with pytest.raises(ConfigError, match="cannot read"):
        load_template(tmp_path / "nope.yaml", CATALOG)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("name: Đội bán hàng\n".encode("utf-16"))
    with pytest.raises(ConfigError, match=r"latin1\.yaml: is not UTF-8 text"):
        load_template(latin1, CATALOG)
