"""Bands have one rule, min ≤ value < max (the top band of a bounded set also holds its max),
are written the same way everywhere, in percentages for rates, and never overlap."""

from __future__ import annotations

import textwrap

import pytest

from telekpi.catalog.loader import load_catalog
from telekpi.catalog.spec import Band, Metric
from telekpi.errors import CatalogError
from telekpi.i18n import language

CAT = load_catalog(None)


def level(metric: str, value: float, industry: str | None = None) -> str | None:
    b = CAT.metrics[metric].band(value, industry)
    return b.level if b else None


def test_an_edge_belongs_to_the_band_above_it():
    # T2's CSAT in November 2026 is 144/180 = 80.0 %: "very good ≥ 80 %", not "acceptable".
    assert level("csat", 0.8) == "excellent"
    assert level("csat", 144 / 180) == "excellent"
    assert level("csat", 0.7999) == "fair" and level("csat", 0.7) == "fair"
    assert level("csat", 0.6999) == "poor"
    assert level("drop_rate", 0.0299) == "good" and level("drop_rate", 0.03) == "poor"
    assert level("contact_rate", 0.10) == "fair" and level("contact_rate", 0.15) == "standard"
    assert level("cost_benefit_ratio", 1) == "good" and level("profit", 0) == "good"


def test_every_built_in_band_set_is_one_partition():
    """Each edge of each band set lies in exactly one band, the one that starts there."""
    for m in CAT.metrics.values():
        for bands in (m.bands, *m.bands_by_industry.values()):
            edges = {e for b in bands for e in (b.min, b.max) if e is not None}
            for e in edges:
                holding = [b for b in bands if b.contains(e)]
                assert len(holding) <= 1, (m.id, e, holding)
                got = m.band(e) if bands is m.bands else next(
                    m.band(e, ind) for ind, bs in m.bands_by_industry.items() if bs is bands)
                above = [b for b in bands if b.min == e]
                assert got is not None and (got in above or not above), (m.id, e, got)


def test_the_top_of_a_bounded_set_holds_its_max():
    m = Metric("share", "Share", "x", unit="rate",
               bands=(Band("poor", 0.0, 0.5), Band("good", 0.5, 1.0)))
    assert m.band(1.0).level == "good" and m.band(0.5).level == "good" and m.band(0.49).level == "poor"
    assert m.band(1.01) is None and m.band(-0.1) is None
    assert [t for _b, t in m.band_ranges()] == ["≥ 0% and < 50%", "≥ 50% and ≤ 100%"]


def test_ranges_are_written_as_percentages_without_overlap():
    with language("en"):
        drop = [t for _b, t in CAT.metrics["drop_rate"].band_ranges()]
        csat = [t for _b, t in CAT.metrics["csat"].band_ranges()]
        mos = [t for _b, t in CAT.metrics["avg_mos"].band_ranges()]
    assert drop == ["< 3%", "≥ 3%"]                       # not "≤ 0.03" and "≥ 0.03"
    assert csat == ["< 70%", "≥ 70% and < 80%", "≥ 80%"]
    assert mos == ["< 3.5", "≥ 3.5 and < 4", "≥ 4"]       # a score is not a rate
    with language("vi"):
        assert [t for _b, t in CAT.metrics["contact_rate"].band_ranges()][1] == "≥ 10% và < 15%"
    assert Band("fair", 0.155, None).describe("rate") == "≥ 15.5%"


def test_metrics_command_writes_bands_in_percentages(tmp_path, capsys):
    from telekpi.cli.app import main

    assert main(["--db", str(tmp_path / "x.duckdb"), "--lang", "en", "metrics", "--format", "json"]) == 0
    import json

    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["drop_rate"]["bands"] == "good < 3%; poor ≥ 3%"
    assert rows["csat"]["bands"] == "poor < 70%; fair ≥ 70% and < 80%; excellent ≥ 80%"


def write(ws, text: str) -> None:
    (ws / "metrics").mkdir(exist_ok=True)
    (ws / "metrics" / "mine.yaml").write_text(textwrap.dedent(text), encoding="utf-8")


def test_overlapping_bands_are_refused(tmp_path):
    write(tmp_path, """\
        metrics:
          - id: my_rate
            name: My rate
            description: Connected calls / calls.
            type: ratio
            numerator: connected_calls
            denominator: calls
            unit: rate
            bands:
              - {level: good, max: 0.05}
              - {level: poor, min: 0.03}
        """)
    with pytest.raises(CatalogError) as e:
        load_catalog(tmp_path)
    text = str(e.value)
    assert "mine.yaml" in text and "overlap" in text and "< 5%" in text and "≥ 3%" in text


def test_the_old_inclusive_key_is_refused(tmp_path):
    write(tmp_path, """\
        metrics:
          - id: my_rate
            name: My rate
            description: Connected calls / calls.
            type: ratio
            numerator: connected_calls
            denominator: calls
            unit: rate
            bands:
              - {level: good, max: 0.03, inclusive: true}
              - {level: poor, min: 0.03}
        """)
    with pytest.raises(CatalogError) as e:
        load_catalog(tmp_path)
    assert "inclusive" in str(e.value) and "mine.yaml:10" in str(e.value)


@pytest.mark.parametrize("metric", ["contact_rate", "qualified_rate", "close_rate"])
def test_funnel_bands_agree_with_their_targets(metric):
    """At its target a rate is standard; just below, it is in a band below standard; well
    above (a 95.9 % close rate), excellent."""
    m = CAT.metrics[metric]
    assert level(metric, m.target) == "standard"
    assert level(metric, m.target - 1e-6) in ("poor", "fair")
    assert level(metric, 0.959) == "excellent"


def test_every_level_has_one_colour():
    from telekpi.catalog.spec import BAND_LEVELS
    from telekpi.presentation import BAND_COLOURS

    assert set(BAND_COLOURS) == set(BAND_LEVELS)
