"""Extract the compatibility corpus of Quarto's own test documents from quarto-cli.

The documents (and the files they need) are listed once, in
``tests/quarto_corpus/MANIFEST.txt``, with the quarto-cli commit they come from. This
script copies exactly those files out of a quarto-cli git repository (a checkout or a
bare repository; it reads git objects, never the work tree) into
``tests/quarto_corpus/docs/``, keeping their paths under quarto-cli's ``tests/docs/``.
Anything else in ``docs/`` is removed, so the folder always holds the manifest and
nothing more. ``tests/render/test_quarto_corpus.py`` builds each document as a chapter
of a book; it reads the manifest through :func:`read_manifest`.

Usage, from the project root::

    python scripts/quarto_corpus.py /path/to/quarto-cli            # the pinned commit
    python scripts/quarto_corpus.py /path/to/quarto-cli --commit SHA
    python scripts/quarto_corpus.py /path/to/quarto-cli --check    # compare only

A new commit also needs the ``commit:`` line of the manifest and
``tests/quarto_corpus/LICENSE`` updated, and the expected results re-read.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "quarto_corpus"
MANIFEST = CORPUS / "MANIFEST.txt"
DOCS = CORPUS / "docs"
#: Where the documents live inside quarto-cli.
SOURCE_PREFIX = "tests/docs"

_COMMIT = re.compile(r"^#\s*commit:\s*(?P<sha>[0-9a-f]{40})\s*$")
_BASE = re.compile(r"^base=(?P<base>\S.*)$")


@dataclass(frozen=True)
class Document:
    """One chosen document, its companion files and the folder that is the book root."""

    path: str
    companions: tuple[str, ...] = ()
    base: str = ""

    @property
    def root(self) -> str:
        """The folder (relative to ``tests/docs``) whose contents make the test book."""
        return self.base or str(PurePosixPath(self.path).parent)

    @property
    def files(self) -> tuple[str, ...]:
        """The document and its companions, as paths under ``tests/docs``."""
        return (self.path, *self.companions)

    def relative(self, path: str) -> str:
        """``path`` (under ``tests/docs``) relative to :attr:`root`."""
        root = self.root
        if root in ("", "."):
            return path
        return str(PurePosixPath(path).relative_to(root))


@dataclass(frozen=True)
class Manifest:
    """The pinned commit and the chosen documents, in manifest order."""

    commit: str
    documents: tuple[Document, ...]

    @property
    def files(self) -> list[str]:
        """Every file to extract (under ``tests/docs``), each once, sorted."""
        return sorted({f for d in self.documents for f in d.files})


def _check_path(path: str, line: int) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not path.strip():
        raise ValueError(f"{MANIFEST.name}:{line}: {path!r} is not a relative path "
                         "inside tests/docs")
    return path


def read_manifest(path: Path = MANIFEST) -> Manifest:
    """Parse the manifest: ``# commit:``, documents at the margin, companions indented."""
    commit = ""
    documents: list[Document] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        if raw.lstrip().startswith("#"):
            match = _COMMIT.match(raw.strip())
            if match:
                commit = match.group("sha")
            continue
        if raw.startswith((" ", "\t")):
            if not documents:
                raise ValueError(f"{path.name}:{number}: a companion file before any "
                                 "document")
            last = documents[-1]
            companion = _check_path(raw.strip(), number)
            documents[-1] = Document(last.path, (*last.companions, companion), last.base)
            continue
        doc, _, options = (part.strip() for part in raw.partition("|"))
        base = ""
        if options:
            match = _BASE.match(options)
            if not match:
                raise ValueError(f"{path.name}:{number}: unknown option {options!r} "
                                 "(expected base=DIR)")
            base = _check_path(match.group("base").strip(), number)
        documents.append(Document(_check_path(doc, number), (), base))
    if not commit:
        raise ValueError(f"{path.name}: no '# commit: <40 hex digits>' line")
    for document in documents:
        for file in document.files:
            document.relative(file)  # raises ValueError when a file is outside the root
    return Manifest(commit, tuple(documents))


def _git(repo: Path, *args: str) -> bytes:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                            check=False)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"git {' '.join(args)}: {message}")
    return result.stdout


def read_blob(repo: Path, commit: str, path: str) -> bytes:
    """The bytes of ``tests/docs/<path>`` at ``commit`` in ``repo``."""
    return _git(repo, "cat-file", "blob", f"{commit}:{SOURCE_PREFIX}/{path}")


def extract(repo: Path, commit: str, manifest: Manifest, target: Path = DOCS) -> int:
    """Write exactly the manifest's files into ``target`` (emptied first); return count."""
    _git(repo, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
    contents = {path: read_blob(repo, commit, path) for path in manifest.files}
    if target.exists():
        shutil.rmtree(target)
    for path, data in contents.items():
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    return len(contents)


def differences(repo: Path, commit: str, manifest: Manifest, target: Path = DOCS
                ) -> list[str]:
    """What differs between ``target`` and the manifest's files at ``commit``."""
    problems: list[str] = []
    wanted = set(manifest.files)
    for path in manifest.files:
        local = target / path
        if not local.is_file():
            problems.append(f"missing: {path}")
        elif local.read_bytes() != read_blob(repo, commit, path):
            problems.append(f"changed: {path}")
    if target.exists():
        for local in sorted(target.rglob("*")):
            relative = local.relative_to(target).as_posix()
            if local.is_file() and relative not in wanted:
                problems.append(f"not in the manifest: {relative}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line: extract (or ``--check``) the corpus from a quarto-cli repository."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a quarto-cli checkout or bare repository")
    parser.add_argument("--commit", help="the commit to read (default: the manifest's)")
    parser.add_argument("--check", action="store_true",
                        help="compare tests/quarto_corpus/docs with the repository; "
                        "write nothing")
    args = parser.parse_args(argv)
    manifest = read_manifest()
    commit = args.commit or manifest.commit
    try:
        if args.check:
            problems = differences(args.repo, commit, manifest)
            for problem in problems:
                print(problem)
            print(f"{len(manifest.files)} files checked against {commit[:12]}: "
                  f"{len(problems)} differences")
            return 1 if problems else 0
        count = extract(args.repo, commit, manifest)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{count} files of {len(manifest.documents)} documents written to "
          f"{DOCS.relative_to(ROOT)} from {commit[:12]}")
    if commit != manifest.commit:
        print("note: this is not the manifest's commit; update its '# commit:' line and "
              "tests/quarto_corpus/LICENSE", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
