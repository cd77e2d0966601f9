"""brief: recompute a policy brief's indicators from its data package and render it.

The pipeline runs one way: ``datapackage`` (validate and load ``data/``) ->
``indicators`` (the project's own catalogue, pure functions over the tables) ->
chapters -> ``render``. A project's ``indicators.py`` uses only this public API::

    from brief import DataPackage, Result, indicator, latest_two, share

Names are imported lazily, so that ``brief --help`` does not load pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: The public API for a project's ``indicators.py``, and the module that defines each name.
_EXPORTS = {
    "indicator": "brief.indicators",
    "Result": "brief.indicators",
    "Indicator": "brief.indicators",
    "IndicatorError": "brief.indicators",
    "DataPackage": "brief.datapackage",
    "Problem": "brief.problems",
    "row": "brief.derive",
    "value_at": "brief.derive",
    "latest": "brief.derive",
    "earliest": "brief.derive",
    "latest_two": "brief.derive",
    "latest_rows": "brief.derive",
    "period_text": "brief.derive",
    "growth": "brief.derive",
    "share": "brief.derive",
    "published": "brief.derive",
    "value_range": "brief.derive",
}

__all__ = [  # noqa: RUF022 (grouped as in _EXPORTS)
    "indicator", "Result", "Indicator", "IndicatorError", "DataPackage", "Problem",
    "row", "value_at", "latest", "earliest", "latest_two", "latest_rows", "period_text", "growth",
    "share", "published", "value_range",
]

if TYPE_CHECKING:
    from brief.datapackage import DataPackage
    from brief.derive import (
        earliest,
        growth,
        latest,
        latest_rows,
        latest_two,
        period_text,
        published,
        row,
        share,
        value_at,
        value_range,
    )
    from brief.indicators import Indicator, IndicatorError, Result, indicator
    from brief.problems import Problem


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'brief' has no attribute {name!r}")
