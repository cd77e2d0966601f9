"""Urbanisation over time (World Bank WDI) and the 2025 provincial map."""

from __future__ import annotations

from brief import DataPackage, Result, earliest, indicator, latest, period_text

from .provinces import POPULATION, PROVINCES, RATES, province_year

# ---------------------------------------------------------------- urbanisation (World Bank)

URBAN_WDI = "urbanisation_wdi"


@indicator("urban_share_wdi_latest",
           label="Urban population as a share of the total (World Bank), latest year",
           unit="percent", resources=URBAN_WDI,
           formula="urban share in the latest year of the series")
def urban_share_wdi_latest(data: DataPackage) -> Result:
    last = latest(data, URBAN_WDI)
    return Result(value=last["urban_share"], period=period_text(last["year"]))


@indicator("urban_share_wdi_first",
           label="Urban population as a share of the total (World Bank), first year",
           unit="percent", resources=URBAN_WDI,
           formula="urban share in the first year of the series")
def urban_share_wdi_first(data: DataPackage) -> Result:
    first = earliest(data, URBAN_WDI)
    return Result(value=first["urban_share"], period=period_text(first["year"]))


# ---------------------------------------------------------------- the 2025 provincial map


@indicator("provinces_2025_net_out_migration",
           label="Provinces of the 2025 map whose combined net migration was negative in the "
                 "latest year",
           unit="provinces", resources=(RATES, POPULATION, PROVINCES),
           formula="net migrants summed over the pre-2025 provinces of each 2025 province; the "
                   "number of 2025 provinces with a negative sum, latest year")
def provinces_2025_net_out_migration(data: DataPackage) -> Result:
    year, frame = province_year(data)
    merged = frame.merge(data.table(PROVINCES)[["province", "province_2025"]], on="province")
    sums = merged.groupby("province_2025")["net_migrants"].sum()
    return Result(value=int((sums < 0).sum()), period=str(year))


@indicator("provinces_2025_count", label="Provincial-level units after the 2025 reorganisation",
           unit="provinces", resources=(PROVINCES,),
           formula="number of distinct 2025 units in the provinces table")
def provinces_2025_count(data: DataPackage) -> Result:
    return Result(value=data.table(PROVINCES)["province_2025"].nunique(), period="2025")


@indicator("provinces_count", label="Provinces under the boundaries in force until 2025",
           unit="provinces", resources=(PROVINCES,), formula="rows of the provinces table")
def provinces_count(data: DataPackage) -> Result:
    return Result(value=len(data.table(PROVINCES)), period="2025")
