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
from pathlib import Path

from brief.render.project import Project, date_text

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
        # Only a real file inside releases/: a symlink could publish any file of the
        # machine in the site.
        if not release.pdf or archived.is_symlink() or not archived.is_file() or \
                not archived.resolve().is_relative_to(releases_dir.resolve()):
            continue
        target = site / "releases" / release.version / release.pdf
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(archived, target)
        links[release.version] = f"releases/{release.version}/{release.pdf}"
    return links


def versions_json(project: Project, links: dict[str, str]) -> str:
    """The list every page's banner script reads, newest release first."""
    return json.dumps([
        {"version": r.version, "date": r.date, "date_text": date_text(r.date),
         "fingerprint": r.fingerprint, "pdf": links.get(r.version, "")}
        for r in reversed(project.releases)
    ], ensure_ascii=False, indent=1)


def citation_block(project: Project) -> str:
    """The "Cite this brief" section shown on the summary and the Versions page."""
    return ('<section class="cite" aria-labelledby="cite-this-brief">'
            '<h2 id="cite-this-brief">Cite this brief</h2>'
            f"<p>{html.escape(project.citation)}</p></section>")


def versions_body(project: Project, links: dict[str, str], root: str) -> str:
    """The body of the Versions page: this build, then every release, newest first."""
    rows = []
    for release in reversed(project.releases):
        link = links.get(release.version)
        pdf = (f'<a href="{root}{html.escape(link)}" download>PDF</a>' if link
               else "PDF not archived")
        changes = "".join(f"<li><code>{html.escape(c)}</code></li>" for c in release.changes)
        notes = f"<p>{html.escape(release.notes)}</p>" if release.notes else ""
        what = notes + (f"<ul>{changes}</ul>" if changes else
                        ("" if notes else "<p>First release.</p>"))
        current = " (this page)" if _is_this_build(project, release) else ""
        rows.append(f"<tr><th scope=\"row\">{html.escape(release.version)}{current}</th>"
                    f"<td>{html.escape(date_text(release.date))}</td><td>{pdf}</td>"
                    f"<td>{what}</td></tr>")
    if rows:
        table = ('<div class="table-wrap"><table class="versions"><thead><tr><th>Version</th>'
                 "<th>Date</th><th>Download</th><th>What changed</th></tr></thead><tbody>"
                 + "".join(rows) + "</tbody></table></div>")
    else:
        table = "<p>No version has been released yet.</p>"
    return (f'<h1 id="versions">Versions</h1>'
            f"<p>You are reading version {html.escape(project.version_text)} of "
            f"{html.escape(project.date_text)}, built from data with fingerprint "
            f"<code>{html.escape(project.fingerprint)}</code>. Every published edition is "
            "listed below with its PDF; the legend of the changes is "
            "<code>+</code> new, <code>~</code> changed, <code>-</code> removed.</p>"
            + table + citation_block(project))
