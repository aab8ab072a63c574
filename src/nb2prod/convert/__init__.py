"""``nb2prod convert``: a notebook becomes an installable PySpark pipeline package.

Stages, each in its own module:

1. :mod:`.cells` loads code cells, recognises IPython magics with IPython's own
   input transformers, and joins the cells into one libcst module separated by
   sentinel statements (so every line keeps the cell it came from).
2. :mod:`.passes` are libcst codemods run in order: magics, print/display to
   logging, hard-coded configuration to YAML, pandas to native PySpark. The
   pandas pass dispatches each pandas call to one rule module in :mod:`.rules`.
3. :mod:`.package` renders the package from the top-level ``templates/`` and
   writes it atomically with ``CONVERSION.md`` and ``conversion.json``.
"""
