"""Census indicators: population, urbanisation and internal migration at each census.

The growth indicators use the two latest census rows, so adding a census moves them;
the 1999-2009 ones keep the decade the UN brief of 2010 described."""

from __future__ import annotations

from brief import (
    DataPackage,
    IndicatorError,
    Problem,
    Result,
    earliest,
    growth,
    indicator,
    latest,
    latest_rows,
    latest_two,
    period_text,
    share,
    value_at,
)

CENSUS = "census_population"

# ---------------------------------------------------------------- census


@indicator("latest_census_year", label="Year of the most recent census", unit="year",
           resources=CENSUS, formula="the latest year in the census table")
def latest_census_year(data: DataPackage) -> Result:
    _, latest = latest_two(data, CENSUS)
    return Result(value=latest["year"], period=period_text(latest["year"]))


@indicator("previous_census_year", label="Year of the census before the most recent one",
           unit="year", resources=CENSUS, formula="the second latest year in the census table")
def previous_census_year(data: DataPackage) -> Result:
    earlier, _ = latest_two(data, CENSUS)
    return Result(value=earlier["year"], period=period_text(earlier["year"]))


@indicator("total_population_latest", label="Total population at the latest census",
           unit="persons", resources=CENSUS,
           formula="total population in the latest census row")
def total_population_latest(data: DataPackage) -> Result:
    _, latest = latest_two(data, CENSUS)
    return Result(value=latest["total_population"], period=period_text(latest["year"]))


@indicator("urban_population_latest", label="Urban population at the latest census",
           unit="persons", resources=CENSUS,
           formula="urban population in the latest census row")
def urban_population_latest(data: DataPackage) -> Result:
    _, latest = latest_two(data, CENSUS)
    return Result(value=latest["urban_population"], period=period_text(latest["year"]))


@indicator("urban_share_latest", label="Urban share of the population at the latest census",
           unit="percent", resources=CENSUS,
           formula="urban population / total population x 100, latest census")
def urban_share_latest(data: DataPackage) -> Result:
    _, latest = latest_two(data, CENSUS)
    return Result(value=share(latest["urban_population"], latest["total_population"],
                              "the total population"),
                  period=period_text(latest["year"]))


@indicator("urban_share_previous", label="Urban share of the population at the census before",
           unit="percent", resources=CENSUS,
           formula="urban population / total population x 100, second latest census")
def urban_share_previous(data: DataPackage) -> Result:
    earlier, _ = latest_two(data, CENSUS)
    return Result(value=share(earlier["urban_population"], earlier["total_population"],
                              "the total population"),
                  period=period_text(earlier["year"]))


@indicator("total_population_growth", label="Population increase between the two latest censuses",
           unit="persons", resources=CENSUS,
           formula="total population, latest census minus the census before")
def total_population_growth(data: DataPackage) -> Result:
    return growth(data, CENSUS, "total_population")


@indicator("urban_population_growth",
           label="Urban population increase between the two latest censuses",
           unit="persons", resources=CENSUS,
           formula="urban population, latest census minus the census before")
def urban_population_growth(data: DataPackage) -> Result:
    return growth(data, CENSUS, "urban_population")


@indicator("urban_growth_share",
           label="Share of population growth that took place in urban areas",
           unit="percent", resources=CENSUS,
           formula="urban population increase / total population increase x 100, "
                   "between the two latest censuses")
def urban_growth_share(data: DataPackage) -> Result:
    total = growth(data, CENSUS, "total_population")
    urban = growth(data, CENSUS, "urban_population")
    assert total.value is not None and urban.value is not None
    if total.value <= 0:
        raise IndicatorError(Problem(
            f"data/{CENSUS}.csv",
            "total population did not grow between the two latest censuses (expected growth, "
            "since the indicator divides by it)", column="total_population"))
    return Result(value=share(urban.value, total.value), period=total.period)


# ---------------------------------------------------------------- census history (1999-2009)
#
# The decade the UN brief described. These stay on the 1999 and 2009 rows whatever
# census is added, so that the brief can compare the latest decade with that one.


