"""Export charts in a process of its own (run as a script; never imported by the build).

Usage: ``python chart_worker.py JOB.json FONT_DIR...``. ``JOB.json`` lists charts as
``{"name", "spec", "svg", "png"}`` (the output paths); each is written, and the SVG
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


def main(job: str, fonts: list[str]) -> int:
    import vl_convert

    for folder in fonts:
        vl_convert.register_font_directory(folder)
    widths = {}
    for chart in json.loads(Path(job).read_text(encoding="utf-8")):
        try:
            svg = vl_convert.vegalite_to_svg(chart["spec"])
            png = vl_convert.svg_to_png(svg, scale=2)
        except Exception as exc:  # vl_convert raises plain ValueError/RuntimeError
            print(json.dumps({"error": str(exc), "name": chart["name"]}))
            return 1
        svg_path, png_path = Path(chart["svg"]), Path(chart["png"])
        svg_path.parent.mkdir(parents=True, exist_ok=True)
        svg_path.write_text(svg, encoding="utf-8")
        png_path.write_bytes(png)
        match = _SVG_WIDTH.search(svg)
        widths[chart["name"]] = float(match.group(1)) if match else 0.0
    print(json.dumps(widths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
