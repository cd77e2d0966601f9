"""Property: whatever bytes a CSV holds, `check` reports problems and never crashes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brief.check import check

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = "year,total_population,urban_population\n"

cells = st.one_of(st.integers(-10**12, 10**12).map(str), st.text(max_size=12),
                  st.sampled_from(["", " ", '"', '""', ",", "\n", "1e3", "NaN", "\ufeff"]))
rows = st.lists(st.lists(cells, min_size=0, max_size=5).map(",".join), max_size=6)
contents = st.one_of(
    st.binary(max_size=300),
    rows.map(lambda r: (HEADER + "\n".join(r)).encode("utf-8")),
    st.text(max_size=300).map(lambda t: t.encode("utf-8")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=contents)
def test_corrupt_census_csv_is_reported_never_raised(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(DATA, data)
        (data / "census_population.csv").write_bytes(content)
        report = check(Path(tmp))
    valid = content.startswith(HEADER.encode()) and report.ok
    if not valid:
        assert report.problems, content
        assert all(str(p).startswith("data/") for p in report.problems)
    assert report.verdict().startswith(("OK:", "FAILED:"))