def _census_row_value(data: DataPackage, year: int, column: str) -> float:
    return value_at(data, CENSUS, column, year=year)


@indicator("urban_population_growth_1999_2009",
           label="Urban population increase between the 1999 and 2009 censuses",
           unit="persons", resources=CENSUS,
           formula="urban population in 2009 minus urban population in 1999")
def urban_population_growth_1999_2009(data: DataPackage) -> Result:
    growth_ = (_census_row_value(data, 2009, "urban_population")
               - _census_row_value(data, 1999, "urban_population"))
    return Result(value=growth_, period="1999-2009")


@indicator("urban_growth_share_1999_2009",
           label="Share of population growth that took place in urban areas, 1999-2009",
           unit="percent", resources=CENSUS,
           formula="urban population increase / total population increase x 100, 1999-2009")
def urban_growth_share_1999_2009(data: DataPackage) -> Result:
    urban = (_census_row_value(data, 2009, "urban_population")
             - _census_row_value(data, 1999, "urban_population"))
    total = (_census_row_value(data, 2009, "total_population")
             - _census_row_value(data, 1999, "total_population"))
    return Result(value=share(urban, total, "the population increase 1999-2009"),
                  period="1999-2009")


# ---------------------------------------------------------------- census migration

MIGRATION = "census_migration"
MIGRATION_TYPES = "census_migration_by_type"


@indicator("census_migrants_latest",
           label="Internal migrants aged 5 and over at the latest census (five-year definition)",
           unit="persons", resources=MIGRATION,
           formula="migrants aged 5 and over, latest census row (as published, rounded)")
def census_migrants_latest(data: DataPackage) -> Result:
    last = latest(data, MIGRATION)
    return Result(value=last["migrants"], period=period_text(last["year"]))


@indicator("census_migration_rate_latest",
           label="Internal migrants as a share of the population aged 5 and over, latest census",
           unit="percent", resources=MIGRATION, formula="published rate, latest census row")
def census_migration_rate_latest(data: DataPackage) -> Result:
    last = latest(data, MIGRATION)
    return Result(value=last["migration_rate"], period=period_text(last["year"]))


@indicator("census_migration_rate_previous",
           label="Internal migrants as a share of the population aged 5 and over, census before",
           unit="percent", resources=MIGRATION, formula="published rate, second latest census row")
def census_migration_rate_previous(data: DataPackage) -> Result:
    earlier, _ = latest_two(data, MIGRATION)
    return Result(value=earlier["migration_rate"], period=period_text(earlier["year"]))


@indicator("census_migrants_previous",
           label="Internal migrants aged 5 and over at the census before the latest",
           unit="persons", resources=MIGRATION,
           formula="migrants aged 5 and over, second latest census row (as published, rounded)")
def census_migrants_previous(data: DataPackage) -> Result:
    earlier, _ = latest_two(data, MIGRATION)
    return Result(value=earlier["migrants"], period=period_text(earlier["year"]))


@indicator("census_migration_rate_first",
           label="Internal migrants as a share of the population aged 5 and over, first census",
           unit="percent", resources=MIGRATION, formula="published rate, earliest census row")
def census_migration_rate_first(data: DataPackage) -> Result:
    first = earliest(data, MIGRATION)
    return Result(value=first["migration_rate"], period=period_text(first["year"]))


@indicator("interprovincial_migration_rate_latest",
           label="Migrants between provinces as a share of the population aged 5 and over, "
                 "latest census",
           unit="percent", resources=MIGRATION_TYPES,
           formula="published inter-provincial migration rate, latest census")
def interprovincial_migration_rate_latest(data: DataPackage) -> Result:
    year, rows = latest_rows(data, MIGRATION_TYPES)
    found = rows[rows["type"] == "inter_provincial"]
    if found.empty:
        raise IndicatorError(Problem(f"data/{MIGRATION_TYPES}.csv", f"no inter_provincial row for "
                                     f"{period_text(year)} (expected one per census)",
                                     column="type"))
    return Result(value=found.iloc[0]["migration_rate"], period=period_text(year))


