"""The indicator catalogue of this brief: every number the brief states is one of these.

Each indicator is a small function over the validated tables in ``data/``, declared
with ``@indicator``. ``brief check`` computes them all, ``brief indicators`` lists them
with their values, and chapters state them with ``fmt("id")`` and cite their sources
with ``cite("id")``. Never type a figure into a chapter: add an indicator here instead,
so that the text follows when the data change.

The two below show the two kinds: a figure read from a row as published, and one derived
from several figures. Replace them with your own; keep the ids your chapters cite.
"""

from __future__ import annotations

from brief import DataPackage, Result, indicator, latest, period_text, share

#: The resource (table) these indicators read: its name in data/datapackage.json.
WATER = "safe_water"


# A published figure: read one number from one row, as the source gave it.
# ``latest`` picks the row with the latest year, so adding a row for a new year moves
# the indicator (and every sentence that states it) to that year.
@indicator("safe_water_households_latest",
           label="Households with safe drinking water, latest year",
           unit="households", resources=WATER,
           formula="households_safe_water in the latest year's row")
def safe_water_households_latest(data: DataPackage) -> Result:
    row = latest(data, WATER, by="year")
    return Result(value=row["households_safe_water"], period=period_text(row["year"]))


# A derived figure: arithmetic on published ones. ``share`` gives a percentage and
# refuses a total of zero with a message that points here. Other helpers in
# ``brief``: ``growth`` (change between the two latest periods), ``latest_two``,
# ``value_at`` and ``row`` (a row or a cell chosen by its key), ``published`` (a value or
# a range from a table of published estimates).
@indicator("safe_water_share_latest",
           label="Share of households with safe drinking water, latest year",
           unit="percent", resources=WATER,
           formula="households_safe_water / households x 100, latest year")
def safe_water_share_latest(data: DataPackage) -> Result:
    row = latest(data, WATER, by="year")
    return Result(value=share(row["households_safe_water"], row["households"],
                              "the number of households"),
                  period=period_text(row["year"]))
