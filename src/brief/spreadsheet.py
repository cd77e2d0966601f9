"""Text cells made safe for spreadsheets: the one place CSV downloads are escaped.

A CSV that a partner opens in Excel or LibreOffice runs any cell that starts like a
formula (``=HYPERLINK(...)``, ``+cmd``, ``@SUM``): a label in the data could then open a
link or a program on the reader's machine. Such a text cell is written with a leading
apostrophe, which spreadsheets show as text and do not evaluate (the OWASP advice for
"CSV injection"). Numbers are written as they are, negative ones included.
"""

from __future__ import annotations

#: The characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """``value`` as a CSV cell that no spreadsheet evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def row(values: list[object]) -> list[object]:
    """Every cell of a CSV row made safe (see :func:`cell`)."""
    return [cell(v) for v in values]
