"""Releases end to end on the fixture book: archive, stamps, Versions page, diff, refusals,
and byte-identical rebuilds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from brief.cli import cli
from brief.diff import file_hashes
from brief.render.build import build

pytestmark = pytest.mark.render


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    # A refusal exits through sys.exit; any other exception would be a crash.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result.exit_code, result.output



def test_release_diff_and_next_release(mini: Path) -> None:
    root = str(mini)
    code, out = run("release", "1.0.0", "--notes", "First fixture edition.", "--project", root)
    assert code == 0, out
    archive = mini / "releases" / "1.0.0"
    assert sorted(p.name for p in archive.iterdir()) == [
        "brief-1.0.0.pdf", "calls-to-action.csv", "indicators.json", "manifest.json"]
    manifest = json.loads((archive / "manifest.json").read_text("utf-8"))
    fingerprint = manifest["data_fingerprint"]
    assert set(manifest["outputs"]) == {"brief-1.0.0.pdf", "calls-to-action.csv",
                                        "indicators.json"}
    # The archive holds the fixture's own catalogue, computed from its invented data...
    archived = {i["id"]: i for i in json.loads((archive / "indicators.json").read_text("utf-8"))}
    assert list(archived) == [
        "piped_share_latest", "piped_share_previous", "piped_population_growth",
        "school_water_gap", "school_water_share_range", "unserved_schools", "handwashing_share",
        "water_budget", "tanker_litres_total"]
    assert (archived["piped_share_latest"]["value"], archived["handwashing_share"]["value"]
            ) == (35, 62)
    assert (archived["unserved_schools"]["low"], archived["unserved_schools"]["high"]
            ) == (120, 180)
    assert [s["key"] for s in archived["handwashing_share"]["sources"]] == ["lhih2018hygiene"]
    # ...and its calls to action, in file order.
    rows = (archive / "calls-to-action.csv").read_text("utf-8").splitlines()
    assert rows[0] == "id,chapter,actor,text,indicators,tags"
    assert [r.split(",")[0] for r in rows[1:]] == [
        "cta-01-water-in-every-school", "cta-01-extend-the-network", "cta-01-audit-every-year"]

    site = mini / "_book"
    page = (site / "index.html").read_text("utf-8")
    assert "Version 1.0.0" in page and f"data <code>{fingerprint}</code>" in page
    assert "Cite this brief" in page
    listed = json.loads((site / "versions.json").read_text("utf-8"))
    assert [(v["version"], v["fingerprint"], v["pdf"]) for v in listed] == [
        ("1.0.0", fingerprint, "brief-1.0.0.pdf")]
    versions_page = (site / "versions.html").read_text("utf-8")
    assert "First fixture edition." in versions_page
    pdf = PdfReader(archive / "brief-1.0.0.pdf")
    # The cover and its back (the citation, the licence, the edition).
    cover = pdf.pages[0].extract_text() + pdf.pages[1].extract_text()
    assert "Version 1.0.0" in cover and fingerprint in cover and "Cite this brief" in cover
    assert f"data {fingerprint}" in pdf.pages[3].extract_text()
    assert "Version 1.0.0" in pdf.metadata.subject

    code, out = run("release", "1.0.0", "--project", root)
    assert code == 1 and "already exists" in out and "never overwritten" in out
    code, out = run("release", "0.9.0", "--project", root)
    assert code == 1 and "not greater than the latest release, 1.0.0" in out

    code, out = run("diff", "--project", root)
    assert code == 0 and "No change" in out
    survey = mini / "data" / "household_water.csv"
    survey.write_text(survey.read_text("utf-8").replace("2020,1000000,350000",
                                                        "2020,1000000,400000"), "utf-8")
    code, out = run("diff", "--project", root)
    assert code == 1
    assert "~ piped_share_latest: 35 percent -> 40 percent" in out
    assert "~ piped_population_growth: 150,000 persons -> 200,000 persons" in out
    assert "~ data/household_water.csv" in out
    # Only the indicators computed from the edited table moved.
    moved = [line.split(":")[0].strip() for line in out.splitlines()
             if line.strip().startswith(("+ ", "~ ", "- ")) and ":" in line]
    assert moved == ["~ piped_share_latest", "~ piped_population_growth"]

    code, out = run("release", "1.1.0", "--notes", "Revised survey.", "--project", root)
    assert code == 0, out
    changelog = (mini / "CHANGELOG.md").read_text("utf-8")
    assert changelog.index("## [1.1.0]") < changelog.index("## [1.0.0]")
    assert "~ piped_population_growth" in changelog
    listed = json.loads((site / "versions.json").read_text("utf-8"))
    assert [v["version"] for v in listed] == ["1.1.0", "1.0.0"]
    assert listed[1]["pdf"] == "releases/1.0.0/brief-1.0.0.pdf"
    assert (site / "releases" / "1.0.0" / "brief-1.0.0.pdf").read_bytes() == (
        archive / "brief-1.0.0.pdf").read_bytes()
    assert (archive / "manifest.json").read_text("utf-8") == json.dumps(
        manifest, indent=2) + "\n"  # the earlier release was not touched


def test_refuses_when_check_fails(mini: Path) -> None:
    (mini / "data" / "household_water.csv").write_text("", "utf-8")
    code, out = run("release", "1.0.0", "--project", str(mini))
    assert code == 1 and "Release refused" in out and "file is empty" in out
    assert not (mini / "releases").exists()


def test_refuses_when_the_build_fails(mini: Path) -> None:
    chapter = mini / "chapters" / "01-access.qmd"
    chapter.write_text(chapter.read_text("utf-8") + "\n```{python}\n1/0\n```\n", "utf-8")
    before = (mini / "_quarto.yml").read_text("utf-8")
    code, out = run("release", "1.0.0", "--project", str(mini))
    assert code == 1 and "ZeroDivisionError" in out
    assert not (mini / "releases" / "1.0.0").exists()
    assert (mini / "_quarto.yml").read_text("utf-8") == before


def test_two_builds_of_the_same_inputs_are_byte_identical(mini: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "copy"
    shutil.copytree(mini, other)
    build(mini, fresh=True)
    build(other, fresh=True)
    assert file_hashes(mini / "_book") == file_hashes(other / "_book")
