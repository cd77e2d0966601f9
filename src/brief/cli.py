"""The ``brief`` command line: thin commands that call one library function each."""

from __future__ import annotations

import csv
import io
import json
import sys
import time
import warnings
from pathlib import Path

import click

from brief import terminal
from brief.paths import ProjectNotFound, ProjectPaths, find_root

PROJECT_OPTION = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Use the brief project in this folder instead of the one enclosing the working "
         "directory.",
)


def _paths(project: Path | None) -> ProjectPaths:
    try:
        return ProjectPaths(find_root(project))
    except ProjectNotFound as exc:
        raise click.ClickException(str(exc)) from None


#: The exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


class _Commands(click.Group):
    """The command group; Ctrl-C ends any command with one line instead of a traceback.

    Builds and releases write their outputs by renaming complete files and folders at
    the end, so an interrupted command leaves the previous output as it was.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # What an interruption left half made (an event loop, a coroutine) would
            # complain as it is collected; the command is over, so say only this:
            sys.unraisablehook = lambda _: None
            warnings.simplefilter("ignore")
            click.echo("\nInterrupted: nothing was changed; the previous output is as it "
                       "was.", err=True)
            ctx.exit(INTERRUPTED)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="brief")
def cli() -> None:
    """Start, check, build and release data-driven policy briefs.

    Run a command from a brief's folder (or pass --project PATH); `brief new DIR` starts
    a new brief.
    """


@cli.command("check",
             short_help="Validate data/, indicators.py and the indicators chapters cite.")
@PROJECT_OPTION
def check_command(project: Path | None) -> None:
    """Validate data/ against its schema and domain rules, then compute every indicator."""
    from brief.check import check

    paths = _paths(project)
    report = check(paths.root)
    if report.ok:
        click.echo(f"Data package: {paths.datapackage.relative_to(paths.root)}")
        width = max((len(t.file) for t in report.tables), default=0)
        for table in report.tables:
            click.echo(f"  {table.file:<{width}}  {table.rows:>4} rows  "
                       f"{table.sources} source{'s' if table.sources != 1 else ''}")
    else:
        for problem in report.problems:
            click.echo(str(problem))
    click.echo(report.verdict())
    sys.exit(0 if report.ok else 1)


def _format_value(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    if unit == "year":
        return str(int(value))
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


#: Columns of ``brief indicators --format csv``.
INDICATOR_COLUMNS = ["id", "value", "unit", "period", "label", "sources"]


@cli.command("indicators",
             short_help="List every indicator with its value, unit, period and sources.")
@PROJECT_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Print a readable table, a JSON list or CSV rows.")
def indicators_command(project: Path | None, fmt: str) -> None:
    """List every indicator with its value, unit and sources, computed from data/."""
    from brief.catalogue import compute_indicators
    from brief.problems import DataError

    paths = _paths(project)
    try:
        values = compute_indicators(paths.root)
    except DataError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("FAILED: the indicators cannot be computed; run `brief check` for details.",
                   err=True)
        sys.exit(1)
    if fmt == "json":
        click.echo(json.dumps([i.to_dict() for i in values.values()], indent=2,
                              ensure_ascii=False))
        return
    rows = [
        {
            "id": i.id,
            "value": _format_value(i.value, i.unit) if not i.is_range
            else f"{_format_value(i.low)}-{_format_value(i.high)}",
            "unit": i.unit,
            "period": i.period,
            "label": i.label,
            "sources": "; ".join(s.citation() for s in i.sources),
        }
        for i in values.values()
    ]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=INDICATOR_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} indicators", show_lines=False)
    id_width = max((len(row["id"]) for row in rows), default=2)
    table.add_column("id", no_wrap=True, min_width=id_width)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    table.add_column("period", no_wrap=True)
    table.add_column("label", ratio=1)
    for row in rows:
        table.add_row(*(terminal.cell(row[k]) for k in ("id", "value", "unit", "period",
                                                         "label")))
    Console().print(table)


@cli.command("diff",
             short_help="Show which indicators and data files changed since a release.")
@PROJECT_OPTION
@click.argument("version", required=False)
def diff_command(project: Path | None, version: str | None) -> None:
    """Compare the indicators and data files of the working tree with release VERSION.

    VERSION defaults to the latest release. Exits 0 when nothing changed, 1 when
    something did (or when the comparison cannot be made).
    """
    from brief.catalogue import compute_indicators
    from brief.diff import LEGEND, changed_files, diff_indicators, file_hashes
    from brief.problems import DataError
    from brief.release import ReleaseRefused, load_release_indicators

    paths = _paths(project)
    try:
        version, old, old_data = load_release_indicators(paths.releases, version)
        new = [i.to_dict() for i in compute_indicators(paths.root).values()]
    except ReleaseRefused as exc:
        click.echo(f"Cannot compare: {exc}.")
        sys.exit(1)
    except DataError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo("FAILED: the working tree's data has problems; run `brief check`.")
        sys.exit(1)
    changes = diff_indicators(old, new)
    files = changed_files(old_data, file_hashes(paths.data))
    click.echo(f"Working tree compared with release {version}")
    click.echo(f"Legend: {LEGEND}")
    if changes:
        click.echo("\nIndicators:")
        for change in changes:
            click.echo(f"  {change}")
    if files:
        click.echo("\nData files:")
        for line in files:
            click.echo(f"  {line}")
    if not changes and not files:
        click.echo(f"No change: indicators and data are as in release {version}.")
        sys.exit(0)
    click.echo(f"\n{len(changes)} indicator{'s' if len(changes) != 1 else ''} and "
               f"{len(files)} data file{'s' if len(files) != 1 else ''} changed since "
               f"release {version}.")
    sys.exit(1)


@cli.command("build",
             short_help="Render the website and the PDF into _book/.")
@PROJECT_OPTION
@click.option("--engine", type=click.Choice(["native", "quarto"]), default="native",
              show_default=True,
              help="Render with the built-in engine (Jupyter, pandoc, Typst) or delegate to "
                   "the Quarto CLI, which must then be on PATH.")
@click.option("--verbose", is_flag=True,
              help="Also log what each stage does, and show the traceback of an internal "
                   "error, for debugging a build.")
@click.option("--fresh", is_flag=True,
              help="Ignore every cache: execute all chapters again and rebuild everything "
                   "(the cache is refilled for the next build).")
def build_command(project: Path | None, engine: str, verbose: bool, fresh: bool) -> None:
    """Execute the chapters and render the website and the PDF into _book/."""
    from brief.problems import DataError
    from brief.render.errors import RenderError
    from brief.render.report import run_build

    paths = _paths(project)
    try:
        run_build(paths.root, engine=engine, verbose=verbose, fresh=fresh)
    except DataError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("FAILED: the project has the problems listed above (in its data, its "
                   "indicators or the ids its chapters cite); nothing was built. Run `brief "
                   "check` after fixing them.", err=True)
        sys.exit(1)
    except RenderError as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo("FAILED: nothing was changed in the output folder.", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug in brief itself: still no traceback unless asked
        if verbose:
            raise
        click.echo(f"error: internal error in brief ({type(exc).__name__}: {exc}); run "
                   "again with --verbose for the traceback and report it.", err=True)
        click.echo("FAILED: nothing was changed in the output folder.", err=True)
        sys.exit(1)


@cli.command("release",
             short_help="Check, build and archive an immutable edition in releases/.")
@PROJECT_OPTION
@click.argument("version")
@click.option("--notes", default="", help="What this edition changes, in a sentence or two; "
              "it goes into the CHANGELOG entry and onto the Versions page.")
def release_command(project: Path | None, version: str, notes: str) -> None:
    """Publish VERSION: check the data, build, and archive it in releases/VERSION/.

    Refuses when `brief check` fails, when the build fails, or when VERSION exists or is
    not greater than the latest release. The archive holds the PDF, indicators.json,
    calls-to-action.csv and manifest.json; a CHANGELOG entry records the indicator diff.
    """
    from brief import calls
    from brief.catalogue import compute_indicators
    from brief.check import check
    from brief.problems import DataError
    from brief.release import ReleaseInfo, ReleaseRefused, make_release
    from brief.render.errors import RenderError
    from brief.render.report import ConsoleProgress

    paths = _paths(project)
    report = check(paths.root)
    if not report.ok:
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(f"Release refused: `brief check` found {len(report.problems)} problem(s).")
        sys.exit(1)

    def build_release(paths: ProjectPaths, releases: list[ReleaseInfo]) -> Path:
        from rich.console import Console

        from brief.render.build import build

        return build(paths.root, ConsoleProgress(Console(stderr=True, soft_wrap=True)), fresh=True,
                     releases=releases).output

    def export_calls(target: Path) -> None:
        # A brief without calls to action still gets the file, with its header only.
        present = paths.calls_to_action.is_file()
        calls.to_csv(target, calls.load(paths.calls_to_action) if present else [])

    try:
        info = make_release(paths, version, notes, build_release,
                            lambda: [i.to_dict() for i in
                                     compute_indicators(paths.root).values()],
                            export_calls)
    except ReleaseRefused as exc:
        click.echo(f"Release refused: {exc}.")
        sys.exit(1)
    except (RenderError, DataError, calls.CallsError) as exc:
        click.echo(f"Release refused: the build failed, nothing was archived.\n{exc}")
        sys.exit(1)
    except OSError as exc:
        click.echo(f"Release failed: {exc}; nothing was archived and _quarto.yml is "
                   "unchanged.")
        sys.exit(1)
    click.echo(f"Released {info.version} ({info.date}): releases/{info.version}/ with "
               f"{info.pdf}; CHANGELOG.md updated ({len(info.changes)} indicator "
               f"change{'s' if len(info.changes) != 1 else ''}).")


@cli.command("preview",
             short_help="Serve the site locally and rebuild it on every change.")
@PROJECT_OPTION
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Serve on this port of 127.0.0.1 (0 picks a free one).")
def preview_command(project: Path | None, port: int) -> None:
    """Serve the site on 127.0.0.1, rebuild when a source or data file changes, reload."""
    from brief.preview import Preview
    from brief.render.build import build

    paths = _paths(project)
    from brief.render.errors import RenderError
    from brief.render.project import load_project

    try:
        site = paths.root / load_project(paths.root).output_dir
        server = Preview(paths.root, lambda: build(paths.root), site, port=port)
    except RenderError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot serve on 127.0.0.1:{port} ({exc.strerror}); "
                                   "pick another port with --port") from None
    click.echo("Building...")
    if not server.build_once():
        click.echo(f"The first build failed; fix it and save:\n{server.state.error}")
    server.start()
    click.echo(f"Serving {server.url}  (Ctrl+C to stop; pages reload after each rebuild)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
        click.echo("Stopped.")


@cli.command("new",
             short_help="Start a new brief in an empty folder from a working example.")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--title", default=None,
              help="The brief's title, written to _quarto.yml (default: \"My policy "
                   "brief\"); quotes, colons and any letters are fine.")
def new_command(directory: Path, title: str | None) -> None:
    """Start a new brief in DIRECTORY: a small, complete, working example to edit.

    DIRECTORY must be new or empty; missing parent folders are created. The example's
    data are invented: its README.md says what to replace first.
    """
    import shlex

    from brief.new import NewProjectError, new_project

    try:
        written = new_project(directory, title)
    except NewProjectError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Wrote a new brief in {directory}/:")
    for path in written:
        click.echo(f"  {path.relative_to(directory).as_posix()}")
    click.echo("The data and the source are invented: README.md says what to replace first.")
    click.echo("Next:")
    click.echo(f"  cd {shlex.quote(str(directory))} && brief check && brief build")
    click.echo("  brief preview    # serve the site and rebuild on every save")


def main() -> None:
    """Console entry point; Click turns usage errors into exit code 2."""
    cli()


if __name__ == "__main__":
    main()
