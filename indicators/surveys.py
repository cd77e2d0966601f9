"""Figures from the surveys and studies of the 2000s and 2010s: who the statistics miss,
why migrants did not register, and single figures as their sources published them."""

from __future__ import annotations

from brief import (
    DataPackage,
    IndicatorError,
    Problem,
    Result,
    indicator,
    published,
    share,
    value_at,
)

ESTIMATES = "published_estimates"

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
