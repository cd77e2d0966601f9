"""The indicator catalogue: every number the brief states, computed from ``data/``.

Each indicator is a small pure function over the validated tables, registered with
its id, label, unit and the resources it reads. Nothing is copied into code: a
published figure is read from its row, a derived one (share, ratio, growth) is
arithmetic on rows, and time-based ones use the latest rows present, so adding a
census row moves them. Shares are in percent (0-100).

Chapters call :func:`catalogue` (through :mod:`brief.display`) and the CLI lists it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from brief.datapackage import DataPackage, Source, is_number, load
from brief.problems import DataError, Problem


@dataclass(frozen=True)
class Indicator:
    """One computed figure with everything needed to state and cite it."""

    id: str
    label: str
    unit: str
    value: float | None
    resources: tuple[str, ...]
    sources: tuple[Source, ...]
    formula: str
    low: float | None = None
    high: float | None = None
    period: str = ""

    @property
    def is_range(self) -> bool:
        return self.value is None and self.low is not None and self.high is not None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form; ``low``/``high`` only where the source gives a range."""
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
        }
        if self.is_range:
            out["low"], out["high"] = self.low, self.high
        out["period"] = self.period
        out["formula"] = self.formula
        out["resources"] = list(self.resources)
        out["sources"] = [
            {"title": s.title, "publisher": s.publisher, "year": s.year, "locator": s.locator,
             "key": s.key}
            for s in self.sources
        ]
        return out


@dataclass(frozen=True)
class Result:
    """What an indicator function returns: a value or a range, and optional narrowing."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    period: str = ""
    #: Source keys to cite, when only some of the resources' sources apply.
    source_keys: tuple[str, ...] = ()
    #: A label taken from the data (published figures carry their own).
    label: str = ""


class IndicatorError(Exception):
    """The tables are valid but cannot produce an indicator (a row is missing, say)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


@dataclass(frozen=True)
class Definition:
    id: str
    label: str
    unit: str
    resources: tuple[str, ...]
    formula: str
    compute: Callable[[DataPackage], Result] = field(repr=False)


CATALOGUE: dict[str, Definition] = {}


def indicator(id: str, *, label: str, unit: str, resources: tuple[str, ...] | str,
              formula: str) -> Callable[[Callable[[DataPackage], Result]],
                                        Callable[[DataPackage], Result]]:
    """Register an indicator function under ``id`` (ids are stable: chapters cite them)."""
    names = (resources,) if isinstance(resources, str) else tuple(resources)

    def register(func: Callable[[DataPackage], Result]) -> Callable[[DataPackage], Result]:
        if id in CATALOGUE:
            raise ValueError(f"indicator {id!r} is defined twice")
        CATALOGUE[id] = Definition(id, label, unit, names, formula, func)
        return func

    return register


# ---------------------------------------------------------------- helpers


def _row(package: DataPackage, resource: str, key: str, value: str) -> pd.Series:
    table = package.table(resource)
    rows = table[table[key] == value]
    if rows.empty:
        raise IndicatorError(Problem(
            package.resource(resource).file,
            f"no row with {key} {value!r} (expected one: an indicator is computed from it)",
            column=key,
        ))
    return rows.iloc[0]


def _estimate(package: DataPackage, id: str) -> Result:
    """A single published estimate (value or range) from ``published_estimates``."""
    row = _row(package, "published_estimates", "id", id)
    year = str(row["reference_year"])
    common: dict[str, Any] = {"period": year, "source_keys": (str(row["source"]),),
                              "label": str(row["label"])}
    if is_number(row["value"]):
        return Result(value=float(row["value"]), **common)
    return Result(low=float(row["low"]), high=float(row["high"]), **common)


def _column_value(package: DataPackage, resource: str, key: str, value: str,
                  column: str) -> float:
    return float(_row(package, resource, key, value)[column])


def _censuses(package: DataPackage) -> tuple[pd.Series, pd.Series]:
    """The two most recent census rows (earlier, latest)."""
    table = package.table("census_population").sort_values("year")
    if len(table) < 2:
        raise IndicatorError(Problem(
            "data/census_population.csv",
            f"{len(table)} census row(s) (expected at least two censuses to measure growth)",
        ))
    return table.iloc[-2], table.iloc[-1]


def _period(earlier: pd.Series, latest: pd.Series) -> str:
    return f"{int(earlier['year'])}-{int(latest['year'])}"


# ---------------------------------------------------------------- census


@indicator("latest_census_year", label="Year of the most recent census", unit="year",
           resources="census_population", formula="the latest year in the census table")
def _latest_census_year(p: DataPackage) -> Result:
    _, latest = _censuses(p)
    return Result(value=float(latest["year"]), period=str(int(latest["year"])))


@indicator("previous_census_year", label="Year of the census before the most recent one",
           unit="year", resources="census_population",
           formula="the second latest year in the census table")
