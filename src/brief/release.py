"""Immutable, stamped releases of the brief (``brief release``) and the release archive.

A release is a folder ``releases/VERSION/`` holding the PDF (its file name carries the
version), ``indicators.json``, ``calls-to-action.csv`` and ``manifest.json`` (version,
date, git commit, notes, hashes of every input and output).
It is written into a staging folder and renamed into place in one step, so an
interrupted release leaves no partial ``releases/VERSION/``; an existing release is
never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brief.diff import (
    LEGEND,
    Change,
    changed_files,
    data_fingerprint,
    diff_indicators,
    file_hashes,
    sha256_file,
)
from brief.paths import ProjectPaths
from brief.render.project import source_date

VERSION_PATTERN = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
MANIFEST = "manifest.json"


class ReleaseRefused(Exception):
    """A release that must not happen; the message says why and what to do."""


@dataclass(frozen=True, order=True)
class Version:
    """A semantic version ``MAJOR.MINOR.PATCH`` (ordered numerically)."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = VERSION_PATTERN.match(text.strip())
        if not match:
            raise ReleaseRefused(f"version {text!r} is not of the form MAJOR.MINOR.PATCH "
                                 "(for example 1.2.0)")
        return cls(*(int(part) for part in match.groups()))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True)
class ReleaseInfo:
    """What the site's Versions page and the diff need to know about one release."""

    version: str
    date: str
    pdf: str
    notes: str
    changes: tuple[str, ...]
    #: Short hash of data/ when the release was made (see ``brief.diff.data_fingerprint``).
    fingerprint: str = ""


