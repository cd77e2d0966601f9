"""Provincial net migration: GSO's rates and average populations by province, and the
2025 provincial map."""

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
)
from brief.display import term

# ---------------------------------------------------------------- provinces

RATES = "province_net_migration"
POPULATION = "province_population"
PROVINCES = "provinces"


def province_year(data: DataPackage) -> tuple[int, pd.DataFrame]:
    """The latest year of the provincial series and, for each province, its net migration
    rate (per 1,000), average population (thousand) and net migrants (persons):
    rate / 1,000 x population x 1,000 = rate x population."""
    year, rates = latest_rows(data, RATES)
    population = data.table(POPULATION)
    population = population[population["year"] == year]
    frame = rates.merge(population[["province", "population"]], on="province", how="left")
    if frame["population"].isna().any():
        missing = ", ".join(frame.loc[frame["population"].isna(), "province"][:3])
        raise IndicatorError(Problem(f"data/{POPULATION}.csv", f"no population for {missing} in "
                                     f"{year} (expected the same provinces and years as "
                                     f"{RATES})", column="population"))
    frame["net_migrants"] = frame["net_migration_rate"] * frame["population"]
    return int(year), frame


def place_name(province: str) -> str:
    """A province as the page's language writes it in running text: the ``names`` table
    of the language file (``_language-vi.yml`` writes "TP.Hồ Chí Minh" in full), else the
    name as the data gives it."""
    return term("names", province)


@indicator("provinces_net_out_migration",
           label="Provinces whose net migration rate was negative in the latest year",
           unit="provinces", resources=(RATES,),
           formula="number of provinces with a net migration rate below zero, latest year")
def provinces_net_out_migration(data: DataPackage) -> Result:
    year, rows = latest_rows(data, RATES)
    return Result(value=int((rows["net_migration_rate"] < 0).sum()), period=period_text(year))


@indicator("provinces_net_in_migration",
           label="Provinces whose net migration rate was positive in the latest year",
           unit="provinces", resources=(RATES,),
           formula="number of provinces with a net migration rate above zero, latest year")
def provinces_net_in_migration(data: DataPackage) -> Result:
    year, rows = latest_rows(data, RATES)
    return Result(value=int((rows["net_migration_rate"] > 0).sum()), period=period_text(year))


@indicator("province_max_net_migration_rate",
           label="Highest provincial net migration rate in the latest year",
           unit="per 1,000 population", resources=(RATES,),
           formula="largest net migration rate among the provinces, latest year")
def province_max_net_migration_rate(data: DataPackage) -> Result:
    year, rows = latest_rows(data, RATES)
    return Result(value=rows["net_migration_rate"].max(), period=period_text(year))


@indicator("province_min_net_migration_rate",
           label="Lowest (most negative) provincial net migration rate in the latest year",
           unit="per 1,000 population", resources=(RATES,),
           formula="smallest net migration rate among the provinces, latest year")
def province_min_net_migration_rate(data: DataPackage) -> Result:
    year, rows = latest_rows(data, RATES)
    return Result(value=rows["net_migration_rate"].min(), period=period_text(year))


@indicator("province_max_net_migrants",
           label="Largest net gain of migrants by one province in the latest year",
           unit="persons", resources=(RATES, POPULATION),
           formula="net migration rate / 1,000 x average population, the largest among the "
                   "provinces, latest year")
def province_max_net_migrants(data: DataPackage) -> Result:
    year, frame = province_year(data)
    return Result(value=frame["net_migrants"].max(), period=str(year))


@indicator("net_migrants_received_total",
           label="Net migrants gained by the provinces with net in-migration, latest year",
           unit="persons", resources=(RATES, POPULATION),
           formula="sum of net migrants (rate / 1,000 x population) over provinces with a "
                   "positive rate, latest year")
def net_migrants_received_total(data: DataPackage) -> Result:
    year, frame = province_year(data)
    return Result(value=frame.loc[frame["net_migrants"] > 0, "net_migrants"].sum(),
                  period=str(year))


# ---------------------------------------------------------------- receiving and sending provinces

