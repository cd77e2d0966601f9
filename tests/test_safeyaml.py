"""YAML within a budget: bombs, cycles and deep nesting are refused as invalid YAML with
a location, wherever a brief reads YAML (settings, front matter, calls to action)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from brief import safeyaml
from brief.calls import CallsError, parse
from brief.settings import SettingsError, load_settings

#: Nine levels of nine aliases each: 9^9 (387 million) strings once expanded, in 0.5 KB.
BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "\n".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]"
    for i in range(8)) + "\n"


@pytest.mark.parametrize(("text", "message"), [
    (BOMB, "expands to more than 200,000 values"),
    ("a: &a [*a]\n", "refers to itself through an alias"),
    ("a: &a {b: &b [c, *a]}\n", "refers to itself through an alias"),
    ("[" * 150 + "]" * 150, "nested more than 100 levels deep"),
    ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
    ("a: b\n" * 500_000, "characters long (expected at most"),
])
def test_beyond_the_budget_is_invalid_yaml(text: str, message: str) -> None:
    with pytest.raises(yaml.YAMLError) as error:
        safeyaml.load(text)
    assert message in str(error.value)


def test_ordinary_yaml_and_shared_anchors_load_as_before() -> None:
    text = "a: 1\nb: [1, 2, {c: d}]\nx: &x {k: [1, 2]}\ny: *x\nz: null\n"
    assert safeyaml.load(text) == yaml.safe_load(text)
    assert safeyaml.load("") is None


def test_a_bomb_in_quarto_yml_is_a_located_settings_error(tmp_path: Path) -> None:
    (tmp_path / "_quarto.yml").write_text("brief:\n  " + BOMB.replace("\n", "\n  "), "utf-8")
    with pytest.raises(SettingsError) as error:
        load_settings(tmp_path)
    assert str(error.value).startswith("_quarto.yml:") and "not valid YAML" in str(error.value)


def test_a_bomb_in_the_calls_to_action_is_a_located_problem() -> None:
    with pytest.raises(CallsError) as error:
        parse(BOMB, source="chapters/calls-to-action.yml", chapters=[], indicators=[])
    assert "chapters/calls-to-action.yml:" in str(error.value)
    assert "expands to more than" in str(error.value)


@settings(max_examples=400, deadline=None)  # of the 3,100 inputs of test_fuzz.py
@given(st.text(alphabet="ab:-[]{}&*!|>'\" \n,#0123456789", max_size=120))
def test_any_text_loads_or_is_refused_as_yaml(text: str) -> None:
    """A YAML error or a value: never another exception."""
    with contextlib.suppress(yaml.YAMLError):
        safeyaml.load(text)


def _bombed(root: Path, where: str) -> None:
    """Put :data:`BOMB` where a brief reads YAML: settings, front matter, calls."""
    if where == "_quarto.yml":
        path = root / "_quarto.yml"
        path.write_text(path.read_text("utf-8") + "bomb:\n  "
                        + BOMB.replace("\n", "\n  ") + "\n", "utf-8")
    elif where == "front matter":
        path = root / "index.qmd"
        text = path.read_text("utf-8")
        path.write_text("---\n" + BOMB + text.removeprefix("---\n"), "utf-8")
    else:
        (root / "chapters" / "calls-to-action.yml").write_text(BOMB, "utf-8")


#: Runs the command in argv[1:], passes its output on, and ends with the peak resident
#: memory of the command (and anything it ran) in KB.
MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.write(done.stdout.decode("utf-8", "replace"))
sys.stdout.write(f"peak-kb {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
sys.exit(done.returncode)
"""


@pytest.mark.parametrize(("where", "named"), [
    ("_quarto.yml", "_quarto.yml"), ("front matter", "index.qmd"),
    ("calls", "chapters/calls-to-action.yml")])
def test_a_bomb_anywhere_is_refused_by_the_command_within_500_mb(tmp_path: Path,
                                                                  where: str,
                                                                  named: str) -> None:
    """`brief build` on a new brief with a bomb: exit 1, a located line, no traceback,
    and a peak memory (the process's maximum resident size) under 500 MB.

    How long a refusal takes is measured by ``bench/yaml_bombs.py``, not here."""
    import subprocess
    import sys

    from brief.new import new_project

    root = tmp_path / "brief"
    new_project(root, None)
    _bombed(root, where)
    # The command runs under a small Python that reports its children's peak memory: a
    # child forked straight from this test process would count the test's own memory
    # (hundreds of MB after the render tests) until it replaces itself with brief.
    done = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "brief.cli",
                           "build", "--project", str(root)], capture_output=True, text=True,
                          check=False)
    output, _, peak = done.stdout.rpartition("peak-kb ")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in output
    assert named in output and ("expands to more than" in output or "alias" in output), output
    assert int(peak) < 500 * 1024, f"{int(peak) // 1024} MB"