def release_date() -> str:
    """Today's date, or the date of ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    return source_date() or dt.datetime.now(tz=dt.UTC).date().isoformat()


#: A release's PDF: a file name in its own folder, never a path.
_PDF_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,150}\.pdf")


def _release_info(version: str, raw: Any, where: str) -> ReleaseInfo:
    """The release a manifest describes; a manifest that names a file outside its
    folder or holds the wrong kinds of values is a located :class:`ReleaseRefused`."""
    if not isinstance(raw, dict):
        raise ReleaseRefused(f"{where}: expected a JSON object (restore the release folder "
                             "from version control)")
    pdf = raw.get("pdf", "")
    if not isinstance(pdf, str) or (pdf and not _PDF_NAME.fullmatch(pdf)):
        raise ReleaseRefused(f"{where}: pdf {str(pdf)[:80]!r} is not a file name in the "
                             "release's own folder (expected a name such as brief-1.0.0.pdf)")
    changes = raw.get("changes", [])
    if not isinstance(changes, list) or not all(isinstance(c, str) for c in changes):
        raise ReleaseRefused(f"{where}: changes must be a list of texts")
    texts = {key: raw.get(key, "") for key in ("date", "notes", "data_fingerprint")}
    wrong = [key for key, value in texts.items() if not isinstance(value, str)]
    if wrong:
        raise ReleaseRefused(f"{where}: {wrong[0]} must be text")
    return ReleaseInfo(version=version, date=texts["date"], pdf=pdf, notes=texts["notes"],
                       changes=tuple(changes), fingerprint=texts["data_fingerprint"])


def list_releases(releases_dir: Path) -> list[ReleaseInfo]:
    """Every complete release (a folder with a manifest), oldest first."""
    found: list[tuple[Version, ReleaseInfo]] = []
    if not releases_dir.is_dir():
        return []
    for folder in releases_dir.iterdir():
        manifest = folder / MANIFEST
        if folder.name.startswith(".") or not manifest.is_file():
            continue
        try:
            version = Version.parse(folder.name)
            raw = json.loads(manifest.read_text("utf-8"))
        except (ReleaseRefused, json.JSONDecodeError, UnicodeDecodeError):
            continue
        found.append((version, _release_info(str(version), raw,
                                             f"releases/{folder.name}/{MANIFEST}")))
    return [info for _, info in sorted(found)]


def load_release_indicators(releases_dir: Path, version: str | None = None
                            ) -> tuple[str, list[dict[str, Any]], dict[str, str]]:
    """The indicators and data hashes of release ``version`` (default: the latest)."""
    releases = list_releases(releases_dir)
    if not releases:
        raise ReleaseRefused("there is no release yet to compare with (releases/ is empty); "
                             "run `brief release VERSION` to make the first one")
    if version is None:
        version = releases[-1].version
    folder = releases_dir / str(Version.parse(version))
    if not (folder / MANIFEST).is_file():
        known = ", ".join(r.version for r in releases)
        raise ReleaseRefused(f"no release {version} in releases/ (known: {known})")
    try:
        indicators = json.loads((folder / "indicators.json").read_text("utf-8"))
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        data = {name.removeprefix("data/"): sha for name, sha in manifest["inputs"].items()
                if name.startswith("data/")}
    except (OSError, ValueError, KeyError, AttributeError, TypeError,
            RecursionError) as exc:
        raise ReleaseRefused(f"releases/{version}/ is damaged ({type(exc).__name__}: {exc}); "
                             "restore it from version control") from None
    wrong = _wrong_indicators(indicators) or (
        "" if all(isinstance(v, str) for v in data.values())
        else "manifest.json: inputs must map file names to digests")
    if wrong:
        raise ReleaseRefused(f"releases/{version}/{wrong}; restore it from version control")
    return version, indicators, data


def _wrong_indicators(indicators: Any) -> str:
    """What is wrong with a release's ``indicators.json`` ("" when nothing is)."""
    if not isinstance(indicators, list):
        return "indicators.json: expected a list of indicators"
    for position, item in enumerate(indicators, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            return f"indicators.json: entry {position} has no id"
        for key in ("value", "low", "high"):
            value = item.get(key)
            if value is not None and (isinstance(value, bool) or
                                      not isinstance(value, int | float)):
                return f"indicators.json: {item['id']}: {key} {value!r} is not a number"
    return ""


def _git_commit(root: Path) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def with_version(text: str, version: str, date: str) -> str:
    """``_quarto.yml``'s ``text`` with its first ``version:`` and ``date:`` lines set.

    Only those two lines change, so the author's comments and layout survive.
    """
    new = text
    for key, value in (("version", version), ("date", date)):
        pattern = re.compile(rf"^(\s*{key}:\s*).*$", re.MULTILINE)
        if not pattern.search(new):
            raise ReleaseRefused(f"_quarto.yml has no `{key}:` line (expected for "
                                 f"example `  {key}: ...`)")
        new = pattern.sub(lambda m, v=value: f'{m.group(1)}"{v}"', new, count=1)
    return new


def replace_text(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, renamed over it."""
    temporary = path.with_name(f".{path.name}.brief-new")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


def changelog_entry(version: str, date: str, notes: str, changes: list[Change],
                    data_changes: list[str], first: bool = False) -> str:
    """The Keep-a-Changelog section for a release, with the indicator diff."""
    lines = [f"## [{version}] - {date}", ""]
    if notes:
        lines += [notes.strip(), ""]
    if changes:
        lines += ["### Indicators", "", f"Legend: `{LEGEND}`", ""]
        lines += [f"- `{change}`" for change in changes]
        lines.append("")
    if data_changes:
        lines += ["### Data files", ""] + [f"- `{line}`" for line in data_changes] + [""]
    if first:
        lines += ["First release.", ""]
    elif not changes and not data_changes:
        lines += ["No indicator or data changes since the previous release.", ""]
    return "\n".join(lines) + "\n"


def prepend_changelog(path: Path, entry: str) -> None:
    """Insert ``entry`` above the newest release section (below ``[Unreleased]``)."""
    text = path.read_text("utf-8") if path.is_file() else "# Changelog\n\n"
    marker = re.search(r"^## \[(?!Unreleased)", text, re.MULTILINE)
    if marker:
        text = text[: marker.start()] + entry + "\n" + text[marker.start():]
    else:
        text = text.rstrip("\n") + "\n\n" + entry
    replace_text(path, text)


Builder = Callable[[ProjectPaths, list[ReleaseInfo]], Path]


def make_release(paths: ProjectPaths, version_text: str, notes: str, build: Builder,
                 indicators_json: Callable[[], list[dict[str, Any]]],
                 export_calls: Callable[[Path], None]) -> ReleaseInfo:
    """Check, build and archive release ``version_text``; refuse when anything is off.

    ``build`` renders the brief (given the list of releases the Versions page should
    show, this one included) and returns the output folder; ``indicators_json`` and
    ``export_calls`` produce the archived indicator list and calls-to-action CSV.
    """
    version = Version.parse(version_text)
    # What a release stopped by force left: a half-written release folder, a config
    # or changelog never renamed into place.
    for leftover in [*paths.releases.glob(".staging-*"),
                     *paths.root.glob(".*.brief-new")]:
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    releases = list_releases(paths.releases)
    target = paths.releases / str(version)
    if target.exists():
        raise ReleaseRefused(f"release {version} already exists in releases/{version}/; "
                             "releases are never overwritten: choose a new version")
    if releases and version <= Version.parse(releases[-1].version):
        raise ReleaseRefused(f"version {version} is not greater than the latest release, "
                             f"{releases[-1].version}")
    date = release_date()
    current = indicators_json()
    data_hashes = file_hashes(paths.data)
    if releases:
        _, previous, previous_data = load_release_indicators(paths.releases)
        changes = diff_indicators(previous, current)
        data_changes = changed_files(previous_data, data_hashes)
    else:
        changes, data_changes = [], []
    pdf_name = f"brief-{version}.pdf"
    info = ReleaseInfo(version=str(version), date=date, pdf=pdf_name, notes=notes,
                       changes=tuple(str(c) for c in changes),
                       fingerprint=data_fingerprint(paths.data))
    # Checked before anything is built; written only once the release is archived.
    config = with_version(paths.quarto_config.read_text("utf-8"), str(version), date)
    output = build(paths, [*releases, info])
    # The release folder is renamed into place in one step: from here on it exists.
    _archive(paths, output, target, info, current, data_hashes, changes, export_calls)
    replace_text(paths.quarto_config, config)
    prepend_changelog(paths.root / "CHANGELOG.md",
                      changelog_entry(str(version), date, notes, changes, data_changes,
                                      first=not releases))
    return info


def _archive(paths: ProjectPaths, output: Path, target: Path, info: ReleaseInfo,
             indicators: list[dict[str, Any]], data_hashes: dict[str, str],
             changes: list[Change], export_calls: Callable[[Path], None]) -> None:
    """Write the release folder into a staging folder, then rename it into place."""
    paths.releases.mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{info.version}-", dir=paths.releases))
    staging.chmod(0o755)  # mkdtemp makes it private; a release is for everyone to read
    try:
        pdfs = sorted(output.glob("*.pdf"))
        if not pdfs:
            raise ReleaseRefused(f"the build wrote no PDF into {output}")
        shutil.copy2(pdfs[0], staging / info.pdf)
        # Each translation's PDF (brief-1.0-vi.pdf, built into _book/vi/) beside it.
        for translated in sorted(output.glob(f"*/{Path(info.pdf).stem}-*.pdf")):
            shutil.copy2(translated, staging / translated.name)
        (staging / "indicators.json").write_text(
            json.dumps(indicators, indent=2, ensure_ascii=False) + "\n", "utf-8")
        export_calls(staging / "calls-to-action.csv")
        manifest = {
            "version": info.version,
            "date": info.date,
            "commit": _git_commit(paths.root),
            "notes": info.notes,
            "pdf": info.pdf,
            "data_fingerprint": info.fingerprint,
            "changes": [str(c) for c in changes],
            "inputs": {f"data/{k}": v for k, v in data_hashes.items()}
            | _source_hashes(paths),
            "outputs": file_hashes(staging),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
        staging.rename(target)  # atomic on one filesystem: all or nothing
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _source_hashes(paths: ProjectPaths) -> dict[str, str]:
    """Hashes of the book's sources: config, chapters, references."""
    out: dict[str, str] = {}
    for path in [paths.quarto_config, paths.references, paths.root / "index.qmd"]:
        if path.is_file():
            out[path.name] = sha256_file(path)
    for name, sha in file_hashes(paths.chapters).items():
        out[f"chapters/{name}"] = sha
    return out
