"""Export charts in a process of its own (run as a script; never imported by the build).

Usage: ``python chart_worker.py JOB.json FONT_DIR...``. ``JOB.json`` lists charts as
``{"name", "spec", "svg", "png", "download", "footer"}`` (the output paths, and the
lines printed under the downloadable SVG and PNG); each is written, and the SVG
widths are printed as one JSON object, ``{name: width}``. A chart that cannot be drawn
prints ``{"error": message, "name": name}`` and exits 1.

Why a process: ``vl_convert`` holds the interpreter lock while it converts (about
0.15 s a chart), so a build with many factsheets exports their charts in a few of these
while it writes the pages. Only ``vl_convert`` is imported, which keeps the start
cheap; the first conversion (about 0.8 s) is paid once per process.
"""

import json
import re
import sys
from pathlib import Path

_SVG_WIDTH = re.compile(r'<svg[^>]*?\swidth="([0-9.]+)"')
_SVG_OPEN = re.compile(r'<svg\b[^>]*>')
#: The footer's type: small, grey, in the charts' font; characters per line of it.
FOOTER_SIZE = 11
FOOTER_LINE = 16
CHARACTERS_PER_PIXEL = 1 / 6.2


_ID = re.compile(r'\sid="([^"]+)"')


def stable_ids(svg: str, prefix: str) -> str:
    """``svg`` with its element ids (Vega's gradients and clips) renamed
    ``PREFIX-1``, ``PREFIX-2``... in order of appearance.

    vl_convert numbers them by a counter that runs across a process's conversions, so
    the same chart would get other ids in another build, and two charts inlined in one
    page could share one and paint each other's gradients."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", prefix).strip("-") or "chart"
    names = {old: f"{safe}-{n}" for n, old in enumerate(dict.fromkeys(_ID.findall(svg)), 1)}
    if not names:
        return svg
    pattern = re.compile(r'(\sid="|url\(#|href="#)(' + "|".join(map(re.escape, names)) +
                         r')(?=[")])')
    return pattern.sub(lambda m: m.group(1) + names[m.group(2)], svg)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wrapped(text: str, width: float) -> list[str]:
    """``text`` in lines that fit ``width`` pixels at the footer's size (estimated)."""
    limit = max(30, int(width * CHARACTERS_PER_PIXEL))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def with_footer(svg: str, footer: list[str], font: str = "Noto Sans") -> str:
    """``svg`` made taller by a footer of ``footer`` lines (the chart's source, unit,
    licence and version), so that a downloaded chart still says where it comes from."""
    opening = _SVG_OPEN.search(svg)
    width = _SVG_WIDTH.search(svg)
    height = re.search(r'\sheight="([0-9.]+)"', opening.group(0)) if opening else None
    if not (opening and width and height and footer):
        return svg
    w, h = float(width.group(1)), float(height.group(1))
    lines = [line for text in footer for line in _wrapped(text, w - 10)]
    extra = 10 + FOOTER_LINE * len(lines)
    tag = opening.group(0)
    tag = re.sub(r'(\sheight=")[0-9.]+"', lambda m: f'{m.group(1)}{h + extra:g}"', tag, count=1)
    tag = re.sub(r'(\sviewBox="[-0-9. ]+?\s)([0-9.]+)"',
                 lambda m: f'{m.group(1)}{h + extra:g}"', tag, count=1)
    texts = "".join(
        f'<text x="5" y="{h + 6 + FOOTER_LINE * (i + 1) - 4:g}" font-family="{_escape(font)}" '
        f'font-size="{FOOTER_SIZE}" fill="#444">{_escape(line)}</text>'
        for i, line in enumerate(lines))
    body = svg[opening.end():]
    closing = body.rfind("</svg>")
    footer_group = (f'<g class="brief-footer"><rect x="0" y="{h:g}" width="{w:g}" '
                    f'height="{extra:g}" fill="white"/>{texts}</g>')
    return svg[:opening.start()] + tag + body[:closing] + footer_group + body[closing:]


def main(job: str, fonts: list[str]) -> int:
    import vl_convert

    for folder in fonts:
        vl_convert.register_font_directory(folder)
    widths = {}
    for chart in json.loads(Path(job).read_text(encoding="utf-8")):
        try:
            svg = stable_ids(vl_convert.vegalite_to_svg(chart["spec"]), chart["name"])
            download = with_footer(svg, chart["footer"])
            png = vl_convert.svg_to_png(download, scale=2)
        except Exception as exc:  # vl_convert raises plain ValueError/RuntimeError
            print(json.dumps({"error": str(exc), "name": chart["name"]}))
            return 1
        svg_path, png_path = Path(chart["svg"]), Path(chart["png"])
        svg_path.parent.mkdir(parents=True, exist_ok=True)
        svg_path.write_text(svg, encoding="utf-8")
        Path(chart["download"]).write_text(download, encoding="utf-8")
        png_path.write_bytes(png)
        match = _SVG_WIDTH.search(svg)
        widths[chart["name"]] = float(match.group(1)) if match else 0.0
    print(json.dumps(widths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
