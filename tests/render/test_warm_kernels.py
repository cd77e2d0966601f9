"""Warm kernels: a page run after others in a shared kernel gives what it gives alone.

The build runs every chapter and factsheet in a small pool of kernels that it resets
between pages (see brief.render.execute). These tests run pages both ways and compare
everything the build keeps from an execution: each cell's outputs, the inline values,
the warnings and the tables read (the build cache's dependencies).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from brief.render import execute, factsheets
from brief.render.project import load_project
from brief.render.qmd import read

pytestmark = pytest.mark.render


def _kept(result: execute.Executed) -> dict[str, object]:
    """What the build keeps from a page's execution. Python names the file of a cell
    after the kernel's process id (``/tmp/ipykernel_4242/...``), which differs between
    any two kernels: that number is masked."""
    masked = re.sub(r"ipykernel_\d+", "ipykernel_N",
                    json.dumps([c.outputs for c in result.cells]))
    return {
        "outputs": json.loads(masked),
        "inline_values": result.inline_values,
        "warnings": [(w.file, w.line, w.message) for w in result.warnings],
        "reads": sorted(result.reads),
    }


def _both_ways(root: Path, paths: list[str], instances: int = 0
               ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    project = load_project(root)
    documents = [read(root, p) for p in paths]
    plan = factsheets.plan(project) if instances else None
    sheets = plan.instances()[:instances] if plan is not None else []
    runs = []
    for warm in (True, False):
        chapters, pages = execute.execute_all(documents, sheets, root, project.execute,
                                              jobs=1, warm=warm)
        runs.append([_kept(r) for r in [*chapters, *pages]])
    return runs[0], runs[1]


def test_every_page_of_the_brief_is_the_same_in_a_warm_kernel(real_book: Path) -> None:
    """All chapters and the first nine factsheets, one after the other in one kernel,
    against each in a kernel of its own."""
    project = load_project(real_book)
    warm, fresh = _both_ways(real_book, [c.path for c in project.chapters], instances=9)
    assert len(warm) == len(project.chapters) + 9
    for position, (one, other) in enumerate(zip(warm, fresh, strict=True)):
        assert one == other, f"page {position} differs when run in a warm kernel"
    assert any(page["reads"] for page in warm)  # the comparison covers the reads too


def _write(root: Path, name: str, code: str) -> str:
    path = root / "chapters" / name
    path.write_text(f"# {name}\n\n```{{python}}\n{code}\n```\n", encoding="utf-8")
    return f"chapters/{name}"


def test_a_page_sees_nothing_the_page_before_left(mini: Path) -> None:
    """A variable, a warning filter and a warning already shown, and a table read by the
    page before, must not reach the next page in the same kernel."""
    first = _write(mini, "x1-leave.qmd", "\n".join([
        "import warnings",
        "from brief.display import table",
        "left_behind = 1",
        "table('school_water')",
        "warnings.warn('shown once per page')",
        "warnings.simplefilter('ignore')",
    ]))
    second = _write(mini, "x2-find.qmd", "\n".join([
        "import warnings",
        "print('left_behind' in globals())",
        "warnings.warn('shown once per page')",
    ]))
    warm, fresh = _both_ways(mini, [first, second])
    assert warm == fresh
    outputs = warm[1]["outputs"][0]
    assert [o["text"] for o in outputs if o.get("name") == "stdout"] == ["False\n"]
    assert any("shown once per page" in o.get("text", "") for o in outputs
               if o.get("name") == "stderr")
    assert warm[0]["reads"] == ["school_water"] and warm[1]["reads"] == []


def test_a_page_sees_nothing_the_page_before_changed_in_the_process(mini: Path) -> None:
    """Environment variables, sys.path, the locale, numpy's print options and the
    inline figure formats a page sets stay with that page (found building a real
    course book: one page's locale reached the pages after it)."""
    first = _write(mini, "x1-change.qmd", "\n".join([
        "import locale, os, sys",
        "import numpy as np",
        "os.environ['LEFT_BY_PAGE_ONE'] = 'yes'",
        "sys.path.append('/nowhere/left/by/page/one')",
        "locale.setlocale(locale.LC_ALL, 'C.UTF-8')",
        "np.set_printoptions(precision=1)",
        "from matplotlib_inline.backend_inline import InlineBackend",
        "InlineBackend.instance().figure_formats = {'svg'}",
    ]))
    second = _write(mini, "x2-look.qmd", "\n".join([
        "import locale, os, sys",
        "import numpy as np",
        "from matplotlib_inline.backend_inline import InlineBackend",
        "print(os.environ.get('LEFT_BY_PAGE_ONE'), '/nowhere/left/by/page/one' in sys.path,",
        "      locale.setlocale(locale.LC_ALL), np.array([3.14159]),",
        "      sorted(InlineBackend.instance().figure_formats))",
    ]))
    warm, fresh = _both_ways(mini, [first, second])
    assert warm == fresh
    [printed] = [o["text"] for o in warm[1]["outputs"][0] if o.get("name") == "stdout"]
    assert printed.startswith("None False ") and "[3.14159]" in printed, printed
    assert "LC_NUMERIC=C.UTF-8" not in printed and "['png']" in printed, printed
