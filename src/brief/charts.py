"""Charts for the chapters: Altair specs in the project's house style.

The palette and the font come from the project (``brief: style:`` in ``_quarto.yml``,
see :mod:`brief.settings`); the default font, Noto Sans, is installed by pip, covers
Latin and Vietnamese and is given to both the browser and the PDF. Every chart carries
its data inline, so the same spec renders interactively on the site and as SVG in the
PDF. Chapters build charts from tables served by :mod:`brief.datapackage`, never from
literal numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from brief.display import number
from brief.settings import Style, project_settings
from brief.strings import current

WIDTH = 640

_UNIT_FORMAT = {
    "percent": (".0f", "%"),
    "persons": (",.0f", ""),
    "persons per year": (",.0f", ""),
}


def style() -> Style:
    """The project's house style (palette, muted colour, font)."""
    return project_settings().style


def theme() -> dict:
    """The Vega-Lite config shared by every chart (font, sizes, colours)."""
    house = style()
    font = house.font
    words = current()
    return {
        "font": font,
        "background": "white",
        "view": {"stroke": None},
        "title": {"font": font, "fontSize": 15, "fontWeight": 600, "anchor": "start",
                  "color": "#1a1a1a", "subtitleFont": font, "subtitleColor": "#555"},
        "axis": {"labelFont": font, "titleFont": font, "labelFontSize": 12,
                 "titleFontSize": 12, "labelColor": "#333", "titleColor": "#333",
                 "gridColor": "#e6e6e6", "domainColor": "#999", "tickColor": "#999"},
        "legend": {"labelFont": font, "titleFont": font, "labelFontSize": 12},
        "text": {"font": font, "fontSize": 12, "color": "#1a1a1a"},
        "range": {"category": [*house.palette, house.muted]},
        # Axes and tooltips write numbers as the page's prose does (96.208.984 on a
        # Vietnamese page).
        **({} if words.is_english else {"locale": {"number": words.vega_locale()}}),
    }


def _with_unit(chart: alt.TopLevelMixin, unit: str) -> alt.TopLevelMixin:
    """``chart`` noting its unit in the spec's ``usermeta``, where the build reads it
    for the chart's downloads and for the numbers of its alt text."""
    chart.usermeta = {"brief": {"unit": unit}}
    return chart


def _axis_title(unit: str, title: str | None) -> str:
    if title is not None:
        return title
    return {"percent": "Percent", "persons": "Persons", "persons per year": "Persons per year"
            }.get(unit, unit.capitalize())


def bar(frame: pd.DataFrame, *, category: str, value: str, unit: str, title: str,
        subtitle: str | None = None, value_title: str | None = None,
        highlight: str | None = None, sort: bool = True) -> alt.Chart:
    """A horizontal bar chart of ``value`` by ``category``, labelled at the bar ends.

    ``highlight`` names one category drawn in the accent colour (others muted); with no
    highlight every bar is in the accent colour.
    """
    suffix = _UNIT_FORMAT.get(unit, (",.4~g", ""))[1]
    data = frame[[category, value]].copy()
    # Bar-end labels and tooltips round the way the prose does (3.8% stays 3.8%, not 4%).
    data["_label"] = data[value].map(lambda v: f"{number(v)}{suffix}" if pd.notna(v) else "")
    house = style()
    colour = (
        alt.condition(alt.datum[category] == highlight, alt.value(house.accent),
                      alt.value(house.muted))
        if highlight else alt.value(house.accent)
    )
    # An explicit category order: "-x" sorts each layer on its own and Vega warns that
    # the bar and label layers' domains have conflicting sorts.
    order = (list(data.sort_values(value, ascending=False)[category]) if sort
             else list(data[category]))
    base = alt.Chart(data).encode(
        y=alt.Y(f"{category}:N", sort=order, title=None,
                axis=alt.Axis(labelLimit=260, labelFontSize=12)),
        # The axis follows the data (from zero), so that small shares stay legible.
        x=alt.X(f"{value}:Q", title=_axis_title(unit, value_title), scale=alt.Scale(zero=True)),
        tooltip=[alt.Tooltip(f"{category}:N", title=" "),
                 alt.Tooltip("_label:N", title=_axis_title(unit, value_title))],
    )
    bars = base.mark_bar(height={"band": 0.7}).encode(color=colour)
    # Labels sit beyond the end of each bar: to the right of positive bars, to the left
    # of negative ones.
    labels = (base.transform_filter(alt.datum[value] >= 0).mark_text(align="left", dx=4)
              .encode(text="_label:N")
              + base.transform_filter(alt.datum[value] < 0).mark_text(align="right", dx=-4)
              .encode(text="_label:N"))
    heading = alt.TitleParams(title, subtitle=subtitle) if subtitle else title
    return _with_unit((bars + labels).properties(
        title=heading, width=WIDTH - 260, height=alt.Step(34)
    ).configure(**theme()), unit)


