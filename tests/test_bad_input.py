"""Every class of bad input gives a located message and exit 1 (cases in bad_input.yml)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from brief.cli import cli

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "bad_input.yml").read_text("utf-8"))


def _dotted(tree: Any, path: str) -> tuple[Any, Any]:
    *parents, last = path.split(".")
    for part in parents:
        tree = tree[int(part)] if isinstance(tree, list) else tree[part]
    return tree, int(last) if isinstance(tree, list) else last


def apply(case: dict[str, Any], data: Path) -> None:
    """Break ``data`` the way ``case`` says."""
    for name in [case["remove"]] if "remove" in case else []:
        (data / name).unlink()
    for name, text in case.get("write", {}).items():
        (data / name).write_bytes(text.encode("utf-8"))
    for name, text in case.get("write_latin1", {}).items():
        (data / name).write_bytes(text.encode("latin-1"))
    for name, (old, new) in case.get("replace", {}).items():
        text = (data / name).read_text("utf-8")
        assert old in text, f"case {case['name']!r}: {old!r} not found in {name}"
        (data / name).write_text(text.replace(old, new, 1), "utf-8")
    for name, start in case.get("drop_line", {}).items():
        lines = (data / name).read_text("utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(start + ",")]
        assert len(kept) == len(lines) - 1
        (data / name).write_text("".join(kept), "utf-8")
    descriptor = data / "datapackage.json"
    if "descriptor" in case:
        descriptor.write_text(case["descriptor"], "utf-8")
    if "set" in case or "delete" in case:
        tree = json.loads(descriptor.read_text("utf-8"))
        for path, value in case.get("set", {}).items():
            parent, key = _dotted(tree, path)
            parent[key] = value
        if "delete" in case:
            parent, key = _dotted(tree, case["delete"])
            del parent[key]
        descriptor.write_text(json.dumps(tree), "utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_is_reported(case: dict[str, Any], project: Path) -> None:
    apply(case, project / "data")
    result = CliRunner().invoke(cli, ["check", "--project", str(project)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no crash
    assert case["expect"] in result.output, result.output
    assert result.output.rstrip().splitlines()[-1].startswith("FAILED: ")


def test_good_data_passes(project: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1].startswith("OK: 13 tables")


def test_every_problem_is_listed_not_just_the_first(project: Path) -> None:
    data = project / "data"
    (data / "returns_to_viet_nam.csv").write_text("", "utf-8")
    (data / "census_population.csv").write_text(
        "year,total_population,urban_population\n1999,x,1\n2009,y,2\n", "utf-8")
    result = CliRunner().invoke(cli, ["check", "--project", str(project)])
    lines = result.output.splitlines()
    assert any(line.startswith("data/census_population.csv:2:") for line in lines)
    assert any(line.startswith("data/census_population.csv:3:") for line in lines)
    assert any(line.startswith("data/returns_to_viet_nam.csv:") for line in lines)
    assert "FAILED: 3 problems in 2 files." in result.output


def test_real_process_exits_1_without_traceback(project: Path) -> None:
    (project / "data" / "datapackage.json").write_text("{not json", "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "from brief.cli import main; main()", "check", "--project",
         str(project)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 1
    assert "data/datapackage.json:1: malformed JSON" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_no_project_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--project", str(tmp_path)])
    assert result.exit_code == 1
    assert "No brief project found" in result.output
