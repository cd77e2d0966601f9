"""brief: recompute a policy brief's indicators from its data package and render it.

The pipeline runs one way: ``datapackage`` (validate and load ``data/``) ->
``indicators`` (pure functions over the tables) -> chapters -> ``render``.
"""

__version__ = "0.1.0"
