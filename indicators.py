"""The indicator catalogue of *Internal migration and socio-economic development in Viet Nam*.

Every number the brief states is one of these indicators: a small function over the
validated tables in ``data/``, declared with ``brief.indicator``. Nothing is copied into
code: a published figure is read from its row, a derived one (a share, a gap, growth) is
arithmetic on rows, and the census ones use the two latest census rows present, so that
adding a census row moves them. Shares are in percent (0-100).

Chapters state them with ``fmt("id")``; ``brief indicators`` lists them all.
"""

from __future__ import annotations

from brief import (
    DataPackage,
    IndicatorError,
    Problem,
    Result,
    growth,
    indicator,
    latest_two,
    period_text,
    published,
    share,
    value_at,
)

CENSUS = "census_population"
ESTIMATES = "published_estimates"

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


# ---------------------------------------------------------------- data gaps

REGISTRATION = "registration_status_hcmc_2004"


@indicator("hcmc_kt34_share_intercensal",
           label="Ho Chi Minh City residents with KT3/KT4 status, 2004 Intercensal Survey",
           unit="percent", resources=REGISTRATION,
           formula="published share, Intercensal Survey row")
def hcmc_kt34_share_intercensal(data: DataPackage) -> Result:
    return Result(value=value_at(data, REGISTRATION, "kt3_kt4_share",
                                 survey="intercensal_survey"), period="2004")


@indicator("hcmc_kt34_share_vhlss",
           label="Ho Chi Minh City residents with KT3/KT4 status, VHLSS 2004",
           unit="percent", resources=REGISTRATION,
           formula="published share, VHLSS row")
def hcmc_kt34_share_vhlss(data: DataPackage) -> Result:
    return Result(value=value_at(data, REGISTRATION, "kt3_kt4_share", survey="vhlss"),
                  period="2004")


@indicator("vhlss_coverage_share",
           label="KT3/KT4 residents counted by the VHLSS as a share of those found by the "
                 "Intercensal Survey",
           unit="percent", resources=REGISTRATION,
           formula="VHLSS share / Intercensal Survey share x 100")
def vhlss_coverage_share(data: DataPackage) -> Result:
    vhlss = value_at(data, REGISTRATION, "kt3_kt4_share", survey="vhlss")
    census = value_at(data, REGISTRATION, "kt3_kt4_share", survey="intercensal_survey")
    if census == 0:
        raise IndicatorError(Problem(f"data/{REGISTRATION}.csv",
                                     "the Intercensal Survey share is 0 (expected a positive "
                                     "share to divide by)", column="kt3_kt4_share"))
    return Result(value=share(vhlss, census), period="2004")


# ---------------------------------------------------------------- registration

REASONS = "vms2004_reasons_not_registering"


def _reason(reason: str, label: str) -> None:
    """Declare the share of unregistered migrants who gave ``reason`` (VMS 2004)."""

    @indicator(f"vms_reason_{reason}", label=label, unit="percent", resources=REASONS,
               formula=f"published share giving the reason '{reason.replace('_', ' ')}'")
    def compute(data: DataPackage) -> Result:
        return Result(value=value_at(data, REASONS, "share", reason=reason), period="2004")


_reason("no_permission", "Unregistered migrants who believed they had no permission to register")
_reason("not_necessary", "Unregistered migrants who thought registering was not necessary")
_reason("did_not_know_how", "Unregistered migrants who did not know how to register")


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


# ---------------------------------------------------------------- single published figures

#: Indicators that state one published figure: the id of its row in
#: ``published_estimates`` (which is also the indicator's id) and its unit. The label,
#: the period and the source come from the row.
PUBLISHED: tuple[tuple[str, str], ...] = (
    ("uncounted_migrants", "persons"),
    ("long_term_migrant_share", "percent"),
    ("vms_registration_difficulty_share", "percent"),
    ("hcmc_unregistered_share", "percent"),
    ("hcmc_majority_migrant_wards", "wards"),
    ("urban_household_deprivation_share", "percent"),
    ("max_province_migrant_household_share", "percent"),
    ("diaspora_return_intent_share", "percent"),
    ("nims2015_migrant_share", "percent"),
    ("nims2015_female_share", "percent"),
    ("nims2015_young_share", "percent"),
    ("nims2015_housing_difficulty_share", "percent"),
    ("nims2015_qualified_migrant_share", "percent"),
    ("nims2015_qualified_non_migrant_share", "percent"),
    ("informal_employment_nonfarm_share", "percent"),
    ("overseas_vietnamese", "persons"),
    ("remittances_received", "US dollars"),
)


def _published(id: str, unit: str) -> None:
    """Declare the published figure in the ``published_estimates`` row ``id``."""

    @indicator(id, label="", unit=unit, resources=ESTIMATES,
               formula="published figure (a single value or a range), as its source states it")
    def compute(data: DataPackage) -> Result:
        return published(data, ESTIMATES, id)


for _id, _unit in PUBLISHED:
    _published(_id, _unit)


@indicator("qualification_gap", label="Percentage-point gap in qualifications, migrants over "
           "non-migrants", unit="percentage points", resources=ESTIMATES,
           formula="share of migrants with a qualification minus the share of non-migrants")
def qualification_gap(data: DataPackage) -> Result:
    migrants = published(data, ESTIMATES, "nims2015_qualified_migrant_share")
    others = published(data, ESTIMATES, "nims2015_qualified_non_migrant_share")
    assert migrants.value is not None and others.value is not None
    return Result(value=migrants.value - others.value, period=migrants.period,
                  source_keys=migrants.source_keys)
