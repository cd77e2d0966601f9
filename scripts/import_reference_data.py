"""Import the public series kept in ``../shared/reference-data/`` into ``data/``.

A one-off, repeatable step for authors, not part of the build: it reads the copies
described in ``../shared/reference-data/SOURCES.md`` (checking that each file is the
one described there, by its SHA-256), keeps what the brief uses, renames the columns to
the data package's names and writes one CSV per resource:

* ``province_net_migration.csv``: GSO net migration rate by province, 2011-2024,
  per 1,000 population. The regional row "Tây Nguyên" is dropped (it is the Central
  Highlands aggregate, not a province) and "Hải Duong" is spelt "Hải Dương", as GSO
  writes it in the population table.
* ``province_population.csv``: GSO average population by province, 2011-2024, in
  thousand persons.
* ``urbanisation_wdi.csv``: World Bank WDI, urban population (% of total), 1960 onward.
* ``remittances_wdi.csv``: World Bank WDI, personal remittances received (current US$),
  the March 2026 vintage only (see the caveat in SOURCES.md and in the data package).
* ``diaspora_stock.csv``: UN DESA International Migrant Stock 2019, people born in
  Viet Nam by country of residence, 1990-2019; the "South America" residual row is
  dropped.

Run from the project root: ``python scripts/import_reference_data.py [REFERENCE_DIR]``.
It writes only when a file's content changes; ``brief check`` validates the result.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference-data"

#: The files as SOURCES.md describes them (SHA-256 of the copies).
EXPECTED = {
    "gso_province_net_migration_rate_2011_2024.csv":
        "e8659d13077d3e0fd9140b914ef8983fe22d8d0efea7cd5c93a5fecc6540a5e9",
    "gso_province_average_population_2011_2024.csv":
        "02c39c4c908cf263e4b9f8caf2baa62aaea1defe24f4918411593fcc882056c9",
    "wdi_viet_nam_subset.csv":
        "779e8a6b6046b040f688543dc53baadc47a277219b7b661228da45413cff01fd",
    "undesa_migrant_stock_2019_origin_viet_nam.csv":
        "aaab059186f679c9cbf22add776f56883002dfe6fb29d3b2e324ad526f82f9d6",
}
#: The WDI vintage of the remittance series that has values after 2004 (SOURCES.md).
REMITTANCE_COMMIT = "b8773c863b57bb0a1cf04df278a4d96309c356f9"
SPELLING = {"Hải Duong": "Hải Dương"}
NOT_PROVINCES = {"Tây Nguyên"}


def _rows(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != EXPECTED[path.name]:
        sys.exit(f"{path}: SHA-256 {digest} is not the one SOURCES.md gives "
                 f"({EXPECTED[path.name]}); the copy has changed, check it first")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _write(name: str, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = ROOT / "data" / name
    if path.is_file() and path.read_text("utf-8") == buffer.getvalue():
        print(f"unchanged  data/{name}")
        return
    path.write_text(buffer.getvalue(), "utf-8")
    print(f"wrote      data/{name} ({len(rows)} rows)")


def _provinces(reference: Path) -> None:
    rates = [r for r in _rows(reference / "gso_province_net_migration_rate_2011_2024.csv")
             if r["Province"] not in NOT_PROVINCES]
    _write("province_net_migration.csv", ["province", "year", "net_migration_rate"],
           [[SPELLING.get(r["Province"], r["Province"]), r["Year"],
             r["Net_Migration_Rate"].strip()] for r in rates])
    population = _rows(reference / "gso_province_average_population_2011_2024.csv")
    _write("province_population.csv", ["province", "year", "population"],
           [[r["Province"], r["Year"], r["Population"].strip()] for r in population])


def _wdi(reference: Path) -> None:
    rows = _rows(reference / "wdi_viet_nam_subset.csv")
    urban = sorted((r for r in rows if r["indicator_code"] == "SP.URB.TOTL.IN.ZS"),
                   key=lambda r: int(r["year"]))
    _write("urbanisation_wdi.csv", ["year", "urban_share"],
           [[r["year"], r["value"].strip()] for r in urban])
    remittances = sorted((r for r in rows if r["indicator_code"] == "BX.TRF.PWKR.CD.DT"
                          and r["source_commit"] == REMITTANCE_COMMIT),
                         key=lambda r: int(r["year"]))
    _write("remittances_wdi.csv", ["year", "remittances_usd"],
           [[r["year"], r["value"].strip()] for r in remittances])


def _diaspora(reference: Path) -> None:
    rows = [r for r in _rows(reference / "undesa_migrant_stock_2019_origin_viet_nam.csv")
            if r["destination"] != "South America"]
    rows.sort(key=lambda r: (int(r["year"]), r["destination"]))
    _write("diaspora_stock.csv", ["year", "destination", "migrant_stock"],
           [[r["year"], r["destination"], r["migrant_stock"].strip().removesuffix(".0")]
            for r in rows])


def main(argv: list[str]) -> None:
    reference = Path(argv[1]) if len(argv) > 1 else DEFAULT_REFERENCE
    _provinces(reference)
    _wdi(reference)
    _diaspora(reference)


if __name__ == "__main__":
    main(sys.argv)