def grouped_bar(frame: pd.DataFrame, *, category: str, series: str, value: str, unit: str,
                title: str, subtitle: str | None = None,
                value_title: str | None = None) -> alt.Chart:
    """Stacked horizontal bars: one bar per ``category``, split by ``series``."""
    fmt, _ = _UNIT_FORMAT.get(unit, (",.4~g", ""))
    heading = alt.TitleParams(title, subtitle=subtitle) if subtitle else title
    return _with_unit(alt.Chart(frame).mark_bar(height={"band": 0.7}).encode(
        y=alt.Y(f"{category}:N", title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X(f"{value}:Q", title=_axis_title(unit, value_title), stack="zero"),
        color=alt.Color(f"{series}:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip(f"{category}:N", title=" "), alt.Tooltip(f"{series}:N", title=" "),
                 alt.Tooltip(f"{value}:Q", title=_axis_title(unit, value_title), format=fmt)],
    ).properties(title=heading, width=WIDTH - 220, height=alt.Step(40)).configure(**theme()),
        unit)


def _label_column(data: pd.DataFrame, value: str, unit: str) -> pd.Series:
    suffix = _UNIT_FORMAT.get(unit, (",.4~g", ""))[1]
    return data[value].map(lambda v: f"{number(v)}{suffix}" if pd.notna(v) else "")


def line(frame: pd.DataFrame, *, x: str, value: str, unit: str, title: str,
         series: str | None = None, subtitle: str | None = None,
         value_title: str | None = None, x_title: str | None = None,
         zero: bool = True, order: Sequence[str] | None = None) -> alt.Chart:
    """A time series: ``value`` against the numeric period ``x`` (a year), one line per
    ``series`` when given, points on every observation and a tooltip that rounds as
    the prose does. ``zero`` keeps zero on the value axis.

    ``order`` lists the series in the order of the palette and the legend (the first
    takes the accent colour), so that charts drawn from one template for many places
    colour "this place", "its region" and "the country" alike on every page; without
    it, series are coloured in alphabetical order."""
    columns = [x, value] + ([series] if series else [])
    data = frame[columns].dropna(subset=[value]).copy()
    data["_label"] = _label_column(data, value, unit)
    house = style()
    encoding: dict = {
        "x": alt.X(f"{x}:Q", title=x_title, axis=alt.Axis(format="d", tickMinStep=1)),
        "y": alt.Y(f"{value}:Q", title=_axis_title(unit, value_title),
                   scale=alt.Scale(zero=zero)),
        "tooltip": [alt.Tooltip(f"{x}:Q", title=x_title or " ", format="d"),
                    *([alt.Tooltip(f"{series}:N", title=" ")] if series else []),
                    alt.Tooltip("_label:N", title=_axis_title(unit, value_title))],
    }
    if series:
        scale = alt.Scale(domain=list(order)) if order else alt.Undefined
        encoding["color"] = alt.Color(f"{series}:N", title=None, scale=scale,
                                      legend=alt.Legend(orient="bottom", columns=2,
                                                        labelLimit=280))
    base = alt.Chart(data).encode(**encoding)
    mark_colour = {} if series else {"color": house.accent}
    lines = base.mark_line(strokeWidth=2.5, **mark_colour)
    points = base.mark_point(filled=True, size=36, **mark_colour)
    heading = alt.TitleParams(title, subtitle=subtitle) if subtitle else title
    return _with_unit((lines + points).properties(title=heading, width=WIDTH - 60, height=280
                                                  ).configure(**theme()), unit)


def tile_map(frame: pd.DataFrame, *, row: str, col: str, label: str, value: str, unit: str,
             title: str, name: str | None = None, subtitle: str | None = None,
             value_title: str | None = None, href: str | None = None,
             tile: int = 44) -> alt.Chart:
    """A tile-grid map: one square per area at (``col``, ``row``), coloured by ``value`` on a
    scale that diverges at zero (the accent colour above, the second palette colour
    below), with the short ``label`` in each tile and ``name`` in the tooltip. ``href``
    names a column of links (a click opens the area's page)."""
    columns = [row, col, label, value] + [c for c in (name, href) if c]
    data = frame[list(dict.fromkeys(columns))].copy()
    data["_label"] = _label_column(data, value, unit)
    house = style()
    extreme = float(data[value].abs().max() or 1)
    colour = alt.Color(f"{value}:Q", title=_axis_title(unit, value_title),
                       scale=alt.Scale(domain=[-extreme, 0, extreme],
                                       range=[house.palette[1] if len(house.palette) > 1
                                              else house.muted, "#f4f4f4", house.accent]),
                       legend=alt.Legend(orient="bottom", direction="horizontal",
                                         gradientLength=260))
    tooltip = [alt.Tooltip(f"{name or label}:N", title=" "),
               alt.Tooltip("_label:N", title=_axis_title(unit, value_title))]
    encoding: dict = {
        "x": alt.X(f"{col}:O", axis=None),
        "y": alt.Y(f"{row}:O", axis=None),
        "tooltip": tooltip,
    }
    if href:
        encoding["href"] = alt.Href(f"{href}:N")
    base = alt.Chart(data).encode(**encoding)
    tiles = base.mark_rect(stroke="white", strokeWidth=2, cornerRadius=3).encode(color=colour)
    # Dark text on light tiles, white on dark ones.
    text = base.mark_text(fontSize=11, fontWeight=600).encode(
        text=f"{label}:N",
        color=alt.condition(f"abs(datum['{value}']) > {extreme * 0.55}", alt.value("white"),
                            alt.value("#1a1a1a")))
    heading = alt.TitleParams(title, subtitle=subtitle) if subtitle else title
    return _with_unit((tiles + text).properties(
        title=heading, width=alt.Step(tile), height=alt.Step(tile)
    ).configure(**theme()).configure_view(stroke=None), unit)
