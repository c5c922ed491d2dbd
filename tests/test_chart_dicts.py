"""The plain-dict figure helpers (dashboard.charts.core) give what plotly's own figure objects give: the grid of
panels is make_subplots' layout, a figure carries plotly's default template, and a date column is written as
go.Scatter writes it. The pages' figures themselves are checked against plotly's validation in test_fast_path and
in the page tests (conftest.validated)."""
from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest
from conftest import validated
from plotly.io.json import to_json_plotly
from plotly.subplots import make_subplots

from dashboard.charts import core


def _plain(fig) -> dict:
    return json.loads(to_json_plotly(fig))


@pytest.mark.parametrize(("rows", "cols", "titles", "options"), [
    (1, 1, ["Stocks: people at a date"], {"shared_xaxes": True, "vertical_spacing": 0.05}),
    (3, 1, ["a", "b", "c"], {"shared_xaxes": True, "vertical_spacing": 0.12}),
    (1, 2, ["Male", "Female"], {"shared_yaxes": True, "horizontal_spacing": 0.02}),
    (3, 2, ["one", "two", "three", "four", "five"], {"vertical_spacing": 0.2, "horizontal_spacing": 0.08}),
])
def test_grid_is_make_subplots_layout(rows, cols, titles, options):
    expected = make_subplots(rows=rows, cols=cols, subplot_titles=titles, **options).to_plotly_json()["layout"]
    got = core.grid(rows, cols, titles, **options)
    assert _plain(got) == _plain(expected)
    got["annotations"][0]["text"] = "changed"  # a new dict each time: the cached shape is never modified
    assert core.grid(rows, cols, titles, **options)["annotations"][0]["text"] == titles[0]


def test_axis_suffix_follows_make_subplots_order():
    fig = make_subplots(rows=2, cols=2)
    for row in (1, 2):
        for col in (1, 2):
            fig.add_trace(go.Scatter(x=[1], y=[1]), row=row, col=col)
    assert [t.xaxis for t in fig.data] == [f"x{core.axis_suffix(r, c, 2)}" for r in (1, 2) for c in (1, 2)]


def test_a_figure_dict_is_what_go_figure_sends():
    fig = core.figure([{"type": "bar", "x": [1, 2], "y": ["a", "b"], "orientation": "h"}], height=300)
    assert _plain(fig) == _plain(go.Figure(go.Bar(x=[1, 2], y=["a", "b"], orientation="h"), layout={"height": 300}))
    validated(core.empty_figure("Nothing to draw.", "A title"))


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_dates_are_written_as_plotly_writes_a_date_column(unit):
    column = pd.Series(pd.to_datetime(["2019-12-31", "2020-02-29"])).astype(f"datetime64[{unit}]")
    as_dict = core.figure([{"type": "scatter", "x": core.dates(column), "y": [1, 2]}])
    written = _plain(as_dict)["data"][0]["x"]
    assert written == _plain(go.Figure(go.Scatter(x=column, y=[1, 2])))["data"][0]["x"]
    assert written[0].startswith("2019-12-31T00:00:00")
