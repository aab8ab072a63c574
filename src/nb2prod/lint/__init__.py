"""``nb2prod lint``: flag notebook anti-patterns before they reach production.

The package is laid out like pyupgrade and refurb:

* :mod:`nb2prod.lint.rule` -- the :class:`~nb2prod.lint.rule.Rule` base class and :class:`~nb2prod.lint.rule.Finding`;
* :mod:`nb2prod.lint.rules` -- one module per rule, registered by ``@register`` and found by a ``pkgutil`` walk;
* :mod:`nb2prod.lint.context` -- a notebook prepared for the rules (magics recognised, cells parsed once,
  names and imports analysed once);
* :mod:`nb2prod.lint.engine` -- finds notebooks, runs the selected rules, applies suppressions;
* :mod:`nb2prod.lint.config` -- ``[tool.nb2prod.lint]`` in the nearest ``pyproject.toml``;
* :mod:`nb2prod.lint.cli` -- the ``lint`` and ``rule`` click commands;
* :mod:`nb2prod.lint.docs` -- ``python -m nb2prod.lint.docs > docs/rules.md``.

Nothing here imports PySpark, pandas, libcst or nbformat: the hook must start fast.
"""
