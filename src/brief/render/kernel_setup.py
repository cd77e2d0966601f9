"""Code run first in every chapter's kernel (sent as text; never imported by the build).

It makes Altair charts and pandas tables come back as data the build can render to
both targets, instead of HTML that only a browser understands:

* Altair's own ``mimetype`` renderer emits ``application/vnd.vegalite.v6.json``,
  which nbformat rejects, and its default one loads Vega from a CDN; the renderer
  registered here returns the spec under ``application/vnd.vegalite.v6+json``.
* DataFrames gain an ``application/vnd.brief.table+json`` representation (columns,
  rows as display strings, which columns are numeric), turned into a pipe table later.
"""

import os as _os
import sys as _sys
import types as _types


def _brief_setup(root: str, here: str, language: str = "") -> None:
    """Prepare the kernel for a page of the project at ``root`` whose cells run in the
    folder ``here`` (the page's own, as in Quarto), written in ``language`` ("" for the
    main language): the display helpers then write numbers and words in it."""
    import math
    import numbers

    import altair as alt
    import pandas as pd
    from IPython import get_ipython
    from IPython.core.formatters import JSONFormatter

    from brief.strings import current

    _brief_state()
    _os.chdir(here)
    _os.environ["BRIEF_PROJECT_ROOT"] = root
    _os.environ["BRIEF_LANGUAGE"] = language
    if root not in _sys.path:
        _sys.path.insert(0, root)

    def vegalite(spec: dict, **_kwargs: object) -> dict:
        return {"application/vnd.vegalite.v6+json": spec, "text/plain": "<Altair chart>"}

    alt.renderers.register("brief", vegalite)
    alt.renderers.enable("brief")

    def cell_text(value: object) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        if isinstance(value, bool):
            return str(value)
        words = current()  # the page's language: its separators
        if isinstance(value, numbers.Integral):
            return words.number(f"{value:,}")
        if isinstance(value, numbers.Real):
            number = float(value)
            return words.number(f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}")
        return str(value)

    def looks_like_years(column: pd.Series) -> bool:
        # Years print as 2009, not 2,009.
        return (pd.api.types.is_integer_dtype(column) and len(column) > 0
                and bool(column.between(1800, 2100).all()))

    def table(frame: pd.DataFrame) -> dict:
        shown = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
        numeric = [pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
                   for t in shown.dtypes]
        years = [looks_like_years(shown[c]) for c in shown.columns]
        return {
            "columns": [str(c) for c in shown.columns],
            "numeric": numeric,
            "rows": [[str(v) if year else cell_text(v) for v, year in zip(row, years, strict=True)]
                     for row in shown.itertuples(index=False)],
        }

    class TableFormatter(JSONFormatter):
        format_type = "application/vnd.brief.table+json"

    shell = get_ipython()
    formatter = TableFormatter(parent=shell.display_formatter)
    shell.display_formatter.formatters[formatter.format_type] = formatter
    formatter.for_type(pd.DataFrame, table)


def _brief_inlines(values: list) -> None:
    """Send the text of a page's inline expressions, in order, as one display output."""
    from IPython.display import publish_display_data

    def text(value: object) -> str:
        if isinstance(value, str):
            return value
        markdown = getattr(value, "_repr_markdown_", None)  # IPython's Markdown("*x*")
        if callable(markdown):
            shown = markdown()
            if isinstance(shown, tuple):  # (text, metadata)
                shown = shown[0]
            if isinstance(shown, str):
                return shown
        return str(value)

    publish_display_data({"application/vnd.brief.inline+json": [text(v) for v in values]})


def _brief_state():
    """A module that outlives :func:`_brief_reset` (the namespace does not): what the
    kernel looked like before any page ran."""
    import types
    import warnings

    state = _sys.modules.get("_brief_kernel_state")
    if state is None:
        import locale

        state = types.ModuleType("_brief_kernel_state")
        state.warning_filters = list(warnings.filters)
        state.environ = dict(_os.environ)
        state.path = list(_sys.path)
        state.locale = locale.setlocale(locale.LC_ALL)  # asks, changes nothing
        numpy = _sys.modules.get("numpy")
        state.printoptions = numpy.get_printoptions() if numpy is not None else None
        _sys.modules[state.__name__] = state
    return state


def _brief_restore_process(state: _types.ModuleType) -> None:
    """Undo what a page may change in the kernel's process beyond its namespace, as a
    new kernel would have it: environment variables, ``sys.path``, the locale, numpy's
    print options and the inline figure formats (``%config InlineBackend...``)."""
    import locale

    if _os.environ != state.environ:
        _os.environ.clear()
        _os.environ.update(state.environ)
    _sys.path[:] = state.path
    if locale.setlocale(locale.LC_ALL) != state.locale:
        locale.setlocale(locale.LC_ALL, state.locale)
    numpy = _sys.modules.get("numpy")
    if numpy is not None and state.printoptions is not None:
        numpy.set_printoptions(**state.printoptions)
    inline = _sys.modules.get("matplotlib_inline.backend_inline")
    if inline is not None:
        backend = inline.InlineBackend.instance()
        default = inline.InlineBackend.class_traits()["figure_formats"].default()
        if set(backend.figure_formats) != set(default):
            backend.figure_formats = default


def _brief_reset() -> None:
    """Make a used kernel look fresh to the next page (a chapter or a factsheet).

    It does to what a page can see what ``%reset -f`` does: every variable goes, and
    the output history (``Out``, ``_``); modules stay imported. It skips what makes
    ``%reset`` slow (0.15 s a time) and changes no output: a new history session in
    IPython's database and a full garbage collection. It also undoes what a page could
    otherwise leave to the next one: warning filters, and the record of warnings
    already shown (a warning must reach every page that causes it); the data layer's
    record of tables read and its computed indicators (so that each page's reads are
    its own, for the build cache); open matplotlib figures; and the process state of
    :func:`_brief_restore_process`. The build's tests compare every page run this way
    with the same page run in a kernel of its own.
    """
    import warnings

    from IPython import get_ipython

    warnings.resetwarnings()  # also makes every module's warning registry stale
    warnings.filters[:] = _brief_state().warning_filters
    _brief_restore_process(_brief_state())
    getattr(warnings, "onceregistry", {}).clear()
    data = _sys.modules.get("brief.datapackage")
    if data is not None:
        data.READS.clear()
    display = _sys.modules.get("brief.display")
    if display is not None:
        display._get.cache_clear()
    pyplot = _sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    shell = get_ipython()
    hook = shell.displayhook
    for name in [n for n in shell.user_ns if n not in shell.user_ns_hidden]:
        del shell.user_ns[name]
    for count in range(1, hook.prompt_count + 1):
        shell.user_ns.pop(f"_{count}", None)
        shell.user_ns_hidden.pop(f"_{count}", None)
    shell.user_ns.get("_oh", {}).clear()
    hook._, hook.__, hook.___ = "", "", ""
    shell.user_ns.update({"_": "", "__": "", "___": ""})


def _brief_reads() -> None:
    """Print, as JSON, the data resources this chapter read through the data layer."""
    import json

    module = _sys.modules.get("brief.datapackage")
    print(json.dumps(sorted(module.READS) if module is not None else []), end="")
