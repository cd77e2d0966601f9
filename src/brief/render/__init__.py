"""Render a Quarto book project to a website and a PDF with the native engine.

The stages, one module each, in the order the build runs them:
``project`` (read ``_quarto.yml``) -> ``qmd`` (parse chapters) -> ``execute``
(run their Python cells in a Jupyter kernel) -> ``markdown`` (assemble pandoc
markdown) -> ``xref`` (number chapters, sections, figures, tables) -> ``figures``
(export charts) -> ``html`` and ``pdf`` (pandoc, Typst) -> ``build`` (staging and
atomic swap). ``quarto`` delegates to the Quarto CLI instead.
"""

from brief.render.errors import RenderError

__all__ = ["RenderError"]