@indicator("interprovincial_migrants_growth",
           label="Increase in migrants between provinces, first census to the latest with a count",
           unit="persons", resources=MIGRATION,
           formula="inter-provincial migrants at the latest census that counts them minus the "
                   "first census")
def interprovincial_migrants_growth(data: DataPackage) -> Result:
    counted = data.table(MIGRATION).dropna(subset=["interprovincial_migrants"]).sort_values("year")
    if len(counted) < 2:
        raise IndicatorError(Problem(f"data/{MIGRATION}.csv", "fewer than two censuses count "
                                     "inter-provincial migrants (expected two to compare)",
                                     column="interprovincial_migrants"))
    first, last = counted.iloc[0], counted.iloc[-1]
    return Result(value=last["interprovincial_migrants"] - first["interprovincial_migrants"],
                  period=f"{period_text(first['year'])}-{period_text(last['year'])}")


@indicator("census_migration_rate_peak",
           label="Highest census migration rate (share of the population aged 5 and over) "
                 "of all the censuses in the table",
           unit="percent", resources=MIGRATION,
           formula="largest published migration rate among the census rows; the period is "
                   "the census that recorded it")
def census_migration_rate_peak(data: DataPackage) -> Result:
    rows = data.table(MIGRATION)
    if rows.empty:
        raise IndicatorError(Problem(f"data/{MIGRATION}.csv", "no census rows (expected one per "
                                     "census)", column="migration_rate"))
    peak = rows.loc[rows["migration_rate"].idxmax()]
    return Result(value=peak["migration_rate"], period=period_text(peak["year"]))


def _counted_interprovincial(data: DataPackage):
    counted = data.table(MIGRATION).dropna(subset=["interprovincial_migrants"]).sort_values("year")
    if counted.empty:
        raise IndicatorError(Problem(f"data/{MIGRATION}.csv", "no census counts inter-provincial "
                                     "migrants (expected at least one count)",
                                     column="interprovincial_migrants"))
    return counted


@indicator("interprovincial_migrants_first",
           label="Migrants between provinces at the first census that counts them",
           unit="persons", resources=MIGRATION,
           formula="inter-provincial migrants aged 5 and over, earliest census row with a "
                   "published count (as published, rounded)")
def interprovincial_migrants_first(data: DataPackage) -> Result:
    first = _counted_interprovincial(data).iloc[0]
    return Result(value=first["interprovincial_migrants"], period=period_text(first["year"]))


@indicator("interprovincial_migrants_last_counted",
           label="Migrants between provinces at the latest census that counts them",
           unit="persons", resources=MIGRATION,
           formula="inter-provincial migrants aged 5 and over, latest census row with a "
                   "published count (as published, rounded); later censuses may leave it blank")
def interprovincial_migrants_last_counted(data: DataPackage) -> Result:
    last = _counted_interprovincial(data).iloc[-1]
    return Result(value=last["interprovincial_migrants"], period=period_text(last["year"]))


@indicator("interprovincial_share_of_migrants_latest",
           label="Share of the latest census' internal migrants who moved between provinces",
           unit="percent", resources=MIGRATION_TYPES,
           formula="inter-provincial migration rate / sum of the rates of every distance of "
                   "move x 100, latest census (the rates share one denominator)")
def interprovincial_share_of_migrants_latest(data: DataPackage) -> Result:
    year, rows = latest_rows(data, MIGRATION_TYPES)
    found = rows[rows["type"] == "inter_provincial"]
    if found.empty:
        raise IndicatorError(Problem(f"data/{MIGRATION_TYPES}.csv", f"no inter_provincial row for "
                                     f"{period_text(year)} (expected one per census)",
                                     column="type"))
    return Result(value=share(found.iloc[0]["migration_rate"], rows["migration_rate"].sum(),
                              "the sum of the migration rates"),
                  period=period_text(year))
