"""Pass: notebook names that the generated pipeline's own names would shadow are renamed.

The generated ``pipeline.py`` binds names of its own: its step functions take the run's
``spark`` session, ``settings``, the ``driver`` (the driver tier's boundary) and the HTTP
session ``web`` as parameters; the module binds ``log`` (its logger), ``step`` (the step
decorator), ``F`` and ``Window`` (``pyspark.sql``), ``compat``, ``schemas``, ``http_client`` and
``require_env``; the config pass writes ``config[...]``. A notebook that binds one of these
names itself (``import pandas_datareader.data as web``, ``from math import log``,
``driver = "Hamilton"``, ``step = 0.1``, ``config = load_config()``) would have its value
silently replaced by the pipeline's, or replace it, so the notebook's name is renamed
``notebook_<name>`` everywhere it is bound and read (NM101), before any other pass writes the
pipeline's own names (the logging pass's ``log.info``, the HTTP pass's ``web.get``).

Only names the notebook binds at its top level (an assignment, a ``for`` target, an import, a
``def`` or ``class``) are renamed: a notebook that only reads ``spark`` (as on Databricks) means
the pipeline's session, and a function's parameter or local of such a name is the function's
own. An import that binds the very object the pipeline binds (``from pyspark.sql import
functions as F``, ``from pyspark.sql import Window``) is left as it is.
Scopes: libcst's ``ScopeProvider`` (https://libcst.readthedocs.io/en/latest/scope_tutorial.html).
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import ImportAssignment, ScopeProvider

from nb2prod.convert.passes.base import CellPass

#: codes this pass reports: code -> (kebab-case name, what it means for the user)
CODES = {
    "NM101": (
        "generated-name-renamed",
        "A notebook name that the generated pipeline binds itself (spark, settings, config, driver, web, log, step, F, Window, "
        "compat, schemas, http_client, require_env) is renamed notebook_<name> wherever the notebook binds and reads it.",
    ),
}

#: notebook name -> its new name; why each is taken: see the module docstring
NOTEBOOK_RENAMES = {
    name: f"notebook_{name}"
    for name in ("config", "settings", "spark", "driver", "web", "log", "step", "F", "Window", "compat", "schemas", "http_client", "require_env")
}

_NAMES = "|".join(NOTEBOOK_RENAMES)
#: text that may bind one of the names: an assignment or walrus, a tuple target, an ``as``, a def or class, an import line, a for target
#: (never an attribute: ``np.log)`` or ``x.config =`` binds nothing)
_MAY_BIND = re.compile(
    rf"(?<![.\w])(?:{_NAMES})\s*(?::?=(?!=)|[,)])|\bas\s+(?:{_NAMES})\b|\b(?:def|class)\s+(?:{_NAMES})\b|\bimport\b[^\n]*\b(?:{_NAMES})\b|\bfor\b[^:\n]*\b(?:{_NAMES})\b"
)

#: imports that bind the object the pipeline binds under that name: not a collision
_SAME_OBJECT = {"F": {"pyspark.sql.functions"}, "Window": {"pyspark.sql.Window", "pyspark.sql.window.Window"}}

#: what the pipeline means by each name, for the report
_MEANING = {
    "config": "the config pass reads settings as config[...]",
    "settings": "the step functions take the pipeline's settings as `settings`",
    "spark": "the step functions take the SparkSession as `spark`",
    "driver": "the step functions take the driver tier's boundary as `driver`",
    "web": "the step functions take the run's HTTP session as `web`",
    "log": "pipeline.py binds its logger as `log`",
    "step": "pipeline.py binds its step decorator as `step`",
    "F": "pipeline.py binds pyspark.sql.functions as `F`",
    "Window": "pipeline.py binds pyspark.sql.Window as `Window`",
}


class NamesPass(CellPass):
    """Rename the notebook's top-level bindings of the generated pipeline's own names (NM101)."""

    METADATA_DEPENDENCIES = (*CellPass.METADATA_DEPENDENCIES, ScopeProvider)

    @classmethod
    def needed(cls, source: str) -> bool:
        """Whether the source may bind one of the names (a cheap textual test before scope analysis)."""
        return _MAY_BIND.search(source) is not None

    def visit_Module(self, node: cst.Module) -> None:
        #: id of a Name node -> its new name
        self.renamed: dict[int, str] = {}
        #: id of a binding node (Name, ImportAlias, FunctionDef, ClassDef) -> the name it binds, reported once
        self.bindings: dict[int, str] = {}
        self.reported: set[str] = set()
        #: notebook name -> its new name, for the names this notebook has renamed
        self.new_names: dict[str, str] = {}
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return
        for name, new in NOTEBOOK_RENAMES.items():
            if name not in scope.assignments:
                continue
            assignments = list(scope.assignments[name])
            if any(isinstance(a, ImportAssignment) and self._same_object(name, a) for a in assignments):
                continue
            while new in scope.assignments or new in scope.accesses:
                new = f"{new}_"
            self.new_names[name] = new
            for assignment in assignments:
                target = assignment.node
                if isinstance(assignment, ImportAssignment):
                    for alias in target.names if isinstance(target.names, (list, tuple)) else ():
                        if _bound_name(alias) == name:
                            self.bindings[id(alias)] = name
                            self.renamed[id(alias)] = new
                elif isinstance(target, (cst.FunctionDef, cst.ClassDef)):
                    self.bindings[id(target)] = name
                    self.renamed[id(target.name)] = new
                elif isinstance(target, cst.Name):
                    self.bindings[id(target)] = name
                    self.renamed[id(target)] = new
                for access in assignment.references:  # reads anywhere, functions included
                    self.renamed[id(access.node)] = new
            for access in scope.accesses[name]:
                self.renamed[id(access.node)] = new

    @staticmethod
    def _same_object(name: str, assignment: ImportAssignment) -> bool:
        statement = assignment.node
        if isinstance(statement, cst.Import):  # import pyspark.sql.functions as F
            return any(
                _bound_name(alias) == name and cst.Module(body=[]).code_for_node(alias.name) in _SAME_OBJECT.get(name, ())
                for alias in statement.names
            )
        if not isinstance(statement, cst.ImportFrom) or statement.module is None:
            return False
        module = cst.Module(body=[]).code_for_node(statement.module)
        for alias in statement.names if isinstance(statement.names, (list, tuple)) else ():
            if _bound_name(alias) == name:
                imported = cst.Module(body=[]).code_for_node(alias.name)
                if f"{module}.{imported}" in _SAME_OBJECT.get(name, ()):
                    return True
        return False

    def _report(self, node: cst.CSTNode, name: str) -> None:
        if name in self.reported:
            return
        self.reported.add(name)
        why = _MEANING.get(name, f"pipeline.py binds `{name}` itself")
        self.report(node, "NM101", "converted", f"notebook name `{name}` renamed `{self.new_names[name]}`: {why}")

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.renamed.get(id(original_node))
        if new is None:
            return updated_node
        if id(original_node) in self.bindings:
            self._report(original_node, self.bindings[id(original_node)])
        return updated_node.with_changes(value=new)

    def leave_ImportAlias(self, original_node: cst.ImportAlias, updated_node: cst.ImportAlias) -> cst.ImportAlias:
        new = self.renamed.get(id(original_node))
        if new is None:
            return updated_node
        self._report(original_node, self.bindings[id(original_node)])
        return updated_node.with_changes(asname=cst.AsName(name=cst.Name(new)))

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        if id(original_node) in self.bindings:
            self._report(original_node, self.bindings[id(original_node)])
        return updated_node

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        if id(original_node) in self.bindings:
            self._report(original_node, self.bindings[id(original_node)])
        return updated_node


def _bound_name(alias: cst.ImportAlias) -> str:
    """The name an import alias binds: its ``as`` name, else the first part of what it imports."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return cst.Module(body=[]).code_for_node(alias.name).split(".")[0]
