"""Build a Quarto book that someone else wrote, and check that brief renders each of
the features issue 14 names, in the site and in the PDF.

The book is Peter Kandolf's lecture notes "Softwaredesign" (MCI | The Entrepreneurial
School, winter term 2025/26), https://github.com/kandolfp/MECH-M-DUAL-1-SWD, at the
commit pinned below. It has local images, cells with `#|` options, display equations,
a definition (a Quarto theorem kind), tab sets and includes. It is licensed CC BY-NC-SA
4.0. This repository is MIT, and its users may use it commercially, so the book is not
copied here. The script reads the book from a git clone or a bare mirror of it.

    python scripts/third_party_book.py PATH/TO/MECH-M-DUAL-1-SWD.git [--out DIR]

It extracts the pinned commit into DIR (default: a temporary folder), makes the one
change described next, runs `brief build` there with this Python, and prints one line
per check. It exits 1 if a check fails.

The one change: the chapter `sc/pandas.qmd` downloads its data set from the web in a
cell, and a build has no network. Quarto could not build that chapter offline either.
The script adds `execute: eval: false` to that page's front matter, so its code is shown
and not run. Nothing else is touched.

The book's cells need Python 3.12 (they use its f-strings) with plotly and tabulate,
beside brief: `pip install -e . plotly tabulate` in a Python 3.12 environment.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = "https://github.com/kandolfp/MECH-M-DUAL-1-SWD"
COMMIT = "d3c583977fe8fdf52e49ce7369323201801545f8"
OFFLINE = "sc/pandas.qmd"  # reads https://data.ub.uni-muenchen.de/... in a cell


@dataclass
class Check:
    """One feature, where the reader sees it, and whether it is there."""

    feature: str
    where: str
    ok: bool
    detail: str = ""


def extract(git_dir: Path, out: Path) -> None:
    """The pinned commit's files in ``out``, with the one offline change."""
    archive = subprocess.run(["git", "--git-dir", str(git_dir), "archive", COMMIT],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        sys.exit(f"{git_dir}: no commit {COMMIT[:12]} here "
                 f"({archive.stderr.decode(errors='replace').strip()}); "
                 f"clone {REPOSITORY} first")
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive.stdout, check=True)
    page = out / OFFLINE
    page.write_text("---\nexecute:\n  eval: false\n---\n\n" + page.read_text("utf-8"), "utf-8")


def page_text(site: Path, name: str) -> str:
    """A page's text as a reader sees it: tags removed, entities read, spaces joined."""
    markup = (site / name).read_text("utf-8")
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True)
    return " ".join(done.stdout.split())


def pdf_figure_alts(pdf: Path) -> list[str]:
    """The alt texts of the PDF's tagged figures (PDF/UA: one per image)."""
    from pypdf import PdfReader

    found: list[str] = []
    seen: set[int] = set()

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                found.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"])
    return found


def checks(site: Path, pdf: Path) -> list[Check]:
    """Each feature in the site and in the PDF."""
    pages: dict[str, str] = {}

    def text(name: str) -> str:
        if name not in pages:
            pages[name] = page_text(site, name)
        return pages[name]

    def raw(name: str) -> str:
        return (site / name).read_text("utf-8")

    printed = pdf_text(pdf)
    alts = pdf_figure_alts(pdf)
    image = "media/_assets/containerization/physical_machine.svg"
    no_suffix = "media/_assets/basics/versioncontrol/distributed1.svg"
    error = "AttributeError: 'Robot' object has no attribute '__port'"
    square = "def is_square(rectangle: Rectangle):"
    found: list[tuple[str, str, Callable[[], bool]]] = [
        ("local image", "site: containerization/index.html",
         lambda: f'src="../{image}"' in raw("containerization/index.html")
         and (site / image).is_file()),
        ("local image named without extension (default-image-extension: svg)",
         "site: basics/versioncontrol.html",
         lambda: f'src="../{no_suffix}"' in raw("basics/versioncontrol.html")
         and (site / no_suffix).is_file()),
        ("local images", "PDF: tagged figures", lambda: "physical_machine.svg" in alts
         and "Clone a remote repository to your machine" in alts),
        ("#| echo: false (the cell runs, its code is hidden)", "site: pp/modules.html",
         lambda: "Code to remove above files" not in text("pp/modules.html")
         and "rect.get_area() = 1" in text("pp/modules.html")),
        ("#| classes: styled-output", "site: sc/pandas.html",
         lambda: 'class="styled-output"' in raw("sc/pandas.html")),
        ("#| error: true", "site: pp/oop.html", lambda: error in text("pp/oop.html")),
        ("#| error: true", "PDF", lambda: error in printed),
        ("display equation", "site: pp/fp.html (MathML)",
         lambda: re.search(r'<math display="block"[^>]*>.*?∏', raw("pp/fp.html"),
                           re.DOTALL) is not None),
        ("display equation", "PDF", lambda: "∏" in printed and "0! = 1" in printed),
        ("definition (theorem kind) and its reference", "site: pp/fp.html",
         lambda: "Definition 6.1 (Factorial)." in text("pp/fp.html")
         and 'href="#def-factorial"' in raw("pp/fp.html")),
        ("definition (theorem kind) and its reference", "PDF",
         lambda: "Definition 6.1 (Factorial)." in printed
         and "We can translate Definition 6.1 into a Python program" in printed),
        ("tab set", "site: basics/packagemanager.html",
         lambda: 'role="tablist"' in raw("basics/packagemanager.html")
         and re.search(r'role="tab"[^>]*>Windows<', raw("basics/packagemanager.html"))
         is not None),
        ("tab set (every panel)", "PDF",
         lambda: "Linux/Mac" in printed and "Invoke-WebRequest" in printed),
        ("include (a script inside a code block)", "site: pp/modules.html",
         lambda: square in text("pp/modules.html")
         and "{{< include" not in text("pp/modules.html")),
        ("include (a script inside a code block)", "PDF", lambda: square in printed),
    ]
    out = []
    for feature, where, test in found:
        try:
            out.append(Check(feature, where, bool(test())))
        except OSError as exc:
            out.append(Check(feature, where, False, str(exc)))
    return out


def build(book: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "brief.cli", "build", "--project",
                           str(book)], capture_output=True, text=True, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path, help=f"a clone or bare mirror of {REPOSITORY}")
    parser.add_argument("--out", type=Path, help="where to extract and build the book")
    args = parser.parse_args(argv)
    if sys.version_info < (3, 12):
        sys.exit("the book's cells need Python 3.12 or newer (they use its f-strings)")
    git_dir = args.git_dir / ".git" if (args.git_dir / ".git").is_dir() else args.git_dir
    out = args.out or Path(tempfile.mkdtemp(prefix="swd-"))
    if out.exists():
        shutil.rmtree(out)
    extract(git_dir, out)
    done = build(out)
    summary = done.stderr.strip().splitlines()[-1:] if done.stderr.strip() else []
    print(f"brief build: exit {done.returncode}; {' '.join(summary)}")
    if done.returncode != 0:
        print(done.stderr)
        return 1
    results = checks(out / "_book", out / "_book" / "brief.pdf")
    for check in results:
        mark = "ok  " if check.ok else "FAIL"
        print(f"{mark} {check.feature} | {check.where}" + (f" ({check.detail})"
                                                          if check.detail else ""))
    return 0 if all(c.ok for c in results) else 1


if __name__ == "__main__":
    sys.exit(main())