def _previous_census_year(p: DataPackage) -> Result:
    earlier, _ = _censuses(p)
    return Result(value=float(earlier["year"]), period=str(int(earlier["year"])))


@indicator("total_population_latest", label="Total population at the latest census",
           unit="persons", resources="census_population",
           formula="total population in the latest census row")
def _total_population_latest(p: DataPackage) -> Result:
    _, latest = _censuses(p)
    return Result(value=float(latest["total_population"]), period=str(int(latest["year"])))


@indicator("urban_population_latest", label="Urban population at the latest census",
           unit="persons", resources="census_population",
           formula="urban population in the latest census row")
def _urban_population_latest(p: DataPackage) -> Result:
    _, latest = _censuses(p)
    return Result(value=float(latest["urban_population"]), period=str(int(latest["year"])))


@indicator("urban_share_latest", label="Urban share of the population at the latest census",
           unit="percent", resources="census_population",
           formula="urban population / total population x 100, latest census")
def _urban_share_latest(p: DataPackage) -> Result:
    _, latest = _censuses(p)
    share = 100 * latest["urban_population"] / latest["total_population"]
    return Result(value=float(share), period=str(int(latest["year"])))


@indicator("urban_share_previous", label="Urban share of the population at the census before",
           unit="percent", resources="census_population",
           formula="urban population / total population x 100, second latest census")
def _urban_share_previous(p: DataPackage) -> Result:
    earlier, _ = _censuses(p)
    share = 100 * earlier["urban_population"] / earlier["total_population"]
    return Result(value=float(share), period=str(int(earlier["year"])))


@indicator("total_population_growth", label="Population increase between the two latest censuses",
           unit="persons", resources="census_population",
           formula="total population, latest census minus the census before")
def _total_population_growth(p: DataPackage) -> Result:
    earlier, latest = _censuses(p)
    growth = latest["total_population"] - earlier["total_population"]
    return Result(value=float(growth), period=_period(earlier, latest))


@indicator("urban_population_growth",
           label="Urban population increase between the two latest censuses",
           unit="persons", resources="census_population",
           formula="urban population, latest census minus the census before")
def _urban_population_growth(p: DataPackage) -> Result:
    earlier, latest = _censuses(p)
    growth = latest["urban_population"] - earlier["urban_population"]
    return Result(value=float(growth), period=_period(earlier, latest))


@indicator("urban_growth_share",
           label="Share of population growth that took place in urban areas",
           unit="percent", resources="census_population",
           formula="urban population increase / total population increase x 100, "
                   "between the two latest censuses")
def _urban_growth_share(p: DataPackage) -> Result:
    earlier, latest = _censuses(p)
    total = latest["total_population"] - earlier["total_population"]
    if total <= 0:
        raise IndicatorError(Problem(
            "data/census_population.csv",
            "total population did not grow between the two latest censuses (expected growth, "
            "since the indicator divides by it)", column="total_population"))
    urban = latest["urban_population"] - earlier["urban_population"]
    return Result(value=float(100 * urban / total), period=_period(earlier, latest))


# ---------------------------------------------------------------- data gaps


@indicator("hcmc_kt34_share_intercensal",
           label="Ho Chi Minh City residents with KT3/KT4 status, 2004 Intercensal Survey",
           unit="percent", resources="registration_status_hcmc_2004",
           formula="published share, Intercensal Survey row")
def _kt34_intercensal(p: DataPackage) -> Result:
    return Result(value=_column_value(p, "registration_status_hcmc_2004", "survey",
                                      "intercensal_survey", "kt3_kt4_share"), period="2004")


@indicator("hcmc_kt34_share_vhlss",
           label="Ho Chi Minh City residents with KT3/KT4 status, VHLSS 2004",
           unit="percent", resources="registration_status_hcmc_2004",
           formula="published share, VHLSS row")
def _kt34_vhlss(p: DataPackage) -> Result:
    return Result(value=_column_value(p, "registration_status_hcmc_2004", "survey", "vhlss",
                                      "kt3_kt4_share"), period="2004")


@indicator("vhlss_coverage_share",
           label="KT3/KT4 residents counted by the VHLSS as a share of those found by the "
                 "Intercensal Survey",
           unit="percent", resources="registration_status_hcmc_2004",
           formula="VHLSS share / Intercensal Survey share x 100")
def _vhlss_coverage(p: DataPackage) -> Result:
    vhlss = _kt34_vhlss(p).value
    census = _kt34_intercensal(p).value
    assert vhlss is not None and census is not None
    if census == 0:
        raise IndicatorError(Problem("data/registration_status_hcmc_2004.csv",
                                     "the Intercensal Survey share is 0 (expected a positive "
                                     "share to divide by)", column="kt3_kt4_share"))
    return Result(value=100 * vhlss / census, period="2004")


# ---------------------------------------------------------------- registration


