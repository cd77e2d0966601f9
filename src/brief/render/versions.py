"""The site's record of editions: the Versions page, ``versions.json`` and past PDFs.

Releases come from ``releases/*/manifest.json`` (see :mod:`brief.release`). Every
page loads ``versions.json`` and shows a banner when it is not the latest release:
an older version, or a build whose data differ from the release of the same number.
Past PDFs are copied into the site so that every edition stays downloadable.
"""

from __future__ import annotations

import html
import json
import shutil
from dataclasses import replace
from pathlib import Path

from brief.render.project import Project

PAGE_NAME = "versions.html"
JSON_NAME = "versions.json"


def _is_this_build(project: Project, release: object) -> bool:
    return (getattr(release, "version", None) == project.version
            and getattr(release, "fingerprint", None) == project.fingerprint)


def pdf_links(project: Project, releases_dir: Path, site: Path) -> dict[str, str]:
    """Copy each past release's PDF into ``site/releases/``; map version -> site path."""
    links: dict[str, str] = {}
    for release in project.releases:
        if _is_this_build(project, release):
            links[release.version] = project.pdf_name
            continue
        archived = releases_dir / release.version / release.pdf
        if project.edition:  # the edition's own PDF, when the release archived one
            own = archived.with_name(f"{archived.stem}-{project.edition}.pdf")
            archived = own if own.is_file() else archived
        # Only a real file inside releases/: a symlink could publish any file of the
        # machine in the site.
        if not release.pdf or archived.is_symlink() or not archived.is_file() or \
                not archived.resolve().is_relative_to(releases_dir.resolve()):
            continue
        target = site / "releases" / release.version / archived.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(archived, target)
        links[release.version] = f"releases/{release.version}/{archived.name}"
    return links


def versions_json(project: Project, links: dict[str, str]) -> str:
    """The list every page's banner script reads, newest release first."""
    return json.dumps([
        {"version": r.version, "date": r.date, "date_text": _date(project, r.date),
         "fingerprint": r.fingerprint, "pdf": links.get(r.version, "")}
        for r in reversed(project.releases)
    ], ensure_ascii=False, indent=1)


def citation_block(project: Project) -> str:
    """The "Cite this brief" section shown on the summary and the Versions page."""
    return ('<section class="cite" aria-labelledby="cite-this-brief">'
            f'<h2 id="cite-this-brief">{html.escape(project.strings["cite-this-brief"])}</h2>'
            f"<p>{html.escape(project.citation)}</p></section>")


def versions_body(project: Project, links: dict[str, str], root: str) -> str:
    """The body of the Versions page: this build, then every release, newest first."""
    words = project.strings
    rows = []
    for release in reversed(project.releases):
        link = links.get(release.version)
        pdf = (f'<a href="{root}{html.escape(link)}" download>PDF</a>' if link
               else html.escape(words["pdf-not-archived"]))
        changes = "".join(f"<li><code>{html.escape(c)}</code></li>" for c in release.changes)
        notes = f"<p>{html.escape(release.notes)}</p>" if release.notes else ""
        what = notes + (f"<ul>{changes}</ul>" if changes else
                        ("" if notes else f"<p>{html.escape(words['first-release'])}</p>"))
        current = (f" ({html.escape(words['this-page'])})"
                   if _is_this_build(project, release) else "")
        rows.append(f"<tr><th scope=\"row\">{html.escape(release.version)}{current}</th>"
                    f"<td>{html.escape(_date(project, release.date))}</td><td>{pdf}</td>"
                    f"<td>{what}</td></tr>")
    if rows:
        heads = "".join(f"<th>{html.escape(words[k])}</th>"
                        for k in ("version", "date", "download", "what-changed"))
        table = ('<div class="table-wrap"><table class="versions"><thead><tr>' + heads
                 + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")
    else:
        table = f"<p>{html.escape(words['no-release'])}</p>"
    intro = html.escape(words.fill("versions-intro", version=project.version_text,
                                   date=project.date_text, fingerprint="\0"))
    intro = intro.replace("\0", f"<code>{html.escape(project.fingerprint)}</code>")
    return (f'<h1 id="versions">{html.escape(words["versions"])}</h1><p>{intro}</p>'
            + table + citation_block(project))


def _date(project: Project, iso: str) -> str:
    """A release's date in the edition's language."""
    return replace(project, date=iso).date_text if iso else ""
