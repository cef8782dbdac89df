"""The chart builders: periods as periods, durations in minutes, only the hours worked, sample
sizes beside rates, funnel labels given room, and every chart's data as a table."""

from __future__ import annotations

from datetime import date

from telekpi import presentation as charts
from telekpi.i18n import set_language


def test_a_single_month_is_one_category_written_as_a_month():
    fig = charts.line("Revenue by month", [date(2026, 11, 1)], {"Revenue": [4_830_420_000]}, "money",
                      period="month")
    assert fig["layout"]["xaxis"]["type"] == "category"     # never a date axis around one point
    assert fig["data"][0]["x"] == ["Nov 2026"]
    assert fig["table"]["rows"] == [["Nov 2026", "4,830,420,000"]]


def test_periods_in_the_language_in_use():
    set_language("vi")
    assert charts.period_labels([date(2026, 3, 1)], "month") == ["03/2026"]
    set_language("en")
    assert charts.period_labels(["2026-03-02"], "week") == ["week of Mar 2"]
    assert charts.period_labels(["2026-03-02"], "day") == ["Mar 2"]


def test_durations_are_drawn_in_minutes_and_written_m_ss():
    fig = charts.line("AHT", ["2026-03-02", "2026-03-03"], {"AHT": [218, None]}, "seconds", period="day")
    trace = fig["data"][0]
    assert trace["y"] == [218 / 60, None]
    assert trace["customdata"] == ["3:38", "—"]
    assert fig["layout"]["yaxis"]["ticksuffix"] == " min"
    assert fig["table"]["rows"][0] == ["Mar 2", "3:38"]


def test_rates_on_small_samples_show_n_and_are_open_circles():
    fig = charts.line("CSAT", ["2026-03-02", "2026-03-03"], {"CSAT": [1.0, 0.78]}, "rate",
                      period="day", samples=[2, 140], min_sample=30, sample_word="Responses")
    trace = fig["data"][0]
    assert trace["customdata"] == [["100.0%", "2"], ["78.0%", "140"]]
    assert "Responses = %{customdata[1]}" in trace["hovertemplate"]
    assert trace["marker"]["symbol"] == ["circle-open", "circle"]
    assert trace["marker"]["opacity"][0] < 1 == trace["marker"]["opacity"][1]
    assert fig["caption"]["subtitle"] == "open circles: fewer than 30 in the sample"
    assert fig["table"]["head"][-1] == "Responses" and fig["table"]["rows"][0][-1] == "2"
    enough = charts.line("CSAT", ["2026-03-02"], {"CSAT": [0.8]}, "rate", samples=[200], min_sample=30)
    assert enough["caption"]["subtitle"] is None


def test_a_heatmap_shows_the_hours_worked_padded_by_one():
    z = [[None] * 24 for _ in range(7)]
    z[0][8], z[4][19] = 0.3, 0.4
    fig = charts.heatmap("Connection rate", list("MTWTFSS"), list(range(24)), z)
    trace = fig["data"][0]
    assert trace["x"] == [f"{h:02d}" for h in range(7, 21)]
    assert trace["z"][0][1] == 0.3 and trace["text"][0][1] == "30.0%"
    assert fig["table"]["head"][1] == "07:00" and fig["table"]["rows"][0][2] == "30.0%"
    assert charts.working_hours([0, 1, 2], [[None] * 3]) == ([0, 1, 2], [[None] * 3])   # no data: all
    edge = [[0.5] + [None] * 23]
    assert charts.working_hours(list(range(24)), edge)[0] == [0, 1]


def test_funnel_labels_get_a_margin_that_grows_and_counts_inside():
    set_language("th")
    fig = charts.funnel([{"stage": "attempted", "leads": 5589}, {"stage": "decision_maker", "leads": 3089}])
    layout, trace = fig["layout"], fig["data"][0]
    assert layout["yaxis"]["automargin"] is True and trace["textposition"] == "inside"
    assert trace["text"] == ["5,589", "3,089"]
    assert fig["table"]["rows"][1][2] == "55.3%"


def test_titles_are_html_captions_not_plotly_titles():
    fig = charts.bar("Revenue by product", ["<b>A</b>"], [10.0], "money")
    assert "title" not in fig["layout"] and fig["caption"]["title"] == "Revenue by product"
    assert fig["data"][0]["x"] == ["&lt;b&gt;A&lt;/b&gt;"]      # Plotly shows the text it is
    assert fig["table"]["rows"] == [["<b>A</b>", "10.00"]]       # the page escapes it as HTML
    assert set(charts.plotly_only(fig)) == {"data", "layout"}


def test_band_colours_are_css_variables():
    css = charts.css_variables()
    for level, colour in charts.BAND_COLOURS.items():
        assert f"--band-{level}: {colour};" in css


def test_a_sparkline_hovers_with_the_value_as_the_card_writes_it():
    trace = charts.sparkline(["2026-03-02"], [218], "seconds")["data"][0]
    assert trace["customdata"] == ["3:38"] and trace["y"] == [218 / 60]
