from __future__ import annotations

import ast
import functools
import os
import re
import sys

from nb2prod.lint.config import parents, read_pyproject, resolved_directory
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.lazyre import LazyPattern
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register

#: import name -> distribution names, where they differ by more than `-`/`_`/case
ALIASES: dict[str, tuple[str, ...]] = {
    "sklearn": ("scikit-learn",),
    "skimage": ("scikit-image",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    "PIL": ("pillow",),
    "yaml": ("pyyaml",),
    "bs4": ("beautifulsoup4",),
    "dateutil": ("python-dateutil",),
    "dotenv": ("python-dotenv",),
    "jwt": ("pyjwt",),
    "Crypto": ("pycryptodome", "pycryptodomex"),
    "OpenSSL": ("pyopenssl",),
    "attr": ("attrs",),
    "git": ("gitpython",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "magic": ("python-magic",),
    "serial": ("pyserial",),
    "zmq": ("pyzmq",),
    "fitz": ("pymupdf",),
    "umap": ("umap-learn",),
    "Levenshtein": ("python-levenshtein", "levenshtein"),
    "slugify": ("python-slugify",),
    "jose": ("python-jose",),
    "multipart": ("python-multipart",),
    "websocket": ("websocket-client",),
    "psycopg2": ("psycopg2-binary", "psycopg2"),
    "mpl_toolkits": ("matplotlib",),
    "pkg_resources": ("setuptools",),
    "delta": ("delta-spark",),
    "IPython": ("ipython", "jupyter", "notebook", "jupyterlab"),
    "pyspark": ("databricks-connect", "pyspark-client", "pyspark-connect"),
}
#: namespace packages: the distribution is named after the first two or three parts of the import
NAMESPACES = frozenset({"google", "azure", "jaraco", "zope", "sphinxcontrib", "databricks"})
#: what a run says, once, about the notebooks that import third-party modules with no manifest above them
NO_MANIFEST_NOTE = (
    "note: NB404 undeclared-import checked nothing where no requirements.txt, pyproject.toml"
    " or environment.yml is above the notebook; add one to have its imports checked"
)
_REQUIREMENT = LazyPattern(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
#: the extras of a requirement: ``kedro-datasets[pandas-csvdataset, plotly]`` -> "pandas-csvdataset, plotly"
_EXTRAS = LazyPattern(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*\[([^\]]*)\]")
_CONDA_ITEM = LazyPattern(r"^\s*-\s*([A-Za-z0-9][A-Za-z0-9._-]*)", re.MULTILINE)


def normalize(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def _declared_by(spec: str) -> set[str]:
    """The distributions a requirement line declares: its own, and those its extras are named after
    (``kedro-datasets[pandas.CSVDataset]`` installs pandas, ``[pillow-imagedataset]`` pillow)."""
    match = _REQUIREMENT.match(spec)
    if not match:
        return set()
    names = {normalize(match.group(1))}
    if "[" in spec:
        extras = _EXTRAS.match(spec)
        if extras:
            for extra in extras.group(1).split(","):
                first = normalize(extra.strip()).split("-")[0]
                if first:
                    names.add(first)
    return names


def _requirements(path: str) -> set[str]:
    names: set[str] = set()
    text = _read(path)
    if text is None:
        return names
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names |= _declared_by(line)
    return names


def _pyproject(path: str) -> set[str]:
    try:
        data = read_pyproject(path) or {}
    except Exception:  # an invalid pyproject.toml declares nothing; the config loader reports it
        return set()
    specs: list[str] = []
    project = data.get("project") or {}
    if isinstance(project.get("name"), str):
        specs.append(project["name"])
    specs.extend(s for s in project.get("dependencies") or () if isinstance(s, str))
    for group in (project.get("optional-dependencies") or {}).values():
        specs.extend(s for s in group if isinstance(s, str))
    for group in (data.get("dependency-groups") or {}).values():
        specs.extend(s for s in group if isinstance(s, str))
    poetry = (data.get("tool") or {}).get("poetry") or {}
    for table in (poetry.get("dependencies"), poetry.get("dev-dependencies"),
                  *((g or {}).get("dependencies") for g in (poetry.get("group") or {}).values())):
        specs.extend(table or ())
    names: set[str] = set()
    for spec in specs:
        names |= _declared_by(spec)
    return names


def _conda(path: str) -> set[str]:
    text = _read(path)
    if text is None:
        return set()
    return {normalize(n) for n in _CONDA_ITEM.findall(text)}


class Declared:
    """What the project around a notebook declares: distributions, and local module names."""

    def __init__(self, directory: str) -> None:
        self.distributions: set[str] = set()
        self.files: list[str] = []
        self.local_roots = [directory]
        self._local: dict[str, bool] = {}
        self._declared: dict[str, bool] = {}
        for folder in parents(directory):
            names = _names(folder)
            for path in (
                *_matching(folder, names, "requirements", ".txt"),
                *_matching(folder, names, "requirements", ".in"),
                *_matching(os.path.join(folder, "requirements"), _names(os.path.join(folder, "requirements")), "", ".txt"),
            ):
                self.files.append(path)
                self.distributions |= _requirements(path)
            pyproject = os.path.join(folder, "pyproject.toml")
            if os.path.isfile(pyproject):
                self.files.append(pyproject)
                self.distributions |= _pyproject(pyproject)
            for name in ("environment.yml", "environment.yaml"):
                if os.path.isfile(os.path.join(folder, name)):
                    self.files.append(os.path.join(folder, name))
                    self.distributions |= _conda(os.path.join(folder, name))
            if os.path.exists(os.path.join(folder, ".git")):  # the repository root: files above it are not the project's
                self.local_roots += [folder, os.path.join(folder, "src")]
                break

    def is_local(self, module: str) -> bool:
        # Remembered for the run: the notebooks of one directory share this object and import the same modules.
        local = self._local.get(module)
        if local is None:
            local = self._local[module] = any(
                os.path.isfile(os.path.join(root, f"{module}.py")) or os.path.isdir(os.path.join(root, module))
                for root in self.local_roots
            )
        return local

    def declares(self, module: str, dotted: str) -> bool:
        """Whether ``module`` (imported as ``dotted``) is declared; for namespace packages, by its dotted name.

        ``dotted`` is the module itself, or its first three parts for a namespace package (the rule's
        key); remembered for the run, as :meth:`is_local` is.
        """
        declared = self._declared.get(dotted)
        if declared is None:
            declared = self._declared[dotted] = self._declares(module, dotted)
        return declared

    def _declares(self, module: str, dotted: str) -> bool:
        if module in NAMESPACES:
            parts = dotted.split(".")
            return any(normalize(".".join(parts[:n])) in self.distributions for n in range(2, len(parts) + 1))
        return bool({normalize(module), *ALIASES.get(module, ())} & self.distributions)


def _names(folder: str) -> list[str]:
    """The entries of ``folder``, sorted; none if it cannot be listed."""
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _matching(folder: str, names: list[str], prefix: str, suffix: str) -> list[str]:
    """``folder/prefix*suffix`` (``Path.glob``'s match, without compiling a pattern), sorted."""
    return [
        os.path.join(folder, name)
        for name in names
        if name.startswith(prefix) and name.endswith(suffix) and len(name) >= len(prefix) + len(suffix)
    ]


@functools.cache
def declared_for(directory: str) -> Declared:
    return Declared(directory)


@register
class UndeclaredImport(Rule):
    """A third-party module is imported but not declared as a dependency.

    ## What it does
    For each imported top-level module that is neither in the standard library nor a local module
    (a `.py` file or package next to the notebook, at the repository root or in its `src/`),
    looks for a declaration in the `requirements*.txt`, `requirements/*.txt`,
    `pyproject.toml` (project, optional and group dependencies, Poetry) and `environment.yml`
    files of the notebook's directory and every directory above it up to the repository root.
    Import names are matched to distribution names (`sklearn` is `scikit-learn`, `cv2` is
    `opencv-python`, ...); namespace packages by their dotted name (`google.cloud.bigquery` is
    `google-cloud-bigquery`). A requirement's extras count as declaring what they are named after
    (`kedro-datasets[pandas-csvdataset]` installs pandas). Each module is reported once per notebook.

    With no such file at all above the notebook there is nothing to check against: the rule
    reports nothing, and the run says so once, on stderr, without failing (a repository that
    declares no dependencies is not told, import by import, what it already knows).

    ## Why this matters in production
    Only 12.5% of notebooks on GitHub declare their dependencies; the rest run only on the machine
    that has the right packages installed already. A pipeline's environment is built from its
    declared dependencies and nothing else.

    ## Example
    A notebook next to a `requirements.txt` that lists only `pandas`:
    ```python
    import pandas as pd
    import lightgbm
    ```

    ## Use instead
    Add `lightgbm` (with a version range) to `requirements.txt`.

    Fixable by convert: no
    """

    code = "NB404"
    name = "undeclared-import"
    node_types = (ast.Import, ast.ImportFrom)

    def check_node(self, node: ast.Import | ast.ImportFrom, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        if isinstance(node, ast.ImportFrom):
            if node.level or not node.module:
                return NO_FINDINGS
            dotted_names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            dotted_names = [alias.name for alias in node.names]
        seen: set[str] = nb.scratch.setdefault(self.code, set())
        found = []
        for dotted in dotted_names:
            module = dotted.split(".")[0]
            # a namespace package is many distributions: google.cloud.storage is google-cloud-storage
            key = ".".join(dotted.split(".")[:3]) if module in NAMESPACES else module
            if key in seen or module in sys.stdlib_module_names or module == "__future__":
                continue
            seen.add(key)
            declared = nb.scratch.get("NB404-declared")
            if declared is None:
                declared = nb.scratch["NB404-declared"] = declared_for(resolved_directory(os.path.dirname(nb.path)))
            if declared.is_local(module):
                continue
            if not declared.files:  # nothing to check against: said once per run, not a finding
                if not nb.scratch.get("NB404-noted"):
                    nb.scratch["NB404-noted"] = True
                    nb.scratch.setdefault("notes", []).append(NO_MANIFEST_NOTE)
                continue
            if declared.declares(module, key):
                continue
            message = f"third-party module {key!r} is not declared in requirements.txt or pyproject.toml (add it)"
            found.append(self.at(nb, cell, node, message))
        return found
