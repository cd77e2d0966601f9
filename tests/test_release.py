"""Releases: refusals, the archive, CHANGELOG entries, interruption; and `brief diff`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from brief.catalogue import compute_indicators
from brief.cli import cli
from brief.paths import ProjectPaths
from brief.release import ReleaseInfo, ReleaseRefused, Version, list_releases, make_release

CONFIG = """project:
  type: book
book:
  title: "Test brief"
  version: "0.0.0"
  date: "2026-01-01"
  chapters:
    - index.qmd
"""


@pytest.fixture
def paths(project: Path) -> ProjectPaths:
    (project / "_quarto.yml").write_text(CONFIG, "utf-8")
    (project / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n", "utf-8")
    return ProjectPaths(project)


def fake_build(paths: ProjectPaths, releases: list[ReleaseInfo]) -> Path:
    """Stands in for the renderer: writes a PDF and a page naming the versions it was given."""
    out = paths.root / "_book"
    out.mkdir(exist_ok=True)
    (out / "brief.pdf").write_bytes(b"%PDF-1.7 test")
    (out / "versions.html").write_text(" ".join(r.version for r in releases), "utf-8")
    return out


def release(paths: ProjectPaths, version: str, notes: str = "", build=fake_build) -> ReleaseInfo:
    return make_release(
        paths, version, notes, build,
        lambda: [i.to_dict() for i in compute_indicators(paths.root).values()],
        lambda target: target.write_text("id,chapter,actor,text\n", "utf-8"),
    )


def test_first_release_writes_the_archive(paths: ProjectPaths) -> None:
    info = release(paths, "1.0.0", "First edition.")
    folder = paths.releases / "1.0.0"
    assert sorted(p.name for p in folder.iterdir()) == [
        "brief-1.0.0.pdf", "calls-to-action.csv", "indicators.json", "manifest.json"]
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["version"] == "1.0.0" and manifest["date"] == info.date
    assert "data/census_population.csv" in manifest["inputs"]
    assert "brief-1.0.0.pdf" in manifest["outputs"]
    assert (paths.root / "_book" / "versions.html").read_text("utf-8") == "1.0.0"
    assert manifest["data_fingerprint"] == info.fingerprint
    assert 'version: "1.0.0"' in paths.quarto_config.read_text("utf-8")
    changelog = (paths.root / "CHANGELOG.md").read_text("utf-8")
    assert "## [1.0.0] - " in changelog and "First release." in changelog
    assert [r.version for r in list_releases(paths.releases)] == ["1.0.0"]


def test_same_version_is_refused(paths: ProjectPaths) -> None:
    release(paths, "1.0.0")
    with pytest.raises(ReleaseRefused, match=r"already exists.*never overwritten"):
        release(paths, "1.0.0")


def test_lower_version_is_refused(paths: ProjectPaths) -> None:
    release(paths, "1.2.0")
    with pytest.raises(ReleaseRefused, match=r"not greater than the latest release, 1\.2\.0"):
        release(paths, "1.1.9")


def test_malformed_version_is_refused(paths: ProjectPaths) -> None:
    with pytest.raises(ReleaseRefused, match=r"MAJOR\.MINOR\.PATCH"):
        release(paths, "v1")


def test_versions_order_numerically() -> None:
    assert Version.parse("1.10.0") > Version.parse("1.9.3")


def test_interrupted_release_leaves_nothing(paths: ProjectPaths) -> None:
    before = paths.quarto_config.read_text("utf-8")

    def broken_build(paths: ProjectPaths, releases: list[ReleaseInfo]) -> Path:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        release(paths, "1.0.0", build=broken_build)
    assert not (paths.releases / "1.0.0").exists()
    assert paths.quarto_config.read_text("utf-8") == before


def test_interrupted_archiving_leaves_no_partial_folder(paths: ProjectPaths) -> None:
    def no_pdf_build(paths: ProjectPaths, releases: list[ReleaseInfo]) -> Path:
        out = paths.root / "_book"
        out.mkdir(exist_ok=True)
        return out

    before = paths.quarto_config.read_text("utf-8")
    with pytest.raises(ReleaseRefused, match="wrote no PDF"):
        release(paths, "1.0.0", build=no_pdf_build)
    assert not (paths.releases / "1.0.0").exists()
    assert paths.quarto_config.read_text("utf-8") == before
    assert list(paths.releases.iterdir()) == []


def test_second_release_records_the_indicator_diff(paths: ProjectPaths) -> None:
    release(paths, "1.0.0")
    census = paths.data / "census_population.csv"
    census.write_text(census.read_text("utf-8").replace("25374262", "25436896"), "utf-8")
    info = release(paths, "1.1.0", "Completed 2009 census results.")
    assert any(c.startswith("~ urban_population_growth:") for c in info.changes)
    changelog = (paths.root / "CHANGELOG.md").read_text("utf-8")
    assert changelog.index("## [1.1.0]") < changelog.index("## [1.0.0]")
    assert "~ data/census_population.csv" in changelog
    assert "Completed 2009 census results." in changelog


def test_diff_exit_codes_and_legend(paths: ProjectPaths) -> None:
    runner = CliRunner()
    release(paths, "1.0.0")
    same = runner.invoke(cli, ["diff", "--project", str(paths.root)])
    assert same.exit_code == 0, same.output
    assert "No change" in same.output
    census = paths.data / "census_population.csv"
    census.write_text(census.read_text("utf-8").replace("25374262", "25436896"), "utf-8")
    moved = runner.invoke(cli, ["diff", "1.0.0", "--project", str(paths.root)])
    assert moved.exit_code == 1
    assert "Legend: + new  ~ changed  - removed" in moved.output
    # 25,374,262 -> 25,436,896 urban in 2009 moves both decades that end or start there.
    assert ("~ urban_population_growth_1999_2009: 7,297,439 persons -> 7,360,073 persons"
            in moved.output)
    assert "~ urban_population_growth: 7,748,286 persons -> 7,685,652 persons" in moved.output
    assert "~ data/census_population.csv" in moved.output


def test_diff_without_releases_says_so(paths: ProjectPaths) -> None:
    result = CliRunner().invoke(cli, ["diff", "--project", str(paths.root)])
    assert isinstance(result.exception, SystemExit), result.exception  # no crash
    assert result.exit_code == 1
    assert "no release yet" in result.output


def test_diff_unknown_version(paths: ProjectPaths) -> None:
    release(paths, "1.0.0")
    result = CliRunner().invoke(cli, ["diff", "9.9.9", "--project", str(paths.root)])
    assert isinstance(result.exception, SystemExit), result.exception  # no crash
    assert result.exit_code == 1 and "no release 9.9.9" in result.output


def test_a_damaged_release_is_reported_not_raised(paths: ProjectPaths) -> None:
    release(paths, "1.0.0")
    (paths.releases / "1.0.0" / "indicators.json").write_text("{broken", "utf-8")
    result = CliRunner().invoke(cli, ["diff", "--project", str(paths.root)])
    assert isinstance(result.exception, SystemExit), result.exception  # no crash
    assert result.exit_code == 1 and "releases/1.0.0/ is damaged" in result.output
