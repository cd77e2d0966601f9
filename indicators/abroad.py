"""Migration abroad and back: returns to Viet Nam, remittances and the Vietnamese-born
population abroad."""

from __future__ import annotations

import pandas as pd

from brief import (
    DataPackage,
    IndicatorError,
    Problem,
    Result,
    indicator,
    latest_rows,
    period_text,
    share,
    value_at,
)

# ---------------------------------------------------------------- return migration

RETURNS = "returns_to_viet_nam"


@indicator("annual_returns", label="People returning to Viet Nam from abroad each year",
           unit="persons", resources=RETURNS, formula="published annual number, all returns")
def annual_returns(data: DataPackage) -> Result:
    return Result(value=value_at(data, RETURNS, "persons_per_year", flow="all_returns"))


@indicator("permanent_returnees", label="Returning emigrants who intend to stay, each year",
           unit="persons", resources=RETURNS,
           formula="published annual number, permanent returnees")
def permanent_returnees(data: DataPackage) -> Result:
    return Result(value=value_at(data, RETURNS, "persons_per_year", flow="permanent_returnees"))


@indicator("permanent_return_share",
           label="Permanent returnees as a share of all returns from abroad",
           unit="percent", resources=RETURNS,
           formula="permanent returnees / all returns x 100")
def permanent_return_share(data: DataPackage) -> Result:
    total = value_at(data, RETURNS, "persons_per_year", flow="all_returns")
    permanent = value_at(data, RETURNS, "persons_per_year", flow="permanent_returnees")
    if total <= 0 or permanent > total:
        raise IndicatorError(Problem(
            f"data/{RETURNS}.csv",
            f"permanent returnees ({permanent:g}) must be a part of all returns ({total:g}) "
            "(expected 0 < permanent <= all)", column="persons_per_year"))
    return Result(value=share(permanent, total))


# ---------------------------------------------------------------- the population abroad (UN DESA)

DIASPORA = "diaspora_stock"


def diaspora_by_destination(data: DataPackage) -> tuple[int, pd.DataFrame]:
    """The latest year of the UN DESA table and its destinations, largest first."""
    year, rows = latest_rows(data, DIASPORA)
    rows = rows.dropna(subset=["migrant_stock"]).sort_values("migrant_stock", ascending=False)
    return int(year), rows.reset_index(drop=True)


def diaspora_totals(data: DataPackage) -> pd.Series:
    """The number of people born in Viet Nam living abroad, summed over destinations, by
    year (oldest first). Cells UN DESA leaves blank ('..') count for nothing."""
    table = data.table(DIASPORA)
    totals = table.groupby("year")["migrant_stock"].sum(min_count=1).dropna().sort_index()
    if totals.empty:
        raise IndicatorError(Problem(f"data/{DIASPORA}.csv", "no year has a migrant stock "
                                     "(expected at least one number)", column="migrant_stock"))
    return totals


@indicator("diaspora_stock_latest",
           label="People born in Viet Nam living abroad, latest year",
           unit="persons", resources=DIASPORA,
           formula="sum of migrant stock over all destinations, latest year")
def diaspora_stock_latest(data: DataPackage) -> Result:
    year, rows = diaspora_by_destination(data)
    return Result(value=rows["migrant_stock"].sum(), period=str(year))


@indicator("diaspora_stock_first",
           label="People born in Viet Nam living abroad, first year of the series",
           unit="persons", resources=DIASPORA,
           formula="sum of migrant stock over all destinations, first year")
def diaspora_stock_first(data: DataPackage) -> Result:
    totals = diaspora_totals(data)
    return Result(value=totals.iloc[0], period=period_text(totals.index[0]))


@indicator("diaspora_top_destination_share",
           label="Share of the people born in Viet Nam living abroad who live in the largest "
                 "destination, latest year",
           unit="percent", resources=DIASPORA,
           formula="migrant stock in the largest destination / total over destinations x 100, "
                   "latest year")
def diaspora_top_destination_share(data: DataPackage) -> Result:
    year, rows = diaspora_by_destination(data)
    return Result(value=share(rows["migrant_stock"].iloc[0], rows["migrant_stock"].sum(),
                              "the total over destinations"), period=str(year))


@indicator("diaspora_top_ten_share",
           label="Share of the people born in Viet Nam living abroad who live in the ten largest "
                 "destinations, latest year",
           unit="percent", resources=DIASPORA,
           formula="migrant stock in the ten largest destinations / total x 100, latest year")
def diaspora_top_ten_share(data: DataPackage) -> Result:
    year, rows = diaspora_by_destination(data)
    return Result(value=share(rows["migrant_stock"].head(10).sum(), rows["migrant_stock"].sum(),
                              "the total over destinations"), period=str(year))


@indicator("diaspora_top_destination_stock",
           label="People born in Viet Nam living in the largest destination, latest year",
           unit="persons", resources=DIASPORA,
           formula="migrant stock in the destination with the most, latest year")
def diaspora_top_destination_stock(data: DataPackage) -> Result:
    year, rows = diaspora_by_destination(data)
    return Result(value=rows["migrant_stock"].iloc[0], period=str(year))


@indicator("diaspora_stock_growth",
           label="Growth in the number of people born in Viet Nam living abroad, first to "
                 "latest year of the series",
           unit="percent", resources=DIASPORA,
           formula="(total over destinations, latest year - total, first year) / total, "
                   "first year x 100")
def diaspora_stock_growth(data: DataPackage) -> Result:
    totals = diaspora_totals(data)
    first, last = totals.index[0], totals.index[-1]
    if first == last:
        raise IndicatorError(Problem(f"data/{DIASPORA}.csv", f"only {period_text(first)} has "
                                     "figures (expected at least two years to compare)",
                                     column="year"))
    return Result(value=share(totals[last] - totals[first], totals[first],
                              f"the total for {period_text(first)}"),
                  period=f"{period_text(first)}-{period_text(last)}")
