from __future__ import annotations

import ast

from nb2prod.lint.astutil import dotted, keyword, qualified_name
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register

_STDLIB = frozenset(
    {"random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform", "gauss", "normalvariate",
     "lognormvariate", "expovariate", "betavariate", "gammavariate", "triangular", "vonmisesvariate",
     "paretovariate", "weibullvariate", "binomialvariate", "getrandbits", "randbytes"}
)
_NUMPY = frozenset(
    {"rand", "randn", "randint", "random", "random_sample", "random_integers", "ranf", "sample", "choice", "shuffle",
     "permutation", "normal", "uniform", "binomial", "poisson", "exponential", "beta", "gamma", "lognormal",
     "multinomial", "multivariate_normal", "standard_normal", "laplace", "logistic", "geometric"}
)
#: constructors that are unseeded when called without arguments
_GENERATORS = frozenset(
    {"random.Random", "numpy.random.default_rng", "numpy.random.RandomState", "pyspark.sql.functions.rand",
     "pyspark.sql.functions.randn"}
)
_SPLITTERS = frozenset({"sklearn.model_selection.train_test_split", "sklearn.cross_validation.train_test_split"})
#: the last part of every name the rule looks at
_LAST_PARTS = frozenset(
    {"seed", "sample", "randomSplit", *_STDLIB, *_NUMPY, *(n.rsplit(".", 1)[-1] for n in _GENERATORS | _SPLITTERS)}
)


@register
class UnseededRandom(Rule):
    """Randomness without a seed, so two runs give different results.

    ## What it does
    Flags, by what the names refer to (`import numpy as np` is understood):

    * `random.*` and legacy `numpy.random.*` sampling functions when no `random.seed()` /
      `numpy.random.seed()` call came before them;
    * `random.Random()`, `numpy.random.default_rng()`, `RandomState()` and PySpark's
      `F.rand()`/`F.randn()` called without a seed;
    * `train_test_split` without `random_state`;
    * `.sample(...)` (pandas or Spark) with no `random_state`/`seed` argument and at most one
      positional argument, and `.randomSplit(weights)` without a seed.

    ## Why this matters in production
    An unseeded pipeline cannot be re-run to reproduce a number, a model or a bug, and its tests
    flake. A seed from configuration makes every run repeatable and still lets you vary it.

    ## Example
    ```python
    import numpy as np
    noise = np.random.normal(size=100)
    train = df.sample(frac=0.8)
    ```

    ## Use instead
    ```python
    import numpy as np
    rng = np.random.default_rng(42)
    noise = rng.normal(size=100)
    train = df.sample(frac=0.8, random_state=42)
    ```

    Fixable by convert: no
    """

    code = "NB405"
    name = "unseeded-random"
    node_types = (ast.Call,)
    # "random"/"numpy.random" (as called or imported), rand/randn, randomSplit, .sample(), train_test_split
    requires = ("rand", "sample", "train_test_split")

    def check_node(self, node: ast.Call, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        func = node.func
        if func.__class__ is ast.Attribute and func.attr not in _LAST_PARTS:
            return NO_FINDINGS  # the qualified name ends with the attribute, which no branch below wants
        seeded: set[str] = nb.scratch.setdefault(self.code, set())
        name = qualified_name(node.func, nb.imports) or ""
        module, _, function = name.rpartition(".")
        if function == "seed" and module in ("random", "numpy.random"):
            seeded.add(module)
            return NO_FINDINGS
        unseeded = False
        if module == "random" and function in _STDLIB:
            unseeded = "random" not in seeded
        elif module == "numpy.random" and function in _NUMPY:
            unseeded = "numpy.random" not in seeded
        elif name in _GENERATORS:
            unseeded = not node.args and not node.keywords
        elif name in _SPLITTERS:
            unseeded = keyword(node, "random_state") is None
        elif isinstance(node.func, ast.Attribute) and (dotted(node.func) or ".").split(".")[0] not in nb.imports:
            if node.func.attr == "sample":
                unseeded = keyword(node, "random_state") is None and keyword(node, "seed") is None and len(node.args) <= 1
            elif node.func.attr == "randomSplit":
                unseeded = keyword(node, "seed") is None and len(node.args) < 2
        if unseeded:
            shown = dotted(node.func) or (f".{node.func.attr}" if isinstance(node.func, ast.Attribute) else "call")
            return [self.at(nb, cell, node, f"unseeded randomness in {shown}() (set a seed so runs repeat)")]
        return NO_FINDINGS