TOP_RECEIVERS = 3


@indicator("net_gain_top3_share",
           label="Share of all net migrant gains taken by the three provinces that gained the "
                 "most, latest year",
           unit="percent", resources=(RATES, POPULATION),
           formula="net migrants of the three provinces with the largest gains / net migrants "
                   "of all provinces with a positive rate x 100, latest year")
def net_gain_top3_share(data: DataPackage) -> Result:
    year, frame = province_year(data)
    gains = frame.loc[frame["net_migrants"] > 0, "net_migrants"].sort_values(ascending=False)
    return Result(value=share(gains.head(TOP_RECEIVERS).sum(), gains.sum(),
                              "the net gain of the receiving provinces"), period=str(year))


@indicator("net_migrants_lost_total",
           label="Net migrants lost by the provinces with net out-migration, latest year",
           unit="persons", resources=(RATES, POPULATION),
           formula="minus the sum of net migrants (rate / 1,000 x population) over provinces "
                   "with a negative rate, latest year")
def net_migrants_lost_total(data: DataPackage) -> Result:
    year, frame = province_year(data)
    return Result(value=-frame.loc[frame["net_migrants"] < 0, "net_migrants"].sum(),
                  period=str(year))


def region_losses(data: DataPackage) -> tuple[int, pd.DataFrame]:
    """The latest year and, for each socio-economic region, its provinces with net
    out-migration (``sending``), all its provinces (``provinces``) and the net migrants its
    sending provinces lost (``lost``, persons, positive), largest loss first."""
    year, frame = province_year(data)
    frame = frame.merge(data.table(PROVINCES)[["province", "region"]], on="province")
    frame["lost"] = -frame["net_migrants"].clip(upper=0)
    regions = frame.groupby("region").agg(
        provinces=("province", "count"),
        sending=("net_migration_rate", lambda rates: int((rates < 0).sum())),
        lost=("lost", "sum"),
    ).sort_values("lost", ascending=False)
    return year, regions


@indicator("sending_region_loss_share",
           label="Share of all net migrant losses borne by the sending provinces of the region "
                 "that lost the most, latest year",
           unit="percent", resources=(RATES, POPULATION, PROVINCES),
           formula="net migrants lost by the sending provinces of the region with the largest "
                   "loss / net migrants lost by all sending provinces x 100, latest year")
def sending_region_loss_share(data: DataPackage) -> Result:
    year, regions = region_losses(data)
    return Result(value=share(regions["lost"].iloc[0], regions["lost"].sum(),
                              "the net loss of the sending provinces"), period=str(year),
                  source_keys=("gsopxweb", "na2023resolution81"))


def every_year(data: DataPackage, sign: int) -> tuple[str, list[str]]:
    """The period of the provincial series ("2011-2024") and the provinces (GSO names)
    whose net migration rate had ``sign`` in every year of it: 1 for those that always
    gained people through migration, -1 for those that always lost them."""
    rates = data.table(RATES)
    if rates.empty:
        raise IndicatorError(Problem(f"data/{RATES}.csv", "no rows (expected one per "
                                     "province and year)", column="year"))
    always = (rates.assign(signed=rates["net_migration_rate"] * sign > 0)
              .groupby("province")["signed"].all())
    period = f"{rates['year'].min()}-{rates['year'].max()}"
    return period, sorted(always[always].index)


@indicator("provinces_net_in_every_year",
           label="Provinces with net in-migration in every year of the series",
           unit="provinces", resources=(RATES,),
           formula="number of provinces whose net migration rate was above zero in every "
                   "year of the series")
def provinces_net_in_every_year(data: DataPackage) -> Result:
    period, names = every_year(data, 1)
    return Result(value=len(names), period=period)


@indicator("provinces_net_out_every_year",
           label="Provinces with net out-migration in every year of the series",
           unit="provinces", resources=(RATES,),
           formula="number of provinces whose net migration rate was below zero in every "
                   "year of the series")
def provinces_net_out_every_year(data: DataPackage) -> Result:
    period, names = every_year(data, -1)
    return Result(value=len(names), period=period)
