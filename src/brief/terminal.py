"""Text from a brief's files made safe to print on a terminal.

Column names, labels and file names come from the author's files, or from a hostile
one: an escape sequence in them could move the cursor, retitle the window or hide the
rest of a message, and square brackets would be read as rich's markup (``[/x]`` even
stops the program). Everything the CLI prints from data passes through :func:`safe`;
rich tables get :class:`rich.text.Text`, which is never read as markup.
"""

from __future__ import annotations

import re

#: Control characters but tab and line feed: C0, DEL and C1 (ESC, CSI among them).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def cell(text: str) -> object:
    """``text`` for a rich table cell: controls escaped, brackets printed as they are."""
    from rich.text import Text

    return Text(safe(text))
