"""Remittances received by Viet Nam (World Bank WDI, the March 2026 vintage: see the
caveat in data/datapackage.json)."""

from __future__ import annotations

from brief import (
    DataPackage,
    IndicatorError,
    Problem,
    Result,
    earliest,
    indicator,
    latest,
    period_text,
    published,
    share,
)

REMITTANCES = "remittances_wdi"
ESTIMATES = "published_estimates"


@indicator("remittances_wdi_latest",
           label="Personal remittances received (World Bank, March 2026 vintage), latest year",
           unit="US dollars", resources=REMITTANCES,
           formula="remittances received in the latest year of the series")
def remittances_wdi_latest(data: DataPackage) -> Result:
    last = latest(data, REMITTANCES)
    return Result(value=last["remittances_usd"], period=period_text(last["year"]))


@indicator("remittances_wdi_first",
           label="Personal remittances received (World Bank, March 2026 vintage), first year",
           unit="US dollars", resources=REMITTANCES,
           formula="remittances received in the first year of the series")
def remittances_wdi_first(data: DataPackage) -> Result:
    first = earliest(data, REMITTANCES)
    return Result(value=first["remittances_usd"], period=period_text(first["year"]))


@indicator("remittances_wdi_multiple",
           label="Personal remittances received (World Bank, March 2026 vintage), latest year "
                 "as a multiple of the first year",
           unit="times", resources=REMITTANCES,
           formula="remittances received in the latest year / remittances received in the "
                   "first year of the series")
def remittances_wdi_multiple(data: DataPackage) -> Result:
    rows = data.table(REMITTANCES).sort_values("year")
    first, last = rows.iloc[0], rows.iloc[-1]
    if first["remittances_usd"] <= 0:
        raise IndicatorError(Problem(f"data/{REMITTANCES}.csv", f"remittances of "
                                     f"{first['remittances_usd']:g} in {first['year']} "
                                     "(expected a positive first value to divide by)",
                                     column="remittances_usd"))
    return Result(value=last["remittances_usd"] / first["remittances_usd"],
                  period=f"{period_text(first['year'])}-{period_text(last['year'])}")


@indicator("remittances_wdi_knomad_year",
           label="Personal remittances received (World Bank, March 2026 vintage), in the year of "
                 "the World Bank-KNOMAD estimate",
           unit="US dollars", resources=(REMITTANCES, ESTIMATES),
           formula="remittances received in the reference year of the published estimate "
                   "'remittances_received'")
def remittances_wdi_knomad_year(data: DataPackage) -> Result:
    year, wdi, _ = _knomad_comparison(data)
    return Result(value=wdi, period=year, source_keys=("worldbankwdiremit",))


@indicator("remittances_wdi_knomad_share",
           label="Remittances in the World Bank series (March 2026 vintage) as a share of the "
                 "World Bank-KNOMAD estimate for the same year",
           unit="percent", resources=(REMITTANCES, ESTIMATES),
           formula="WDI remittances in the reference year of 'remittances_received' / that "
                   "published estimate x 100")
def remittances_wdi_knomad_share(data: DataPackage) -> Result:
    year, wdi, knomad = _knomad_comparison(data)
    return Result(value=share(wdi, knomad, "the World Bank-KNOMAD estimate"), period=year,
                  source_keys=("worldbankwdiremit", "worldbank2022knomad"))


def _knomad_comparison(data: DataPackage) -> tuple[str, float, float]:
    """The reference year of the World Bank-KNOMAD estimate kept in published_estimates,
    the WDI value for that year and the estimate itself."""
    estimate = published(data, ESTIMATES, "remittances_received")
    rows = data.table(REMITTANCES)
    match = rows[rows["year"].astype(str) == estimate.period]
    if match.empty or estimate.value is None:
        raise IndicatorError(Problem(f"data/{REMITTANCES}.csv", "no row for "
                                     f"{estimate.period or 'the estimate year'} (expected the "
                                     "year of the published estimate 'remittances_received', "
                                     "a single value)", column="year"))
    return estimate.period, float(match["remittances_usd"].iloc[0]), estimate.value