def _reason(reason: str, label: str) -> None:
    @indicator(f"vms_reason_{reason}", label=label, unit="percent",
               resources="vms2004_reasons_not_registering",
               formula=f"published share giving the reason '{reason.replace('_', ' ')}'")
    def _compute(p: DataPackage) -> Result:
        return Result(value=_column_value(p, "vms2004_reasons_not_registering", "reason", reason,
                                          "share"), period="2004")


_reason("no_permission", "Unregistered migrants who believed they had no permission to register")
_reason("not_necessary", "Unregistered migrants who thought registering was not necessary")
_reason("did_not_know_how", "Unregistered migrants who did not know how to register")


# ---------------------------------------------------------------- return migration


@indicator("annual_returns", label="People returning to Viet Nam from abroad each year",
           unit="persons", resources="returns_to_viet_nam",
           formula="published annual number, all returns")
def _annual_returns(p: DataPackage) -> Result:
    return Result(value=_column_value(p, "returns_to_viet_nam", "flow", "all_returns",
                                      "persons_per_year"))


@indicator("permanent_returnees", label="Returning emigrants who intend to stay, each year",
           unit="persons", resources="returns_to_viet_nam",
           formula="published annual number, permanent returnees")
def _permanent(p: DataPackage) -> Result:
    return Result(value=_column_value(p, "returns_to_viet_nam", "flow", "permanent_returnees",
                                      "persons_per_year"))


@indicator("permanent_return_share",
           label="Permanent returnees as a share of all returns from abroad",
           unit="percent", resources="returns_to_viet_nam",
           formula="permanent returnees / all returns x 100")
def _permanent_share(p: DataPackage) -> Result:
    total = _annual_returns(p).value
    permanent = _permanent(p).value
    assert total is not None and permanent is not None
    if total <= 0 or permanent > total:
        raise IndicatorError(Problem(
            "data/returns_to_viet_nam.csv",
            f"permanent returnees ({permanent:g}) must be a part of all returns ({total:g}) "
            "(expected 0 < permanent <= all)", column="persons_per_year"))
    return Result(value=100 * permanent / total)


# ---------------------------------------------------------------- single published figures

#: Indicators that state one published figure: (id of the row in ``published_estimates``,
#: which is also the indicator id, and unit). The label comes from the row.
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


def _register_published(indicator_id: str, unit: str) -> None:
    @indicator(indicator_id, label="", unit=unit, resources="published_estimates",
               formula="published figure (a single value or a range), as its source states it")
    def _compute(p: DataPackage) -> Result:
        return _estimate(p, indicator_id)


for _entry in PUBLISHED:
    _register_published(*_entry)


@indicator("qualification_gap", label="Percentage-point gap in qualifications, migrants over "
           "non-migrants", unit="percentage points", resources="published_estimates",
           formula="share of migrants with a qualification minus the share of non-migrants")
def _qualification_gap(p: DataPackage) -> Result:
    migrants = _estimate(p, "nims2015_qualified_migrant_share")
    others = _estimate(p, "nims2015_qualified_non_migrant_share")
    assert migrants.value is not None and others.value is not None
    return Result(value=migrants.value - others.value, period=migrants.period,
                  source_keys=migrants.source_keys)


# ---------------------------------------------------------------- computing


def _build(definition: Definition, package: DataPackage) -> Indicator:
    result = definition.compute(package)
    sources = [s for name in definition.resources for s in package.resource(name).sources]
    if result.source_keys:
        sources = [s for s in sources if s.key in result.source_keys]
    unique = tuple(dict.fromkeys(sources))
    return Indicator(
        id=definition.id,
        label=definition.label or result.label,
        unit=definition.unit,
        value=result.value,
        low=result.low,
        high=result.high,
        resources=definition.resources,
        sources=unique,
        formula=definition.formula,
        period=result.period,
    )


def compute_one(package: DataPackage, id: str) -> Indicator:
    """Compute the single indicator ``id``, reading only the tables it needs."""
    if id not in CATALOGUE:
        raise KeyError(id)
    try:
        return _build(CATALOGUE[id], package)
    except IndicatorError as exc:
        raise DataError([exc.problem]) from None


def compute(package: DataPackage) -> tuple[dict[str, Indicator], list[Problem]]:
    """Compute every catalogued indicator; collect problems instead of stopping at one."""
    values: dict[str, Indicator] = {}
    problems: list[Problem] = []
    for definition in CATALOGUE.values():
        try:
            values[definition.id] = _build(definition, package)
        except IndicatorError as exc:
            if exc.problem not in problems:
                problems.append(exc.problem)
    return values, problems


def catalogue(data_dir: Path | None = None) -> dict[str, Indicator]:
    """Load ``data/`` and compute all indicators, or raise :class:`DataError`."""
    if data_dir is None:
        from brief.paths import project_paths

        data_dir = project_paths().data
    values, problems = compute(load(data_dir))
    if problems:
        raise DataError(problems)
    return values
