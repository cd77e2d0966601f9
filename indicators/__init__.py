"""The indicator catalogue of *Internal migration and socio-economic development in Viet Nam*.

Every number the brief states is one of these indicators: a small function over the
validated tables in ``data/``, declared with ``brief.indicator``. Nothing is copied into
code: a published figure is read from its row, a derived one (a share, a gap, growth) is
arithmetic on rows, and the "latest" ones use the latest rows present, so that adding a
census row or a year of provincial data moves them. Shares are in percent (0-100).

Chapters state them with ``fmt("id")``; ``brief indicators`` lists them all. The modules
follow the brief's evidence: the censuses, the surveys of the 2000s and 2010s,
urbanisation, the provinces, remittances, and migration abroad. Chapter code may import
their helpers (for example ``from indicators.provinces import province_year``).
"""

from importlib import import_module

#: The modules, in the order the catalogue lists their indicators.
MODULES = ("census", "surveys", "urban", "provinces", "remittances", "abroad")

for _module in MODULES:
    import_module(f"{__name__}.{_module}")
