"""Benchmark the build against a naive pipeline, in one run, on this machine.

Usage: ``python bench/run.py [--runs N] [--no-scale] [--no-factsheets] [--factsheets-only]``

Measured on a scratch copy of the project (the working tree is never touched):

* cold build: no cache, no output;
* no-change rebuild;
* one-CSV change (which chapters re-execute is printed too);
* prose-only change (must execute no kernel);
* naive baseline: ``jupyter nbconvert --execute`` of each chapter in turn, then pandoc
  to HTML per chapter and to Typst, then the Typst compiler: what a first script
  would do without the engine's parallel kernels, caches and single converter;
* scale run: a synthetic project with 10x the chapters plus a chapter that reads a
  1,000,000-row table, to show how time grows with the work;
* factsheets (when ``_quarto.yml`` has a ``brief: factsheets:`` block): cold builds of
  the project with and without the block, the cost of one factsheet ((with - without)
  / rows), and that a prose edit of a chapter executes no factsheet;
* against release 0.1.0 (commit 263133e, from git history): its cold build and this
  project's, each by its own engine in a process of its own.

Each figure is the minimum and median of ``--runs`` runs; ratios compare medians
measured in the same process, so a busy machine slows both sides alike.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import yaml

from brief.paths import ROOT_ENV
from brief.render.build import Progress, build
from brief.render.project import load_project
from brief.render.qmd import read as read_qmd

REPO = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns("_book", ".brief-cache", ".brief-staging*", "releases", ".venv",
                              "venv", ".git", "figures", "__pycache__", ".pytest_cache", "bench")


class Counter(Progress):
    """Counts chapters, factsheets and kernels that really executed (not from the cache)."""

    def __init__(self) -> None:
        self.executed: list[str] = []
        self.cached: list[str] = []
        self.sheets_executed: list[str] = []
        self.kernels: list[tuple[str, int]] = []

    def chapter(self, path: str, cached: bool) -> None:
        (self.cached if cached else self.executed).append(path)

    def factsheet(self, page: str, cached: bool) -> None:
        if not cached:
            self.sheets_executed.append(page)

    def kernel(self, path: str, instances: int) -> None:
        self.kernels.append((path, instances))


def copy_project(target: Path, source: Path = REPO) -> Path:
    shutil.copytree(source, target, ignore=SKIP)
    return target


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def summary(times: list[float]) -> str:
    return f"min {min(times):6.2f} s   median {statistics.median(times):6.2f} s"


def clean(root: Path) -> None:
    for name in ("_book", ".brief-cache", "figures"):
        shutil.rmtree(root / name, ignore_errors=True)


def naive_build(root: Path, work: Path) -> None:
    """nbconvert each chapter in turn, pandoc each to HTML, pandoc all to Typst, compile."""
    import pypandoc
    import typst

    pandoc = pypandoc.get_pandoc_path()
    project = load_project(root)
    # Chapter code imports the project's catalogue package (indicators/) from the root.
    env = {**os.environ, ROOT_ENV: str(root), "PYTHONPATH": str(root)}
    markdown_files = []
    for chapter in project.chapters:
        document = read_qmd(root, chapter.path)
        notebook = nbformat.v4.new_notebook()
        # Chapters run from the project root, as Quarto's execute-dir: project does.
        notebook.cells = [nbformat.v4.new_code_cell(f"import os\nos.chdir({str(root)!r})"),
                          *(nbformat.v4.new_code_cell(c.code) for c in document.cells)]
        stem = chapter.path.replace("/", "_").removesuffix(".qmd")
        source = work / f"{stem}.ipynb"
        nbformat.write(notebook, source)
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook",
                        "--execute", "--inplace", str(source)], cwd=root, check=True,
                       capture_output=True, env=env)
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "markdown",
                        str(source)], cwd=root, check=True, capture_output=True)
        markdown = source.with_suffix(".md")
        markdown_files.append(markdown)
        subprocess.run([pandoc, str(markdown), "-s", "--metadata", f"title={stem}", "-o",
                        str(markdown.with_suffix(".html"))], check=True, capture_output=True)
    typ = work / "book.typ"
    subprocess.run([pandoc, *map(str, markdown_files), "-s", "-t", "typst", "-o", str(typ)],
                   check=True, capture_output=True)
    typst.compile(str(typ), output=str(work / "book.pdf"))


def edit_csv(root: Path) -> None:
    """Change one value in returns_to_viet_nam.csv (read by few chapters)."""
    path = root / "data" / "returns_to_viet_nam.csv"
    text = path.read_text("utf-8")
    old = "25000" if "25000" in text else "25001"
    path.write_text(text.replace(old, "25001" if old == "25000" else "25000"), "utf-8")


def edit_prose(root: Path, counter: list[int]) -> None:
    """Append a sentence of prose (outside any code cell) to chapter 5."""
    counter[0] += 1
    path = root / "chapters" / "05-migration-for-development.qmd"
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\nA benchmark edit, number {counter[0]}.\n")


def scale_project(target: Path, copies: int, rows: int) -> Path:
    """A synthetic project: the chapters ``copies`` times over, plus a big-table chapter."""
    root = copy_project(target)
    config = (root / "_quarto.yml").read_text("utf-8")
    originals = [c for c in load_project(root).chapters if c.kind == "chapter"]
    listed = []
    for n in range(1, copies):
        for chapter in originals:
            path = f"chapters/x{n:02d}-{Path(chapter.path).name}"
            text = (root / chapter.path).read_text("utf-8")
            # Cross-reference ids and chart names must stay unique in the book.
            text = re.sub(r"([#@]|label: )(sec|fig|tbl)-", rf"\1\2-x{n:02d}-", text)
            (root / path).write_text(text, "utf-8")
            listed.append(path)
    random.seed(1)
    with (root / "data" / "synthetic_rows.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "region", "value"])
        for i in range(rows):
            writer.writerow([i, f"region_{i % 8}", round(random.random() * 100, 3)])
    descriptor = json.loads((root / "data" / "datapackage.json").read_text("utf-8"))
    descriptor["resources"].append({
        "name": "synthetic_rows", "path": "synthetic_rows.csv",
        "title": "Synthetic rows for the scale benchmark (random numbers, not data)",
        "sources": [{"title": "Generated by bench/run.py", "publisher": "brief benchmark",
                     "year": 2026}],
        "licenses": [{"name": "CC0-1.0"}],
        "schema": {"fields": [{"name": "id", "type": "integer"},
                              {"name": "region", "type": "string"},
                              {"name": "value", "type": "number"}],
                   "primaryKey": ["id"]},
    })
    (root / "data" / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    (root / "chapters" / "x99-big-table.qmd").write_text(
        '---\ntitle: "Synthetic table"\n---\n\n```{python}\n#| label: fig-synthetic\n'
        '#| fig-cap: "Mean of a synthetic value by region"\n#| fig-alt: "Bars by region"\n'
        "from brief import charts\nfrom brief.display import table\n"
        'rows = table("synthetic_rows")\n'
        'means = rows.groupby("region", as_index=False)["value"].mean()\n'
        'charts.bar(means, category="region", value="value", unit="index", title="Means")\n'
        "```\n\nThe table has `{python} len(rows)` rows.\n", "utf-8")
    listed.append("chapters/x99-big-table.qmd")
    marker = "  appendices:"
    extra = "".join(f"    - {path}\n" for path in listed)
    (root / "_quarto.yml").write_text(config.replace(marker, extra + marker, 1), "utf-8")
    return root


def measure_builds(root: Path, tmp: Path, runs: int) -> dict[str, list[float]]:
    """Cold, no-change, one-CSV, prose-only and naive builds; prints each result."""
    results: dict[str, list[float]] = {"cold": []}
    for _ in range(runs):
        clean(root)
        results["cold"].append(timed(lambda: build(root)))
    results["no change"] = [timed(lambda: build(root)) for _ in range(runs)]

    results["one CSV"] = []
    executed_after_csv: list[str] = []
    for _ in range(runs):
        edit_csv(root)
        counter = Counter()
        results["one CSV"].append(timed(lambda c=counter: build(root, progress=c)))
        executed_after_csv = counter.executed

    results["prose only"] = []
    kernels_after_prose = 0
    edits = [0]
    for _ in range(runs):
        edit_prose(root, edits)
        counter = Counter()
        results["prose only"].append(timed(lambda c=counter: build(root, progress=c)))
        kernels_after_prose = max(kernels_after_prose, len(counter.executed))

    results["naive"] = []
    for i in range(runs):
        work = tmp / f"naive-{i}"
        work.mkdir()
        results["naive"].append(timed(lambda w=work: naive_build(root, w)))

    for name, times in results.items():
        print(f"{name:<12} {summary(times)}")
    chapters = len(load_project(root).chapters)
    ratio = statistics.median(results["cold"]) / statistics.median(results["naive"])
    print(f"\ncold / naive            {ratio:5.2f}   (target <= 0.50)")
    print(f"no-change rebuild       {statistics.median(results['no change']):5.2f} s "
          "(target < 1 s)")
    print(f"one-CSV change          re-executed {len(executed_after_csv)} of {chapters} "
          f"chapters: {', '.join(executed_after_csv) or 'none'}")
    print(f"prose-only change       re-executed {kernels_after_prose} chapters (target 0)")
    return results


def measure_scale(tmp: Path, runs: int, cold: list[float]) -> None:
    """Cold builds of the synthetic 10x project, compared with the normal cold build."""
    big = scale_project(tmp / "scale", copies=10, rows=1_000_000)
    pages = len(load_project(big).chapters)
    times = []
    for _ in range(runs):
        clean(big)
        times.append(timed(lambda: build(big)))
    growth = statistics.median(times) / statistics.median(cold)
    print(f"\nscale run: {pages} pages and a 1,000,000-row table")
    print(f"cold build   {summary(times)}   {growth:.1f}x the normal cold build "
          f"({statistics.median(cold):.2f} s)")


def without_factsheets(source: Path, target: Path) -> Path:
    """A copy of the project at ``source`` with the ``brief: factsheets:`` block removed."""
    root = copy_project(target, source)
    config = root / "_quarto.yml"
    data = yaml.safe_load(config.read_text("utf-8"))
    del data["brief"]["factsheets"]
    config.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    return root


#: Release 0.1.0 of the brief: the build with factsheets is compared with its cold build.
RELEASE_COMMIT = "263133e"
_COLD = """import sys, time
from pathlib import Path
from brief.render.build import build
start = time.perf_counter()
build(Path(sys.argv[1]))
print(time.perf_counter() - start)
"""


def release_copy(tmp: Path) -> Path | None:
    """The repository at :data:`RELEASE_COMMIT` (engine and brief), or None without git
    history."""
    target = tmp / "release"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", RELEASE_COMMIT],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def cold_with_engine(engine: Path, project: Path) -> float:
    """A cold build of ``project`` by the engine in ``engine``/src, in a process of its
    own (its kernels import that engine too); the build's own seconds."""
    clean(project)
    env = {**os.environ, "PYTHONPATH": str(engine / "src")}
    done = subprocess.run([sys.executable, "-c", _COLD, str(project)], cwd=project, env=env,
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def measure_against_release(root: Path, tmp: Path, runs: int) -> None:
    """Cold builds of this project (with its factsheets) and of release 0.1.0, side by
    side, each by its own engine in a fresh process."""
    release = release_copy(tmp)
    if release is None:
        print(f"\nrelease 0.1.0 ({RELEASE_COMMIT}): not in this clone's history; skipped")
        return
    times: dict[str, list[float]] = {"now": [], "0.1.0": []}
    for _ in range(runs):
        times["0.1.0"].append(cold_with_engine(release, release))
        times["now"].append(cold_with_engine(REPO, root))
    ratio = statistics.median(times["now"]) / statistics.median(times["0.1.0"])
    print(f"\nagainst release 0.1.0 ({RELEASE_COMMIT}), cold, each engine in its own process")
    print(f"{'0.1.0':<16} {summary(times['0.1.0'])}")
    print(f"{'now, with all':<16} {summary(times['now'])}")
    print(f"now / 0.1.0             {ratio:5.2f}   (target <= 1.5)")


def measure_factsheets(root: Path, tmp: Path, runs: int) -> None:
    """Cold builds with and without the factsheets, alternated so that a busy machine
    slows both alike; the cost per factsheet; what a chapter's prose edit executes."""
    project = load_project(root)
    if project.factsheets is None:
        print("\nfactsheets: none in this project (no `brief: factsheets:` block)")
        return
    plain = without_factsheets(root, tmp / "without-factsheets")
    times: dict[str, list[float]] = {"with": [], "without": []}
    result = None
    for _ in range(runs):
        clean(plain)
        times["without"].append(timed(lambda: build(plain)))
        clean(root)
        start = time.perf_counter()
        counter = Counter()
        result = build(root, progress=counter)
        times["with"].append(time.perf_counter() - start)
    assert result is not None
    rows = len(result.factsheets)
    kernels = [n for path, n in counter.kernels if path == project.factsheets.template]
    with_, without = statistics.median(times["with"]), statistics.median(times["without"])
    print(f"\nfactsheets: {rows} pages and PDFs from {project.factsheets.template}")
    print(f"{'cold without':<16} {summary(times['without'])}")
    print(f"{'cold with':<16} {summary(times['with'])}")
    print(f"with / without          {with_ / without:5.2f}   (target <= 1.5)")
    print(f"per factsheet           {(with_ - without) / rows:5.2f} s (target < 0.5 s)")
    print(f"kernel runs for the instances: {len(kernels)} batches "
          f"({', '.join(map(str, kernels))} instances), in warm kernels shared with the "
          "chapters, one per core")
    no_change = timed(lambda: build(root))
    print(f"no-change rebuild       {no_change:5.2f} s (target < 1 s)")
    edit_prose(root, [100])
    counter = Counter()
    build(root, progress=counter)
    print(f"prose-only change       executed {len(counter.executed)} chapters and "
          f"{len(counter.sheets_executed)} factsheets (target 0 and 0)")
    measure_against_release(root, tmp, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Repetitions of each measurement.")
    parser.add_argument("--no-scale", action="store_true", help="Skip the scale run.")
    parser.add_argument("--scale-only", action="store_true",
                        help="Only the scale run, against freshly measured normal cold builds.")
    parser.add_argument("--no-factsheets", action="store_true",
                        help="Skip the cold builds with and without the factsheets.")
    parser.add_argument("--factsheets-only", action="store_true",
                        help="Only the cold builds with and without the factsheets.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="brief-bench-") as name:
        tmp = Path(name)
        root = copy_project(tmp / "project")
        print(f"Benchmark of {REPO.name}: {args.runs} runs each\n")
        if args.factsheets_only:
            measure_factsheets(root, tmp, args.runs)
            return
        if args.scale_only:
            cold = []
            for _ in range(args.runs):
                clean(root)
                cold.append(timed(lambda: build(root)))
            print(f"{'cold':<12} {summary(cold)}")
        else:
            cold = measure_builds(root, tmp, args.runs)["cold"]
        if not args.no_factsheets and not args.scale_only:
            measure_factsheets(root, tmp, args.runs)
        if not args.no_scale:
            measure_scale(tmp, max(1, args.runs - 1), cold)


if __name__ == "__main__":
    main()
